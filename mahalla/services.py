"""Writes to the territory tree: loads of reference data, mahalla imports, categories, and
the boundary changes made by legal acts (a mahalla moved, mahallas merged or split).

Loads are idempotent (a second run with the same data writes nothing) and atomic (a bad row
stops the load with its file and row number and nothing is written).
"""

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.exceptions import ApplicationError
from core.text import latin_to_cyrillic, search_key
from mahalla.models import (
    BoundaryChange,
    BoundaryChangePart,
    MahallaCategoryChange,
    MahallaPlacement,
    PopulationFigure,
    Territory,
)
from mahalla.selectors import territory_in_force

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTRY_CODE = "17"
COUNTRY_VALUES = {
    "kind": Territory.Kind.COUNTRY,
    "subtype": Territory.Subtype.COUNTRY,
    "iso_code": "UZ",
    "name_uz": "Oʻzbekiston Respublikasi",
    "name_uz_cyrl": "Ўзбекистон Республикаси",
    "name_ru": "Республика Узбекистан",
    "name_en": "Republic of Uzbekistan",
}
REGION_SUBTYPES = {
    "region": Territory.Subtype.VILOYAT,
    "republic": Territory.Subtype.AUTONOMOUS_REPUBLIC,
    "city": Territory.Subtype.CAPITAL,
}
DISTRICT_SUBTYPES = {"district": Territory.Subtype.TUMAN, "city": Territory.Subtype.CITY}
DISTRICT_SUFFIXES_EN = {" tumani": " District", " shahri": " City"}
MAHALLA_IMPORT_COLUMNS = (
    "district_soato",
    "name_uz",
    "name_uz_cyrl",
    "name_ru",
    "name_en",
    "population",
    "category",
    "code",
)
NAME_FIELDS = ("name_uz", "name_uz_cyrl", "name_ru", "name_en")


class TerritoryLoadError(ApplicationError):
    """A row of a territory file is wrong; names the file and the row."""

    def __init__(self, source: str, row: int, message: str):
        super().__init__(
            _("%(source)s, row %(row)d: %(message)s")
            % {"source": source, "row": row, "message": message},
            extra={"source": source, "row": row},
        )


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _search_text(values: dict) -> str:
    return search_key(" | ".join(values.get(field, "") for field in NAME_FIELDS))


def _territory_upsert(
    *, code: str, parent: Territory | None, values: dict
) -> tuple[Territory, str]:
    """Creates the node or updates only the fields that differ; returns it and the outcome."""
    values = {**values, "search_text": _search_text(values), "parent": parent}
    values["path"] = f"{parent.path if parent else ''}{code}/"
    values["depth"] = Territory.DEPTHS[values["kind"]]
    territory = Territory.objects.filter(code=code).first()
    if territory is None:
        territory = Territory(code=code, **values)
        territory.full_clean()
        territory.save()
        return territory, "created"
    changed = [name for name, value in values.items() if getattr(territory, name) != value]
    if not changed:
        return territory, "unchanged"
    for name in changed:
        setattr(territory, name, values[name])
    territory.full_clean()
    territory.save(update_fields=[*changed, "updated_at"])
    return territory, "updated"


def _required(source: str, row: int, record: dict, field: str) -> str:
    value = str(record.get(field) or "").strip()
    if not value:
        raise TerritoryLoadError(
            source, row, _("the column “%(field)s” is empty.") % {"field": field}
        )
    return value


def _population(source: str, row: int, raw) -> int | None:
    raw = str(raw or "").strip().replace(" ", "").replace(",", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise TerritoryLoadError(
            source, row, _("population must be a whole number, not “%(value)s”.") % {"value": raw}
        )
    return int(raw)


def _soato(source: str, row: int, raw, length: int) -> str:
    code = str(raw or "").strip()
    if not (code.isdigit() and len(code) == length and code.startswith(COUNTRY_CODE)):
        raise TerritoryLoadError(
            source,
            row,
            _("“%(code)s” is not a %(length)d-digit SOATO code of Uzbekistan.")
            % {"code": code, "length": length},
        )
    return code


@transaction.atomic
def territories_load(
    *, regions_csv: Path | None = None, districts_json: Path | None = None
) -> LoadResult:
    """Loads the country, its 14 first-level units and 209 districts and cities."""
    regions_csv = regions_csv or DATA_DIR / "regions_reference.csv"
    districts_json = districts_json or DATA_DIR / "districts.json"
    result = LoadResult()
    country, outcome = _territory_upsert(code=COUNTRY_CODE, parent=None, values=COUNTRY_VALUES)
    result.count(outcome)

    regions: dict[str, Territory] = {}
    source = regions_csv.name
    with regions_csv.open(encoding="utf-8", newline="") as handle:
        for row, record in enumerate(csv.DictReader(handle), start=2):
            code = _soato(source, row, record.get("soato"), 4)
            region_type = _required(source, row, record, "type")
            if region_type not in REGION_SUBTYPES:
                raise TerritoryLoadError(
                    source, row, _("unknown type “%(value)s”.") % {"value": region_type}
                )
            values = {
                "kind": Territory.Kind.REGION,
                "subtype": REGION_SUBTYPES[region_type],
                "iso_code": _required(source, row, record, "iso_3166_2"),
                "name_uz": _required(source, row, record, "name_uz_latn"),
                "name_uz_cyrl": _required(source, row, record, "name_uz_cyrl"),
                "name_ru": _required(source, row, record, "name_ru"),
                "name_en": _required(source, row, record, "name_en"),
                "population": _population(source, row, record.get("population_2025_10_01")),
            }
            regions[code], outcome = _territory_upsert(code=code, parent=country, values=values)
            result.count(outcome)

    source = districts_json.name
    try:
        records = json.loads(districts_json.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TerritoryLoadError(source, exc.lineno, _("not valid JSON.")) from None
    for row, record in enumerate(records, start=1):
        code = _soato(source, row, record.get("soato_id"), 7)
        region = regions.get(code[:4])
        if region is None:
            raise TerritoryLoadError(
                source, row, _("no region with SOATO code %(code)s.") % {"code": code[:4]}
            )
        district_type = _required(source, row, record, "type")
        if district_type not in DISTRICT_SUBTYPES:
            raise TerritoryLoadError(
                source, row, _("unknown type “%(value)s”.") % {"value": district_type}
            )
        name_uz = _required(source, row, record, "name_uz")
        name_en = name_uz
        for suffix, english in DISTRICT_SUFFIXES_EN.items():
            if name_uz.endswith(suffix):
                name_en = name_uz[: -len(suffix)] + english
        values = {
            "kind": Territory.Kind.DISTRICT,
            "subtype": DISTRICT_SUBTYPES[district_type],
            "name_uz": name_uz,
            "name_uz_cyrl": _required(source, row, record, "name_oz"),
            "name_ru": _required(source, row, record, "name_ru"),
            "name_en": name_en,
        }
        _district, outcome = _territory_upsert(code=code, parent=region, values=values)
        result.count(outcome)

    territory_counts_refresh()
    return result


EDITABLE_FIELDS = (*NAME_FIELDS, "iso_code", "population", "valid_from", "valid_to")


@transaction.atomic
def territory_update(*, territory: Territory, data: dict) -> Territory:
    """Edits a node's names, codes and dates; its place in the tree does not change here."""
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(territory, name, data[name])
    territory.search_text = _search_text({name: getattr(territory, name) for name in NAME_FIELDS})
    territory.full_clean()
    territory.save(update_fields=[*EDITABLE_FIELDS, "search_text", "updated_at"])
    return territory


def _mahalla_values(*, names: dict, population: int | None, is_generated: bool) -> dict:
    name_uz = names["name_uz"]
    return {
        "kind": Territory.Kind.MAHALLA,
        "subtype": Territory.Subtype.MAHALLA,
        "name_uz": name_uz,
        "name_uz_cyrl": names.get("name_uz_cyrl") or latin_to_cyrillic(name_uz),
        "name_ru": names.get("name_ru") or name_uz,
        "name_en": names.get("name_en") or name_uz,
        "population": population,
        "is_generated": is_generated,
    }


@transaction.atomic
def mahallas_import(*, file: io.TextIOBase, source: str) -> LoadResult:
    """Loads a real mahalla list from CSV (columns: MAHALLA_IMPORT_COLUMNS).

    A mahalla is matched by `code` when given, otherwise by its Uzbek Latin name within the
    district; a new one without a code gets the district's SOATO code and a sequence number.
    """
    reader = csv.DictReader(file)
    missing = {"district_soato", "name_uz"} - set(reader.fieldnames or ())
    if missing:
        raise TerritoryLoadError(
            source, 1, _("missing columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        )
    districts = {t.code: t for t in Territory.objects.filter(kind=Territory.Kind.DISTRICT)}
    today = timezone.localdate()
    result = LoadResult()
    seen: set[tuple[str, str]] = set()
    for row, record in enumerate(reader, start=2):
        district_code = _soato(source, row, record.get("district_soato"), 7)
        district = districts.get(district_code)
        if district is None:
            raise TerritoryLoadError(
                source, row, _("no district with SOATO code %(code)s.") % {"code": district_code}
            )
        names = {field: str(record.get(field) or "").strip() for field in NAME_FIELDS}
        names["name_uz"] = _required(source, row, record, "name_uz")
        key = (district_code, search_key(names["name_uz"]))
        if key in seen:
            raise TerritoryLoadError(
                source,
                row,
                _("“%(name)s” appears twice in this district.") % {"name": names["name_uz"]},
            )
        seen.add(key)
        category = str(record.get("category") or "").strip().lower()
        if category and category not in Territory.Category.values:
            raise TerritoryLoadError(
                source,
                row,
                _("category must be one of red, yellow, green, not “%(value)s”.")
                % {"value": category},
            )
        values = _mahalla_values(
            names=names,
            population=_population(source, row, record.get("population")),
            is_generated=False,
        )
        code = str(record.get("code") or "").strip()
        if not code:
            existing = Territory.objects.filter(
                parent=district, kind=Territory.Kind.MAHALLA, search_text__startswith=key[1] + " |"
            ).first()
            code = existing.code if existing else _next_mahalla_code(district)
        mahalla, outcome = _territory_upsert(code=code, parent=district, values=values)
        if category and category != mahalla.category:
            mahalla_category_set(mahalla=mahalla, category=category, effective_from=today)
            outcome = "updated" if outcome == "unchanged" else outcome
        result.count(outcome)
    territory_counts_refresh()
    return result


def _next_mahalla_code(district: Territory) -> str:
    """The district's SOATO code and the next sequence number; mahallas moved out keep their
    codes and moved-in ones bring theirs, so the highest number taken anywhere counts."""
    prefix = f"{district.code}M"
    suffixes = Territory.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in suffixes if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def mahallas_generate(*, district: Territory, names: list[str], populations: list[int]) -> int:
    """Adds generated (demo) mahallas to a district in one bulk insert; skips existing codes."""
    existing = set(
        Territory.objects.filter(parent=district, kind=Territory.Kind.MAHALLA).values_list(
            "code", flat=True
        )
    )
    new = []
    for number, (name, population) in enumerate(zip(names, populations, strict=True), start=1):
        code = f"{district.code}M{number:04d}"
        if code in existing:
            continue
        values = _mahalla_values(names={"name_uz": name}, population=population, is_generated=True)
        values["name_ru"] = f"махалля {latin_to_cyrillic(name)}"
        values["name_en"] = f"{name} mahalla"
        new.append(
            Territory(
                code=code,
                parent=district,
                path=f"{district.path}{code}/",
                depth=3,
                search_text=_search_text(values),
                **values,
            )
        )
    bulk_create_with_history(new, Territory, batch_size=1000)
    return len(new)


@transaction.atomic
def mahalla_category_set(
    *, mahalla: Territory, category: str, effective_from: date, reason: str = "", changed_by=None
) -> MahallaCategoryChange:
    """Records a dated category change; the current category follows the latest change."""
    if mahalla.kind != Territory.Kind.MAHALLA:
        raise ApplicationError(_("Only mahallas have a crime-situation category."))
    if category not in Territory.Category.values:
        raise ApplicationError(_("Unknown category."))
    change, _created = MahallaCategoryChange.objects.update_or_create(
        mahalla=mahalla,
        effective_from=effective_from,
        defaults={"category": category, "reason": reason, "changed_by": changed_by},
    )
    latest = (
        MahallaCategoryChange.objects.filter(
            mahalla=mahalla, effective_from__lte=timezone.localdate()
        )
        .order_by("-effective_from")
        .values_list("category", flat=True)
        .first()
    )
    if latest is not None and latest != mahalla.category:
        mahalla.category = latest
        mahalla.save(update_fields=["category", "updated_at"])
    return change


def territory_counts_refresh() -> None:
    """Recomputes every node's mahalla count, and district and country populations where
    they are sums of their parts, in a fixed number of queries. Only mahallas in force today
    count: a closed one's residents are in the mahalla it merged into."""
    mahallas = (
        Territory.objects.filter(kind=Territory.Kind.MAHALLA)
        .filter(territory_in_force(timezone.localdate()))
        .values_list("path", "population")
    )
    counts: Counter[str] = Counter()
    populations: Counter[str] = Counter()
    for path, population in mahallas.iterator(chunk_size=5000):
        for prefix in _ancestor_paths(path):
            counts[prefix] += 1
            populations[prefix] += population or 0
    nodes = list(Territory.objects.exclude(kind=Territory.Kind.MAHALLA))
    region_total = sum(n.population or 0 for n in nodes if n.kind == Territory.Kind.REGION)
    changed = []
    for node in nodes:
        new_count = counts.get(node.path, 0)
        new_population = node.population
        if node.kind == Territory.Kind.DISTRICT and populations.get(node.path):
            new_population = populations[node.path]
        elif node.kind == Territory.Kind.COUNTRY and region_total:
            new_population = region_total
        if (new_count, new_population) != (node.mahalla_count, node.population):
            node.mahalla_count, node.population = new_count, new_population
            changed.append(node)
    Territory.objects.bulk_update(changed, ["mahalla_count", "population"], batch_size=500)


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


# --- Boundary changes -------------------------------------------------------------------------
#
# A legal act moves a mahalla to another district, merges mahallas or splits one, from an
# effective day. Nothing is deleted and records keep their mahalla: a moved mahalla keeps its
# identity and the placement it left (MahallaPlacement), closed and new mahallas keep their
# dates, and populations get dated figures (PopulationFigure), so that figures for a period
# before the day follow the tree as it was. A change is recorded once it is in force (the
# current tree is today's), and changes of one mahalla are recorded in date order.

# The first day of every reporting period (accountability.periods.FIRST_YEAR): a node's
# population before its first dated change is kept as a figure from then.
POPULATION_SINCE = date(1991, 1, 1)


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _mahallas_lock(mahallas: list[Territory]) -> None:
    """Locks the mahallas' rows and reloads them, so that two changes of one mahalla made at
    once run one after the other, each on fresh data."""
    ids = [mahalla.pk for mahalla in mahallas]
    list(Territory.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    for mahalla in mahallas:
        mahalla.refresh_from_db()


def _act_check(*, act_number: str, act_date: date | None, effective_on: date | None) -> None:
    if not (act_number or "").strip():
        raise ApplicationError(
            _("Give the number of the legal act."), extra={"field": "act_number"}
        )
    if len(act_number.strip()) > 50:
        raise ApplicationError(
            _("The number of the legal act is at most 50 characters."),
            extra={"field": "act_number"},
        )
    if act_date is None:
        raise ApplicationError(_("Give the date of the legal act."), extra={"field": "act_date"})
    if effective_on is None:
        raise ApplicationError(
            _("Give the day the change takes effect."), extra={"field": "effective_on"}
        )
    if effective_on > timezone.localdate():
        raise ApplicationError(
            _(
                "A change is recorded once it has taken effect; %(day)s is still to come. "
                "Record it on or after that day."
            )
            % {"day": _day(effective_on)},
            extra={"field": "effective_on"},
        )


def _last_change_on(mahalla: Territory) -> date | None:
    return (
        BoundaryChange.objects.filter(parts__territory=mahalla)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )


def _changeable_check(mahalla: Territory, effective_on: date) -> None:
    """Refuses a change of a node that is not a mahalla, is closed, or whose own dates or
    last change are on or after the effective day."""
    if mahalla.kind != Territory.Kind.MAHALLA:
        raise ApplicationError(
            _("“%(name)s” is not a mahalla: only mahallas move, merge and split.")
            % {"name": mahalla.name}
        )
    if mahalla.valid_to is not None:
        raise ApplicationError(
            _("The mahalla “%(name)s” was closed on %(day)s.")
            % {"name": mahalla.name, "day": _day(mahalla.closed_on)}
        )
    if mahalla.valid_from is not None and effective_on <= mahalla.valid_from:
        raise ApplicationError(
            _(
                "The mahalla “%(name)s” came into being on %(day)s: a change of it takes "
                "effect after that day."
            )
            % {"name": mahalla.name, "day": _day(mahalla.valid_from)},
            extra={"field": "effective_on"},
        )
    last = _last_change_on(mahalla)
    if last is not None and effective_on <= last:
        raise ApplicationError(
            _(
                "The mahalla “%(name)s” last changed on %(day)s: changes are recorded in date "
                "order, so this one takes effect after that day."
            )
            % {"name": mahalla.name, "day": _day(last)},
            extra={"field": "effective_on"},
        )


def _boundary_change_create(
    *,
    kind: str,
    effective_on: date,
    act_number: str,
    act_date: date,
    act_title: str,
    note: str,
    by,
) -> BoundaryChange:
    change = BoundaryChange(
        kind=kind,
        effective_on=effective_on,
        act_number=act_number.strip(),
        act_date=act_date,
        act_title=act_title.strip(),
        note=note.strip(),
        created_by=by,
    )
    change.full_clean()
    change.save()
    return change


def _part_add(
    change: BoundaryChange, territory: Territory, role: str, *, from_district, to_district
) -> None:
    BoundaryChangePart.objects.create(
        change=change,
        territory=territory,
        role=role,
        from_district=from_district,
        to_district=to_district,
    )


def _change_reason(change: BoundaryChange) -> str:
    """The reason kept in the node's history: the change and its legal act."""
    return _("%(kind)s, legal act No. %(number)s of %(date)s") % {
        "kind": change.get_kind_display(),
        "number": change.act_number,
        "date": _day(change.act_date),
    }


def _population_shift(*, node: Territory, delta: int, day: date, reason: str = "") -> None:
    """Adds `delta` residents to the node from `day` on: to a figure dated that day (from
    the one in force then), to every later figure and to its current population. A node's
    first figure keeps its population until then, from POPULATION_SINCE."""
    if not delta or node.population is None:
        return
    figures = PopulationFigure.objects.filter(territory=node)
    if not figures.exists():
        PopulationFigure.objects.create(
            territory=node, valid_from=POPULATION_SINCE, population=node.population
        )
    in_force = figures.filter(valid_from__lte=day).order_by("-valid_from").first()
    base = in_force.population if in_force is not None else node.population
    PopulationFigure.objects.update_or_create(
        territory=node, valid_from=day, defaults={"population": max(base + delta, 0)}
    )
    figures.filter(valid_from__gt=day).update(
        population=Greatest(F("population") + delta, 0), updated_at=timezone.now()
    )
    node.population = max(node.population + delta, 0)
    node._change_reason = reason
    node.save(update_fields=["population", "updated_at"])


def _populations_move(*, population: int | None, from_path: str, to_path: str, day: date) -> None:
    """Moves residents between two places of the tree from `day` on: the ancestors of one
    that are not ancestors of the other lose them, and the other way round."""
    if not population:
        return
    left, joined = set(_ancestor_paths(from_path)), set(_ancestor_paths(to_path))
    deltas = dict.fromkeys(left - joined, -population)
    deltas.update(dict.fromkeys(joined - left, population))
    for node in Territory.objects.filter(path__in=deltas).order_by("path"):
        _population_shift(node=node, delta=deltas[node.path], day=day)


@transaction.atomic
def mahalla_move(
    *,
    mahalla: Territory,
    district: Territory,
    effective_on: date,
    act_number: str,
    act_date: date,
    by=None,
    act_title: str = "",
    note: str = "",
) -> BoundaryChange:
    """Moves a mahalla to another district from `effective_on`.

    It keeps its identity (code, records, inspectors); the placement it leaves is kept until
    the day before, so that periods before the day count it where it was, and the districts
    (and regions) on both sides get population figures from the day.
    """
    _act_check(act_number=act_number, act_date=act_date, effective_on=effective_on)
    _mahallas_lock([mahalla])
    _changeable_check(mahalla, effective_on)
    if district.kind != Territory.Kind.DISTRICT:
        raise ApplicationError(
            _("A mahalla moves to a district or city, and “%(name)s” is not one.")
            % {"name": district.name},
            extra={"field": "district"},
        )
    if district.pk == mahalla.parent_id:
        raise ApplicationError(
            _("The mahalla “%(name)s” is already in “%(district)s”.")
            % {"name": mahalla.name, "district": district.name},
            extra={"field": "district"},
        )
    if district.valid_to is not None:
        raise ApplicationError(
            _("The district “%(name)s” was closed on %(day)s.")
            % {"name": district.name, "day": _day(district.closed_on)},
            extra={"field": "district"},
        )
    old_district, old_path = mahalla.parent, mahalla.path
    previous = mahalla.placements.order_by("-valid_to").first()
    placement = MahallaPlacement(
        mahalla=mahalla,
        district=old_district,
        path=old_path,
        valid_from=previous.valid_to + timedelta(days=1) if previous else mahalla.valid_from,
        valid_to=effective_on - timedelta(days=1),
    )
    placement.full_clean()
    placement.save()
    change = _boundary_change_create(
        kind=BoundaryChange.Kind.MOVE,
        effective_on=effective_on,
        act_number=act_number,
        act_date=act_date,
        act_title=act_title,
        note=note,
        by=by,
    )
    _part_add(
        change,
        mahalla,
        BoundaryChangePart.Role.SOURCE,
        from_district=old_district,
        to_district=district,
    )
    mahalla.parent = district
    mahalla.path = f"{district.path}{mahalla.code}/"
    mahalla._change_reason = _change_reason(change)
    mahalla.full_clean()
    mahalla.save(update_fields=["parent", "path", "updated_at"])
    _populations_move(
        population=mahalla.population, from_path=old_path, to_path=mahalla.path, day=effective_on
    )
    territory_counts_refresh()
    return change


@transaction.atomic
def mahallas_merge(
    *,
    mahallas: list[Territory],
    into: Territory,
    effective_on: date,
    act_number: str,
    act_date: date,
    by=None,
    act_title: str = "",
    note: str = "",
) -> BoundaryChange:
    """Merges mahallas into one of them, `into`, from `effective_on`.

    The others are closed the day before; they stay in the tree with their records and past
    reports. The continuing one takes in their residents (and their districts' residents move
    with them where the mahallas were in different districts).
    """
    _act_check(act_number=act_number, act_date=act_date, effective_on=effective_on)
    merged = list({mahalla.pk: mahalla for mahalla in mahallas}.values())
    if len(merged) < 2:
        raise ApplicationError(_("Choose at least two mahallas to merge."))
    if into.pk not in {mahalla.pk for mahalla in merged}:
        raise ApplicationError(
            _("The mahalla that continues must be one of those merged."), extra={"field": "into"}
        )
    merged = [into if mahalla.pk == into.pk else mahalla for mahalla in merged]
    _mahallas_lock(merged)
    for mahalla in merged:
        _changeable_check(mahalla, effective_on)
    change = _boundary_change_create(
        kind=BoundaryChange.Kind.MERGE,
        effective_on=effective_on,
        act_number=act_number,
        act_date=act_date,
        act_title=act_title,
        note=note,
        by=by,
    )
    reason = _change_reason(change)
    _part_add(
        change,
        into,
        BoundaryChangePart.Role.RESULT,
        from_district=into.parent,
        to_district=into.parent,
    )
    taken_in = 0
    for mahalla in merged:
        if mahalla.pk == into.pk:
            continue
        _part_add(
            change,
            mahalla,
            BoundaryChangePart.Role.SOURCE,
            from_district=mahalla.parent,
            to_district=into.parent,
        )
        mahalla.valid_to = effective_on - timedelta(days=1)
        mahalla._change_reason = reason
        mahalla.full_clean()
        mahalla.save(update_fields=["valid_to", "updated_at"])
        taken_in += mahalla.population or 0
        if mahalla.parent_id != into.parent_id:
            _populations_move(
                population=mahalla.population,
                from_path=mahalla.path,
                to_path=into.path,
                day=effective_on,
            )
    _population_shift(node=into, delta=taken_in, day=effective_on, reason=reason)
    territory_counts_refresh()
    return change


def _split_names(part: dict) -> dict:
    """A new mahalla's four names: those not given follow the Uzbek (Latin) one, as for
    generated mahallas."""
    name_uz = str(part.get("name_uz") or "").strip()
    cyrillic = str(part.get("name_uz_cyrl") or "").strip() or latin_to_cyrillic(name_uz)
    return {
        "name_uz": name_uz,
        "name_uz_cyrl": cyrillic,
        "name_ru": str(part.get("name_ru") or "").strip() or f"махалля {cyrillic}",
        "name_en": str(part.get("name_en") or "").strip() or f"{name_uz} mahalla",
    }


@transaction.atomic
def mahalla_split(
    *,
    mahalla: Territory,
    parts: list[dict],
    effective_on: date,
    act_number: str,
    act_date: date,
    by=None,
    act_title: str = "",
    note: str = "",
) -> BoundaryChange:
    """Splits new mahallas off a mahalla from `effective_on`.

    Each part is a dict of `name_uz` (required), `name_uz_cyrl`, `name_ru`, `name_en` and
    `population`. The mahalla continues with the residents left; the new ones come into
    being in its district on the day, with its crime-situation category. Records stay where
    they are.
    """
    _act_check(act_number=act_number, act_date=act_date, effective_on=effective_on)
    _mahallas_lock([mahalla])
    _changeable_check(mahalla, effective_on)
    if not parts:
        raise ApplicationError(_("Give at least one new mahalla."), extra={"field": "parts"})
    district = mahalla.parent
    taken = {
        key.split(" |")[0]
        for key in Territory.objects.filter(parent=district, kind=Territory.Kind.MAHALLA)
        .filter(territory_in_force(effective_on))
        .values_list("search_text", flat=True)
    }
    new_parts = []
    for number, part in enumerate(parts, start=1):
        names = _split_names(part)
        if not names["name_uz"]:
            raise ApplicationError(
                _("New mahalla %(number)d: give its name in Uzbek (Latin).") % {"number": number},
                extra={"field": "parts"},
            )
        key = search_key(names["name_uz"])
        if key in taken:
            raise ApplicationError(
                _("“%(name)s”: the district already has a mahalla of this name.")
                % {"name": names["name_uz"]},
                extra={"field": "parts"},
            )
        taken.add(key)
        population = part.get("population")
        if not isinstance(population, int) or isinstance(population, bool) or population < 1:
            raise ApplicationError(
                _("“%(name)s”: give its population, a whole number above zero.")
                % {"name": names["name_uz"]},
                extra={"field": "parts"},
            )
        new_parts.append((names, population))
    if mahalla.population is None:
        raise ApplicationError(
            _("The population of “%(name)s” is not known: set it before splitting it.")
            % {"name": mahalla.name}
        )
    total = sum(population for _names, population in new_parts)
    if total >= mahalla.population:
        raise ApplicationError(
            _(
                "The new mahallas have %(total)d residents together, and “%(name)s” has "
                "%(population)d: it keeps some residents, so they must have fewer."
            )
            % {"total": total, "name": mahalla.name, "population": mahalla.population},
            extra={"field": "parts"},
        )
    change = _boundary_change_create(
        kind=BoundaryChange.Kind.SPLIT,
        effective_on=effective_on,
        act_number=act_number,
        act_date=act_date,
        act_title=act_title,
        note=note,
        by=by,
    )
    reason = _change_reason(change)
    _part_add(
        change,
        mahalla,
        BoundaryChangePart.Role.SOURCE,
        from_district=district,
        to_district=district,
    )
    for names, population in new_parts:
        values = _mahalla_values(names=names, population=population, is_generated=False)
        code = _next_mahalla_code(district)
        new = Territory(
            code=code,
            parent=district,
            path=f"{district.path}{code}/",
            depth=Territory.DEPTHS[Territory.Kind.MAHALLA],
            search_text=_search_text(values),
            valid_from=effective_on,
            **values,
        )
        new._change_reason = reason
        new.full_clean()
        new.save()
        _part_add(
            change,
            new,
            BoundaryChangePart.Role.RESULT,
            from_district=district,
            to_district=district,
        )
        if mahalla.category:
            mahalla_category_set(
                mahalla=new,
                category=mahalla.category,
                effective_from=effective_on,
                reason=reason,
                changed_by=by,
            )
    _population_shift(node=mahalla, delta=-total, day=effective_on, reason=reason)
    territory_counts_refresh()
    return change


def territory_in_force_check(*, place: Territory, day: date, field: str = "mahalla") -> None:
    """Refuses a row dated on a day its place was not in the tree: a mahalla closed by a
    merge, or made by a split after that day. Rows dated while it existed stay possible, so
    that late filings of a closed mahalla's last days are still taken."""
    if (place.valid_from and day < place.valid_from) or (place.valid_to and day > place.valid_to):
        raise ApplicationError(
            _("%(place)s did not exist on %(day)s: its history is on its page.")
            % {"place": place.name, "day": formats.date_format(day, "SHORT_DATE_FORMAT")},
            extra={"field": field},
        )
