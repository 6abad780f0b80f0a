"""Agreement pages: scope, drafting with bad input, status changes, obligations, documents and
the list's filters and query count."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from partnership.models import Agreement, AgreementDocument, PartnershipArea
from partnership.services import agreement_create, agreement_documents_add, obligation_add
from prevention.models import Unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 2044


def _pdf(name="memorandum.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def client(client):
    """Every page in English, so that messages can be compared with their source text."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def login(client, demo_user):
    def sign_in(username: str):
        user = demo_user(username)
        client.force_login(user)
        return user

    return sign_in


@pytest.fixture
def yunusobod_unit(agreement_a) -> Unit:
    return agreement_a.unit


@pytest.fixture
def draft(org_a, yunusobod_unit, demo_user) -> Agreement:
    """A fresh draft of the demo organisation with the Yunusobod district department."""
    today = timezone.localdate()
    return agreement_create(
        number="T-DRAFT-1",
        title="Yoshlar bilan hamkorlik",
        unit=yunusobod_unit,
        organisations=[org_a],
        valid_from=today,
        valid_to=today + timedelta(days=365),
        by=demo_user("ngo.staff"),
    )


@pytest.fixture
def documents(agreement_a, agreement_b, demo_user):
    by = demo_user("admin")
    doc_a = agreement_documents_add(agreement=agreement_a, files=[_pdf()], by=by)[0]
    doc_b = agreement_documents_add(agreement=agreement_b, files=[_pdf()], by=by)[0]
    return doc_a, doc_b


def _detail(agreement) -> str:
    return reverse("partnership:agreement-detail", args=[agreement.pk])


def _transition(client, agreement, status):
    return client.post(
        reverse("partnership:agreement-transition", args=[agreement.pk]), {"status": status}
    )


# --- Scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees_a", "sees_b"),
    [
        ("ngo.staff", True, False),
        ("ngo.admin", True, False),
        ("officer.district", True, False),
        ("officer.region", True, False),
        ("officer.republic", True, True),
        ("admin", True, True),
        ("council", False, False),
        ("commission", False, False),
        ("inspector", False, False),
    ],
)
def test_scope_of_agreement_pages(
    client, login, username, sees_a, sees_b, agreement_a, agreement_b, documents
):
    login(username)
    doc_a, doc_b = documents
    for agreement, doc, sees in [(agreement_a, doc_a, sees_a), (agreement_b, doc_b, sees_b)]:
        expected = 200 if sees else 404
        assert client.get(_detail(agreement)).status_code == expected, agreement.number
        download = reverse("partnership:agreement-document", args=[agreement.pk, doc.pk])
        assert client.get(download).status_code == expected
        listed = client.get(reverse("partnership:agreement-list"), {"q": agreement.number})
        if sees_a or sees_b:
            numbers = [a.number for a in listed.context["page"].items]
            assert (agreement.number in numbers) == sees
        else:
            assert listed.status_code == 404


def test_document_of_another_agreement_is_not_reachable_through_mine(
    client, login, agreement_a, documents
):
    login("ngo.staff")
    _doc_a, doc_b = documents
    url = reverse("partnership:agreement-document", args=[agreement_a.pk, doc_b.pk])
    assert client.get(url).status_code == 404


def test_document_downloads_as_an_attachment(client, login, agreement_a, documents):
    login("officer.district")
    doc_a, _doc_b = documents
    response = client.get(
        reverse("partnership:agreement-document", args=[agreement_a.pk, doc_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_signed_out_visitor_is_sent_to_sign_in(client, agreement_a):
    for url in [reverse("partnership:agreement-list"), _detail(agreement_a)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


# --- Drafting -------------------------------------------------------------------------------


def _form_data(unit, /, **changes):
    today = timezone.localdate()
    data = {
        "number": "T-NEW-1",
        "title": "Huquqiy targʻibot memorandumi",
        "unit": unit.pk,
        "organisations": "",
        "areas": [PartnershipArea.objects.order_by("pk").first().pk],
        "signed_on": "",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        "is_public": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_ngo_staff_drafts_an_agreement_with_a_document_and_a_partner(
    client, login, org_a, org_b, yunusobod_unit
):
    user = login("ngo.staff")
    form = client.get(reverse("partnership:agreement-create")).context["form"]
    assert list(form.fields["organisation"].queryset) == [org_a]
    assert form.initial["unit"] == yunusobod_unit
    assert set(form.fields["unit"].queryset.values_list("kind", flat=True)) == {
        "republic",
        "region",
        "district",
    }
    data = _form_data(
        yunusobod_unit,
        organisation=org_a.pk,
        organisations=org_b.registration_number.lower(),
        documents=[_pdf("a.pdf"), _pdf("b.pdf")],
    )
    response = client.post(reverse("partnership:agreement-create"), data)
    assert response.status_code == 302
    agreement = Agreement.objects.get(number="T-NEW-1")
    assert response["Location"] == _detail(agreement)
    assert set(agreement.organisations.all()) == {org_a, org_b}
    assert (agreement.status, agreement.created_by, agreement.is_public) == ("draft", user, True)
    assert agreement.documents.count() == 2
    assert agreement.areas.count() == 1


def test_officer_drafts_for_a_unit_of_its_territory_only(
    client, login, org_a, yunusobod_unit, agreement_b
):
    login("officer.district")
    form = client.get(reverse("partnership:agreement-create")).context["form"]
    assert "organisation" not in form.fields
    assert set(form.fields["unit"].queryset) == {yunusobod_unit}
    assert form.initial["unit"] == yunusobod_unit
    outside = _form_data(agreement_b.unit, organisations=org_a.registration_number)
    response = client.post(reverse("partnership:agreement-create"), outside)
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    inside = _form_data(yunusobod_unit, organisations=org_a.registration_number)
    response = client.post(reverse("partnership:agreement-create"), inside)
    assert response.status_code == 302
    assert list(Agreement.objects.get(number="T-NEW-1").organisations.all()) == [org_a]


@pytest.mark.parametrize("username", ["council", "commission", "inspector"])
def test_others_cannot_draft(client, login, username):
    login(username)
    assert client.get(reverse("partnership:agreement-create")).status_code == 404


def _oversized():
    content = b"%PDF-1.4\n" + b"0" * (settings.UPLOAD_MAX_BYTES + 1 - len(b"%PDF-1.4\n"))
    assert len(content) == settings.UPLOAD_MAX_BYTES + 1
    return SimpleUploadedFile("big.pdf", content, content_type="application/pdf")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            lambda a: {"valid_to": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "valid_to",
            "An agreement cannot end before it starts.",
        ),
        (
            lambda a: {"number": a.number.lower()},
            "number",
            "already exists",
        ),
        (
            lambda a: {"documents": [SimpleUploadedFile("x.pdf", EXECUTABLE)]},
            "documents",
            "is not a photo (JPEG, PNG, WebP) or a PDF document",
        ),
        (
            lambda a: {"documents": [_pdf(), _oversized()]},
            "documents",
            "files may be at most 10.0",
        ),
        (
            lambda a: {"organisations": "NO-SUCH-NUMBER"},
            "organisations",
            "No verified organisation has the registration number NO-SUCH-NUMBER.",
        ),
        (lambda a: {"valid_from": "31.02.2026"}, "valid_from", "Enter a valid date."),
        (lambda a: {"unit": "999999"}, "unit", "Select a valid choice."),
        (lambda a: {"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    client, login, org_a, yunusobod_unit, agreement_a, changes, field, message
):
    login("ngo.staff")
    agreements, documents = Agreement.objects.count(), AgreementDocument.objects.count()
    data = _form_data(yunusobod_unit, organisation=org_a.pk, **changes(agreement_a))
    response = client.post(reverse("partnership:agreement-create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    with translation.override("en"):
        assert message in " ".join(form.errors[field])
    assert escape(message) in response.content.decode()
    assert (Agreement.objects.count(), AgreementDocument.objects.count()) == (
        agreements,
        documents,
    )


def test_officer_must_name_an_organisation(client, login, yunusobod_unit):
    login("officer.district")
    response = client.post(reverse("partnership:agreement-create"), _form_data(yunusobod_unit))
    assert response.status_code == 400
    assert "organisations" in response.context["form"].errors


# --- Status ---------------------------------------------------------------------------------


def test_staff_proposes_and_the_unit_signs(client, login, draft):
    staff = login("ngo.staff")
    page = client.get(_detail(draft))
    assert [target for target, _label in page.context["transitions"]] == ["proposed"]

    response = _transition(client, draft, "proposed")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.status_changed_by) == ("proposed", staff)

    page = client.get(_detail(draft))
    assert "active" not in [target for target, _label in page.context["transitions"]]
    assert "Awaiting signature by the MIA unit" in page.content.decode()
    response = _transition(client, draft, "active")
    assert response.status_code == 400
    assert "Only the MIA unit&#x27;s officers sign an agreement." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "proposed"

    officer = login("officer.district")
    page = client.get(_detail(draft))
    assert "active" in [target for target, _label in page.context["transitions"]]
    response = _transition(client, draft, "active")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.status_changed_by) == ("active", officer)
    assert draft.signed_on == timezone.localdate()
    page = client.get(_detail(draft))
    history = page.context["history"]
    assert history[0].user == officer
    assert "Status: Proposed → Active" in history[0].changes


def test_a_transition_not_in_the_table_is_refused(client, login, draft):
    login("ngo.staff")
    response = _transition(client, draft, "terminated")
    assert response.status_code == 400
    assert "An agreement cannot go from “Draft” to “Terminated”." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert _transition(client, draft, "nonsense").status_code == 400
    draft.refresh_from_db()
    assert draft.status_changed_at is None


def test_transition_out_of_scope_is_404(client, login, agreement_b):
    login("ngo.staff")
    assert _transition(client, agreement_b, "terminated").status_code == 404
    agreement_b.refresh_from_db()
    assert agreement_b.status != "terminated"


def test_transition_is_post_only(client, login, draft):
    login("ngo.staff")
    url = reverse("partnership:agreement-transition", args=[draft.pk])
    assert client.get(url, {"status": "proposed"}).status_code == 405


# --- Obligations ----------------------------------------------------------------------------


def test_party_adds_an_obligation_and_marks_it_done(client, login, draft, org_a):
    login("ngo.staff")
    due = timezone.localdate() + timedelta(days=30)
    response = client.post(
        reverse("partnership:obligation-add", args=[draft.pk]),
        {
            "text": "Har oy huquqiy targʻibot",
            "party": "organisation",
            "organisation": org_a.pk,
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    obligation = draft.obligations.get()
    assert (obligation.organisation, obligation.due_date, obligation.state) == (org_a, due, "open")

    login("officer.district")
    response = client.post(
        reverse("partnership:obligation-complete", args=[draft.pk, obligation.pk]),
        {"evidence": "Tadbir oʻtkazildi", "evidence_file": _pdf("photo.pdf")},
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert (obligation.state, obligation.done_on) == ("done", timezone.localdate())
    assert obligation.evidence == "Tadbir oʻtkazildi"

    page = client.get(_detail(draft))
    assert page.context["agreement"].obligations_done == 1
    evidence = client.get(
        reverse("partnership:obligation-evidence", args=[draft.pk, obligation.pk])
    )
    assert evidence.status_code == 200
    assert evidence["Content-Type"] == "application/pdf"
    assert b"".join(evidence.streaming_content) == PDF


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"party": "organisation"}, "organisation"),
        ({"party": "organisation", "organisation": "other"}, "organisation"),
        ({"party": "unit", "due_date": "tomorrow"}, "due_date"),
        ({"party": "unit", "text": ""}, "text"),
        ({"party": "nobody"}, "party"),
    ],
)
def test_bad_obligation_is_refused(client, login, draft, org_b, data, field):
    login("ngo.staff")
    posted = {"text": "Majburiyat", "due_date": timezone.localdate().isoformat(), **data}
    if posted.get("organisation") == "other":
        posted["organisation"] = org_b.pk  # not a party to the agreement
    response = client.post(reverse("partnership:obligation-add", args=[draft.pk]), posted)
    assert response.status_code == 400
    assert field in response.context["obligation_form"].errors
    assert not draft.obligations.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"evidence": "  "}, "Describe or attach the evidence that it is done."),
        (
            {"evidence": "", "evidence_file": "exe"},
            "is not a photo (JPEG, PNG, WebP) or a PDF document",
        ),
    ],
)
def test_completing_without_valid_evidence_is_refused(client, login, draft, data, message):
    obligation = obligation_add(
        agreement=draft, text="Majburiyat", party="unit", due_date=timezone.localdate()
    )
    login("ngo.staff")
    if data.get("evidence_file") == "exe":
        data["evidence_file"] = SimpleUploadedFile("x.pdf", EXECUTABLE)
    url = reverse("partnership:obligation-complete", args=[draft.pk, obligation.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    obligation.refresh_from_db()
    assert (obligation.state, obligation.evidence_file.name) == ("open", "")


def test_completing_twice_shows_the_service_message(client, login, draft):
    obligation = obligation_add(
        agreement=draft, text="Majburiyat", party="unit", due_date=timezone.localdate()
    )
    login("ngo.staff")
    url = reverse("partnership:obligation-complete", args=[draft.pk, obligation.pk])
    assert client.post(url, {"evidence": "Bajarildi"}).status_code == 302
    response = client.post(url, {"evidence": "Yana"})
    assert response.status_code == 400
    assert "This obligation is already done." in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.evidence == "Bajarildi"


def test_obligations_out_of_scope_are_404(client, login, agreement_b, agreement_a):
    obligation = agreement_b.obligations.first()
    login("ngo.staff")
    for url in [
        reverse("partnership:obligation-complete", args=[agreement_b.pk, obligation.pk]),
        # Another agreement's obligation under an agreement in scope.
        reverse("partnership:obligation-complete", args=[agreement_a.pk, obligation.pk]),
        reverse("partnership:obligation-add", args=[agreement_b.pk]),
    ]:
        response = client.post(url, {"evidence": "x", "text": "x", "party": "unit"})
        assert response.status_code == 404, url
    obligation.refresh_from_db()
    assert obligation.evidence != "x"


# --- List -----------------------------------------------------------------------------------


def _numbers(response) -> set[str]:
    return {agreement.number for agreement in response.context["page"].items}


def test_list_filters(client, login, agreement_a, agreement_b, org_a, draft):
    login("officer.republic")
    url = reverse("partnership:agreement-list")
    area = agreement_a.areas.first()
    tashkent = agreement_a.unit.territory.parent

    by_status = client.get(url, {"status": "draft", "q": "T-DRAFT"})
    assert _numbers(by_status) == {draft.number}
    by_org = client.get(url, {"organisation": org_a.registration_number})
    assert _numbers(by_org) == set(org_a.agreements.values_list("number", flat=True))
    by_name = client.get(url, {"organisation": "Yoshlar kelajagi", "status": "active"})
    assert agreement_a.number in _numbers(by_name)
    by_region = client.get(url, {"region": tashkent.pk})
    expected = Agreement.objects.filter(unit__territory__path__startswith=tashkent.path)
    assert _numbers(by_region) == set(expected.values_list("number", flat=True))
    by_district = client.get(
        url, {"region": tashkent.pk, "district": agreement_a.unit.territory_id}
    )
    assert agreement_a.number in _numbers(by_district)
    assert agreement_b.number not in _numbers(by_district)
    by_area = client.get(url, {"area": area.pk, "region": tashkent.pk})
    assert all(area in a.areas.all() for a in by_area.context["page"].items)
    assert agreement_a.number in _numbers(by_area)
    by_title = client.get(url, {"q": "yoshlar bilan"})
    assert _numbers(by_title) == {draft.number}


@pytest.mark.parametrize(
    "params", [{"status": "bogus"}, {"region": "abc"}, {"area": "999999"}, {"after": "x.y"}]
)
def test_list_bad_filters_are_400(client, login, params):
    login("officer.republic")
    assert client.get(reverse("partnership:agreement-list"), params).status_code == 400


def test_list_pages_with_show_more(client, login):
    login("officer.republic")
    url = reverse("partnership:agreement-list")
    first = client.get(url)
    page = first.context["page"]
    assert len(page.items) == 30 and page.next_token
    more = client.get(url, {"after": page.next_token}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert "<html" not in more.content.decode()
    assert not _numbers(first) & _numbers(more)
    shown = page.items[-1]
    assert all(
        (a.valid_from, a.pk) < (shown.valid_from, shown.pk) for a in more.context["page"].items
    )


def test_list_shows_progress_and_confirmed_activities(client, login, agreement_a):
    login("ngo.staff")
    response = client.get(reverse("partnership:agreement-list"))
    row = next(a for a in response.context["page"].items if a.pk == agreement_a.pk)
    assert row.obligations_total == agreement_a.obligations.count()
    assert row.obligations_done == agreement_a.obligations.filter(state="done").count()
    assert row.confirmed_activities == agreement_a.activities.filter(status="confirmed").count()
    assert f"{row.obligations_done} of {row.obligations_total} done" in response.content.decode()


def _add_agreements(org, unit, count: int, by, extra_orgs=()):
    today = timezone.localdate()
    areas = list(PartnershipArea.objects.order_by("pk")[:3])
    for number in range(count):
        agreement = agreement_create(
            number=f"T-MANY-{org.pk}-{number}",
            title="Koʻp memorandum",
            unit=unit,
            organisations=[org, *extra_orgs],
            areas=areas,
            valid_from=today - timedelta(days=number),
            valid_to=today + timedelta(days=365),
            is_public=True,
            by=by,
        )
        obligation_add(agreement=agreement, text="A", party="unit", due_date=today)
        Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.ACTIVE)


# session, user, memberships, the page, organisations, areas, unread notifications (menu),
# and the region, district and area choices of the filters.
LIST_QUERIES = 10


def test_list_query_count_does_not_grow_with_the_data(
    client, login, django_assert_num_queries, org_a, org_b, yunusobod_unit
):
    user = login("ngo.staff")
    url = reverse("partnership:agreement-list")
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get(url)
    assert len(small.context["page"].items) >= 1
    _add_agreements(org_a, yunusobod_unit, 40, user, extra_orgs=[org_b])
    with django_assert_num_queries(LIST_QUERIES):
        large = client.get(url, {"status": "active"})
    assert len(large.context["page"].items) == 30
