"""Accessibility checks with axe-core, vendored under static/vendor/axe-core/ (`make vendor`).

The tests inject axe into the page; the portal itself never serves it to a user's page.
"""

from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

AXE_PATH = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
# The findings a page may not have: those axe rates as barriers for some users.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def axe_findings(page: Page) -> list[dict]:
    """Every rule the page breaks, as axe reports it: id, impact, help, helpUrl, nodes."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_PATH))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "),
                    summary: n.failureSummary,
                })),
            }));
        }"""
    )


def blocking_findings(page: Page) -> list[dict]:
    """The serious and critical findings of the page: none is acceptable."""
    return [v for v in axe_findings(page) if v["impact"] in BLOCKING_IMPACTS]


def describe(findings: list[dict]) -> str:
    """Findings as a reader of a failed test needs them: rule, impact, help and elements."""
    lines = []
    for finding in findings:
        lines.append(f"- {finding['id']} ({finding['impact']}): {finding['help']}")
        for node in finding["nodes"]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)
