import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.models import Notification
from accounts.services import notify

pytestmark = pytest.mark.django_db

URL = "/partnership/activities/"


@pytest.fixture
def client():
    """Pages in English, so that text can be compared."""
    return Client(headers={"Accept-Language": "en"})


def _notify(user, key: str, url: str = URL, subject: str = "Plan") -> Notification:
    [notification] = notify(
        users=[user],
        message=gettext_noop("New information request: %(subject)s (answer by %(due)s)."),
        params={"subject": subject, "due": "01.12.2026"},
        url=url,
        dedupe_key=key,
        email=False,
    )
    return Notification.objects.get(user=user, dedupe_key=key)


def test_the_page_lists_only_the_users_own_notifications(client, demo_user):
    staff, officer = demo_user("ngo.staff"), demo_user("officer.district")
    mine = _notify(staff, "mine", subject="Mine")
    theirs = _notify(officer, "theirs", subject="Theirs")
    client.force_login(staff)
    response = client.get(reverse("accounts:notification-list"))
    assert response.status_code == 200
    assert mine in response.context["page"].items
    assert theirs not in response.context["page"].items
    content = response.content.decode()
    assert "New information request: Mine (answer by 01.12.2026)." in content
    assert "Theirs" not in content
    assert 'data-unread="1"' in content


def test_newest_first_with_show_more(client, demo_user):
    user = demo_user("ngo.admin")
    created = [_notify(user, f"n{number}") for number in range(35)]
    client.force_login(user)
    url = reverse("accounts:notification-list")
    first = client.get(url).context["page"]
    assert [n.pk for n in first.items] == [n.pk for n in reversed(created)][:30]
    rest = client.get(url, {"after": first.next_token})
    assert [n.pk for n in rest.context["page"].items] == [n.pk for n in reversed(created)][30:]
    assert rest.context["page"].next_token is None
    htmx = client.get(url, {"after": first.next_token}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode()
    assert htmx.content.decode().count('data-testid="notification"') == 5
    assert client.get(url, {"after": "bad"}).status_code == 400


def test_opening_marks_read_and_follows_the_link(client, demo_user):
    user = demo_user("ngo.staff")
    notification = _notify(user, "open-me")
    client.force_login(user)
    response = client.get(reverse("accounts:notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == URL
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_404(client, demo_user):
    notification = _notify(demo_user("officer.district"), "not-yours")
    client.force_login(demo_user("ngo.staff"))
    response = client.get(reverse("accounts:notification-open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_link_off_the_portal_is_not_followed(client, demo_user):
    user = demo_user("ngo.staff")
    notification = _notify(user, "evil", url="https://evil.example/phish")
    client.force_login(user)
    response = client.get(reverse("accounts:notification-open", args=[notification.pk]))
    assert response.url == reverse("accounts:notification-list")


def test_mark_all_read(client, demo_user):
    user, other = demo_user("ngo.staff"), demo_user("ngo.admin")
    for number in range(3):
        _notify(user, f"all-{number}")
    others = _notify(other, "other-unread")
    client.force_login(user)
    url = reverse("accounts:notification-mark-all-read")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_the_navbar_bell_shows_the_unread_count(client, demo_user):
    user = demo_user("ngo.staff")
    Notification.objects.filter(user=user).delete()
    client.force_login(user)
    url = reverse("accounts:notification-list")
    assert 'data-testid="unread-count"' not in client.get(url).content.decode()
    first = _notify(user, "bell-1")
    _notify(user, "bell-2")
    content = client.get(url).content.decode()
    assert 'data-testid="notification-bell"' in content
    assert 'data-testid="unread-count">2<' in content
    client.get(reverse("accounts:notification-open", args=[first.pk]))
    assert 'data-testid="unread-count">1<' in client.get(url).content.decode()


def test_visitors_have_no_bell_and_no_page(client):
    response = client.get(reverse("accounts:login"))
    assert 'data-testid="notification-bell"' not in response.content.decode()
    page = client.get(reverse("accounts:notification-list"))
    assert page.status_code == 302
    assert reverse("accounts:login") in page.url
