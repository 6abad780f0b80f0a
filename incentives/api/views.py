"""REST API of the incentives (STYLE.md §5): read-only viewsets scoped by
incentives.permissions, and one APIView per write, each calling one service.

Objects are fetched through the caller's scope, so one out of scope answers 404 like one that
does not exist; an object in scope that the caller may not act on answers 403. Business rules
(caps, funds, duplicates, dates, file contents) live in incentives.services, whose refusals
answer 400 with the message and the field the service gives.

A citizen nominee's personal data is in a response only for those
incentives.permissions.personal_data_checker allows, and every response showing it logs the
read (one insert per page). Social protection cases are personal data throughout: their
scope is the personal-data scope, and every read of them is logged too.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import PersonalDataRead
from accounts.services import personal_data_reads_log
from core.exceptions import ApplicationError
from core.pagination import CursorPagination
from core.serializers import PlainTextInputSerializer
from incentives.api.serializers import (
    AmountRuleOutputSerializer,
    AwardRegisterOutputSerializer,
    BcvOutputSerializer,
    CommissionOutputSerializer,
    FundOutputSerializer,
    IncentiveGroundOutputSerializer,
    IncentiveTypeOutputSerializer,
    NominationCommentOutputSerializer,
    NominationDetailOutputSerializer,
    NominationOutputSerializer,
    SocialCaseOutputSerializer,
    gravity_field,
    nomination_kind_field,
    support_field,
)
from incentives.filters import (
    AwardFilter,
    AwardRegisterFilter,
    FundFilter,
    NominationFilter,
    SocialCaseFilter,
)
from incentives.models import (
    MAX_AMOUNT,
    AmountRule,
    BaseCalculationValue,
    IncentiveGround,
    IncentiveType,
    Nomination,
    NominationComment,
    NominationEvidence,
    SocialProtectionCase,
)
from incentives.permissions import (
    awards_public,
    can_add_nomination_evidence,
    can_comment_nomination,
    can_decide_nomination,
    can_decide_social_case,
    can_nominate,
    can_open_social_case,
    can_see_nomination_evidence,
    commissions_visible_to,
    funds_visible_to,
    nomination_mahallas,
    nominations_visible_to,
    personal_data_checker,
    social_case_mahallas,
    social_cases_visible_to,
)
from incentives.selectors import (
    amount_rule_list,
    award_list,
    award_register_list,
    commission_list,
    fund_use,
    nomination_detail,
    nomination_list,
    social_case_list,
)
from incentives.services import (
    nomination_comment_add,
    nomination_decide,
    nomination_evidence_add,
    nomination_pay,
    nomination_reverse,
    nomination_submit,
    social_case_open,
    social_case_pay,
    social_case_settle,
)
from mahalla.models import Territory
from partnership.api.views import FILE_RESPONSES, MAX_FILES, UploadField, _download, files_field
from partnership.permissions import organisations_public
from prevention.api.serializers import EnumChoiceField, ScopedPrimaryKeyRelatedField

TAGS = ["incentives"]
# Ids in URLs are numbers, so "nominations/submit/" never reads as the detail of "submit".
ID_REGEX = r"[0-9]+"

BAD_INPUT = OpenApiResponse(description=_("Invalid input or a business rule refused it."))
FORBIDDEN = OpenApiResponse(description=_("You may not do this."))
NOT_FOUND = OpenApiResponse(description=_("No such object in your scope."))

# --- Pagination -----------------------------------------------------------------------------
# Each ordering matches its selector's where a cursor can follow it, and ends in a unique
# field, so pages never skip or repeat a row.


class ReferencePagination(CursorPagination):
    ordering = ("order", "code")


class IdPagination(CursorPagination):
    # The selectors order by related fields (ground, territory path), which a cursor cannot
    # follow; these lists are short reference tables.
    ordering = "id"


class BcvPagination(CursorPagination):
    ordering = "-valid_from"


class FundPagination(CursorPagination):
    ordering = ("-year", "id")


class CreatedPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class DecidedPagination(CursorPagination):
    ordering = ("-decision_date", "-id")


# --- Personal data --------------------------------------------------------------------------


def _personal_data_test(user):
    """Whether a nomination's personal data goes to the user: only a citizen nominee has any,
    and only the readers incentives.permissions names see it. Made once per request."""
    may_read = personal_data_checker(user)
    return lambda nomination: nomination.kind == Nomination.Kind.CITIZEN and may_read(nomination)


def _log_reads(request, objects) -> None:
    """Logs that the caller has just been shown these objects' personal data."""
    personal_data_reads_log(
        user=request.user,
        objects=objects,
        territory_of=lambda obj: obj.mahalla_id,
        via=PersonalDataRead.Via.API,
    )


def _nomination_details(queryset):
    return nomination_detail(queryset=queryset).prefetch_related(
        Prefetch("evidence", queryset=NominationEvidence.objects.order_by("pk")),
        Prefetch("comments", queryset=NominationComment.objects.select_related("author")),
    )


def _nomination_response(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The nomination just acted on, as its detail, its personal-data read logged if shown.

    Fetched by id, not through the scope: a nomination forwarded up leaves the district
    member's scope, and the member is still told where it went (without personal data, which
    the test below no longer allows).
    """
    nomination = _nomination_details(Nomination.objects.all()).get(pk=pk)
    personal_data = _personal_data_test(request.user)
    if personal_data(nomination):
        _log_reads(request, [nomination])
    context = {"request": request, "personal_data": personal_data}
    return Response(
        NominationDetailOutputSerializer(nomination, context=context).data, status=status_code
    )


def _social_case_response(request, pk: int, *, status_code: int = status.HTTP_200_OK):
    case = social_case_list(queryset=social_cases_visible_to(request.user)).get(pk=pk)
    _log_reads(request, [case])
    return Response(SocialCaseOutputSerializer(case).data, status=status_code)


def _require(condition: bool, message=None) -> None:
    if not condition:
        raise PermissionDenied(message)


# --- Shared input fields --------------------------------------------------------------------


def amount_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_AMOUNT,
        error_messages={
            "invalid": _("An amount is a whole number of so'm."),
            "min_value": _("The amount cannot be negative."),
            "max_value": _(
                "That is more than any fund holds: an amount is at most {max_value} so'm."
            ),
        },
        **kwargs,
    )


def _reference_field(queryset, messages: dict, **kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=queryset, error_messages=messages, **kwargs)


GROUND_MESSAGES = {
    "does_not_exist": _("There is no ground for an incentive in use with id {pk_value}."),
    "incorrect_type": _("A ground for an incentive is given by its numeric id."),
}
TYPE_MESSAGES = {
    "does_not_exist": _("There is no type of incentive with id {pk_value}."),
    "incorrect_type": _("A type of incentive is given by its numeric id."),
}
ORGANISATION_MESSAGES = {
    "does_not_exist": _("There is no verified organisation with id {pk_value}."),
    "incorrect_type": _("An organisation is given by its numeric id."),
}
MAHALLA_MESSAGES = {
    "does_not_exist": _(
        "There is no such mahalla for you (id {pk_value}): choose one of your territory."
    ),
    "incorrect_type": _("A mahalla is given by its numeric id."),
}
NOMINATION_MESSAGES = {
    "does_not_exist": _("There is no nomination with id {pk_value} for you."),
    "incorrect_type": _("A nomination is given by its numeric id."),
}


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


# --- Reference data -------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class IncentiveGroundViewSet(viewsets.ReadOnlyModelViewSet):
    """Grounds for an incentive under Resolution No. 15 (reference data)."""

    queryset = IncentiveGround.objects.all()
    serializer_class = IncentiveGroundOutputSerializer
    pagination_class = ReferencePagination
    filterset_fields = ["is_active", "has_gravity"]
    lookup_value_regex = ID_REGEX


@extend_schema(tags=TAGS)
class IncentiveTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Types of incentive: cash, valuable gift, letter of gratitude, ... (reference data)."""

    queryset = IncentiveType.objects.all()
    serializer_class = IncentiveTypeOutputSerializer
    pagination_class = ReferencePagination
    filterset_fields = ["is_active", "is_cash"]
    lookup_value_regex = ID_REGEX


@extend_schema(tags=TAGS)
class AmountRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """Ground × gravity × commission level → the largest amount, in BCV and in so'm at
    today's base calculation value."""

    serializer_class = AmountRuleOutputSerializer
    pagination_class = IdPagination
    filterset_fields = ["ground", "gravity", "level"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return amount_rule_list(queryset=AmountRule.objects.all(), day=timezone.localdate())


@extend_schema(tags=TAGS)
class BcvViewSet(viewsets.ReadOnlyModelViewSet):
    """The base calculation value and the date each value came into force, newest first."""

    queryset = BaseCalculationValue.objects.all()
    serializer_class = BcvOutputSerializer
    pagination_class = BcvPagination
    lookup_value_regex = ID_REGEX


# --- Commissions and funds ------------------------------------------------------------------


@extend_schema(tags=TAGS)
class CommissionViewSet(viewsets.ReadOnlyModelViewSet):
    """Incentive commissions of your territory and below (all of them for the council)."""

    serializer_class = CommissionOutputSerializer
    pagination_class = IdPagination
    filterset_fields = ["level"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return commission_list(queryset=commissions_visible_to(self.request.user))


@extend_schema(tags=TAGS)
class FundViewSet(viewsets.ReadOnlyModelViewSet):
    """The commissions' funds per year: budget, committed, paid and remaining, in so'm."""

    serializer_class = FundOutputSerializer
    filterset_class = FundFilter
    pagination_class = FundPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return fund_use(queryset=funds_visible_to(self.request.user))


# --- Nominations and awards -----------------------------------------------------------------


class PersonalDataReadsMixin:
    """Lists and details of nominations: personal data only where allowed, its reads logged
    in one insert per page."""

    @cached_property
    def personal_data(self):
        return _personal_data_test(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "personal_data": self.personal_data}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _log_reads(request, [nomination for nomination in page if self.personal_data(nomination)])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        nomination = self.get_object()
        if self.personal_data(nomination):
            _log_reads(request, [nomination])
        return Response(self.get_serializer(nomination).data)


@extend_schema(tags=TAGS)
class NominationViewSet(PersonalDataReadsMixin, viewsets.ReadOnlyModelViewSet):
    """Nominations you made, or before your commission (and those below it), or for events
    in your MIA territory, newest first; the detail adds evidence and the review's comments."""

    filterset_class = NominationFilter
    pagination_class = CreatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        visible = nominations_visible_to(self.request.user)
        if self.action == "retrieve":
            return _nomination_details(visible)
        return nomination_list(queryset=visible)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return NominationDetailOutputSerializer
        return NominationOutputSerializer


@extend_schema(tags=TAGS)
class AwardViewSet(PersonalDataReadsMixin, viewsets.ReadOnlyModelViewSet):
    """Decided awards (approved, paid, reversed) among the nominations you see, newest
    decision first."""

    serializer_class = NominationOutputSerializer
    filterset_class = AwardFilter
    pagination_class = DecidedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return award_list(queryset=nominations_visible_to(self.request.user))


@extend_schema(tags=TAGS, auth=[])
class AwardRegisterViewSet(viewsets.ReadOnlyModelViewSet):
    """The public register of awards, newest decision first: who (a citizen by name only
    with their consent), for what, what, when and where. No sign-in needed."""

    serializer_class = AwardRegisterOutputSerializer
    filterset_class = AwardRegisterFilter
    pagination_class = DecidedPagination
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return award_register_list(queryset=awards_public())


def _nomination_to_act_on(request, pk: int, *, check, message) -> Nomination:
    nomination = get_object_or_404(
        nominations_visible_to(request.user).select_related("commission"), pk=pk
    )
    _require(check(request.user, nomination), message)
    return nomination


def _without_hidden_duplicate(user, error: ApplicationError) -> ApplicationError:
    """The duplicate refusal names the earlier nomination; out of the caller's scope, only
    the fact that the case was nominated before is told."""
    earlier = error.extra.get("duplicate")
    if earlier is None or nominations_visible_to(user).filter(pk=earlier).exists():
        return error
    return ApplicationError(
        _("This person has already been nominated for this event and ground."),
        extra={"field": error.extra.get("field", "document_number")},
    )


class NominationSubmitApi(APIView):
    """Puts a citizen or an organisation forward for an incentive, with evidence files
    (multipart); it goes to the lowest commission whose cap covers the proposed amount."""

    @extend_schema_serializer(component_name="NominationSubmitInput")
    class InputSerializer(PlainTextInputSerializer):
        kind = nomination_kind_field()
        ground = _reference_field(IncentiveGround.objects.filter(is_active=True), GROUND_MESSAGES)
        gravity = gravity_field(
            required=False,
            allow_blank=True,
            default="",
            help_text=_("Needed when the ground depends on the gravity of the crime."),
        )
        facts = serializers.CharField(max_length=4000)
        event_date = serializers.DateField()
        mahalla = ScopedPrimaryKeyRelatedField(
            scope=nomination_mahallas,
            queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA),
            error_messages=MAHALLA_MESSAGES,
            help_text=_("Where it happened: a mahalla you may nominate for."),
        )
        proposed_amount = amount_field(
            required=False, default=0, help_text=_("So'm; 0 for an award in kind.")
        )
        organisation = _reference_field(
            organisations_public(),
            ORGANISATION_MESSAGES,
            required=False,
            allow_null=True,
            default=None,
            help_text=_("The organisation nominated, when the nominee is one."),
        )
        full_name = _text(200, help_text=_("The citizen nominated."))
        birth_date = serializers.DateField(required=False, allow_null=True, default=None)
        address = _text(300)
        document_number = _text(
            30, help_text=_("The citizen's identity document; needed for a citizen.")
        )
        phone = _text(32)
        consent_to_publish = serializers.BooleanField(
            required=False,
            default=False,
            help_text=_("The citizen agrees to be named in the public register."),
        )
        files = files_field()

    @extend_schema(
        operation_id="nomination_submit",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={201: NominationDetailOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        _require(
            can_nominate(request.user),
            _("Only inspectors, unit officers and the staff of organisations nominate."),
        )
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            nomination = nomination_submit(by=request.user, **data.validated_data)
        except ApplicationError as error:
            raise _without_hidden_duplicate(request.user, error) from None
        return _nomination_response(request, nomination.pk, status_code=status.HTTP_201_CREATED)


class NominationCommentApi(APIView):
    """A commission member's remark in the review of a nomination."""

    @extend_schema_serializer(component_name="NominationCommentInput")
    class InputSerializer(PlainTextInputSerializer):
        text = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="nomination_comment",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: NominationCommentOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        nomination = _nomination_to_act_on(
            request,
            pk,
            check=can_comment_nomination,
            message=_("Only members of the commission comment on its nominations."),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = nomination_comment_add(
            nomination=nomination, by=request.user, text=data.validated_data["text"]
        )
        return Response(
            NominationCommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED
        )


DECISIONS = [
    ("approve", _("Approve")),
    ("reduce", _("Approve a reduced amount")),
    ("reject", _("Reject")),
    ("forward", _("Forward to the commission above")),
]


class NominationDecideApi(APIView):
    """The commission's decision: approve (within the cap and the fund), reduce (an amount
    below the proposed one, with a reason), reject (with a reason) or forward it to the
    commission above. Approving and reducing take the type, amount, number and date."""

    @extend_schema_serializer(component_name="NominationDecideInput")
    class InputSerializer(PlainTextInputSerializer):
        decision = EnumChoiceField(choices=DECISIONS, enum_name="NominationDecisionEnum")
        incentive_type = _reference_field(
            IncentiveType.objects.all(),
            TYPE_MESSAGES,
            required=False,
            allow_null=True,
            default=None,
            help_text=_("For approve and reduce."),
        )
        amount = amount_field(
            required=False,
            allow_null=True,
            default=None,
            help_text=_("So'm, for approve and reduce."),
        )
        decision_number = _text(50, help_text=_("For approve and reduce."))
        decision_date = serializers.DateField(
            required=False,
            allow_null=True,
            default=None,
            help_text=_("For approve and reduce."),
        )
        reason = _text(2000, help_text=_("Needed to reduce or reject; optional to forward."))

    @extend_schema(
        operation_id="nomination_decide",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: NominationDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        nomination = _nomination_to_act_on(
            request,
            pk,
            check=can_decide_nomination,
            message=_("Only members of the commission (or of one above it) decide this."),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = nomination_decide(
            nomination=nomination, by=request.user, **data.validated_data
        )
        return _nomination_response(request, nomination.pk)


class NominationPayApi(APIView):
    """Records the payment (or the handing over) of an approved award."""

    @extend_schema_serializer(component_name="NominationPayInput")
    class InputSerializer(PlainTextInputSerializer):
        paid_on = serializers.DateField()
        reference = serializers.CharField(
            max_length=100, help_text=_("The payment order's number.")
        )

    @extend_schema(
        operation_id="nomination_pay",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: NominationDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        nomination = _nomination_to_act_on(
            request,
            pk,
            check=can_decide_nomination,
            message=_("Only members of the commission record its payments."),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = nomination_pay(
            nomination=nomination,
            by=request.user,
            paid_on=data.validated_data["paid_on"],
            reference=data.validated_data["reference"],
        )
        return _nomination_response(request, nomination.pk)


class NominationReverseApi(APIView):
    """Reverses a paid award, with the reason; its amount goes back to the fund."""

    @extend_schema_serializer(component_name="NominationReverseInput")
    class InputSerializer(PlainTextInputSerializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="nomination_reverse",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: NominationDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        nomination = _nomination_to_act_on(
            request,
            pk,
            check=can_decide_nomination,
            message=_("Only members of the commission reverse its awards."),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination = nomination_reverse(
            nomination=nomination, by=request.user, reason=data.validated_data["reason"]
        )
        return _nomination_response(request, nomination.pk)


class NominationEvidenceAddApi(APIView):
    """Adds evidence files (multipart) to a nomination under review: whoever nominated, or
    the commission."""

    @extend_schema_serializer(component_name="NominationEvidenceAddInput")
    class InputSerializer(PlainTextInputSerializer):
        files = serializers.ListField(
            child=UploadField(),
            min_length=1,
            max_length=MAX_FILES,
            help_text=_("Photos (JPEG, PNG, WebP) or PDF documents; checked by their content."),
        )

    @extend_schema(
        operation_id="nomination_evidence_add",
        tags=TAGS,
        request={"multipart/form-data": InputSerializer},
        responses={
            201: NominationDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        nomination = _nomination_to_act_on(
            request,
            pk,
            check=can_add_nomination_evidence,
            message=_("Only whoever nominated and the commission add evidence."),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nomination_evidence_add(
            nomination=nomination, by=request.user, files=data.validated_data["files"]
        )
        return _nomination_response(request, nomination.pk, status_code=status.HTTP_201_CREATED)


class NominationEvidenceFileApi(APIView):
    """Downloads an evidence file of a nomination you see."""

    @extend_schema(operation_id="nomination_evidence_file", tags=TAGS, responses=FILE_RESPONSES)
    def get(self, request, pk: int, file_pk: int):
        nomination = get_object_or_404(
            nomination_list(queryset=nominations_visible_to(request.user)), pk=pk
        )
        if not can_see_nomination_evidence(request.user, nomination):
            raise Http404
        evidence = get_object_or_404(
            NominationEvidence.objects.filter(nomination=nomination), pk=file_pk
        )
        return _download(evidence.file, evidence.content_type, f"nomination-{pk}-{file_pk}")


# --- Social protection ----------------------------------------------------------------------


@extend_schema(tags=TAGS)
class SocialCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Social protection cases of citizens harmed while helping, before your commission or
    in your MIA territory, newest first. Personal data: every read is logged."""

    serializer_class = SocialCaseOutputSerializer
    filterset_class = SocialCaseFilter
    pagination_class = CreatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return social_case_list(queryset=social_cases_visible_to(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _log_reads(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        _log_reads(request, [case])
        return Response(self.get_serializer(case).data)


class SocialCaseOpenApi(APIView):
    """Opens the case of a citizen harmed while helping the internal affairs bodies, before
    the lowest commission over the mahalla (MIA users and commission members)."""

    @extend_schema_serializer(component_name="SocialCaseOpenInput")
    class InputSerializer(PlainTextInputSerializer):
        full_name = serializers.CharField(max_length=200)
        document_number = serializers.CharField(max_length=30)
        mahalla = ScopedPrimaryKeyRelatedField(
            scope=social_case_mahallas,
            queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA),
            error_messages=MAHALLA_MESSAGES,
            help_text=_("Where it happened: a mahalla of your territory."),
        )
        event_date = serializers.DateField()
        harm = serializers.CharField(max_length=4000)
        birth_date = serializers.DateField(required=False, allow_null=True, default=None)
        address = _text(300)
        phone = _text(32)
        nomination = ScopedPrimaryKeyRelatedField(
            scope=nominations_visible_to,
            queryset=Nomination.objects.all(),
            required=False,
            allow_null=True,
            default=None,
            error_messages=NOMINATION_MESSAGES,
            help_text=_("The nomination for the same help, if there is one."),
        )

    @extend_schema(
        operation_id="social_case_open",
        tags=TAGS,
        request=InputSerializer,
        responses={201: SocialCaseOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        _require(
            can_open_social_case(request.user),
            _("Only MIA officers, inspectors and commission members open these cases."),
        )
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        case = social_case_open(by=request.user, **data.validated_data)
        return _social_case_response(request, case.pk, status_code=status.HTTP_201_CREATED)


def _case_to_act_on(request, pk: int, message) -> SocialProtectionCase:
    case = get_object_or_404(
        social_cases_visible_to(request.user).select_related("commission"), pk=pk
    )
    _require(can_decide_social_case(request.user, case), message)
    return case


SOCIAL_DECISIONS = [
    ("support", _("Give support")),
    ("reject", _("Refuse")),
]


class SocialCaseDecideApi(APIView):
    """The commission decides the support (money comes out of its fund of the decision's
    year) or refuses it, with the reason."""

    @extend_schema_serializer(component_name="SocialCaseDecideInput")
    class InputSerializer(PlainTextInputSerializer):
        decision = EnumChoiceField(choices=SOCIAL_DECISIONS, enum_name="SocialCaseDecisionEnum")
        support = support_field(required=False, help_text=_("To give support."))
        amount = amount_field(
            required=False, default=0, help_text=_("So'm; 0 for support in kind.")
        )
        decision_number = _text(50, help_text=_("To give support."))
        decision_date = serializers.DateField(required=False, help_text=_("To give support."))
        details = _text(2000, help_text=_("Details of the support."))
        reason = _text(2000, help_text=_("Needed to refuse."))

        def validate(self, attrs):
            if attrs["decision"] == "support":
                missing = {
                    "support": _("Choose the support."),
                    "decision_date": _("Give the decision date."),
                }
                errors = {field: msg for field, msg in missing.items() if field not in attrs}
                if errors:
                    raise serializers.ValidationError(errors)
            return attrs

    @extend_schema(
        operation_id="social_case_decide",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: SocialCaseOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        case = _case_to_act_on(
            request, pk, _("Only members of the commission (or of one above it) decide this.")
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = social_case_settle(case=case, by=request.user, **data.validated_data)
        return _social_case_response(request, case.pk)


class SocialCasePayApi(APIView):
    """Records that the decided support was paid or provided."""

    @extend_schema_serializer(component_name="SocialCasePayInput")
    class InputSerializer(NominationPayApi.InputSerializer):
        pass

    @extend_schema(
        operation_id="social_case_pay",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: SocialCaseOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        case = _case_to_act_on(request, pk, _("Only members of the commission record payments."))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = social_case_pay(
            case=case,
            by=request.user,
            paid_on=data.validated_data["paid_on"],
            reference=data.validated_data["reference"],
        )
        return _social_case_response(request, case.pk)
