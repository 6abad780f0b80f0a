"""Template tags of the accountability app, so that pages of the apps below it can show a
territory's newest public report without importing accountability:

    {% load accountability %}{% latest_public_report territory %}
"""

from django import template

from accountability.models import PublicReport, ReportRun
from accountability.periods import Period
from accountability.services import REPORT_LEVELS
from mahalla.models import Territory

register = template.Library()

# Shown on the public pages of these levels only (DESIGN.md §6: mahallas and regions).
LEVELS_SHOWN = {Territory.Kind.MAHALLA, Territory.Kind.REGION}


@register.filter
def period_label(obj: PublicReport | ReportRun) -> str:
    """A report's or a run's period in words, in the active language: "Q3 2026"."""
    return Period(obj.period_kind, obj.period_start).label


@register.filter
def territory_level(level: str) -> str:
    """A level of the tree ("district") in words."""
    return Territory.Kind(level).label if level in Territory.Kind.values else level


@register.filter
def progress_percent(run: ReportRun) -> int:
    """How far a run is, 0–100."""
    return run.progress


@register.inclusion_tag("accountability/latest_report.html")
def latest_public_report(territory: Territory) -> dict:
    """The newest published report of each kind of period the node's level gets (a
    mahalla's month; a region's quarter and year), one small query per kind."""
    reports = []
    if territory is not None and territory.kind in LEVELS_SHOWN:
        for kind, levels in REPORT_LEVELS.items():
            if territory.kind not in levels:
                continue
            report = (
                PublicReport.objects.filter(territory=territory, period_kind=kind)
                .defer("html")
                .order_by("-period_start", "-version")
                .first()
            )
            if report is not None:
                reports.append(report)
    return {"territory": territory, "reports": reports}
