from datetime import timedelta

import factory
from django.utils import timezone

from partnership.models import JointActivity


class JointActivityFactory(factory.django.DjangoModelFactory):
    """Pass organisation, unit and place (and agreement if any)."""

    class Meta:
        model = JointActivity

    kind = JointActivity.Kind.LEGAL_AWARENESS
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    participants_youth = 10
    description = "Huquqiy targʻibot uchrashuvi."
