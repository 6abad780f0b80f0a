"""Writes to the territory tree: loads of reference data, mahalla imports, categories.

Loads are idempotent (a second run with the same data writes nothing) and atomic (a bad row
stops the load with its file and row number and nothing is written).
"""

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.exceptions import ApplicationError
from core.text import latin_to_cyrillic, search_key
from mahalla.models import MahallaCategoryChange, Territory

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
    taken = Territory.objects.filter(parent=district, code__startswith=f"{district.code}M").count()
    return f"{district.code}M{taken + 1:04d}"


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
    they are sums of their parts, in a fixed number of queries."""
    mahallas = Territory.objects.filter(kind=Territory.Kind.MAHALLA).values_list(
        "path", "population"
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
