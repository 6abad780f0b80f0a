from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, PersonalDataRead, User


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


def personal_data_reads_log(*, user, objects, territory_of, via: str) -> int:
    """Logs that `user` has just been shown the personal data of each object.

    `territory_of(obj)` gives the territory id the object belongs to, so the log can be scoped
    to the unit officers above it. One insert for the whole page.
    """
    objects = list(objects)
    if not objects:
        return 0
    content_types = ContentType.objects.get_for_models(*{type(obj) for obj in objects})
    PersonalDataRead.objects.bulk_create(
        PersonalDataRead(
            user=user,
            content_type=content_types[type(obj)],
            object_id=obj.pk,
            territory_id=territory_of(obj),
            via=via,
        )
        for obj in objects
    )
    return len(objects)
