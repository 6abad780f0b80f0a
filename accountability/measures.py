"""The measures indicators are made of: each a count or a sum over one domain table for a
period, placed on the territory tree by one territory field of its rows.

A measure is computed for every node of the tree in four grouped queries (country, region,
district: by the prefix of the row's territory path, whose segments have fixed lengths;
mahalla: by the mahalla itself), never per node. Only confirmed joint activities and signed,
unterminated agreements count (DESIGN.md §4).

Rows are placed by the tree in force at the period's end: a mahalla moved since then counts
under the district it was in (mahalla.selectors.placement_paths_at), nodes closed or not yet
begun by then are not counted, and populations are the figures in force then.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Substr
from django.utils.translation import gettext_lazy as _

from accountability.periods import Period
from accounts.models import Membership, Role
from incentives.permissions import awards_public
from mahalla.models import MahallaCategoryChange, Territory
from mahalla.selectors import placement_paths_at, population_at, territory_in_force
from partnership.models import Agreement, InformationRequest, JointActivity
from prevention.models import (
    AccountabilityMeeting,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
)

# Length of the path of a node at each level above the mahalla: "17/", "17/1726/",
# "17/1726/1726266/" (SOATO codes: 2, 4 and 7 digits).
PREFIX_LENGTHS = {"country": 3, "region": 8, "district": 16}


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    rows: Callable[[Period], QuerySet]
    # The territory foreign key of the rows ("" when the rows are territories themselves).
    place: str
    aggregate: Callable[[], object] = lambda: Count("pk")
    # The node's own figure, not a total of its subtree (population).
    own_field: str = ""

    def field(self, name: str) -> str:
        return f"{self.place}__{name}" if self.place else name


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _agreements_in_force(period: Period) -> QuerySet:
    """Signed agreements valid at some time in the period, not terminated."""
    return Agreement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        signed_on__isnull=False,
        signed_on__lte=period.end,
        valid_from__lte=period.end,
        status__in=[Agreement.Status.ACTIVE, Agreement.Status.EXPIRED],
    )


def _confirmed_activities(period: Period) -> QuerySet:
    return JointActivity.objects.filter(_in(period, "date"), status=JointActivity.Status.CONFIRMED)


def _mahallas_red_at_start(period: Period) -> QuerySet:
    """Mahallas whose category on the period's first day was red: the latest dated change
    before it, or the current category where none is recorded."""
    before = MahallaCategoryChange.objects.filter(
        mahalla=OuterRef("pk"), effective_from__lt=period.start
    ).order_by("-effective_from", "-pk")
    return (
        _mahallas_in_force(period)
        .annotate(at_start=Coalesce(Subquery(before.values("category")[:1]), F("category")))
        .filter(at_start=Territory.Category.RED)
    )


def _improved(period: Period) -> QuerySet:
    moved_up = MahallaCategoryChange.objects.filter(
        _in(period, "effective_from"),
        mahalla=OuterRef("pk"),
        category__in=[Territory.Category.YELLOW, Territory.Category.GREEN],
    )
    return _mahallas_red_at_start(period).filter(Exists(moved_up))


def _territories_in_force(period: Period) -> QuerySet:
    """The nodes of the tree at the period's end."""
    return Territory.objects.filter(territory_in_force(period.end))


def _mahallas_in_force(period: Period) -> QuerySet:
    return _territories_in_force(period).filter(kind=Territory.Kind.MAHALLA)


def _populations(period: Period) -> QuerySet:
    """The nodes at the period's end with the population in force then."""
    return _territories_in_force(period).annotate(population_then=population_at(period.end))


def _records(kind: str) -> Callable[[Period], QuerySet]:
    return lambda period: PreventionRecord.objects.filter(_in(period, "date"), kind=kind)


def _answered(period: Period) -> QuerySet:
    return InformationRequest.objects.filter(
        answered_at__date__gte=period.start, answered_at__date__lte=period.end
    )


def _awards(period: Period) -> QuerySet:
    """Awards decided in the period, as the public register counts them."""
    return awards_public().filter(_in(period, "decision_date"))


def _register_exits(period: Period) -> QuerySet:
    return RegisterEntry.objects.filter(_in(period, "removed_on"))


MEASURE_LIST = [
    Measure("population", _("residents"), _populations, "", own_field="population_then"),
    Measure("mahallas", _("mahallas"), _mahallas_in_force, ""),
    Measure(
        "red_mahallas",
        _("red mahallas"),
        lambda p: _mahallas_in_force(p).filter(category=Territory.Category.RED),
        "",
    ),
    Measure(
        "active_agreements",
        _("agreements in force"),
        _agreements_in_force,
        "unit__territory",
        lambda: Count("pk", distinct=True),
    ),
    Measure("joint_activities", _("confirmed joint activities"), _confirmed_activities, "place"),
    Measure(
        "mahallas_with_partner",
        _("mahallas with a confirmed joint activity"),
        lambda p: _confirmed_activities(p).filter(place__kind=Territory.Kind.MAHALLA),
        "place",
        lambda: Count("place", distinct=True),
    ),
    Measure(
        "red_mahallas_with_partner",
        _("red mahallas with a confirmed joint activity"),
        lambda p: _confirmed_activities(p).filter(
            place__kind=Territory.Kind.MAHALLA, place__category=Territory.Category.RED
        ),
        "place",
        lambda: Count("place", distinct=True),
    ),
    Measure(
        "proposals",
        _("agreements proposed"),
        lambda p: Agreement.objects.filter(
            created_at__date__gte=p.start, created_at__date__lte=p.end
        ).exclude(status=Agreement.Status.DRAFT),
        "unit__territory",
    ),
    Measure(
        "proposals_accepted",
        _("agreements signed"),
        lambda p: Agreement.objects.filter(_in(p, "signed_on")),
        "unit__territory",
    ),
    Measure("requests_answered", _("information requests answered"), _answered, "unit__territory"),
    Measure(
        "request_answer_days",
        _("days taken to answer information requests"),
        _answered,
        "unit__territory",
        lambda: Sum(F("answered_at") - F("created_at")),
    ),
    Measure(
        "awards",
        _("awards under Resolution No. 15"),
        _awards,
        "mahalla",
    ),
    Measure(
        "award_amount",
        _("amount awarded, so'm"),
        _awards,
        "mahalla",
        lambda: Sum("amount"),
    ),
    Measure(
        "inspectors",
        _("inspectors"),
        lambda p: Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=p.start),
            role=Role.INSPECTOR,
            valid_from__lte=p.end,
            territory__kind=Territory.Kind.MAHALLA,
        ),
        "territory",
        lambda: Count("user", distinct=True),
    ),
    Measure(
        "inspectors_reporting",
        _("inspectors who reported to residents"),
        lambda p: AccountabilityMeeting.objects.filter(
            _in(p, "date"), status=AccountabilityMeeting.Status.HELD
        ),
        "mahalla",
        lambda: Count("inspector", distinct=True),
    ),
    Measure(
        "meetings_held",
        _("meetings with residents held"),
        lambda p: AccountabilityMeeting.objects.filter(
            _in(p, "date"), status=AccountabilityMeeting.Status.HELD
        ),
        "mahalla",
    ),
    *[
        Measure(f"records_{kind}", label, _records(kind), "mahalla")
        for kind, label in PreventionRecord.Kind.choices
    ],
    Measure(
        "register_persons",
        _("people on the prevention register"),
        lambda p: RegisterEntry.objects.filter(
            Q(removed_on__isnull=True) | Q(removed_on__gte=p.start), registered_on__lte=p.end
        ),
        "mahalla",
    ),
    Measure(
        "register_exits_ngo",
        _("removals from the register after rehabilitation with an NGO"),
        lambda p: _register_exits(p).filter(rehabilitation_partner__isnull=False),
        "mahalla",
    ),
    Measure(
        "register_exits_rehab",
        _("removals from the register with rehabilitation support"),
        lambda p: _register_exits(p).exclude(rehabilitation_support=""),
        "mahalla",
    ),
    Measure(
        "ratings",
        _("resident ratings"),
        lambda p: ResidentFeedback.objects.filter(
            created_at__date__gte=p.start, created_at__date__lte=p.end
        ),
        "mahalla",
    ),
    Measure(
        "ratings_sum",
        _("sum of resident ratings"),
        lambda p: ResidentFeedback.objects.filter(
            created_at__date__gte=p.start, created_at__date__lte=p.end
        ),
        "mahalla",
        lambda: Sum("rating"),
    ),
    Measure("red_at_start", _("mahallas red at the period's start"), _mahallas_red_at_start, ""),
    Measure(
        "red_improved",
        _("red mahallas that became yellow or green"),
        _improved,
        "",
    ),
]
MEASURES = {measure.code: measure for measure in MEASURE_LIST}


def _number(value) -> Decimal:
    """Counts, sums and durations (in days) as one kind of number."""
    if value is None:
        return Decimal(0)
    if isinstance(value, timedelta):
        return Decimal(value.total_seconds()) / Decimal(86400)
    return Decimal(value)


def _place_path(measure: Measure, period: Period):
    """The path of the rows' place in the tree at the period's end: for the few mahallas
    moved since, the path they had then (a CASE over their ids: no join, no subquery per row,
    and exact for distinct counts); for every other row its place's current path."""
    current = F(measure.field("path"))
    moved = placement_paths_at(period.end)
    if not moved:
        return current
    place = measure.place or "pk"
    return Case(
        *[When(**{place: pk}, then=Value(path)) for pk, path in sorted(moved.items())],
        default=current,
        output_field=CharField(),
    )


def measure_rows_under(code: str, period: Period, territory: Territory) -> QuerySet:
    """A measure's rows placed under a node in the period, as the roll-ups place them (the
    tree at the period's end), so that a report's counts agree with its indicators."""
    measure = MEASURES[code]
    rows = measure.rows(period)
    if territory.kind == Territory.Kind.MAHALLA:
        # A mahalla's rows are its own, wherever it was at the time.
        return rows.filter(**{measure.place or "pk": territory.pk})
    return rows.alias(_place_path=_place_path(measure, period)).filter(
        _place_path__startswith=territory.path
    )


def measure_values(measure: Measure, period: Period) -> dict[str, Decimal]:
    """The measure at every node that has a figure, by the node's (current) path.

    Country, region and district figures group the rows by the prefixes of their place's
    path at the period's end; a mahalla's figure is its own rows, wherever it was then.
    """
    path = measure.field("path")
    rows = measure.rows(period).order_by()
    if measure.own_field:
        return {
            node: _number(value)
            for node, value in rows.values_list(path, measure.own_field)
            if value
        }
    place_path = _place_path(measure, period)
    values: dict[str, Decimal] = {}
    for length in PREFIX_LENGTHS.values():
        grouped = (
            rows.annotate(_depth=Length(place_path), _node=Substr(place_path, 1, length))
            .filter(_depth__gte=length)
            .values("_node")
            .annotate(_value=measure.aggregate())
            .values_list("_node", "_value")
        )
        values.update((node, _number(value)) for node, value in grouped)
    mahallas = (
        rows.filter(**{measure.field("kind"): Territory.Kind.MAHALLA})
        .values(path)
        .annotate(_value=measure.aggregate())
        .values_list(path, "_value")
    )
    values.update((node, _number(value)) for node, value in mahallas)
    return {node: value for node, value in values.items() if value}
