"""The people and the objects of the scope matrix (see test_scope_matrix.py).

Every role is a demo account (accounts.demo and partnership.demo). Every object a route needs
is built here in up to four *places*, each a step further from the demo district (Yunusobod,
Tashkent city), where the demo accounts work:

    home     the demo inspector's mahalla, Yunusobod district, the demo organisation
    sibling  another organisation registered in Yunusobod (organisation-owned objects only)
    region   a mahalla or organisation in another district of Tashkent city
    other    a mahalla or organisation in Andijon region

A role requests each object twice: once in the place just inside its scope and once in the
place just outside it (SCOPE_PLACES), so that every boundary is tested where it is closest.
Objects that are public or reference data are built once (`single` kinds) and requested once.

The personal data of the register entries, nominees and social protection cases built here
(full names and document numbers no demo row uses) are looked for in every response; who may
read which place's personal data is PERSONAL_DATA_PLACES, written from DESIGN.md §1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.core.files.base import ContentFile
from django.utils import timezone

from accountability.models import PeriodKind, PublicReport, ReportRun, RollUp
from accounts.models import Membership, Notification, Role, User
from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    IncentiveGround,
    IncentiveType,
    Nomination,
    NominationEvidence,
)
from incentives.services import nomination_submit, social_case_open
from mahalla.models import Territory
from partnership.models import (
    ActivityEvidence,
    Agreement,
    AgreementDocument,
    InformationRequest,
    JointActivity,
    Organisation,
    RequestAttachment,
)
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    MeetingQuestion,
    PeriodApproval,
    PreventionRecord,
    ResidentFeedback,
    Unit,
)
from tests.prevention.factories import RegisterEntryFactory

HOME, SIBLING, REGION, OTHER = "home", "sibling", "region", "other"

# Role name (the tables' column) -> demo account (None: not signed in).
ROLE_USERS = {
    "anonymous": None,
    "ngo_staff": "ngo.staff",
    "ngo_admin": "ngo.admin",
    "inspector": "inspector",
    "officer_district": "officer.district",
    "officer_region": "officer.region",
    "commission": "commission",
    "council": "council",
    "admin": "admin",
}
ROLES = tuple(ROLE_USERS)

# Role -> (place just inside its scope, place just outside it). The demo district has one
# mahalla at the tiny scale, so the nearest mahalla outside an inspector's is in the next
# district. Roles that see nothing of a kind get the demo objects and Andijon's.
SCOPE_PLACES = {
    "anonymous": (HOME, OTHER),
    "ngo_staff": (HOME, SIBLING),
    "ngo_admin": (HOME, SIBLING),
    "inspector": (HOME, REGION),
    "officer_district": (HOME, REGION),
    "officer_region": (REGION, OTHER),
    "commission": (HOME, REGION),
    "council": (HOME, OTHER),
    "admin": (HOME, OTHER),
}

# Whose personal data each role may read, by place (DESIGN.md §1): the inspector of the
# mahalla and the MIA units above it; for nominees and social protection cases also the
# commission over it (the demo commission sits in Yunusobod); administrators everything;
# NGOs, the council and the public nothing.
_MIA_PLACES = {
    "inspector": {HOME},
    "officer_district": {HOME},
    "officer_region": {HOME, REGION},
    "admin": {HOME, REGION, OTHER},
}
PERSONAL_DATA_PLACES = {
    "register": _MIA_PLACES,
    "nominee": {**_MIA_PLACES, "commission": {HOME}},
    "social_case": {**_MIA_PLACES, "commission": {HOME}},
}

# Who a `user` object is for each role: (an account it sees, the nearest one it does not).
USER_PLACES = {
    "anonymous": ("inspector", "officer.district"),
    "ngo_staff": ("ngo.staff", "ngo.admin"),
    "ngo_admin": ("ngo.staff", "inspector"),
    "inspector": ("inspector", "officer.district"),
    "officer_district": ("inspector", "officer.region"),
    "officer_region": ("officer.district", "officer.republic"),
    "commission": ("commission", "inspector"),
    "council": ("council", "inspector"),
    "admin": ("inspector", "council"),
}

DEMO_DISTRICT = "1726266"  # Yunusobod, Tashkent city
DEMO_REGION = "1726"
OTHER_REGION = "1703"  # Andijon
PDF_BYTES = b"%PDF-1.4\n%scope-matrix\n"


def _file(name: str) -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


@dataclass(frozen=True)
class PersonalData:
    """A built row's personal data, as it would appear in a page or a response."""

    kind: str  # a key of PERSONAL_DATA_PLACES
    place: str
    values: tuple[str, ...]


class ScopeObjects:
    """Builds, on first use inside one test's transaction, the objects of each kind and place
    and answers the URL values (`pk`, `code`, ... for pages; `id`, `file_pk`, ... for the API)
    of one of them."""

    # Kinds requested once: public or reference data, the same for every role.
    SINGLE_KINDS = frozenset(
        {
            "territory",
            "unit",
            "reset-token",
            "incentive-ground",
            "incentive-type",
            "amount-rule",
            "bcv",
            "indicator",
            "rollup",
            "report",
            "report-run",
        }
    )
    # Public registers: their entry for everyone in scope, a row not in them outside it.
    PUBLIC_KINDS = frozenset({"public-agreement", "public-award"})
    # Kinds owned by an organisation: they have a `sibling` place.
    ORGANISATION_KINDS = frozenset(
        {
            "organisation",
            "staff-membership",
            "agreement",
            "agreement-document",
            "obligation",
            "activity",
            "activity-evidence",
            "request",
            "request-attachment",
        }
    )

    def __init__(self) -> None:
        self._built: dict[tuple[str, str, str], dict[str, object]] = {}

    # --- places -------------------------------------------------------------------------

    @cached_property
    def mahallas(self) -> dict[str, Territory]:
        mahallas = Territory.objects.filter(kind=Territory.Kind.MAHALLA).order_by("path")
        home = User.objects.get(username="inspector").memberships.get().territory
        region = (
            mahallas.filter(path__startswith=f"17/{DEMO_REGION}/")
            .exclude(path__startswith=home.parent.path)
            .first()
        )
        other = mahallas.filter(path__startswith=f"17/{OTHER_REGION}/").first()
        return {HOME: home, SIBLING: home, REGION: region, OTHER: other}

    @cached_property
    def organisations(self) -> dict[str, Organisation]:
        home = User.objects.get(username="ngo.staff").memberships.get().organisation

        def first_in(territory: Territory) -> Organisation:
            return (
                Organisation.objects.filter(territory=territory)
                .exclude(pk=home.pk)
                .order_by("pk")
                .first()
            )

        return {
            HOME: home,
            SIBLING: first_in(home.territory),
            REGION: first_in(self.mahallas[REGION].parent),
            OTHER: first_in(self.mahallas[OTHER].parent),
        }

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def inspector_user(self, place: str) -> User:
        return (
            Membership.objects.filter(role=Role.INSPECTOR, territory=self.mahallas[place])
            .order_by("pk")
            .first()
            .user
        )

    # --- values -------------------------------------------------------------------------

    def build(self, requests) -> None:
        """Builds, up front, the objects of every (kind, role, in scope) in `requests`, and the
        personal data, so that the tests of a module share them."""
        self.personal_data()
        for kind, role, in_scope in requests:
            self.values(kind, SCOPE_PLACES[role][0 if in_scope else 1], role, in_scope)

    def values(self, kind: str, place: str, role: str, in_scope: bool) -> dict[str, object]:
        """URL values of the `kind` object for `role`, in or out of its scope."""
        if kind in ("user", "notification"):
            key = (kind, role, "in" if in_scope else "out")
        elif kind in self.SINGLE_KINDS:
            key = (kind, HOME, "")
        elif kind in self.PUBLIC_KINDS:
            place = HOME if in_scope else OTHER
            key = (kind, place, "")
        else:
            key = (kind, place, "")
        if key not in self._built:
            self._built[key] = self._build(kind, place, role, in_scope)
        return self._built[key]

    def _build(self, kind: str, place: str, role: str, in_scope: bool) -> dict[str, object]:
        if place == SIBLING and kind not in self.ORGANISATION_KINDS:
            place = OTHER
        builder = getattr(self, "_" + kind.replace("-", "_"))
        if kind in ("user", "notification"):
            return builder(role, in_scope)
        return builder(place)

    # Prevention ---------------------------------------------------------------------------

    def _record(self, place):
        record = PreventionRecord.objects.filter(mahalla=self.mahallas[place]).order_by("pk")[0]
        return {"pk": record.pk, "id": record.pk}

    def _register_entry(self, place):
        entry = self.register_entries[place]
        return {"pk": entry.pk, "id": entry.pk}

    def _meeting(self, place):
        meeting = AccountabilityMeeting.objects.filter(mahalla=self.mahallas[place]).order_by("pk")[
            0
        ]
        return {"pk": meeting.pk, "id": meeting.pk}

    def _question(self, place):
        question = MeetingQuestion.objects.filter(meeting__mahalla=self.mahallas[place]).order_by(
            "pk"
        )[0]
        return {"pk": question.pk, "id": question.pk}

    def _inspector(self, place):
        inspector = Inspector.objects.get(user=self.inspector_user(place))
        return {"pk": inspector.pk, "id": inspector.pk}

    def _mahalla(self, place):
        return {"code": self.mahallas[place].code}

    def _post(self, place):
        post = Unit.objects.filter(kind=Unit.Kind.POST, mahallas=self.mahallas[place]).get()
        return {"pk": post.pk, "id": post.pk, "public_key": post.public_key, "fmt": "svg"}

    def _feedback(self, place):
        feedback = ResidentFeedback.objects.filter(mahalla=self.mahallas[place]).order_by("pk")[0]
        return {"pk": feedback.pk, "id": feedback.pk}

    def _period(self, place):
        period = PeriodApproval.objects.filter(district=self.mahallas[place].parent).order_by(
            "-month"
        )[0]
        return {"pk": period.pk, "id": period.pk}

    # Partnership ----------------------------------------------------------------------------

    def _organisation(self, place):
        organisation = self.organisations[place]
        return {"pk": organisation.pk, "id": organisation.pk}

    def _staff_membership(self, place):
        organisation = self.organisations[place]
        membership = (
            Membership.objects.filter(organisation=organisation, role=Role.NGO_STAFF)
            .order_by("pk")
            .first()
        )
        if membership is None:
            staff = User.objects.create_user(username=f"matrix.staff.{place}")
            membership = Membership.objects.create(
                user=staff,
                role=Role.NGO_STAFF,
                organisation=organisation,
                valid_from=timezone.localdate() - timedelta(days=30),
            )
        return {"pk": organisation.pk, "membership_pk": membership.pk, "id": membership.pk}

    def agreement(self, place) -> Agreement:
        return self.organisations[place].agreements.order_by("pk")[0]

    def _agreement(self, place):
        agreement = self.agreement(place)
        return {"pk": agreement.pk, "id": agreement.pk}

    def _agreement_document(self, place):
        agreement = self.agreement(place)
        document = AgreementDocument.objects.create(
            agreement=agreement,
            file=_file("memorandum.pdf"),
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
        return {
            "pk": agreement.pk,
            "id": agreement.pk,
            "doc_pk": document.pk,
            "file_pk": document.pk,
        }

    def _obligation(self, place):
        obligation = self.agreement(place).obligations.order_by("pk")[0]
        obligation.evidence_file = _file("evidence.pdf")
        obligation.save(update_fields=["evidence_file"])
        return {"pk": obligation.agreement_id, "obligation_pk": obligation.pk, "id": obligation.pk}

    def activity(self, place) -> JointActivity:
        activity = (
            JointActivity.objects.filter(organisation=self.organisations[place])
            .exclude(status=JointActivity.Status.CONFIRMED)
            .order_by("pk")
            .first()
        )
        if activity is None:
            from tests.partnership.factories import JointActivityFactory

            agreement = self.agreement(place)
            activity = JointActivityFactory(
                organisation=self.organisations[place],
                unit=agreement.unit,
                place=self.mahallas[place if place != SIBLING else HOME],
                agreement=agreement,
            )
        return activity

    def _activity(self, place):
        activity = self.activity(place)
        return {"pk": activity.pk, "id": activity.pk}

    def _activity_evidence(self, place):
        activity = self.activity(place)
        evidence = ActivityEvidence.objects.create(
            activity=activity,
            file=_file("photo.pdf"),
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
        return {
            "pk": activity.pk,
            "id": activity.pk,
            "evidence_pk": evidence.pk,
            "file_pk": evidence.pk,
        }

    def information_request(self, place) -> InformationRequest:
        organisation = self.organisations[place]
        request = organisation.information_requests.order_by("pk").first()
        if request is None:
            request = InformationRequest.objects.create(
                direction=InformationRequest.Direction.TO_ORGANISATION,
                organisation=organisation,
                unit=self.agreement(place).unit,
                subject="Tadbirlar rejasi",
                text="Rejani yuboring.",
                due_date=timezone.localdate() + timedelta(days=15),
            )
        return request

    def _request(self, place):
        request = self.information_request(place)
        return {"pk": request.pk, "id": request.pk}

    def _request_attachment(self, place):
        request = self.information_request(place)
        attachment = RequestAttachment.objects.create(
            request=request,
            file=_file("letter.pdf"),
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
        return {
            "pk": request.pk,
            "id": request.pk,
            "attachment_pk": attachment.pk,
            "file_pk": attachment.pk,
        }

    def _public_agreement(self, place):
        """The public registry: an active public agreement at home, a draft elsewhere."""
        agreements = Agreement.objects.order_by("pk")
        if place == HOME:
            agreement = agreements.filter(is_public=True, status=Agreement.Status.ACTIVE)[0]
        else:
            agreement = agreements.filter(status=Agreement.Status.DRAFT)[0]
        return {"pk": agreement.pk, "id": agreement.pk}

    # Incentives -----------------------------------------------------------------------------

    def _nomination(self, place):
        nomination = self.nominations[place]
        return {"pk": nomination.pk, "id": nomination.pk}

    def _nomination_evidence(self, place):
        nomination = self.nominations[place]
        evidence = NominationEvidence.objects.create(
            nomination=nomination,
            file=_file("statement.pdf"),
            content_type="application/pdf",
            size=len(PDF_BYTES),
        )
        return {
            "pk": nomination.pk,
            "id": nomination.pk,
            "evidence_pk": evidence.pk,
            "file_pk": evidence.pk,
        }

    def _award(self, place):
        award = self.awards[place]
        return {"pk": award.pk, "id": award.pk}

    def _public_award(self, place):
        """The public award register: a demo award at home, a nomination under review
        (no award) elsewhere."""
        if place == HOME:
            award = Nomination.objects.filter(state=Nomination.State.PAID).order_by("pk")[0]
            return {"pk": award.pk, "id": award.pk}
        return self._nomination(place)

    def _social_case(self, place):
        case = self.social_cases[place]
        return {"pk": case.pk, "id": case.pk}

    def commission(self, place) -> Commission:
        node = {
            HOME: Territory.objects.get(code=DEMO_DISTRICT),
            REGION: Territory.objects.get(code=DEMO_REGION),
            OTHER: Territory.objects.get(kind=Territory.Kind.COUNTRY),
        }[place]
        return Commission.objects.get(territory=node)

    def _commission(self, place):
        commission = self.commission(place)
        return {"pk": commission.pk, "id": commission.pk}

    def _fund(self, place):
        fund = Fund.objects.filter(commission=self.commission(place)).order_by("pk")[0]
        return {"pk": fund.pk, "id": fund.pk}

    # Reference and public data (built once) ---------------------------------------------------

    def _territory(self, place):
        mahalla = self.mahallas[HOME]
        return {"pk": mahalla.pk, "id": mahalla.pk, "code": mahalla.code}

    def _unit(self, place):
        unit = Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("pk")[0]
        return {"pk": unit.pk, "id": unit.pk}

    def _reset_token(self, place):
        return {"uidb64": "MQ", "token": "set-password"}

    def _incentive_ground(self, place):
        return {"id": IncentiveGround.objects.order_by("pk")[0].pk}

    def _incentive_type(self, place):
        return {"id": IncentiveType.objects.order_by("pk")[0].pk}

    def _amount_rule(self, place):
        return {"id": AmountRule.objects.order_by("pk")[0].pk}

    def _bcv(self, place):
        return {"id": BaseCalculationValue.objects.order_by("pk")[0].pk}

    def _indicator(self, place):
        from accountability.models import Indicator

        return {"code": Indicator.objects.order_by("pk")[0].code}

    def _rollup(self, place):
        return {"id": RollUp.objects.order_by("pk").values_list("pk", flat=True)[0]}

    def _report(self, place):
        report = PublicReport(
            territory=Territory.objects.get(code=DEMO_DISTRICT),
            period_kind=PeriodKind.MONTH,
            period_start=date(2020, 1, 1),
            html="<p>Hisobot</p>",
            html_sha256="0" * 64,
            pdf_sha256="1" * 64,
            csv_sha256="2" * 64,
        )
        report.pdf.save("report.pdf", ContentFile(PDF_BYTES), save=False)
        report.csv.save("report.csv", ContentFile(b"indicator,value\n"), save=False)
        report.save()
        return {"pk": report.pk, "id": report.pk}

    def _report_run(self, place):
        run = ReportRun.objects.create(
            period_kind=PeriodKind.MONTH, period_start=date(2020, 1, 1), level="district"
        )
        return {"pk": run.pk, "id": run.pk}

    # Per role ---------------------------------------------------------------------------------

    def _user(self, role, in_scope):
        username = USER_PLACES[role][0 if in_scope else 1]
        pk = self.user(username).pk
        return {"pk": pk, "id": pk}

    def _notification(self, role, in_scope):
        """The role's own notification in scope, somebody else's outside it."""
        own = ROLE_USERS[role] if in_scope and ROLE_USERS[role] else "officer.republic"
        notification = Notification.objects.create(
            user=self.user(own), message="Matrix", url="/", dedupe_key=f"matrix-{role}-{in_scope}"
        )
        return {"pk": notification.pk, "id": notification.pk}

    # --- personal data ---------------------------------------------------------------------

    @cached_property
    def register_entries(self):
        entries = {}
        for number, place in enumerate((HOME, REGION, OTHER), start=1):
            entries[place] = RegisterEntryFactory(
                mahalla=self.mahallas[place],
                inspector=Inspector.objects.get(user=self.inspector_user(place)),
                full_name=f"Matritsa Registr {place.title()}",
                document_number=f"AB910000{number}",
            )
        entries[SIBLING] = entries[OTHER]
        return entries

    @cached_property
    def nominations(self):
        ground = IncentiveGround.objects.get(code="prevention")
        nominations = {}
        for number, place in enumerate((HOME, REGION, OTHER), start=1):
            nominations[place] = nomination_submit(
                by=self.inspector_user(place),
                kind=Nomination.Kind.CITIZEN,
                full_name=f"Matritsa Nomzod {place.title()}",
                birth_date=date(1980, 1, number),
                address="Matritsa koʻchasi, 1-uy",
                document_number=f"AD920000{number}",
                phone="+998 90 111 22 33",
                ground=ground,
                facts="Profilaktikada faol qatnashgan.",
                event_date=timezone.localdate() - timedelta(days=10),
                mahalla=self.mahallas[place],
            )
        nominations[SIBLING] = nominations[OTHER]
        return nominations

    @cached_property
    def awards(self):
        """A decided award per place (its nominee did not consent to publication)."""
        ground = IncentiveGround.objects.get(code="prevention")
        gratitude = IncentiveType.objects.get(code="gratitude")
        awards = {}
        for number, place in enumerate((HOME, REGION, OTHER), start=1):
            nomination = nomination_submit(
                by=self.inspector_user(place),
                kind=Nomination.Kind.CITIZEN,
                full_name=f"Matritsa Mukofot {place.title()}",
                document_number=f"AD930000{number}",
                ground=ground,
                facts="Jinoyatning oldini olishda yordam bergan.",
                event_date=timezone.localdate() - timedelta(days=15),
                mahalla=self.mahallas[place],
            )
            # Decided in place: the commission's service would ask for a member of each.
            Nomination.objects.filter(pk=nomination.pk).update(
                state=Nomination.State.APPROVED,
                incentive_type=gratitude,
                amount=0,
                fund=Fund.objects.filter(commission=nomination.commission).order_by("-year")[0],
                decision_number=f"K-MATRIX-{number}",
                decision_date=timezone.localdate(),
            )
            awards[place] = nomination
        awards[SIBLING] = awards[OTHER]
        return awards

    @cached_property
    def ngo_nomination(self) -> Nomination:
        """A citizen the demo organisation's staff nominated: the nomination is theirs to
        see, the citizen's personal data is not (incentives.permissions)."""
        return nomination_submit(
            by=self.user("ngo.staff"),
            kind=Nomination.Kind.CITIZEN,
            full_name="Matritsa Nomzod Tashkilotdan",
            birth_date=date(1981, 2, 3),
            address="Matritsa koʻchasi, 2-uy",
            document_number="AD9200009",
            ground=IncentiveGround.objects.get(code="prevention"),
            facts="Tashkilot tadbirlarida faol qatnashgan.",
            event_date=timezone.localdate() - timedelta(days=12),
            mahalla=self.mahallas[HOME],
        )

    @cached_property
    def social_cases(self):
        cases = {}
        for number, place in enumerate((HOME, REGION, OTHER), start=1):
            cases[place] = social_case_open(
                by=self.inspector_user(place),
                full_name=f"Matritsa Jabrlanuvchi {place.title()}",
                document_number=f"AC930000{number}",
                mahalla=self.mahallas[place],
                event_date=timezone.localdate() - timedelta(days=5),
                harm="Jarohat olgan.",
            )
        cases[SIBLING] = cases[OTHER]
        return cases

    def personal_data(self) -> list[PersonalData]:
        """Every personal datum built so far (building the three sets first)."""
        rows = []
        for kind, objects in (
            ("register", self.register_entries),
            ("nominee", self.nominations),
            ("nominee", self.awards),
            ("social_case", self.social_cases),
        ):
            for place in (HOME, REGION, OTHER):
                obj = objects[place]
                rows.append(PersonalData(kind, place, (obj.full_name, obj.document_number)))
        nominee = self.ngo_nomination
        rows.append(PersonalData("nominee", HOME, (nominee.full_name, nominee.document_number)))
        return rows


def forbidden_personal_data(objects: ScopeObjects, role: str) -> list[PersonalData]:
    """The personal data `role` must never receive."""
    return [
        datum
        for datum in objects.personal_data()
        if datum.place not in PERSONAL_DATA_PLACES[datum.kind].get(role, set())
    ]
