"""A mahalla closed by a merge keeps its rows and takes the late filings of its last days,
but no row dated after it closed; the forms for new rows no longer offer it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from mahalla.models import Territory
from mahalla.services import mahallas_merge
from prevention.models import PeriodApproval, PreventionRecord
from prevention.services import record_create
from tests.mahalla.factories import MahallaFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_period_approvals")]


@pytest.fixture
def closed(mahalla_a) -> Territory:
    """The demo inspector's mahalla, merged into a neighbour from yesterday on."""
    neighbour = MahallaFactory(parent=mahalla_a.parent, population=2000)
    yesterday = timezone.localdate() - timedelta(days=1)
    mahallas_merge(
        mahallas=[mahalla_a, neighbour],
        into=neighbour,
        effective_on=yesterday,
        act_number="17-Q",
        act_date=yesterday,
    )
    mahalla_a.refresh_from_db()
    return mahalla_a


def _data(mahalla, day) -> dict:
    return {
        "kind": PreventionRecord.Kind.GENERAL,
        "measure": PreventionRecord.Measure.PREVENTIVE_TALK,
        "mahalla": mahalla,
        "date": day,
        "summary": "Birlashgan mahalla sinovi.",
        "people_reached": 2,
    }


def test_a_record_dated_after_the_closing_is_refused_one_dated_before_is_taken(inspector_a, closed):
    today = timezone.localdate()
    before = PreventionRecord.objects.count()
    # when a record of today is filed for the closed mahalla
    with pytest.raises(ApplicationError) as refused:
        record_create(inspector=inspector_a, **_data(closed, today))
    # then it is refused, naming the mahalla, and nothing is written
    assert closed.name in refused.value.message
    assert refused.value.extra["field"] == "mahalla"
    assert PreventionRecord.objects.count() == before
    # while a late filing of its last day is taken
    record = record_create(inspector=inspector_a, **_data(closed, closed.valid_to))
    assert record.mahalla == closed


def test_the_record_form_no_longer_offers_the_closed_mahalla(demo_user, closed):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(demo_user("inspector"))
    response = client.get(reverse("prevention:record-create"))
    assert response.status_code == 200
    choices = response.context["form"].fields["mahalla"].queryset
    assert closed not in choices
    assert not PeriodApproval.objects.exists()
