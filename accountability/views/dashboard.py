"""The Advisory Council's dashboard (DESIGN.md §6): a territory node's indicators for a period
with the change from the previous one, its children ranked by the chosen indicator (and, for
the country, coloured on a map of the regions), and the indicator's trend; each table also as
CSV.

Everything is read from roll-ups (accountability.selectors) in a fixed number of queries, so
the page costs the same whatever the number of records behind the figures. The page and its
CSV read the choice through `_dashboard`, so a download holds exactly the rows the page shows.
Counts from personal records under five are "<5" for users outside the MIA, here as in the
reports.
"""

import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from accountability.forms import DashboardCsvForm, DashboardForm
from accountability.models import Indicator, PeriodKind, RollUp
from accountability.periods import Period
from accountability.permissions import (
    SMALL_COUNT,
    can_view_dashboard,
    hidden_parts,
    sees_provisional_figures,
    sees_small_counts,
)
from accountability.selectors import (
    approved_period_set,
    indicator_list,
    rollup_children_list,
    rollup_node_list,
    rollup_period_starts,
    rollup_trend_list,
)
from core.exports import csv_response
from mahalla.models import Territory
from mahalla.permissions import territories_visible_to
from mahalla.selectors import (
    boundary_changes_under,
    territory_ancestors,
    territory_children_at,
    territory_country,
)

TREND_LENGTH = 8
SMALL_TEXT = f"<{SMALL_COUNT}"
NO_VALUE = "—"
# A figure not yet approved, for readers outside the MIA (explained under each table).
WITHHELD_TEXT = "…"
# The 14 first-level units; each feature's `iso` property is its ISO 3166-2 code.
REGIONS_GEOJSON = "geo/uzbekistan_regions.geojson"
# The map's colour scale, from the worse end to the better one (the portal's blue).
MAP_COLOURS = ["#e1ecf7", "#0b4f8a"]


def _number(value: Decimal | None) -> str:
    """A figure in the active locale: whole numbers without decimals, small rates with four."""
    if value is None:
        return NO_VALUE
    if value == value.to_integral_value():
        decimals = 0
    elif abs(value) >= 1:
        decimals = 2
    else:
        decimals = 4
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Viewer:
    """What the reader may see of the figures, decided once per request."""

    hide_small: bool
    sees_provisional: bool
    # (territory id, period start) of the figures that are approved.
    approved: frozenset = frozenset()


@dataclass(frozen=True)
class Figure:
    """One roll-up as shown. A suppressed figure keeps no numerator or value: it is "<5". A
    figure not yet approved is `provisional` to MIA users and `withheld` (shown as nothing)
    from everyone else."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    suppressed: bool = False
    denominator_suppressed: bool = False
    provisional: bool = False
    withheld: bool = False

    @classmethod
    def of(
        cls, indicator: Indicator, rollup: RollUp | None, *, viewer: Viewer, node_id: int, start
    ) -> "Figure":
        approved = (node_id, start) in viewer.approved
        if not approved and not viewer.sees_provisional:
            return cls(withheld=True)
        if rollup is None:
            return cls(provisional=not approved)
        hidden = (
            hidden_parts(indicator, rollup.numerator, rollup.denominator)
            if viewer.hide_small
            else ()
        )
        small_denominator = "denominator" in hidden
        denominator = None if small_denominator else rollup.denominator
        if "value" in hidden:
            return cls(
                denominator=denominator,
                suppressed=True,
                denominator_suppressed=small_denominator,
                provisional=not approved,
            )
        return cls(
            rollup.value,
            rollup.numerator,
            denominator,
            denominator_suppressed=small_denominator,
            provisional=not approved,
        )

    @property
    def has_value(self) -> bool:
        return self.value is not None and not self.suppressed

    @property
    def value_text(self) -> str:
        if self.withheld:
            return WITHHELD_TEXT
        return SMALL_TEXT if self.suppressed else _number(self.value)

    @property
    def numerator_text(self) -> str:
        if self.withheld:
            return WITHHELD_TEXT
        return SMALL_TEXT if self.suppressed else _number(self.numerator)

    @property
    def denominator_text(self) -> str:
        if self.withheld:
            return WITHHELD_TEXT
        return SMALL_TEXT if self.denominator_suppressed else _number(self.denominator)

    @property
    def status_text(self) -> str:
        if self.withheld:
            return _("not yet approved")
        return _("provisional") if self.provisional else _("approved")

    @property
    def chart_value(self) -> float | None:
        return float(self.value) if self.has_value else None


@dataclass(frozen=True)
class Change:
    """The change of a figure from the previous period, judged by the indicator's direction."""

    delta: Decimal
    better: str

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def verdict(self) -> str:
        """ "better", "worse" or "same"."""
        if not self.delta:
            return "same"
        higher = self.delta > 0
        return "better" if higher == (self.better == Indicator.Better.HIGHER) else "worse"

    @property
    def verdict_text(self) -> str:
        return {"better": _("better"), "worse": _("worse"), "same": _("no change")}[self.verdict]

    @property
    def text(self) -> str:
        return ("+" if self.delta > 0 else "") + _number(self.delta)


@dataclass
class IndicatorRow:
    indicator: Indicator
    figure: Figure
    previous: Figure
    url: str

    @property
    def change(self) -> Change | None:
        if not (self.figure.has_value and self.previous.has_value):
            return None
        return Change(self.figure.value - self.previous.value, self.indicator.better)


@dataclass
class ChildRow:
    territory: Territory
    figure: Figure
    url: str
    rank: int | None = None


@dataclass
class TrendRow:
    period: Period
    figure: Figure
    # A mahalla moved in or out, merged or split within the period: the figures before and
    # after it count a different set of mahallas.
    boundary_changed: bool = False


@dataclass
class Dashboard:
    node: Territory
    ancestors: list[Territory]
    indicators: list[Indicator]
    indicator: Indicator | None
    period: Period
    period_starts: list = field(default_factory=list)
    rows: list[IndicatorRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    viewer: Viewer | None = None
    boundary_changes: list = field(default_factory=list)

    def _figures(self) -> list[Figure]:
        return [
            *(row.figure for row in self.rows),
            *(row.previous for row in self.rows),
            *(row.figure for row in self.children),
            *(row.figure for row in self.trend),
        ]

    @property
    def has_provisional(self) -> bool:
        return any(figure.provisional for figure in self._figures())

    @property
    def has_withheld(self) -> bool:
        return any(figure.withheld for figure in self._figures())

    def url(self, *, node: Territory | None = None, indicator: Indicator | None = None) -> str:
        """The dashboard at another node or for another indicator, the rest of the choice
        kept."""
        return dashboard_url(
            node=node or self.node, indicator=indicator or self.indicator, period=self.period
        )

    @property
    def crumbs(self) -> list[tuple[Territory, str]]:
        """The ancestors from the Republic down, each with its dashboard link."""
        return [(ancestor, self.url(node=ancestor)) for ancestor in self.ancestors]

    def query(self) -> str:
        return self.url().partition("?")[2]

    @property
    def filename(self) -> str:
        return f"dashboard-{self.node.code}-{self.period.slug}"


def dashboard_url(*, node: Territory, indicator: Indicator | None, period: Period) -> str:
    query = {"node": node.code, "kind": period.kind, "period": f"{period.start:%Y-%m}"}
    if indicator is not None:
        query["indicator"] = indicator.code
    return f"{reverse('accountability:dashboard')}?{urlencode(query)}"


def _rank(rows: list[ChildRow], better: str) -> list[ChildRow]:
    """Best first by the indicator's direction, equal values by name and sharing a rank;
    children without a figure (or with one not shown) come last, unranked, by name."""
    sign = -1 if better == Indicator.Better.HIGHER else 1
    ranked = sorted(
        (row for row in rows if row.figure.has_value),
        key=lambda row: (sign * row.figure.value, row.territory.name),
    )
    previous_value, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.figure.value != previous_value:
            rank, previous_value = position, row.figure.value
        row.rank = rank
    rest = sorted((row for row in rows if not row.figure.has_value), key=lambda r: r.territory.name)
    return ranked + rest


def _dashboard(request, form: DashboardForm) -> Dashboard:
    """The chosen node, period and indicator (defaults filled in) and every figure on the
    page. `form` has been validated; a node code that does not exist is a 404."""
    data = form.cleaned_data
    indicators = form.indicators
    if data["node"]:
        node = get_object_or_404(territories_visible_to(request.user), code=data["node"])
    else:
        node = territory_country()
        if node is None:
            raise Http404("The territory tree is not loaded.")
    ancestors = territory_ancestors(node=node) if node.parent_id else []
    kind = data["kind"]
    starts = rollup_period_starts(node=node, kind=kind)
    period = data["period"]
    if period is None:
        # The period holding today, or the latest before it that has figures.
        current = Period.containing(kind, timezone.localdate())
        earlier = [start for start in starts if start <= current.start]
        period = Period(kind, earlier[0]) if earlier else current
    by_code = {item.code: item for item in indicators}
    indicator = by_code.get(data["indicator"]) or (indicators[0] if indicators else None)
    board = Dashboard(
        node=node,
        ancestors=ancestors,
        indicators=indicators,
        indicator=indicator,
        period=period,
        period_starts=starts,
    )
    if indicator is None:
        return board
    previous = period.previous
    # The children as the tree was at the period's end (a mahalla moved since is listed under
    # the district it was in then), as the roll-ups count them.
    children = territory_children_at(node=node, day=period.end)
    steps = [period.shift(offset) for offset in range(1 - TREND_LENGTH, 1)]
    viewer = Viewer(
        hide_small=not sees_small_counts(request.user),
        sees_provisional=sees_provisional_figures(request.user),
        approved=approved_period_set(
            nodes=[node, *children], kind=kind, starts=[step.start for step in steps]
        ),
    )
    board.viewer = viewer

    def figure(item: Indicator, rollup: RollUp | None, territory: Territory, step: Period):
        return Figure.of(item, rollup, viewer=viewer, node_id=territory.pk, start=step.start)

    at_node = {
        (rollup.indicator_id, rollup.period_start): rollup
        for rollup in rollup_node_list(node=node, periods=[period, previous])
    }
    board.rows = [
        IndicatorRow(
            indicator=item,
            figure=figure(item, at_node.get((item.pk, period.start)), node, period),
            previous=figure(item, at_node.get((item.pk, previous.start)), node, previous),
            url=board.url(indicator=item),
        )
        for item in indicators
    ]
    by_child = {
        rollup.territory_id: rollup
        for rollup in rollup_children_list(children=children, indicator=indicator, period=period)
    }
    board.children = _rank(
        [
            ChildRow(
                territory=child,
                figure=figure(indicator, by_child.get(child.pk), child, period),
                url=board.url(node=child),
            )
            for child in children
        ],
        indicator.better,
    )
    by_start = {
        rollup.period_start: rollup
        for rollup in rollup_trend_list(
            node=node, indicator=indicator, period=period, length=TREND_LENGTH
        )
    }
    board.boundary_changes = list(
        boundary_changes_under(node=node, first=steps[0].start, last=period.end)
    )
    changed_on = [change.effective_on for change in board.boundary_changes]
    board.trend = [
        TrendRow(
            period=step,
            figure=figure(indicator, by_start.get(step.start), node, step),
            boundary_changed=any(step.start <= day <= step.end for day in changed_on),
        )
        for step in steps
    ]
    return board


def _form(request, form_class) -> DashboardForm:
    """The choice in the query string, validated against the active indicators."""
    form = form_class(request.GET, indicators=list(indicator_list()))
    form.is_valid()
    return form


def _error_text(form: DashboardForm) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        parts.append(f"{label or name}: {' '.join(errors)}")
    return "; ".join(parts)


# --- The map ---------------------------------------------------------------------------------


@functools.cache
def region_feature_keys() -> frozenset[str]:
    """The ISO 3166-2 codes of the regions drawn on the map, read once from the GeoJSON."""
    location = finders.find(REGIONS_GEOJSON) or staticfiles_storage.path(REGIONS_GEOJSON)
    with open(location, encoding="utf-8") as geojson:
        features = json.load(geojson)["features"]
    return frozenset(feature["properties"]["iso"] for feature in features)


def _map_data(board: Dashboard) -> dict | None:
    """The country's regions keyed by the map's feature key (their ISO code), with the chosen
    indicator's figure and the link one level down; None below the country."""
    if board.node.kind != Territory.Kind.COUNTRY or board.indicator is None:
        return None
    keys = region_feature_keys()
    colours = (
        MAP_COLOURS if board.indicator.better == Indicator.Better.HIGHER else MAP_COLOURS[::-1]
    )
    return {
        "geojson": static(REGIONS_GEOJSON),
        "nameProperty": "iso",
        "colours": colours,
        "labels": {"high": _("High"), "low": _("Low"), "noData": _("No data")},
        "regions": {
            row.territory.iso_code: {
                "code": row.territory.code,
                "title": row.territory.name,
                "value": row.figure.chart_value,
                "text": row.figure.value_text,
                "url": row.url,
            }
            for row in board.children
            if row.territory.iso_code in keys
        },
    }


def _trend_title(period: Period) -> str:
    if period.kind == PeriodKind.MONTH:
        template = ngettext(
            "Trend over the last %(count)d month",
            "Trend over the last %(count)d months",
            TREND_LENGTH,
        )
    elif period.kind == PeriodKind.YEAR:
        template = ngettext(
            "Trend over the last %(count)d year",
            "Trend over the last %(count)d years",
            TREND_LENGTH,
        )
    else:
        template = ngettext(
            "Trend over the last %(count)d quarter",
            "Trend over the last %(count)d quarters",
            TREND_LENGTH,
        )
    return template % {"count": TREND_LENGTH}


def _trend_data(board: Dashboard) -> dict:
    return {
        "name": board.indicator.name,
        "labels": [row.period.label for row in board.trend],
        "values": [row.figure.chart_value for row in board.trend],
        "texts": [
            row.figure.value_text + (" *" if row.figure.provisional else "") for row in board.trend
        ],
    }


# --- The page and its CSV --------------------------------------------------------------------


def dashboard_view(request):
    if not can_view_dashboard(request.user):
        raise Http404
    form = _form(request, DashboardForm)
    if form.errors:
        context = {"errors": _error_text(form)}
        return render(request, "accountability/dashboard.html", context, status=400)
    board = _dashboard(request, form)
    chooser = DashboardForm(
        indicators=board.indicators,
        initial={
            "node": board.node.code,
            "indicator": board.indicator.code if board.indicator else "",
            "kind": board.period.kind,
        },
    )
    chooser.set_period_choices(board.period_starts, chosen=board.period)
    context = {
        "board": board,
        "chooser": chooser,
        "previous_period": board.period.previous,
        "trend_title": _trend_title(board.period),
        "map_data": _map_data(board),
        "trend_data": _trend_data(board) if board.indicator else None,
        "csv_url": reverse("accountability:dashboard-csv") + "?" + board.query(),
    }
    return render(request, "accountability/dashboard.html", context)


def _csv_figure(figure: Figure) -> list:
    """Value, numerator, denominator and whether the figure is approved."""
    if figure.withheld:
        return [None, None, None, figure.status_text]
    denominator = SMALL_TEXT if figure.denominator_suppressed else figure.denominator
    if figure.suppressed:
        return [SMALL_TEXT, SMALL_TEXT, denominator, figure.status_text]
    return [figure.value, figure.numerator, denominator, figure.status_text]


def _csv_table(board: Dashboard, table: str) -> tuple[list[str], list[list]]:
    if table == "indicators":
        header = [
            _("Code"),
            _("Indicator"),
            _("Unit"),
            _("Value"),
            _("Previous period"),
            pgettext("change in value", "Change"),
            _("Numerator"),
            _("Denominator"),
            _("Status"),
        ]
        rows = []
        for row in board.rows:
            value, numerator, denominator, status = _csv_figure(row.figure)
            previous = SMALL_TEXT if row.previous.suppressed else row.previous.value
            change = row.change.delta if row.change else None
            rows.append(
                [
                    row.indicator.code,
                    row.indicator.name,
                    row.indicator.get_unit_display(),
                    value,
                    previous,
                    change,
                    numerator,
                    denominator,
                    status,
                ]
            )
    elif table == "children":
        header = [
            _("Rank"),
            _("Code"),
            _("Territory"),
            _("Value"),
            _("Numerator"),
            _("Denominator"),
            _("Status"),
        ]
        rows = [
            [row.rank, row.territory.code, row.territory.name, *_csv_figure(row.figure)]
            for row in board.children
        ]
    else:
        header = [_("Period"), _("Value"), _("Numerator"), _("Denominator"), _("Status")]
        rows = [[row.period.label, *_csv_figure(row.figure)] for row in board.trend]
    return header, rows


def dashboard_csv_view(request):
    """One of the page's tables as CSV, UTF-8 with a BOM so that spreadsheets read it right."""
    if not can_view_dashboard(request.user):
        raise Http404
    form = _form(request, DashboardCsvForm)
    if form.errors:
        return HttpResponseBadRequest(_error_text(form), content_type="text/plain; charset=utf-8")
    board = _dashboard(request, form)
    table = form.cleaned_data["table"]
    header, rows = _csv_table(board, table)
    name = board.filename
    if table != "indicators" and board.indicator is not None:
        name += f"-{board.indicator.code}"
    return csv_response(header, rows, filename=f"{name}-{table}.csv")


urlpatterns = [
    path("dashboard/", dashboard_view, name="dashboard"),
    path("dashboard.csv", dashboard_csv_view, name="dashboard-csv"),
]
