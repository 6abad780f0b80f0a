from datetime import date

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, Notification, PersonalDataRead, User


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


def notify(
    *, users, message: str, params: dict, url: str, dedupe_key: str, email: bool = True
) -> list[Notification]:
    """Notifies each user once per `dedupe_key`, in the app and by e-mail.

    `message` is a source-language string marked with gettext_noop, formatted with `params`
    in each reader's language. Users already notified under the key are skipped, so reminder
    tasks can run any number of times. Returns the notifications created now.
    """
    users = [user for user in users if user.is_active]
    already = set(
        Notification.objects.filter(user__in=users, dedupe_key=dedupe_key).values_list(
            "user_id", flat=True
        )
    )
    fresh = [
        Notification(user=user, message=message, params=params, url=url, dedupe_key=dedupe_key)
        for user in users
        if user.pk not in already
    ]
    # ignore_conflicts: a concurrent run may have just notified the same user.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    if email:
        for notification in fresh:
            if notification.user.email:
                _notification_email(notification)
    return fresh


def _notification_email(notification: Notification) -> None:
    user = notification.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = f"{translation.gettext('Hamkorlik')}: {notification.text}"[:200]
        body = notification.text
        if notification.url:
            body += "\n\n" + settings.PORTAL_BASE_URL.rstrip("/") + notification.url
    send_mail(subject, body, None, [user.email], fail_silently=False)


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Marks the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def user_invite(*, email: str, full_name: str) -> User:
    """The account for an e-mail address, created without a password if new, and an e-mail
    with a link to set one (valid for PASSWORD_RESET_TIMEOUT)."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _space, last = full_name.strip().partition(" ")
        user = user_create(username=email, password=None, first_name=first, last_name=last)
        user.email = email
        user.save(update_fields=["email"])
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    transaction.on_commit(lambda: _invitation_email(user))
    return user


def _invitation_email(user: User) -> None:
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = translation.gettext("Your Hamkorlik account")
        body = translation.gettext(
            "An account has been opened for you on the Hamkorlik portal.\n"
            "Your user name: %(username)s\n"
            "Set your password here: %(link)s"
        ) % {"username": user.username, "link": link}
    send_mail(subject, body, None, [user.email], fail_silently=False)
