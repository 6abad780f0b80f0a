from django.db import transaction

from mahalla.models import Territory
from partnership.models import Organisation


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, registration_number: str, territory: Territory
) -> Organisation:
    """Registers an organisation; the registration number is unique."""
    organisation = Organisation(
        name=name, kind=kind, registration_number=registration_number, territory=territory
    )
    organisation.full_clean()
    organisation.save()
    return organisation
