"""Demo accounts: one user for every territorial role, at places of Tashkent city."""

from datetime import timedelta
from functools import cache

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.services import membership_create, user_create
from core.demo import DEMO_PASSWORD, DemoContext
from mahalla.models import Territory

DEMO_REGION = "1726"  # Toshkent shahri
DEMO_DISTRICT = "1726266"  # Yunusobod tumani


@cache
def demo_password_hash() -> str:
    # Hashed once: the password hasher is slow on purpose, and every demo user shares it.
    return make_password(DEMO_PASSWORD)


def demo_user(
    ctx: DemoContext,
    *,
    username: str,
    role: str,
    first_name: str,
    last_name: str,
    territory: Territory | None = None,
    organisation=None,
    superuser: bool = False,
) -> User:
    """Creates the demo account and its membership once; later runs reuse them."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=None,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@demo.hamkorlik.uz",
            is_superuser=superuser,
        )
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    if not Membership.objects.filter(
        user=user, role=role, territory=territory, organisation=organisation
    ).exists():
        membership_create(
            user=user,
            role=role,
            territory=territory,
            organisation=organisation,
            valid_from=timezone.localdate() - timedelta(days=730),
        )
    place = organisation or territory
    ctx.logins.append((username, role, str(place) if place else ""))
    return user


def seed(ctx: DemoContext) -> None:
    country = Territory.objects.get(kind=Territory.Kind.COUNTRY)
    region = Territory.objects.get(code=DEMO_REGION)
    district = Territory.objects.get(code=DEMO_DISTRICT)
    mahalla = Territory.objects.filter(parent=district).order_by("code").first()
    people = [
        ("admin", Role.ADMIN, "Aziz", "Karimov", country),
        ("council", Role.COUNCIL_MEMBER, "Dilnoza", "Rahimova", country),
        ("officer.republic", Role.UNIT_OFFICER, "Bahodir", "Yusupov", country),
        ("officer.region", Role.UNIT_OFFICER, "Sardor", "Toshmatov", region),
        ("officer.district", Role.UNIT_OFFICER, "Jasur", "Aliyev", district),
        ("inspector", Role.INSPECTOR, "Rustam", "Nazarov", mahalla),
        ("commission", Role.COMMISSION_MEMBER, "Malika", "Ergasheva", district),
    ]
    for username, role, first_name, last_name, territory in people:
        demo_user(
            ctx,
            username=username,
            role=role,
            first_name=first_name,
            last_name=last_name,
            territory=territory,
            superuser=role == Role.ADMIN,
        )
