"""Writes of the accountability app: the indicator catalogue, the roll-ups and the public
reports with the runs that make them.

A period's roll-ups are computed from the measures in a fixed number of grouped queries
(accountability.measures) and replace the period's rows as a whole in one transaction, so a
re-run replaces and never duplicates, and a reader sees either the old rows or the new.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accountability.measures import (
    MEASURES,
    PREFIX_LENGTHS,
    measure_rows_under,
    measure_values,
)
from accountability.models import (
    ApprovedPeriod,
    Indicator,
    PeriodKind,
    PublicReport,
    ReportRun,
    RollUp,
)
from accountability.periods import Period
from accountability.permissions import hidden_parts
from accountability.reference_data import INDICATORS
from accountability.selectors import indicator_list
from core.exceptions import ApplicationError
from core.exports import csv_lines
from core.outbox import enqueue
from incentives.selectors import award_public_name, award_register_list
from mahalla.models import Territory
from mahalla.selectors import placement_paths_at, territory_ancestors, territory_ancestors_at
from partnership.models import Obligation
from prevention.models import PeriodApproval
from prevention.selectors import period_final_districts

BATCH = 5000
# Four decimal places are stored; values are rounded once, here.
QUANTUM = Decimal("0.0001")


@transaction.atomic
def indicators_ensure() -> int:
    """Adds the default indicators that are missing; edits by admins stay."""
    created = 0
    for order, row in enumerate(INDICATORS, start=1):
        code, numerator, denominator, factor, unit, better, personal, uz, uz_cyrl, ru, en = row
        _indicator, was_created = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "numerator": numerator,
                "denominator": denominator,
                "factor": factor,
                "unit": unit,
                "better": better,
                "from_personal_records": personal,
                "name_uz": uz,
                "name_uz_cyrl": uz_cyrl,
                "name_ru": ru,
                "name_en": en,
                "order": order,
            },
        )
        created += was_created
    return created


def indicator_value(
    indicator: Indicator, numerator: Decimal, denominator: Decimal | None
) -> Decimal | None:
    """numerator ÷ denominator × factor; None where the denominator is zero."""
    if not indicator.denominator:
        return (numerator * indicator.factor).quantize(QUANTUM)
    if not denominator:
        return None
    return (numerator / denominator * indicator.factor).quantize(QUANTUM)


def rollup_refresh(*, period: Period) -> int:
    """Recomputes every active indicator at every node for the period; returns the number
    of rows written. Nodes with neither a numerator nor a denominator get no row."""
    indicators = list(Indicator.objects.filter(is_active=True))
    needed = {code for i in indicators for code in (i.numerator, i.denominator) if code}
    values = {code: measure_values(MEASURES[code], period) for code in needed if code in MEASURES}
    node_ids = dict(Territory.objects.values_list("path", "id"))
    now = timezone.now()
    written = 0
    with transaction.atomic():
        RollUp.objects.filter(period_kind=period.kind, period_start=period.start).delete()
        for indicator in indicators:
            numerators = values.get(indicator.numerator, {})
            denominators = values.get(indicator.denominator) if indicator.denominator else None
            paths = set(numerators) | set(denominators or ())
            rows = []
            for path in paths:
                node_id = node_ids.get(path)
                if node_id is None:
                    continue
                numerator = numerators.get(path, Decimal(0))
                denominator = None if denominators is None else denominators.get(path, Decimal(0))
                rows.append(
                    RollUp(
                        indicator=indicator,
                        territory_id=node_id,
                        period_kind=period.kind,
                        period_start=period.start,
                        numerator=numerator.quantize(QUANTUM),
                        denominator=None if denominator is None else denominator.quantize(QUANTUM),
                        value=indicator_value(indicator, numerator, denominator),
                        computed_at=now,
                    )
                )
            RollUp.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
        approved_periods_refresh(period=period, at=now)
    return written


# --- Approved figures -------------------------------------------------------------------------
#
# A node's figures for a period are public once every district under it has had each month of
# the period approved by its region (or accepted by the republic); a mahalla follows its
# district. They are marked approved together with the roll-ups computed after the approval,
# so what is published is what was approved, and withdrawn at once when a month is returned
# or reopened (until its figures are approved again and recomputed).


def approved_node_ids(*, period: Period) -> set[int]:
    """The nodes whose every district has each month of the period approved or accepted,
    counting a district only for the months it existed in; a mahalla follows the district it
    was in at the period's end, as its figures do. Five queries."""
    final = period_final_districts(first=period.start, last=period.end)
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).values_list(
        "pk", "path", "valid_from", "valid_to"
    )
    approved, approved_paths, waiting = set(), set(), []
    for pk, path, valid_from, valid_to in districts:
        months = [
            month
            for month in period.months
            if (valid_from is None or valid_from <= Period(PeriodKind.MONTH, month).end)
            and (valid_to is None or valid_to >= month)
        ]
        if months and all(pk in final.get(month, ()) for month in months):
            approved.add(pk)
            approved_paths.add(path)
        elif months:
            waiting.append(path)
    for pk, path in Territory.objects.filter(
        kind__in=[Territory.Kind.COUNTRY, Territory.Kind.REGION]
    ).values_list("pk", "path"):
        if not any(district.startswith(path) for district in waiting):
            approved.add(pk)
    placed = placement_paths_at(period.end)
    district_length = PREFIX_LENGTHS[Territory.Kind.DISTRICT]
    mahallas = Territory.objects.filter(kind=Territory.Kind.MAHALLA).values_list("pk", "path")
    approved.update(
        pk
        for pk, path in mahallas.iterator(chunk_size=BATCH)
        if placed.get(pk, path)[:district_length] in approved_paths
    )
    return approved


def approved_periods_refresh(*, period: Period, at=None) -> int:
    """Marks the nodes whose figures for the period are approved, replacing the period's
    marks as a whole; returns how many there are."""
    ids = approved_node_ids(period=period)
    at = at or timezone.now()
    with transaction.atomic():
        ApprovedPeriod.objects.filter(period_kind=period.kind, period_start=period.start).delete()
        ApprovedPeriod.objects.bulk_create(
            [
                ApprovedPeriod(
                    territory_id=pk,
                    period_kind=period.kind,
                    period_start=period.start,
                    approved_at=at,
                )
                for pk in ids
            ],
            batch_size=BATCH,
        )
    return len(ids)


def _district_chain(district: Territory, field: str) -> Q:
    """Rows whose path `field` is the district's, one of its mahallas' or an ancestor's: the
    nodes whose figures a change of the district's month touches."""
    ancestors = [ancestor.path for ancestor in territory_ancestors(node=district)]
    return Q(**{f"{field}__startswith": district.path}) | Q(**{f"{field}__in": ancestors})


def approved_periods_withdraw(*, district: Territory, month: date) -> int:
    """After a month of the district changed state: if it is no longer approved, the figures
    of the district, its mahallas and the nodes above it for the month, its quarter and its
    year stop being public at once. Returns how many marks were withdrawn."""
    still_final = PeriodApproval.objects.filter(
        district=district, month=month, state__in=PeriodApproval.FINAL_STATES
    )
    if still_final.exists():
        return 0
    chain = _district_chain(district, "territory__path")
    withdrawn = 0
    for period in Period(PeriodKind.MONTH, month).containing_periods():
        withdrawn += ApprovedPeriod.objects.filter(
            chain, period_kind=period.kind, period_start=period.start
        ).delete()[0]
    return withdrawn


def period_figures_refresh(*, district: Territory, month: date, changed_at) -> dict[str, int]:
    """After a month of the district changed state: the roll-ups of the month, its quarter
    and its year computed again (and with them what is approved), unless a computation that
    began after the change has done it already; then the published reports of the district's
    nodes for those periods that have ended made again where their figures changed. Returns
    the number of reports looked at, by period."""
    today = timezone.localdate()
    done = {}
    for period in Period(PeriodKind.MONTH, month).containing_periods():
        key = f"accountability:rollups-computed:{period.kind}:{period.start}"
        computed = cache.get(key)
        if computed is None or computed < changed_at:
            # Noted once done (a failed computation is redone by the retry), as of its start.
            started = timezone.now()
            rollup_refresh(period=period)
            cache.set(key, started, timeout=7 * 24 * 3600)
        reports = 0
        if period.end < today:
            reports = len(_reports_refresh(district=district, period=period))
        done[f"{period.kind} {period.start}"] = reports
    return done


def _reports_refresh(*, district: Territory, period: Period) -> list[PublicReport]:
    """The published reports of the nodes on the district's chain (its mahallas for a month;
    itself, its region and the republic otherwise) whose figures are approved, made again
    where they changed (a new version with its reason)."""
    levels = REPORT_LEVELS[period.kind]
    nodes = _report_nodes(levels, period).filter(_district_chain(district, "path"))
    reason = _("The period was reopened and corrected: its figures changed.")
    return [report_generate(territory=node, period=period, reason=reason) for node in nodes]


# --- Public reports ---------------------------------------------------------------------------
#
# A report is rendered from roll-ups and a few counts of the period, in the portal's default
# language, and holds nothing that changes with the time of rendering: rendering it again
# from the same data gives the same bytes, which is how a re-run knows there is nothing new.

# The levels whose reports each kind of period brings (the schedule, the run page, the tag).
REPORT_LEVELS = {
    PeriodKind.MONTH: [Territory.Kind.MAHALLA],
    PeriodKind.QUARTER: [Territory.Kind.DISTRICT, Territory.Kind.REGION, Territory.Kind.COUNTRY],
    PeriodKind.YEAR: [Territory.Kind.DISTRICT, Territory.Kind.REGION, Territory.Kind.COUNTRY],
}
REPORT_TEMPLATE = "accountability/report.html#document"
# The stored document's report proper lies between these, so the report page can show it
# inside the portal's layout without a second rendering.
REPORT_BODY_START = "<!-- report -->"
REPORT_BODY_END = "<!-- /report -->"
TREND_PERIODS = 4
# The republic's report would otherwise list every award of the year; the register has them.
AWARDS_LISTED = 50
RUN_BATCH = 50
SUPPRESSED_TEXT = "<5"


@dataclass(frozen=True)
class ReportCell:
    """One figure of an indicator in one period, as the public may see it."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    suppressed: bool
    denominator_suppressed: bool = False

    @property
    def text(self) -> str:
        """The value for people: "<5", "—" where there is none, else localised."""
        if self.suppressed:
            return SUPPRESSED_TEXT
        if self.value is None:
            return "—"
        return floatformat(self.value, "-2g")

    def csv(self, field: str) -> str:
        """A part ("numerator", "denominator", "value") for machines: "<5", "" or 12.5."""
        hidden = self.denominator_suppressed if field == "denominator" else self.suppressed
        if hidden:
            return SUPPRESSED_TEXT
        return _plain(getattr(self, field))


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    text = format(number.quantize(QUANTUM), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class ReportIndicatorRow:
    indicator: Indicator
    trend: list[ReportCell]  # TREND_PERIODS cells, oldest first; the last is the period's

    @property
    def current(self) -> ReportCell:
        return self.trend[-1]

    @property
    def previous(self) -> ReportCell:
        return self.trend[-2]

    @property
    def change(self) -> str:
        """Against the previous period: "up", "down", "same", or "" when either is unknown."""
        now, before = self.current, self.previous
        if now.suppressed or before.suppressed or now.value is None or before.value is None:
            return ""
        if now.value == before.value:
            return "same"
        return "up" if now.value > before.value else "down"

    @property
    def is_better(self) -> bool:
        higher = self.indicator.better == Indicator.Better.HIGHER
        return (self.change == "up") == higher and self.change in ("up", "down")


@dataclass(frozen=True)
class ReportAward:
    name: str
    ground: str
    month: date


@dataclass(frozen=True)
class ReportContent:
    """Everything a report shows, read once and rendered into all three formats."""

    territory: Territory
    ancestors: list[Territory]
    period: Period
    trend_periods: list[Period]
    rows: list[ReportIndicatorRow]
    activities: int
    agreements: int
    obligations_done: int
    obligations_total: int
    meetings: int
    awards_count: int
    awards: list[ReportAward]

    @property
    def obligations_percent(self) -> int | None:
        if not self.obligations_total:
            return None
        return round(100 * self.obligations_done / self.obligations_total)


def _cell(indicator: Indicator, rollup: RollUp | None) -> ReportCell:
    if rollup is None:
        return ReportCell(numerator=None, denominator=None, value=None, suppressed=False)
    hidden = hidden_parts(indicator, rollup.numerator, rollup.denominator)
    return ReportCell(
        numerator=rollup.numerator,
        denominator=rollup.denominator,
        value=rollup.value,
        suppressed="value" in hidden,
        denominator_suppressed="denominator" in hidden,
    )


def report_content(*, territory: Territory, period: Period) -> ReportContent:
    """The report's figures: every active indicator at the node in the period and the three
    before it (from roll-ups), and the period's partnership, meeting and award counts.

    Indicators counted from personal records are suppressed under five (is_suppressed); the
    awards are listed as the public register names them, so their number is not.
    """
    trend_periods = [period.shift(steps) for steps in range(1 - TREND_PERIODS, 1)]
    indicators = list(indicator_list())
    starts = [p.start for p in trend_periods]
    # The earlier periods' figures too only where they are approved.
    approved = ApprovedPeriod.objects.filter(
        territory=territory, period_kind=period.kind, period_start__in=starts
    ).values("period_start")
    rollups = {
        (rollup.indicator_id, rollup.period_start): rollup
        for rollup in RollUp.objects.filter(
            territory=territory,
            period_kind=period.kind,
            period_start__in=approved,
        )
    }
    rows = [
        ReportIndicatorRow(
            indicator=indicator,
            trend=[_cell(indicator, rollups.get((indicator.pk, p.start))) for p in trend_periods],
        )
        for indicator in indicators
    ]
    activities = measure_rows_under("joint_activities", period, territory)
    agreements = measure_rows_under("active_agreements", period, territory)
    obligations = Obligation.objects.filter(
        agreement__in=agreements.values("pk"),
        due_date__gte=period.start,
        due_date__lte=period.end,
    ).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=Obligation.State.DONE, done_on__lte=period.end)),
    )
    awards = award_register_list(queryset=measure_rows_under("awards", period, territory))
    # The tree as it was at the period's end, as for the roll-ups.
    ancestors = territory_ancestors_at(node=territory, day=period.end)
    return ReportContent(
        territory=territory,
        ancestors=ancestors,
        period=period,
        trend_periods=trend_periods,
        rows=rows,
        activities=activities.count(),
        agreements=agreements.count(),
        obligations_done=obligations["done"],
        obligations_total=obligations["total"],
        meetings=measure_rows_under("meetings_held", period, territory).count(),
        awards_count=awards.count(),
        awards=[
            ReportAward(
                name=award_public_name(award),
                ground=award.ground.name,
                month=award.decision_date.replace(day=1),
            )
            for award in awards[:AWARDS_LISTED]
        ],
    )


def _report_html(content: ReportContent, version: int) -> str:
    return render_to_string(REPORT_TEMPLATE, {"content": content, "version": version})


def _report_csv(content: ReportContent) -> bytes:
    """One row per indicator, UTF-8 with a BOM (spreadsheets read it right); text cells that
    a spreadsheet would run as a formula are quoted."""
    header = [
        _("Territory code"),
        _("Period"),
        _("Indicator code"),
        _("Indicator"),
        _("Unit"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Previous period"),
        *[p.slug for p in content.trend_periods],
    ]
    rows = (
        [
            content.territory.code,
            content.period.slug,
            row.indicator.code,
            row.indicator.name,
            row.indicator.get_unit_display(),
            row.current.csv("numerator"),
            row.current.csv("denominator"),
            row.current.csv("value"),
            row.previous.csv("value"),
            *[cell.csv("value") for cell in row.trend],
        ]
        for row in content.rows
    )
    return "".join(csv_lines(header, rows)).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_body(report: PublicReport) -> str:
    """The report proper of a stored document, without its <html> and <head>."""
    start = report.html.find(REPORT_BODY_START)
    end = report.html.find(REPORT_BODY_END)
    if start < 0 or end < start:
        return ""
    return report.html[start + len(REPORT_BODY_START) : end]


def _report_file_store(file: FieldFile, filename: str, data: bytes) -> None:
    """Stores a report file under its version's own name (models.report_upload_path).

    A file already there belongs to no report: this version has no row yet, and the node's
    lock keeps anyone else from writing it. It is what a worker killed between writing the
    files and committing the row left behind, and it is replaced, not kept beside the new one
    under a name the storage would make up.
    """
    name = file.field.generate_filename(file.instance, filename)
    if file.storage.exists(name):
        file.storage.delete(name)
    file.save(filename, ContentFile(data), save=False)


def report_generate(
    *, territory: Territory, period: Period, run: ReportRun | None = None, reason: str = ""
) -> PublicReport:
    """The node's published report for the period, made if it is missing or out of date.

    When the latest version renders to the same HTML it is returned as it is, so generating
    twice, or a batch redone after a killed worker, adds nothing. Otherwise a new version is
    stored, with `reason` (or a default one) saying why. The node's row is locked meanwhile,
    so two workers on the same node cannot both add a version.
    """
    approved = ApprovedPeriod.objects.filter(
        territory=territory, period_kind=period.kind, period_start=period.start
    )
    if not approved.exists():
        raise ApplicationError(
            _("The figures of %(territory)s for %(period)s are not approved yet: no report.")
            % {"territory": territory.name, "period": period.label}
        )
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        content = report_content(territory=territory, period=period)
        with transaction.atomic():
            Territory.objects.select_for_update().filter(pk=territory.pk).exists()
            latest = (
                PublicReport.objects.filter(
                    territory=territory, period_kind=period.kind, period_start=period.start
                )
                .order_by("-version")
                .first()
            )
            if latest is not None:
                html = _report_html(content, latest.version)
                if _sha256(html.encode()) == latest.html_sha256:
                    return latest
                version = latest.version + 1
                reason = reason or _("The figures changed after version %(version)d.") % {
                    "version": latest.version
                }
            else:
                version, reason = 1, ""
            html = _report_html(content, version)
            # Imported here: only workers render PDFs, and WeasyPrint loads Pango on import.
            import weasyprint

            pdf = weasyprint.HTML(string=html).write_pdf()
            csv_bytes = _report_csv(content)
            report = PublicReport(
                territory=territory,
                period_kind=period.kind,
                period_start=period.start,
                version=version,
                html=html,
                html_sha256=_sha256(html.encode()),
                pdf_sha256=_sha256(pdf),
                csv_sha256=_sha256(csv_bytes),
                reason=reason[:300],
                run=run,
            )
            _report_file_store(report.pdf, f"{period.slug}.pdf", pdf)
            _report_file_store(report.csv, f"{period.slug}.csv", csv_bytes)
            report.full_clean(validate_constraints=False)
            report.save()
    return report


# --- Report runs ------------------------------------------------------------------------------


def _report_nodes(levels: list[str], period: Period) -> QuerySet[Territory]:
    """The nodes of the levels that existed during the period and whose figures for it are
    approved (only those are published), in the order a run takes them."""
    approved = ApprovedPeriod.objects.filter(
        territory=OuterRef("pk"), period_kind=period.kind, period_start=period.start
    )
    return Territory.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        Exists(approved),
        kind__in=levels,
    ).order_by("path")


@transaction.atomic
def report_run_start(*, period: Period, level: str) -> ReportRun:
    """The run of a level's reports for the period, ready for its batches: a finished run
    starts over (its reports are only replaced where the figures changed), a failed or
    unfinished one continues from where it stopped."""
    if level not in Territory.Kind.values:
        raise ApplicationError(_("There is no territory level “%(level)s”.") % {"level": level})
    if level not in REPORT_LEVELS[period.kind]:
        raise ApplicationError(
            _("Reports of this kind of period are made for: %(levels)s.")
            % {
                "levels": ", ".join(
                    str(Territory.Kind(k).label) for k in REPORT_LEVELS[period.kind]
                )
            },
            extra={"field": "level"},
        )
    run, _created = ReportRun.objects.select_for_update().get_or_create(
        period_kind=period.kind, period_start=period.start, level=level
    )
    nodes = _report_nodes([level], period)
    if run.state == ReportRun.State.DONE:
        run.last_path = ""
        run.finished_at = None
    run.state = ReportRun.State.QUEUED
    run.error = ""
    run.total = nodes.count()
    run.done = nodes.filter(path__lte=run.last_path).count() if run.last_path else 0
    run.save(
        update_fields=["state", "error", "total", "done", "last_path", "finished_at", "updated_at"]
    )
    return run


@transaction.atomic
def report_run_queue(*, period: Period, level: str) -> ReportRun:
    """Starts (or resumes) a run and queues its first batch through the outbox, in one
    transaction: a run is never left queued with no batch to work it; each batch queues the
    next."""
    # Imported here: the task module imports this one.
    from accountability.tasks import report_run_batch_task

    run = report_run_start(period=period, level=level)
    enqueue(report_run_batch_task, run.pk)
    return run


def reports_publish(*, period: Period) -> dict[str, int]:
    """The scheduled publication of a period: its roll-ups made final, then a run per level
    its reports are made for. Returns the runs' ids by level."""
    rollup_refresh(period=period)
    return {
        level: report_run_queue(period=period, level=level).pk
        for level in REPORT_LEVELS[period.kind]
    }


def report_run_batch(*, run: ReportRun, size: int | None = None) -> bool:
    """Makes the reports of the next `size` (RUN_BATCH) nodes after the run's `last_path`,
    then moves it on; True while nodes remain.

    A batch redone (a worker killed before it was acknowledged) finds its reports already
    made. `done` is recounted from `last_path`, never added to, so it cannot count a node
    twice; and a delivery that finds the run already past its batch stops there, so two
    chains of batches for one run collapse into one.
    """
    if run.state == ReportRun.State.DONE:
        return False
    if run.state != ReportRun.State.RUNNING:
        ReportRun.objects.filter(pk=run.pk).exclude(state=ReportRun.State.DONE).update(
            state=ReportRun.State.RUNNING, updated_at=timezone.now()
        )
    period = Period(run.period_kind, run.period_start)
    nodes_qs = _report_nodes([run.level], period)
    nodes = list(nodes_qs.filter(path__gt=run.last_path)[: size or RUN_BATCH])
    for node in nodes:
        report_generate(territory=node, period=period, run=run)
        # Every report made shows the run alive; only a run that stops moving is resumed
        # (report_runs_resume).
        ReportRun.objects.filter(pk=run.pk).update(updated_at=timezone.now())
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if nodes and nodes[-1].path <= run.last_path:
            return False
        if nodes:
            run.last_path = nodes[-1].path
        more = bool(nodes) and nodes_qs.filter(path__gt=run.last_path).exists()
        run.done = nodes_qs.filter(path__lte=run.last_path).count() if run.last_path else 0
        if not more:
            run.state = ReportRun.State.DONE
            run.finished_at = timezone.now()
            run.total = run.done
        else:
            run.state = ReportRun.State.RUNNING
        run.save(update_fields=["last_path", "done", "total", "state", "finished_at", "updated_at"])
    return more


def report_runs_resume() -> list[int]:
    """Queues again the next batch of every run that stopped moving; returns their ids.

    A run lives in its one queued batch. A worker killed in the middle of a batch leaves that
    batch unacknowledged, and the broker hands it out again only after its visibility timeout
    (an hour); until then nothing works the run. So a run queued or running that has not
    moved for REPORT_RUN_STALLED_AFTER_SECONDS (every report it makes moves it) gets a new
    batch. Should the old batch come back after all, the two chains collapse into one
    (report_run_batch), and a batch redone makes no report twice (report_generate).
    """
    # Imported here: the task module imports this one.
    from accountability.tasks import report_run_batch_task

    now = timezone.now()
    stalled_before = now - timedelta(seconds=settings.REPORT_RUN_STALLED_AFTER_SECONDS)
    with transaction.atomic():
        stalled = list(
            ReportRun.objects.select_for_update(skip_locked=True)
            .filter(
                state__in=[ReportRun.State.QUEUED, ReportRun.State.RUNNING],
                updated_at__lt=stalled_before,
            )
            .values_list("pk", flat=True)
        )
        # Marked as moved: the next pass leaves them to the batch queued now.
        ReportRun.objects.filter(pk__in=stalled).update(updated_at=now)
        for run_id in stalled:
            enqueue(report_run_batch_task, run_id)
    return stalled


def report_run_fail(*, run_id: int, error: str) -> None:
    """Marks a run failed, with the error, for the run page; starting it again continues."""
    ReportRun.objects.filter(pk=run_id).exclude(state=ReportRun.State.DONE).update(
        state=ReportRun.State.FAILED, error=error[:2000], updated_at=timezone.now()
    )
