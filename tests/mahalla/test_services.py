import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from core.exceptions import ApplicationError
from mahalla.models import MahallaCategoryChange, Territory
from mahalla.services import (
    TerritoryLoadError,
    mahalla_category_set,
    mahallas_import,
    territories_load,
    territory_counts_refresh,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language; the default interface language is Uzbek.
    with translation.override("en"):
        yield


def test_load_errors_are_in_the_user_language(tmp_path):
    broken = tmp_path / "regions.csv"
    broken.write_text("soato,type\n9,region\n", encoding="utf-8")
    with translation.override("ru"), pytest.raises(TerritoryLoadError) as error:
        territories_load(regions_csv=broken)
    assert error.value.message.startswith("regions.csv, строка 2")
    assert error.value.extra == {"source": "regions.csv", "row": 2}


def test_the_real_tree_is_loaded():
    assert Territory.objects.filter(kind=Territory.Kind.COUNTRY).count() == 1
    assert Territory.objects.filter(kind=Territory.Kind.REGION).count() == 14
    assert Territory.objects.filter(kind=Territory.Kind.DISTRICT).count() == 209
    tashkent = Territory.objects.get(code="1726")
    assert (tashkent.iso_code, tashkent.name_ru, tashkent.population) == (
        "UZ-TK",
        "город Ташкент",
        3_164_030,
    )
    yunusobod = Territory.objects.get(code="1726266")
    assert yunusobod.parent == tashkent
    assert yunusobod.path == "17/1726/1726266/"
    assert yunusobod.name_en == "Yunusobod District"


def test_second_load_changes_nothing():
    before = list(Territory.objects.values_list("pk", "updated_at").order_by("pk"))
    history_before = Territory.history.count()

    result = territories_load()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 224)
    assert list(Territory.objects.values_list("pk", "updated_at").order_by("pk")) == before
    assert Territory.history.count() == history_before


def test_bad_row_stops_the_load_with_file_and_row_and_writes_nothing(tmp_path):
    # given: a copy of the reference data with a broken population in its third data row
    from mahalla.services import DATA_DIR

    lines = (DATA_DIR / "regions_reference.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[1] = "UZ-XX"
    cells[4] = "Renamed"
    lines[3] = ",".join(cells)
    cells = lines[4].split(",")
    cells[11] = "lots"
    lines[4] = ",".join(cells)
    broken = tmp_path / "regions.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")

    # when
    with pytest.raises(TerritoryLoadError) as error:
        territories_load(regions_csv=broken)

    # then: the message names the file and the row; the earlier good row was not kept
    assert "regions.csv, row 5" in error.value.message
    assert "lots" in error.value.message
    assert not Territory.objects.filter(iso_code="UZ-XX").exists()


def _csv(text: str) -> io.StringIO:
    return io.StringIO(text.strip() + "\n")


def test_import_mahallas_creates_then_is_idempotent():
    source = """
district_soato,name_uz,name_uz_cyrl,name_ru,name_en,population,category,code
1726266,Bogʻishamol,,махалля Богишамол,Bogishamol mahalla,4100,red,
1726266,Navbahor yangi,,,,"3 200",green,MFY-77
"""
    result = mahallas_import(file=_csv(source), source="real.csv")
    assert (result.created, result.updated) == (2, 0)
    bogishamol = Territory.objects.get(parent__code="1726266", name_uz="Bogʻishamol")
    assert bogishamol.name_uz_cyrl == "Боғишамол"
    assert bogishamol.category == "red"
    assert bogishamol.is_generated is False
    assert MahallaCategoryChange.objects.filter(mahalla=bogishamol, category="red").exists()
    assert Territory.objects.get(code="MFY-77").population == 3200

    again = mahallas_import(file=_csv(source), source="real.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_import_mahallas_refreshes_counts():
    district = Territory.objects.get(code="1726266")
    before = district.mahalla_count
    mahallas_import(file=_csv("district_soato,name_uz\n1726266,Yangi mahalla"), source="one.csv")
    district.refresh_from_db()
    assert district.mahalla_count == before + 1
    assert (
        Territory.objects.get(code="17").mahalla_count
        == Territory.objects.filter(kind=Territory.Kind.MAHALLA).count()
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("district_soato,name_uz\n1726266,Birinchi\n9999999,Ikkinchi", "bad.csv, row 3"),
        ("district_soato,name_uz\n1726266,Birinchi\n1726266,", "bad.csv, row 3"),
        ("district_soato,name_uz,population\n1726266,Birinchi,12a", "bad.csv, row 2"),
        ("district_soato,name_uz,category\n1726266,Birinchi,purple", "bad.csv, row 2"),
        ("district_soato,name_uz\n1726266,Birinchi\n1726266,BIRINCHI", "bad.csv, row 3"),
        ("name_uz\nBirinchi", "bad.csv, row 1"),
    ],
)
def test_import_mahallas_bad_row_writes_nothing(text, expected):
    count = Territory.objects.count()
    with pytest.raises(TerritoryLoadError) as error:
        mahallas_import(file=_csv(text), source="bad.csv")
    assert expected in error.value.message
    assert Territory.objects.count() == count


def test_import_command_reports_the_row(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("district_soato,name_uz\n1726266,Birinchi\n17,Ikkinchi\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"list.csv, row 3.*Nothing was written"):
        call_command("import_mahallas", str(path))
    assert not Territory.objects.filter(name_uz="Birinchi").exists()


def test_category_history_is_dated_and_current_follows_latest():
    mahalla = Territory.objects.filter(kind=Territory.Kind.MAHALLA).first()
    today = timezone.localdate()
    mahalla_category_set(mahalla=mahalla, category="red", effective_from=date(2025, 1, 1))
    mahalla_category_set(mahalla=mahalla, category="yellow", effective_from=today)
    # a change that takes effect tomorrow is kept but is not the current category yet
    mahalla_category_set(
        mahalla=mahalla, category="green", effective_from=today + timedelta(days=1)
    )

    mahalla.refresh_from_db()
    assert mahalla.category == "yellow"
    assert list(mahalla.category_changes.values_list("category", flat=True)) == [
        "green",
        "yellow",
        "red",
    ]


def test_category_only_for_mahallas():
    with pytest.raises(ApplicationError):
        mahalla_category_set(
            mahalla=Territory.objects.get(code="1726"),
            category="red",
            effective_from=date(2025, 1, 1),
        )


def test_counts_refresh_uses_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        territory_counts_refresh()
