"""The registry import (django-import-export): a preview with per-row errors, nothing written
until the whole file is clean, and a second import updating instead of duplicating."""

import pytest
import tablib
from django.urls import reverse

from partnership.models import Organisation
from partnership.resources import OrganisationResource

pytestmark = pytest.mark.django_db
HEADERS = ["registration_number", "name", "kind", "territory_code", "areas", "verification"]


def _dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_preview_reports_each_bad_row_and_writes_nothing():
    data = _dataset(
        ["IMP-1", "Birinchi NNT", "ngo", "1726266", "youth;legal_awareness", "verified"],
        ["IMP-2", "Ikkinchi NNT", "planet", "1726266", "", "verified"],
        ["IMP-3", "Uchinchi NNT", "ngo", "0000000", "", "verified"],
    )
    result = OrganisationResource().import_data(data, dry_run=True)
    assert result.has_errors() or result.has_validation_errors()
    bad_rows = {number for number, _errors in result.row_errors()} | {
        row.number for row in result.invalid_rows
    }
    assert bad_rows == {2, 3}
    assert not Organisation.objects.filter(registration_number__startswith="IMP-").exists()


def test_import_then_import_again_updates():
    row = ["IMP-9", "Toʻqqizinchi NNT", "ngo", "1726266", "youth", "verified"]
    first = OrganisationResource().import_data(_dataset(row), dry_run=False)
    assert not first.has_errors() and not first.has_validation_errors()
    organisation = Organisation.objects.get(registration_number="IMP-9")
    assert [a.code for a in organisation.areas.all()] == ["youth"]
    row[1] = "Toʻqqizinchi NNT (yangi nom)"
    OrganisationResource().import_data(_dataset(row), dry_run=False)
    assert Organisation.objects.filter(registration_number="IMP-9").count() == 1
    assert Organisation.objects.get(registration_number="IMP-9").name.endswith("(yangi nom)")


def test_the_admin_offers_import_and_export(client, demo_user):
    client.force_login(demo_user("admin"))
    assert client.get(reverse("admin:partnership_organisation_import")).status_code == 200
    assert client.get(reverse("admin:partnership_organisation_export")).status_code == 200
