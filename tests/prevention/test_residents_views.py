import io
import random
import struct
import zlib
from datetime import timedelta
from xml.etree import ElementTree

import pytest
import segno
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from prevention.models import AccountabilityMeeting, MeetingQuestion, ResidentFeedback
from prevention.services import feedback_submit, inspector_unassign, question_add
from prevention.views.residents import QR_SCALE
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Who sees what: (user name, sees Yunusobod's mahalla_a, sees Andijon's mahalla_b).
MIA_MATRIX = [
    ("inspector", True, False),
    ("officer.district", True, False),
    ("officer.region", True, False),
    ("officer.republic", True, True),
    ("admin", True, True),
    ("council", False, False),
    ("commission", False, False),
    ("ngo.staff", False, False),
]


def _today():
    return timezone.localdate()


@pytest.fixture
def meeting_a(inspector_a, mahalla_a):
    return AccountabilityMeeting.objects.create(
        inspector=inspector_a, mahalla=mahalla_a, date=_today() - timedelta(days=3)
    )


@pytest.fixture
def meeting_b(inspector_b, mahalla_b):
    return AccountabilityMeeting.objects.create(
        inspector=inspector_b, mahalla=mahalla_b, date=_today() - timedelta(days=3)
    )


@pytest.fixture
def post_a(mahalla_a):
    return mahalla_a.posts.get()


@pytest.fixture
def post_b(mahalla_b):
    return mahalla_b.posts.get()


@pytest.fixture
def officer_andijon(officer_of):
    """A unit officer of another region (Andijon)."""
    return officer_of("1703")


@pytest.fixture
def fresh_client(client, settings, tmp_path):
    """A client with an address of its own and an empty cache, so that rate limits counted by
    other tests (or an earlier run sharing the cache) do not apply. The embedded on-disk cache
    is shared by every process on the machine: tests get a folder of their own instead."""
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}
        }
    cache.clear()
    client.defaults["REMOTE_ADDR"] = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.7"
    return client


def _get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


# --- Meetings -------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "sees_a", "sees_b"), MIA_MATRIX)
def test_meeting_pages_scope_matrix(
    client, demo_user, username, sees_a, sees_b, meeting_a, meeting_b
):
    user = demo_user(username)
    for meeting, sees in [(meeting_a, sees_a), (meeting_b, sees_b)]:
        url = reverse("prevention:meeting-detail", args=[meeting.pk])
        assert _get(client, user, url).status_code == (200 if sees else 404)
    response = _get(client, user, reverse("prevention:meeting-list"))
    assert response.status_code == (200 if sees_a or sees_b else 404)
    if response.status_code == 200:
        shown = {meeting.pk for meeting in response.context["page"].items}
        assert (meeting_a.pk in shown) == sees_a
        assert (meeting_b.pk in shown) == sees_b


def test_officer_of_another_region_sees_only_its_meetings(
    client, officer_andijon, meeting_a, meeting_b
):
    detail = "prevention:meeting-detail"
    assert _get(client, officer_andijon, reverse(detail, args=[meeting_a.pk])).status_code == 404
    assert _get(client, officer_andijon, reverse(detail, args=[meeting_b.pk])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, meeting_a):
    for url in [
        reverse("prevention:meeting-list"),
        reverse("prevention:meeting-create"),
        reverse("prevention:meeting-detail", args=[meeting_a.pk]),
        reverse("prevention:feedback-moderation"),
        reverse("prevention:performance"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_meeting_list_query_count_does_not_grow(
    client, demo_user, inspector_a, mahalla_a, django_assert_num_queries
):
    # given five meetings, each with a question
    def add_meetings(n):
        for day in range(n):
            meeting = AccountabilityMeeting.objects.create(
                inspector=inspector_a, mahalla=mahalla_a, date=_today() - timedelta(days=day)
            )
            MeetingQuestion.objects.create(meeting=meeting, text="Yoritish", due_date=_today())

    add_meetings(5)
    client.force_login(demo_user("officer.district"))
    url = reverse("prevention:meeting-list")
    client.get(url)  # warm up: the session and the content types are read once
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    # when there are twenty
    add_meetings(15)
    # then the page costs the same
    with django_assert_num_queries(len(five)):
        response = client.get(url)
    assert len(response.context["page"].items) >= 20


def test_meeting_list_filters_and_rejects_out_of_scope_mahalla(
    client, demo_user, meeting_a, mahalla_b
):
    client.force_login(demo_user("inspector"))
    url = reverse("prevention:meeting-list")
    response = client.get(url, {"status": "scheduled"})
    assert response.status_code == 200
    assert meeting_a in response.context["page"].items
    assert all(m.status == "scheduled" for m in response.context["page"].items)
    response = client.get(url, {"mahalla": mahalla_b.pk})
    assert response.status_code == 400
    assert "mahalla" in response.context["filterset"].form.errors


def test_inspector_schedules_a_meeting_with_defaults(client, demo_user, mahalla_a):
    client.force_login(demo_user("inspector"))
    url = reverse("prevention:meeting-create")
    form = client.get(url).context["form"]
    assert form.initial["mahalla"] == mahalla_a
    assert form.initial["date"] == _today()
    day = _today() + timedelta(days=7)
    response = client.post(url, {"mahalla": mahalla_a.pk, "date": day.isoformat(), "topics": ""})
    meeting = AccountabilityMeeting.objects.get(mahalla=mahalla_a, date=day)
    assert response.status_code == 302
    assert response["Location"] == reverse("prevention:meeting-detail", args=[meeting.pk])
    assert meeting.status == AccountabilityMeeting.Status.SCHEDULED


def test_scheduling_is_for_inspectors_in_their_own_mahallas(client, demo_user, mahalla_b):
    client.force_login(demo_user("officer.district"))
    assert client.get(reverse("prevention:meeting-create")).status_code == 404
    client.force_login(demo_user("inspector"))
    before = AccountabilityMeeting.objects.count()
    response = client.post(
        reverse("prevention:meeting-create"),
        {"mahalla": mahalla_b.pk, "date": _today().isoformat()},
    )
    assert response.status_code == 400
    assert "mahalla" in response.context["form"].errors
    assert AccountabilityMeeting.objects.count() == before


def test_ended_assignment_offers_no_mahalla(client, demo_user, inspector_a, mahalla_a):
    # given the inspector's assignment ended and a successor holds the mahalla
    membership = inspector_a.user.memberships.get(role=Role.INSPECTOR)
    inspector_unassign(membership=membership, valid_to=_today() - timedelta(days=10))
    MembershipFactory(
        role=Role.INSPECTOR, territory=mahalla_a, valid_from=_today() - timedelta(days=9)
    )
    client.force_login(demo_user("inspector"))
    # when
    response = client.get(reverse("prevention:meeting-create"))
    # then
    assert response.status_code == 200
    assert not response.context["has_mahallas"]
    response = client.post(
        reverse("prevention:meeting-create"),
        {"mahalla": mahalla_a.pk, "date": _today().isoformat()},
    )
    assert response.status_code == 400
    assert not AccountabilityMeeting.objects.filter(inspector=inspector_a, date=_today()).exists()


def test_meeting_is_recorded_as_held(client, demo_user, meeting_a):
    client.force_login(demo_user("inspector"))
    response = client.post(
        reverse("prevention:meeting-held", args=[meeting_a.pk]),
        {"attendance": "42", "topics": "Firibgarlik"},
    )
    assert response.status_code == 302
    meeting_a.refresh_from_db()
    assert (meeting_a.status, meeting_a.attendance, meeting_a.topics) == ("held", 42, "Firibgarlik")


def test_future_meeting_cannot_be_recorded_as_held(client, demo_user, inspector_a, mahalla_a):
    meeting = AccountabilityMeeting.objects.create(
        inspector=inspector_a, mahalla=mahalla_a, date=_today() + timedelta(days=2)
    )
    client.force_login(demo_user("inspector"))
    response = client.post(
        reverse("prevention:meeting-held", args=[meeting.pk]),
        {"attendance": "42", "topics": "Firibgarlik"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["held_form"].non_field_errors()
    assert "cannot be in the future" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.attendance) == ("scheduled", None)


@pytest.mark.parametrize(
    "data", [{"attendance": "-1", "topics": "x"}, {"attendance": "", "topics": "x"}, {}]
)
def test_bad_held_input_is_a_400(client, demo_user, meeting_a, data):
    client.force_login(demo_user("inspector"))
    response = client.post(reverse("prevention:meeting-held", args=[meeting_a.pk]), data)
    assert response.status_code == 400
    assert response.context["held_form"].errors
    meeting_a.refresh_from_db()
    assert meeting_a.status == "scheduled"


def test_held_is_refused_out_of_scope(client, officer_andijon, meeting_a):
    client.force_login(officer_andijon)
    response = client.post(
        reverse("prevention:meeting-held", args=[meeting_a.pk]), {"attendance": "5", "topics": "x"}
    )
    assert response.status_code == 404
    meeting_a.refresh_from_db()
    assert meeting_a.status == "scheduled"


def test_questions_are_added_and_followed_up(client, demo_user, meeting_a):
    meeting_a.status, meeting_a.attendance = "held", 30
    meeting_a.save()
    client.force_login(demo_user("officer.district"))
    add_url = reverse("prevention:question-add", args=[meeting_a.pk])
    # a due date before the meeting is refused by the service, shown on the field
    early = (meeting_a.date - timedelta(days=1)).isoformat()
    response = client.post(add_url, {"text": "Chiroqlar", "due_date": early})
    assert response.status_code == 400
    assert "due_date" in response.context["question_form"].errors
    assert not meeting_a.questions.exists()
    # a good one is saved
    due = (meeting_a.date + timedelta(days=10)).isoformat()
    assert client.post(add_url, {"text": "Chiroqlar", "due_date": due}).status_code == 302
    question = meeting_a.questions.get()
    # and its follow-up is updated in place through htmx
    response = client.post(
        reverse("prevention:question-update", args=[question.pk]),
        {f"q{question.pk}-state": "done", f"q{question.pk}-follow_up": "Oʻrnatildi"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert f'id="question-{question.pk}"' in response.content.decode()
    question.refresh_from_db()
    assert (question.state, question.done_on) == ("done", _today())


def test_bad_question_update_is_a_400_and_out_of_scope_a_404(
    client, demo_user, officer_andijon, meeting_a
):
    question = question_add(meeting=meeting_a, text="Yoʻl", due_date=meeting_a.date)
    url = reverse("prevention:question-update", args=[question.pk])
    client.force_login(demo_user("inspector"))
    response = client.post(url, {f"q{question.pk}-state": "lost"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "state" in response.context["form"].errors
    client.force_login(officer_andijon)
    response = client.post(url, {f"q{question.pk}-state": "done", f"q{question.pk}-follow_up": "x"})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.state == "open"


# --- Resident feedback ----------------------------------------------------------------------


def test_feedback_page_is_public_and_names_the_post(fresh_client, post_a, mahalla_a):
    response = fresh_client.get(reverse("prevention:post-feedback", args=[post_a.public_key]))
    assert response.status_code == 200
    body = response.content.decode()
    assert post_a.name in body
    assert mahalla_a.name in body
    assert body.count('type="radio"') == 5


def test_unknown_post_key_is_a_404(fresh_client):
    response = fresh_client.get(reverse("prevention:post-feedback", args=["no-such-key"]))
    assert response.status_code == 404


def test_feedback_is_saved_and_thanked(fresh_client, post_a, mahalla_a):
    url = reverse("prevention:post-feedback", args=[post_a.public_key])
    before = set(ResidentFeedback.objects.filter(post=post_a).values_list("pk", flat=True))
    response = fresh_client.post(url, {"rating": "4", "comment": "  Yaxshi ishlaydi  "})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?thanks=1"
    feedback = ResidentFeedback.objects.filter(post=post_a).exclude(pk__in=before).get()
    assert (feedback.rating, feedback.comment, feedback.mahalla) == (
        4,
        "Yaxshi ishlaydi",
        mahalla_a,
    )
    assert feedback.moderation == ResidentFeedback.Moderation.PENDING
    thanks = fresh_client.get(response["Location"])
    assert thanks.context["thanks"]
    assert 'data-testid="feedback-thanks"' in thanks.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"rating": "0"},
        {"rating": "6"},
        {"rating": ""},
        {"rating": "abc"},
        {"rating": "3", "comment": "x" * 1001},
    ],
)
def test_bad_feedback_is_a_400_and_nothing_is_saved(fresh_client, post_a, data):
    before = ResidentFeedback.objects.count()
    response = fresh_client.post(
        reverse("prevention:post-feedback", args=[post_a.public_key]), data
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert ResidentFeedback.objects.count() == before


def test_longest_comment_is_accepted(fresh_client, post_a):
    url = reverse("prevention:post-feedback", args=[post_a.public_key])
    assert fresh_client.post(url, {"rating": "5", "comment": "x" * 1000}).status_code == 302


def test_mahalla_the_post_does_not_serve_is_refused(fresh_client, post_a, mahalla_b):
    before = ResidentFeedback.objects.count()
    response = fresh_client.post(
        reverse("prevention:post-feedback", args=[post_a.public_key]),
        {"rating": "5", "mahalla": mahalla_b.pk},
    )
    assert response.status_code == 400
    assert "mahalla" in response.context["form"].errors
    assert ResidentFeedback.objects.count() == before


def test_sixth_feedback_within_the_hour_is_refused(fresh_client, settings, post_a):
    # given
    settings.FEEDBACK_RATE = "5/h"
    cache.clear()
    url = reverse("prevention:post-feedback", args=[post_a.public_key])
    before = ResidentFeedback.objects.count()
    # when: reading the page does not count, five submissions pass
    for _ in range(3):
        assert fresh_client.get(url).status_code == 200
    for _ in range(5):
        assert fresh_client.post(url, {"rating": "5"}).status_code == 302
    # then the sixth is refused, kindly, and not saved
    response = fresh_client.post(url, {"rating": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert 'data-testid="feedback-limited"' in response.content.decode()
    assert ResidentFeedback.objects.count() == before + 5
    # while another client may still rate
    fresh_client.defaults["REMOTE_ADDR"] = "10.255.255.1"
    assert fresh_client.post(url, {"rating": "5"}).status_code == 302


def _png_chunk(data: bytes, kind: bytes) -> bytes:
    """The concatenated payload of a PNG's chunks of one kind."""
    offset, found = 8, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == kind:
            found += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return found


def test_qr_codes_encode_the_absolute_feedback_address(fresh_client, post_a):
    feedback_url = "http://testserver" + reverse(
        "prevention:post-feedback", args=[post_a.public_key]
    )
    expected = segno.make(feedback_url, error="m", micro=False)

    svg = fresh_client.get(reverse("prevention:post-qr", args=[post_a.public_key, "svg"]))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(svg.content)  # noqa: S314 (our own output)
    assert root.tag.endswith("svg")
    assert root.find("{http://www.w3.org/2000/svg}path") is not None

    png = fresh_client.get(reverse("prevention:post-qr", args=[post_a.public_key, "png"]))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png.content[16:24])
    side = (expected.symbol_size(scale=QR_SCALE, border=4))[0]
    assert (width, height) == (side, side)
    # the image data inflates, and it is the code of the feedback address
    assert len(zlib.decompress(_png_chunk(png.content, b"IDAT"))) > side
    buffer = io.BytesIO()
    expected.save(buffer, kind="png", scale=QR_SCALE, border=4)
    assert png.content == buffer.getvalue()


def test_qr_of_an_unknown_post_is_a_404(fresh_client):
    assert fresh_client.get("/prevention/posts/nope/qr.svg").status_code == 404
    assert fresh_client.get("/prevention/posts/nope/qr.gif").status_code == 404


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("officer.district", 200),
        ("officer.region", 200),
        ("officer.republic", 200),
        ("admin", 200),
        ("inspector", 404),
        ("council", 404),
        ("ngo.staff", 404),
    ],
)
def test_poster_is_for_unit_officers_above_the_post(client, demo_user, post_a, username, status):
    response = _get(
        client, demo_user(username), reverse("prevention:post-poster", args=[post_a.pk])
    )
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert post_a.name in body
        assert reverse("prevention:post-qr", args=[post_a.public_key, "svg"]) in body


def test_poster_of_another_region_is_a_404(client, officer_andijon, post_a, post_b):
    url = "prevention:post-poster"
    assert _get(client, officer_andijon, reverse(url, args=[post_a.pk])).status_code == 404
    assert _get(client, officer_andijon, reverse(url, args=[post_b.pk])).status_code == 200


# --- Moderation and the public mahalla page -------------------------------------------------


@pytest.fixture
def pending_a(post_a, mahalla_a):
    return feedback_submit(post=post_a, rating=2, comment="Navbat uzun", mahalla=mahalla_a)


@pytest.mark.parametrize(
    ("username", "status", "sees"),
    [
        ("officer.district", 200, True),
        ("officer.region", 200, True),
        ("inspector", 404, False),
        ("council", 404, False),
        ("ngo.staff", 404, False),
    ],
)
def test_moderation_queue_scope(client, demo_user, pending_a, username, status, sees):
    response = _get(client, demo_user(username), reverse("prevention:feedback-moderation"))
    assert response.status_code == status
    if status == 200:
        assert (pending_a in response.context["items"]) == sees
        # a bare rating has nothing to moderate, whatever its state
        assert all(item.comment for item in response.context["items"])


def test_moderation_queue_of_another_region_is_empty_of_ours(client, officer_andijon, pending_a):
    response = _get(client, officer_andijon, reverse("prevention:feedback-moderation"))
    assert response.status_code == 200
    assert pending_a not in response.context["items"]


def test_approved_comment_is_published_and_others_are_not(
    client, demo_user, post_a, mahalla_a, pending_a
):
    rejected = feedback_submit(post=post_a, rating=1, comment="Rad etiladigan", mahalla=mahalla_a)
    waiting = feedback_submit(post=post_a, rating=3, comment="Kutilmoqda", mahalla=mahalla_a)
    client.force_login(demo_user("officer.district"))
    # when approving one and rejecting another through the htmx buttons
    response = client.post(
        reverse("prevention:feedback-moderate", args=[pending_a.pk]),
        {"decision": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="feedback-{pending_a.pk}"' in body
    response = client.post(
        reverse("prevention:feedback-moderate", args=[rejected.pk]), {"decision": "reject"}
    )
    assert response.status_code == 302
    # then
    pending_a.refresh_from_db()
    rejected.refresh_from_db()
    assert pending_a.moderation == "approved"
    assert pending_a.moderated_by == demo_user("officer.district")
    assert rejected.moderation == "rejected"
    client.logout()
    page = client.get(reverse("prevention:mahalla-public", args=[mahalla_a.code]))
    assert page.status_code == 200
    assert [f.pk for f in page.context["comments"]] == [pending_a.pk]
    body = page.content.decode()
    assert "Navbat uzun" in body
    assert "Rad etiladigan" not in body
    assert waiting.comment not in body


def test_bad_or_out_of_scope_moderation_changes_nothing(
    client, demo_user, officer_andijon, pending_a
):
    url = reverse("prevention:feedback-moderate", args=[pending_a.pk])
    client.force_login(demo_user("officer.district"))
    assert client.post(url, {"decision": "maybe"}, HTTP_HX_REQUEST="true").status_code == 400
    client.force_login(officer_andijon)
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(demo_user("inspector"))
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert client.get(url).status_code == 405
    pending_a.refresh_from_db()
    assert pending_a.moderation == "pending"


def test_public_mahalla_page(client, inspector_a, mahalla_a, post_a):
    # given a held meeting a year and a half ago (not counted) and a rating-only feedback
    inspector_a.user.phone = "+998901112233"
    inspector_a.user.save(update_fields=["phone"])
    AccountabilityMeeting.objects.create(
        inspector=inspector_a,
        mahalla=mahalla_a,
        date=_today() - timedelta(days=550),
        status="held",
        attendance=10,
    )
    feedback_submit(post=post_a, rating=5, mahalla=mahalla_a)
    held = AccountabilityMeeting.objects.filter(
        mahalla=mahalla_a, status="held", date__gt=_today() - timedelta(days=365)
    ).count()
    published = ResidentFeedback.objects.filter(mahalla=mahalla_a, moderation="approved")
    # when
    response = client.get(
        reverse("prevention:mahalla-public", args=[mahalla_a.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert mahalla_a.name_en in body
    assert post_a.name_en in body
    assert inspector_a.user.get_full_name() in body
    assert inspector_a.grade.name_en in body
    assert "+998901112233" not in body
    assert response.context["meetings_held"] == held
    assert response.context["rating_count"] == published.count()
    assert reverse("prevention:post-feedback", args=[post_a.public_key]) in body


def test_feedback_of_a_post_serving_several_mahallas_counts_once(
    client, post_a, mahalla_a, mahalla_b
):
    # given the post also serves another mahalla (the tiny demo has one mahalla per district)
    post_a.mahallas.add(mahalla_b)
    feedback_submit(post=post_a, rating=5, mahalla=mahalla_a)
    feedback_submit(post=post_a, rating=1)
    published = ResidentFeedback.objects.filter(
        Q(mahalla=mahalla_a) | Q(mahalla__isnull=True, post=post_a), moderation="approved"
    )
    # when
    response = client.get(reverse("prevention:mahalla-public", args=[mahalla_a.code]))
    # then
    assert response.context["rating_count"] == published.count()
    assert response.context["rating_average"] == pytest.approx(
        sum(f.rating for f in published) / published.count()
    )


def test_public_mahalla_page_is_for_mahallas_only(client):
    assert client.get(reverse("prevention:mahalla-public", args=["1726266"])).status_code == 404
    assert client.get(reverse("prevention:mahalla-public", args=["nope"])).status_code == 404


# --- Performance card -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("inspector", 200),
        ("officer.district", 200),
        ("officer.region", 200),
        ("officer.republic", 200),
        ("council", 404),
        ("commission", 404),
        ("ngo.staff", 404),
    ],
)
def test_performance_card_of_the_inspector(client, demo_user, inspector_a, username, status):
    url = reverse("prevention:performance") + f"?inspector={inspector_a.pk}"
    response = _get(client, demo_user(username), url)
    assert response.status_code == status
    if status == 200:
        assert response.context["inspector"] == inspector_a


def test_performance_card_out_of_scope_is_a_404(client, officer_andijon, inspector_a, demo_user):
    url = reverse("prevention:performance")
    assert _get(client, officer_andijon, f"{url}?inspector={inspector_a.pk}").status_code == 404
    assert _get(client, officer_andijon, f"{url}?territory=1726266").status_code == 404
    assert _get(client, officer_andijon, f"{url}?territory=1703").status_code == 200
    assert _get(client, demo_user("inspector"), f"{url}?territory=1726266").status_code == 404


def test_performance_card_of_a_district_counts_its_meetings(
    client, demo_user, inspector_a, mahalla_a
):
    AccountabilityMeeting.objects.create(
        inspector=inspector_a, mahalla=mahalla_a, date=_today(), status="held", attendance=25
    )
    expected = AccountabilityMeeting.objects.filter(
        mahalla__path__startswith=mahalla_a.parent.path,
        status="held",
        date__gt=_today() - timedelta(days=365),
    )
    client.force_login(demo_user("officer.district"))
    response = client.get(
        reverse("prevention:performance"), {"territory": "1726266"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    card = response.context["card"]
    assert card.meetings_held == expected.count()
    assert card.meeting_attendance == sum(m.attendance for m in expected)
    assert response.context["date_to"] == _today()
    assert inspector_a in response.context["node_inspectors"]
    with translation.override("en"):
        assert "no protocol quota" in response.content.decode()


def test_inspectors_default_card_is_their_own(client, demo_user, inspector_a):
    response = _get(client, demo_user("inspector"), reverse("prevention:performance"))
    assert response.status_code == 200
    assert response.context["inspector"] == inspector_a


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2025-05-01", "date_to": "2025-01-01"},
        {"date_from": "yesterday"},
        {"date_from": "2000-01-01", "date_to": "2025-01-01"},
    ],
)
def test_bad_period_is_a_400(client, demo_user, query):
    response = _get(
        client, demo_user("officer.district"), reverse("prevention:performance"), data=query
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert response.context["card"] is None
