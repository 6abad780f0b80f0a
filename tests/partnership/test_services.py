from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, Role, User
from core.exceptions import ApplicationError
from mahalla.models import Territory
from partnership.models import Agreement, Obligation, Organisation
from partnership.services import (
    TRANSITIONS,
    agreement_transition,
    obligation_add,
    obligation_complete,
    organisation_verify,
    staff_deactivate,
    staff_invite,
    working_days_after,
)
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _today():
    return timezone.localdate()


# --- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Friday → Monday: the weekend does not count.
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        (date(2026, 11, 16), 5, date(2026, 11, 23)),
        # Wednesday 18 March 2026: Thursday counts; Friday 20 (Ramazon hayiti), the weekend with
        # Navruz (Saturday 21) and Monday 23 (Navruz moved off the weekend) do not.
        (date(2026, 3, 18), 1, date(2026, 3, 19)),
        (date(2026, 3, 18), 2, date(2026, 3, 24)),
        (date(2026, 3, 18), 15, date(2026, 4, 10)),
        # Across the New Year: 31 December 2026 and 1 January 2027 are days off.
        (date(2026, 12, 30), 1, date(2027, 1, 4)),
        (date(2026, 12, 30), 0, date(2026, 12, 30)),
    ],
)
def test_working_days_after_skips_weekends_and_uzbek_holidays(start, days, expected):
    assert working_days_after(start, days) == expected


# --- Agreement transitions ------------------------------------------------------------------


@pytest.fixture
def agreement_in(org_a):
    """An agreement of the demo organisation with its district department, in a status."""

    def make(status: str, **fields) -> Agreement:
        unit = org_a.agreements.order_by("pk").first().unit
        agreement = Agreement.objects.create(
            number=f"T-{status}-{Agreement.objects.count()}",
            title="Sinov",
            unit=unit,
            status=status,
            valid_from=fields.pop("valid_from", _today() - timedelta(days=10)),
            valid_to=fields.pop("valid_to", _today() + timedelta(days=355)),
            **fields,
        )
        agreement.organisations.add(org_a)
        return agreement

    return make


STATUSES = Agreement.Status.values


def _allowed(current: str, target: str, username: str) -> bool:
    who = TRANSITIONS.get((current, target))
    return who == "party" or (who == "unit" and username == "officer.district")


@pytest.mark.parametrize("username", ["ngo.staff", "officer.district"])
@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("current", STATUSES)
def test_agreement_transitions_table(agreement_in, demo_user, current, target, username):
    # given
    agreement = agreement_in(current)
    user = demo_user(username)
    # when / then
    if _allowed(current, target, username):
        agreement = agreement_transition(agreement=agreement, status=target, by=user)
        agreement.refresh_from_db()
        assert agreement.status == target
        assert agreement.status_changed_by == user
        assert agreement.status_changed_at is not None
    else:
        with pytest.raises(ApplicationError):
            agreement_transition(agreement=agreement, status=target, by=user)
        agreement.refresh_from_db()
        assert agreement.status == current
        assert agreement.status_changed_at is None


def test_the_table_is_what_the_design_says():
    status = Agreement.Status
    assert TRANSITIONS == {
        (status.DRAFT, status.PROPOSED): "party",
        (status.PROPOSED, status.DRAFT): "party",
        (status.PROPOSED, status.ACTIVE): "unit",
        (status.ACTIVE, status.TERMINATED): "party",
    }


def test_signing_sets_the_signing_date_once(agreement_in, demo_user):
    officer = demo_user("officer.district")
    unsigned = agreement_in(Agreement.Status.PROPOSED)
    signed = agreement_in(Agreement.Status.PROPOSED, signed_on=date(2026, 1, 5))
    assert agreement_transition(agreement=unsigned, status="active", by=officer).signed_on == (
        _today()
    )
    assert agreement_transition(agreement=signed, status="active", by=officer).signed_on == (
        date(2026, 1, 5)
    )


def test_an_agreement_past_its_end_cannot_be_signed(agreement_in, demo_user):
    agreement = agreement_in(
        Agreement.Status.PROPOSED,
        valid_from=_today() - timedelta(days=400),
        valid_to=_today() - timedelta(days=1),
    )
    with pytest.raises(ApplicationError):
        agreement_transition(agreement=agreement, status="active", by=demo_user("officer.district"))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.PROPOSED


def test_only_officers_over_the_unit_sign(agreement_in):
    andijon = MembershipFactory(role=Role.UNIT_OFFICER, territory=_territory("1703")).user
    tashkent = MembershipFactory(role=Role.UNIT_OFFICER, territory=_territory("1726")).user
    agreement = agreement_in(Agreement.Status.PROPOSED)
    with pytest.raises(ApplicationError):
        agreement_transition(agreement=agreement, status="active", by=andijon)
    agreement = agreement_transition(agreement=agreement, status="active", by=tashkent)
    assert agreement.status == Agreement.Status.ACTIVE


def _territory(code: str) -> Territory:
    return Territory.objects.get(code=code)


# --- Obligations ----------------------------------------------------------------------------


@pytest.fixture
def obligation(agreement_a) -> Obligation:
    return obligation_add(
        agreement=agreement_a,
        text="Har chorakda tadbir.",
        party=Obligation.Party.UNIT,
        due_date=_today() + timedelta(days=30),
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("evidence", ["", "   \n"])
def test_obligation_complete_needs_evidence(obligation, evidence):
    with pytest.raises(ApplicationError) as refused:
        obligation_complete(obligation=obligation, evidence=evidence)
    assert refused.value.extra == {"field": "evidence"}
    obligation.refresh_from_db()
    assert (obligation.state, obligation.done_on) == (Obligation.State.OPEN, None)


def test_obligation_complete_with_a_description(obligation):
    obligation_complete(obligation=obligation, evidence="Tadbir oʻtkazildi.")
    obligation.refresh_from_db()
    assert (obligation.state, obligation.done_on) == (Obligation.State.DONE, _today())
    assert obligation.evidence == "Tadbir oʻtkazildi."
    with pytest.raises(ApplicationError):
        obligation_complete(obligation=obligation, evidence="Yana.")


def test_obligation_complete_with_a_file_only(obligation, media):
    obligation_complete(
        obligation=obligation, evidence="", evidence_file=SimpleUploadedFile("a.pdf", PDF)
    )
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE
    assert obligation.evidence_file.read() == PDF


def test_obligation_complete_refuses_an_executable(obligation, media):
    with pytest.raises(ApplicationError):
        obligation_complete(
            obligation=obligation, evidence="", evidence_file=SimpleUploadedFile("a.pdf", EXE)
        )
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.OPEN
    assert not obligation.evidence_file


def test_an_overdue_obligation_can_still_be_completed(obligation):
    Obligation.objects.filter(pk=obligation.pk).update(state=Obligation.State.OVERDUE)
    obligation.refresh_from_db()
    obligation_complete(obligation=obligation, evidence="Kechikib bajarildi.")
    obligation.refresh_from_db()
    assert obligation.state == Obligation.State.DONE


def test_obligation_of_an_organisation_outside_the_agreement_is_refused(agreement_a, org_b):
    with pytest.raises(ApplicationError) as refused:
        obligation_add(
            agreement=agreement_a,
            text="x",
            party=Obligation.Party.ORGANISATION,
            organisation=org_b,
            due_date=_today(),
        )
    assert refused.value.extra == {"field": "organisation"}


# --- Staff ----------------------------------------------------------------------------------


def test_staff_invite_opens_an_account_and_mails_a_link(
    org_a, demo_user, settings, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        membership = staff_invite(
            organisation=org_a,
            email=" Yangi@Tinch.UZ ",
            full_name="Yangi Xodim",
            role=Role.NGO_STAFF,
            by=demo_user("ngo.admin"),
        )
    # then
    user = membership.user
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "yangi@tinch.uz",
        "yangi@tinch.uz",
        "Yangi",
        "Xodim",
    )
    assert not user.has_usable_password()
    assert (membership.organisation, membership.role, membership.valid_to) == (
        org_a,
        Role.NGO_STAFF,
        None,
    )
    [message] = mail.outbox
    assert message.to == ["yangi@tinch.uz"]
    assert settings.PORTAL_BASE_URL in message.body


def test_staff_invite_twice_gives_one_membership(org_a, demo_user):
    admin = demo_user("ngo.admin")
    first = staff_invite(
        organisation=org_a, email="a@b.uz", full_name="A B", role=Role.NGO_STAFF, by=admin
    )
    again = staff_invite(
        organisation=org_a, email="A@B.uz", full_name="A B", role=Role.NGO_STAFF, by=admin
    )
    assert again == first
    assert Membership.objects.filter(user=first.user).count() == 1


def test_staff_invite_of_an_existing_account_adds_the_membership(org_a, demo_user):
    officer = demo_user("officer.district")
    membership = staff_invite(
        organisation=org_a,
        email=officer.email,
        full_name="Ignored",
        role=Role.NGO_ADMIN,
        by=demo_user("ngo.admin"),
    )
    assert membership.user == officer
    assert officer.memberships.count() == 2


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.ADMIN, "boss"])
def test_staff_invite_refuses_other_roles(org_a, demo_user, role):
    with pytest.raises(ApplicationError):
        staff_invite(
            organisation=org_a, email="x@y.uz", full_name="X Y", role=role, by=demo_user("admin")
        )
    assert not User.objects.filter(email="x@y.uz").exists()


def test_staff_invite_waits_for_verification(org_a, demo_user):
    Organisation.objects.filter(pk=org_a.pk).update(verification=Organisation.Verification.PENDING)
    org_a.refresh_from_db()
    with pytest.raises(ApplicationError):
        staff_invite(
            organisation=org_a,
            email="x@y.uz",
            full_name="X Y",
            role=Role.NGO_STAFF,
            by=demo_user("admin"),
        )
    assert not User.objects.filter(email="x@y.uz").exists()


def test_staff_deactivate_ends_the_membership_and_the_account(demo_user):
    staff = demo_user("ngo.staff")
    membership = staff.memberships.get()
    staff_deactivate(membership=membership, by=demo_user("ngo.admin"))
    membership.refresh_from_db()
    staff.refresh_from_db()
    assert membership.valid_to == _today() - timedelta(days=1)
    assert not staff.is_active


def test_staff_deactivate_keeps_an_account_with_another_role(org_a, demo_user):
    officer = demo_user("officer.district")
    membership = MembershipFactory(
        user=officer,
        role=Role.NGO_STAFF,
        organisation=org_a,
        territory=None,
        valid_from=_today() - timedelta(days=30),
    )
    staff_deactivate(membership=membership, by=demo_user("ngo.admin"))
    officer.refresh_from_db()
    assert officer.is_active
    membership.refresh_from_db()
    assert membership.valid_to == _today() - timedelta(days=1)


def test_staff_deactivate_refuses_oneself_and_territorial_roles(demo_user):
    admin = demo_user("ngo.admin")
    with pytest.raises(ApplicationError):
        staff_deactivate(membership=admin.memberships.get(), by=admin)
    officer_membership = demo_user("officer.district").memberships.get()
    with pytest.raises(ApplicationError):
        staff_deactivate(membership=officer_membership, by=demo_user("admin"))
    admin.refresh_from_db()
    assert admin.is_active
    assert admin.memberships.get().valid_to is None


def test_staff_deactivate_takes_effect_at_once_for_a_membership_begun_today(org_a, demo_user):
    membership = staff_invite(
        organisation=org_a,
        email="yangi@tinch.uz",
        full_name="Yangi Xodim",
        role=Role.NGO_STAFF,
        by=demo_user("ngo.admin"),
    )
    staff_deactivate(membership=membership, by=demo_user("ngo.admin"))
    membership.user.refresh_from_db()
    assert not membership.user.is_active


# --- Verification ---------------------------------------------------------------------------


@pytest.fixture
def application(org_a) -> Organisation:
    return Organisation.objects.create(
        name="Ariza beruvchi",
        kind=Organisation.Kind.NGO,
        registration_number="NNT-APPLY-2",
        territory=org_a.territory,
        applicant_name="Zarina Olimova",
        applicant_email="zarina@tinch.uz",
    )


def test_organisation_verify_invites_the_applicant(
    application, demo_user, django_capture_on_commit_callbacks
):
    officer = demo_user("officer.district")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        organisation_verify(organisation=application, approve=True, by=officer)
    # then
    application.refresh_from_db()
    assert application.verification == Organisation.Verification.VERIFIED
    assert (application.verified_by, application.verified_at is not None) == (officer, True)
    membership = Membership.objects.get(organisation=application)
    assert membership.role == Role.NGO_ADMIN
    assert membership.user.email == "zarina@tinch.uz"
    assert membership.user.get_full_name() == "Zarina Olimova"
    [message] = mail.outbox
    assert message.to == ["zarina@tinch.uz"]
    assert "zarina@tinch.uz" in message.body


def test_organisation_reject_invites_no_one(
    application, demo_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_verify(organisation=application, approve=False, by=demo_user("admin"))
    application.refresh_from_db()
    assert application.verification == Organisation.Verification.REJECTED
    assert not Membership.objects.filter(organisation=application).exists()
    assert mail.outbox == []


def test_an_application_is_reviewed_once(application, demo_user):
    organisation_verify(organisation=application, approve=False, by=demo_user("admin"))
    with pytest.raises(ApplicationError):
        organisation_verify(organisation=application, approve=True, by=demo_user("admin"))
    application.refresh_from_db()
    assert application.verification == Organisation.Verification.REJECTED
