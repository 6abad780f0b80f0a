from datetime import timedelta

import factory
from django.utils import timezone

from prevention.models import PreventionRecord, RegisterCategory, RegisterEntry


class PreventionRecordFactory(factory.django.DjangoModelFactory):
    """A record by `inspector` in `mahalla` (pass both)."""

    class Meta:
        model = PreventionRecord

    kind = PreventionRecord.Kind.GENERAL
    measure = PreventionRecord.Measure.PREVENTIVE_TALK
    date = factory.LazyFunction(timezone.localdate)
    summary = "Suhbat oʻtkazildi."
    people_reached = 5


class RegisterEntryFactory(factory.django.DjangoModelFactory):
    """A register entry by `inspector` in `mahalla` (pass both)."""

    class Meta:
        model = RegisterEntry

    full_name = factory.Sequence(lambda n: f"Sinov Shaxs {n}")
    birth_date = factory.LazyFunction(lambda: timezone.localdate().replace(year=1990))
    address = "Sinov koʻchasi, 1-uy"
    document_number = factory.Sequence(lambda n: f"AB{n:07d}")
    category = factory.LazyFunction(lambda: RegisterCategory.objects.get(code="minor"))
    grounds = "Sinov asosi."
    registered_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=300))
