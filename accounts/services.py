from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Creates an active account; without a password it cannot sign in until one is set."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_create(
    *,
    user: User,
    role: str,
    territory=None,
    organisation=None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    """Gives a user a role at a territory node or, for NGO roles, an organisation."""
    membership = Membership(
        user=user,
        role=role,
        territory=territory,
        organisation=organisation,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    membership.full_clean()
    membership.save()
    return membership
