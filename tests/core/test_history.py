"""Change history: every domain model keeps one (or says why it needs none), and each
object's page shows who changed it, when and what, to those who may see the object."""

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import PersonalDataRead
from core.history import change_history
from incentives.models import Nomination, SocialProtectionCase
from partnership.models import Agreement, InformationRequest, JointActivity, Organisation
from prevention.models import AccountabilityMeeting, Inspector, PreventionRecord, RegisterEntry

DOMAIN_APPS = {
    "core",
    "mahalla",
    "accounts",
    "prevention",
    "partnership",
    "incentives",
    "accountability",
}

# Models without a change history of their own, each with the reason. A new model must either
# keep a history (simple_history's HistoricalRecords) or be added here with its reason.
WITHOUT_HISTORY = {
    "core.Heartbeat": "a liveness probe overwritten every minute by the worker",
    "core.IdempotencyKey": "a short-lived replay guard for API writes, deleted after a day",
    "core.OutboxTask": "the queue of tasks waiting for the broker; each row records its sending",
    "mahalla.MahallaCategoryChange": "is itself the log of a mahalla's category changes",
    "mahalla.MahallaPlacement": "is itself the dated log of where a mahalla belongs",
    "mahalla.BoundaryChange": "is itself the log of changes of the territory tree",
    "mahalla.BoundaryChangePart": "a part of a boundary change, written once with it",
    "accounts.PersonalDataRead": "is itself the audit log of personal data reads",
    "accounts.Notification": "a message to one user; only its read mark changes",
    "partnership.AgreementDocument": "an uploaded file, never changed after upload",
    "partnership.ActivityEvidence": "an uploaded file, never changed after upload",
    "partnership.RequestAttachment": "an uploaded file, never changed after upload",
    "incentives.NominationEvidence": "an uploaded file, never changed after upload",
    "incentives.NominationComment": "a comment, never edited after it is written",
    "accountability.RollUp": "computed from the domain rows, recomputed at will",
    "accountability.ApprovedPeriod": "computed from the approvals, which keep the history",
    "accountability.ReportRun": "a worker's progress record; who started it is on the row",
    "accountability.PublicReport": "a published report, never changed: a new one replaces it",
}


def _domain_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in DOMAIN_APPS and not model.__name__.startswith("Historical")
    ]


def test_every_domain_model_keeps_a_history_or_says_why_not():
    # given: the domain models
    models = _domain_models()
    # then: each keeps a history, or is listed with its reason (and the list holds no stale names)
    missing = [
        model._meta.label
        for model in models
        if not hasattr(model, "history") and model._meta.label not in WITHOUT_HISTORY
    ]
    assert missing == [], f"models without history and without a reason: {missing}"
    labels = {model._meta.label for model in models}
    assert set(WITHOUT_HISTORY) <= labels, set(WITHOUT_HISTORY) - labels
    kept_anyway = [label for label in WITHOUT_HISTORY if hasattr(apps.get_model(label), "history")]
    assert kept_anyway == []


@pytest.mark.django_db
def test_change_history_names_the_fields_changed_with_choice_values(demo_user):
    # given: an agreement changed twice by a named user
    agreement = Agreement.objects.exclude(status=Agreement.Status.TERMINATED).first()
    user = demo_user("officer.district")
    agreement.save()  # the demo set bulk-loads its rows: a first record to diff against
    agreement._history_user = user
    agreement.title = agreement.title + " (tahrir)"
    agreement.save()
    previous = agreement.status
    agreement.status = Agreement.Status.TERMINATED
    agreement._change_reason = "Muddatidan oldin bekor qilindi"
    agreement.save()
    # when
    history = change_history(agreement)
    # then: newest first, who, what (a choice with its labels), and why
    latest, before = history[0], history[1]
    assert latest.user == user
    assert latest.reason == "Muddatidan oldin bekor qilindi"
    status_label = Agreement._meta.get_field("status").verbose_name.capitalize()
    old_label, new_label = Agreement.Status(previous).label, Agreement.Status.TERMINATED.label
    assert latest.changes == [f"{status_label}: {old_label} → {new_label}"]
    assert before.changes == [Agreement._meta.get_field("title").verbose_name.capitalize()]


@pytest.mark.django_db
def test_change_history_reads_in_one_query(django_assert_num_queries):
    # given: an object with several changes
    record = PreventionRecord.objects.first()
    for number in range(6):
        record.summary = f"Tahrir {number}"
        record.save()
    # then: its page's history is one query, whatever the number of rows
    with django_assert_num_queries(1):
        rows = change_history(record)
    assert len(rows) >= 6


def _first(model):
    return model.objects.order_by("pk").first()


# Each object page, the model shown and a demo user who may open it.
OBJECT_PAGES = [
    ("prevention:record-detail", PreventionRecord, "officer.republic"),
    ("prevention:register-detail", RegisterEntry, "officer.republic"),
    ("prevention:meeting-detail", AccountabilityMeeting, "officer.republic"),
    ("prevention:inspector-detail", Inspector, "officer.republic"),
    ("partnership:agreement-detail", Agreement, "officer.republic"),
    ("partnership:activity-detail", JointActivity, "officer.republic"),
    ("partnership:organisation-detail", Organisation, "officer.republic"),
    ("partnership:request-detail", InformationRequest, "admin"),
    ("incentives:nomination-detail", Nomination, "officer.republic"),
    ("incentives:social-case-detail", SocialProtectionCase, "officer.republic"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "model", "username"), OBJECT_PAGES)
def test_each_object_page_shows_who_changed_it(client, demo_user, route, model, username):
    # given: an object changed by a named user
    obj = _first(model)
    assert obj is not None, f"the demo set has no {model.__name__}"
    editor = demo_user("admin")
    obj._history_user = editor
    obj._change_reason = "Tekshiruv uchun oʻzgartirildi"
    obj.save()
    # when: someone who may see it opens its page
    client.force_login(demo_user(username))
    response = client.get(reverse(route, args=[obj.pk]))
    # then: the history lists the change with its author and reason
    assert response.status_code == 200
    rows = response.context["history"]
    assert rows[0].user == editor
    assert rows[0].reason == "Tekshiruv uchun oʻzgartirildi"
    body = response.content.decode()
    assert 'data-testid="history"' in body
    assert "Tekshiruv uchun oʻzgartirildi" in body


@pytest.mark.django_db
def test_an_organisations_history_is_not_shown_to_other_organisations(client, demo_user):
    # given: an organisation the NGO staff member does not belong to
    staff = demo_user("ngo.staff")
    own = set(staff.memberships.values_list("organisation_id", flat=True))
    other = Organisation.objects.exclude(pk__in=own).filter(verification="verified").first()
    assert other is not None
    client.force_login(staff)
    response = client.get(reverse("partnership:organisation-detail", args=[other.pk]))
    # then: if the page is open to them at all, it carries no history of who edited it
    if response.status_code == 200:
        assert response.context["history"] is None
        assert 'data-testid="history"' not in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.django_db
def test_a_nominees_reads_are_logged_and_listed_for_the_officer_above(client, demo_user):
    # given: a citizen nomination, read by the commission that decides it
    nomination = Nomination.objects.filter(kind=Nomination.Kind.CITIZEN).order_by("pk").first()
    assert nomination is not None
    reads_before = PersonalDataRead.objects.filter(object_id=nomination.pk).count()
    client.force_login(demo_user("officer.republic"))
    first = client.get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    assert first.status_code == 200
    # then: the read is logged
    assert PersonalDataRead.objects.filter(object_id=nomination.pk).count() == reads_before + 1
    # and the page lists who viewed the nominee's personal data
    second = client.get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    reads = second.context["reads"]
    assert reads and reads[0].user == demo_user("officer.republic")
    assert 'data-testid="reads"' in second.content.decode()


@pytest.mark.django_db
def test_the_council_never_sees_a_nominees_read_log(client, demo_user):
    # given: a nomination whose personal data has been read
    nomination = Nomination.objects.order_by("pk").first()
    client.force_login(demo_user("officer.republic"))
    client.get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    # when: a council member asks for the page
    client.force_login(demo_user("council"))
    response = client.get(reverse("incentives:nomination-detail", args=[nomination.pk]))
    # then: aggregates only: the page is not theirs, or it lists no reads
    assert response.status_code in (403, 404) or not response.context["reads"]
