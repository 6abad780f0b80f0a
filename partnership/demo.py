"""Demo organisation and its two NGO accounts."""

from accounts.demo import DEMO_DISTRICT, demo_user
from accounts.models import Role
from core.demo import DemoContext
from mahalla.models import Territory
from partnership.models import Organisation
from partnership.services import organisation_create

DEMO_REGISTRATION = "NNT-2019-0415"


def seed(ctx: DemoContext) -> None:
    organisation = Organisation.objects.filter(
        registration_number=DEMO_REGISTRATION
    ).first() or organisation_create(
        name="“Yoshlar kelajagi” nodavlat notijorat tashkiloti",
        kind=Organisation.Kind.NGO,
        registration_number=DEMO_REGISTRATION,
        territory=Territory.objects.get(code=DEMO_DISTRICT),
    )
    for username, role, first_name, last_name in [
        ("ngo.admin", Role.NGO_ADMIN, "Nodira", "Qodirova"),
        ("ngo.staff", Role.NGO_STAFF, "Otabek", "Saidov"),
    ]:
        demo_user(
            ctx,
            username=username,
            role=role,
            first_name=first_name,
            last_name=last_name,
            organisation=organisation,
        )
