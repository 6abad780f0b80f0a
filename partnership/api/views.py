"""REST API of the partnership (STYLE.md §5): read-only viewsets scoped by
partnership.permissions, and one APIView per write, each calling one service.

Objects are fetched through the caller's scope, so one out of scope answers 404 like one that
does not exist; an object in scope that the caller may not change answers 403. Business rules
live in partnership.services, whose refusals answer 400 with the message (and the field) the
service gives.
"""

import filetype
from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.models import ORGANISATION_ROLES, Membership, Notification, Role
from accounts.permissions import has_role, organisation_ids
from accounts.services import notifications_mark_read
from core.pagination import CursorPagination
from core.serializers import PlainTextInputSerializer
from core.uploads import ALLOWED_TYPES, stored_file_response
from mahalla.models import Territory
from partnership.api.serializers import (
    ActivityOutputSerializer,
    AgreementDetailOutputSerializer,
    AgreementOutputSerializer,
    InformationRequestOutputSerializer,
    NotificationOutputSerializer,
    ObligationOutputSerializer,
    OrganisationApplicationOutputSerializer,
    OrganisationOutputSerializer,
    RegistryAgreementOutputSerializer,
    StaffMembershipOutputSerializer,
    activity_kind_field,
    agreement_status_field,
    obligation_party_field,
    organisation_kind_field,
    request_direction_field,
    staff_role_field,
)
from partnership.filters import (
    ActivityFilter,
    AgreementFilter,
    NotificationFilter,
    ObligationFilter,
    OrganisationFilter,
    RegistryFilter,
    RequestFilter,
)
from partnership.models import (
    ActivityEvidence,
    Agreement,
    AgreementDocument,
    InformationRequest,
    JointActivity,
    Organisation,
    PartnershipArea,
    RequestAttachment,
)
from partnership.permissions import (
    activities_visible_to,
    acts_for_organisation,
    agreements_public,
    agreements_visible_to,
    can_act_for_unit,
    can_answer_request,
    can_edit_agreement,
    can_manage_staff,
    can_review_activity,
    can_verify_organisation,
    obligations_visible_to,
    organisations_visible_to,
    requests_visible_to,
    takes_part_in_partnership,
)
from partnership.selectors import (
    activity_list,
    agreement_detail,
    agreement_list,
    organisation_list,
    request_list,
)
from partnership.services import (
    activity_log,
    activity_review,
    activity_update,
    agreement_create,
    agreement_transition,
    obligation_add,
    obligation_complete,
    organisation_apply,
    organisation_verify,
    request_answer,
    request_create,
    staff_deactivate,
    staff_invite,
)
from prevention.api.serializers import ScopedPrimaryKeyRelatedField
from prevention.models import Unit

TAGS = ["partnership"]
# Ids in URLs are numbers, so "agreements/create/" never reads as the detail of "create".
ID_REGEX = r"[0-9]+"
MAX_FILES = 10

BAD_INPUT = OpenApiResponse(description=_("Invalid input or a business rule refused it."))
FORBIDDEN = OpenApiResponse(description=_("You may not do this."))
NOT_FOUND = OpenApiResponse(description=_("No such object in your scope."))


# --- Pagination -----------------------------------------------------------------------------
# Each ordering matches its selector's and ends in the id, so pages never skip or repeat a row.


class OrganisationPagination(CursorPagination):
    ordering = ("name", "id")


class AgreementPagination(CursorPagination):
    ordering = ("-valid_from", "-id")


class ObligationPagination(CursorPagination):
    ordering = ("due_date", "id")


class DatedPagination(CursorPagination):
    ordering = ("-date", "-id")


class CreatedPagination(CursorPagination):
    ordering = ("-created_at", "-id")


# --- Scopes and shared input fields ---------------------------------------------------------


def _obligation_list(queryset):
    return queryset.select_related("agreement", "organisation").order_by("due_date", "id")


def _own_organisations(user):
    """The organisations the user works for (staff or administrator)."""
    return Organisation.objects.filter(pk__in=organisation_ids(user, roles=ORGANISATION_ROLES))


def _staff_memberships_visible_to(user):
    """Current staff memberships of the organisations the user sees."""
    today = timezone.localdate()
    return Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        organisation__in=organisations_visible_to(user),
    )


def _activities(user):
    return activity_list(queryset=activities_visible_to(user)).prefetch_related("evidence")


def _requests(user):
    return request_list(queryset=requests_visible_to(user)).prefetch_related("attachments")


def _agreement_detail(user):
    return agreement_detail(queryset=agreements_visible_to(user))


ORGANISATION_ID_MESSAGES = {
    "does_not_exist": _("There is no organisation with id {pk_value} for you."),
    "incorrect_type": _("An organisation is given by its numeric id."),
}


def unit_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        error_messages={
            "does_not_exist": _("There is no MIA unit with id {pk_value}."),
            "incorrect_type": _("An MIA unit is given by its numeric id."),
        },
        **kwargs,
    )


def areas_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=PartnershipArea.objects.filter(is_active=True),
        many=True,
        required=False,
        error_messages={
            "does_not_exist": _("There is no area of partnership with id {pk_value}."),
            "incorrect_type": _("An area of partnership is given by its numeric id."),
        },
        **kwargs,
    )


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """An uploaded file, documented as the file's bytes in a multipart request."""


def files_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=UploadField(),
        required=False,
        max_length=MAX_FILES,
        help_text=_("Photos (JPEG, PNG, WebP) or PDF documents; checked by their content."),
        **kwargs,
    )


class AgreementOrganisationField(serializers.PrimaryKeyRelatedField):
    """One of the parties of the agreement in the serializer's context (the queryset given
    only names the model, for the schema)."""

    def get_queryset(self):
        return self.context["agreement"].organisations.all()


def _require(condition: bool, message=None) -> None:
    if not condition:
        raise PermissionDenied(message)


# --- Reads ----------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations: your own, or those registered in your MIA territory."""

    serializer_class = OrganisationOutputSerializer
    filterset_class = OrganisationFilter
    pagination_class = OrganisationPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return organisation_list(queryset=organisations_visible_to(self.request.user))


@extend_schema(tags=TAGS)
class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Agreements of your organisations, or of the MIA units in your territory; the detail
    adds obligations and documents."""

    filterset_class = AgreementFilter
    pagination_class = AgreementPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if self.action == "retrieve":
            return _agreement_detail(self.request.user)
        return agreement_list(queryset=agreements_visible_to(self.request.user))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgreementDetailOutputSerializer
        return AgreementOutputSerializer


@extend_schema(tags=TAGS)
class ObligationViewSet(viewsets.ReadOnlyModelViewSet):
    """Obligations of the agreements you see, earliest due first."""

    serializer_class = ObligationOutputSerializer
    filterset_class = ObligationFilter
    pagination_class = ObligationPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return _obligation_list(obligations_visible_to(self.request.user))


@extend_schema(tags=TAGS)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Joint activities of your organisations, or held in (or with a unit of) your MIA
    territory, newest first, with their evidence files."""

    serializer_class = ActivityOutputSerializer
    filterset_class = ActivityFilter
    pagination_class = DatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return _activities(self.request.user)


@extend_schema(tags=TAGS)
class InformationRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Information requests between your organisations or MIA units and the other side."""

    serializer_class = InformationRequestOutputSerializer
    filterset_class = RequestFilter
    pagination_class = CreatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return _requests(self.request.user)


@extend_schema(tags=TAGS)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own notifications, newest first, in your language."""

    serializer_class = NotificationOutputSerializer
    filterset_class = NotificationFilter
    pagination_class = CreatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Notification.objects.filter(user_id=self.request.user.pk)


@extend_schema(tags=TAGS, auth=[])
class RegistryViewSet(viewsets.ReadOnlyModelViewSet):
    """The public registry of agreements: active agreements their parties made public.
    No sign-in needed."""

    serializer_class = RegistryAgreementOutputSerializer
    filterset_class = RegistryFilter
    pagination_class = AgreementPagination
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return agreement_list(queryset=agreements_public())


# --- Organisations and staff ----------------------------------------------------------------


class OrganisationApplyThrottle(AnonRateThrottle):
    """Applications per client address, at settings.ORGANISATION_APPLY_RATE (10 an hour)."""

    scope = "organisation_apply"

    def get_rate(self):
        return getattr(settings, "ORGANISATION_APPLY_RATE", "10/hour")


class OrganisationApplyApi(APIView):
    """A civil society institution applies to join the portal; an MIA officer of its
    territory verifies it, and the applicant is then invited as its administrator."""

    # Public by design: every client is counted by address, signed in or not.
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [OrganisationApplyThrottle]

    @extend_schema_serializer(component_name="OrganisationApplyInput")
    class InputSerializer(PlainTextInputSerializer):
        name = serializers.CharField(max_length=300)
        kind = organisation_kind_field()
        registration_number = serializers.CharField(max_length=50)
        territory = serializers.PrimaryKeyRelatedField(
            queryset=Territory.objects.exclude(kind=Territory.Kind.COUNTRY),
            error_messages={
                "does_not_exist": _("There is no region, district or mahalla with id {pk_value}."),
                "incorrect_type": _("A territory is given by its numeric id."),
            },
            help_text=_("Where the organisation is registered: a region, district or mahalla."),
        )
        areas = areas_field()
        address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        website = serializers.URLField(required=False, allow_blank=True)
        applicant_name = serializers.CharField(max_length=200)
        applicant_email = serializers.EmailField(
            help_text=_("The applicant is invited here as the organisation's administrator.")
        )

    @extend_schema(
        operation_id="organisation_apply",
        tags=TAGS,
        auth=[],
        request=InputSerializer,
        responses={
            201: OrganisationApplicationOutputSerializer,
            400: BAD_INPUT,
            429: OpenApiResponse(description=_("Too many applications from this address.")),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_apply(**data.validated_data)
        return Response(
            OrganisationApplicationOutputSerializer(organisation).data,
            status=status.HTTP_201_CREATED,
        )


class OrganisationVerifyApi(APIView):
    """Verifies (approve) or rejects an application (unit officers above its territory)."""

    @extend_schema_serializer(component_name="OrganisationVerifyInput")
    class InputSerializer(PlainTextInputSerializer):
        approve = serializers.BooleanField(help_text=_("True verifies, false rejects."))

    @extend_schema(
        operation_id="organisation_verify",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: OrganisationOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        organisation = get_object_or_404(
            organisations_visible_to(request.user).select_related("territory"), pk=pk
        )
        _require(can_verify_organisation(request.user, organisation))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = organisation_verify(
            organisation=organisation, approve=data.validated_data["approve"], by=request.user
        )
        organisation = organisation_list(queryset=organisations_visible_to(request.user)).get(
            pk=organisation.pk
        )
        return Response(OrganisationOutputSerializer(organisation).data)


class StaffInviteApi(APIView):
    """Opens a staff account of the organisation and e-mails the person a link to set their
    password (the organisation's administrators)."""

    @extend_schema_serializer(component_name="StaffInviteInput")
    class InputSerializer(PlainTextInputSerializer):
        email = serializers.EmailField()
        full_name = serializers.CharField(max_length=200)
        role = staff_role_field(default=Role.NGO_STAFF)

    @extend_schema(
        operation_id="staff_invite",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: StaffMembershipOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        organisation = get_object_or_404(organisations_visible_to(request.user), pk=pk)
        _require(can_manage_staff(request.user, organisation))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = staff_invite(organisation=organisation, by=request.user, **data.validated_data)
        return Response(
            StaffMembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED
        )


class StaffDeactivateApi(APIView):
    """Ends a current staff membership (the organisation's administrators); an account left
    with no role can no longer sign in."""

    @extend_schema(
        operation_id="staff_deactivate",
        tags=TAGS,
        request=None,
        responses={
            200: StaffMembershipOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        membership = get_object_or_404(
            _staff_memberships_visible_to(request.user).select_related("organisation", "user"),
            pk=pk,
        )
        _require(can_manage_staff(request.user, membership.organisation))
        membership = staff_deactivate(membership=membership, by=request.user)
        return Response(StaffMembershipOutputSerializer(membership).data)


# --- Agreements and obligations -------------------------------------------------------------


class AgreementCreateApi(APIView):
    """Drafts a memorandum between organisations and an MIA unit, with its documents
    (multipart). You act for the unit or for one of the organisations."""

    @extend_schema_serializer(component_name="AgreementCreateInput")
    class InputSerializer(PlainTextInputSerializer):
        number = serializers.CharField(max_length=50)
        title = serializers.CharField(max_length=300)
        unit = unit_field()
        organisations = ScopedPrimaryKeyRelatedField(
            scope=organisations_visible_to,
            queryset=Organisation.objects.all(),
            many=True,
            allow_empty=False,
            error_messages=ORGANISATION_ID_MESSAGES,
        )
        areas = areas_field()
        valid_from = serializers.DateField()
        valid_to = serializers.DateField()
        signed_on = serializers.DateField(required=False, allow_null=True)
        is_public = serializers.BooleanField(
            required=False, default=False, help_text=_("Listed in the public registry.")
        )
        documents = files_field()

    @extend_schema(
        operation_id="agreement_create",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={201: AgreementDetailOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        _require(takes_part_in_partnership(request.user))
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _require(
            can_act_for_unit(request.user, values["unit"])
            or any(acts_for_organisation(request.user, org) for org in values["organisations"]),
            _("You act neither for the MIA unit nor for one of the organisations."),
        )
        agreement = agreement_create(by=request.user, **values)
        agreement = _agreement_detail(request.user).get(pk=agreement.pk)
        return Response(
            AgreementDetailOutputSerializer(agreement, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AgreementTransitionApi(APIView):
    """Moves an agreement along draft → proposed → active → terminated (its parties; only
    the unit's officers sign it active)."""

    @extend_schema_serializer(component_name="AgreementTransitionInput")
    class InputSerializer(PlainTextInputSerializer):
        status = agreement_status_field(help_text=_("The status to move to."))

    @extend_schema(
        operation_id="agreement_transition",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: AgreementDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        agreement = get_object_or_404(
            agreements_visible_to(request.user).select_related("unit__territory"), pk=pk
        )
        _require(can_edit_agreement(request.user, agreement))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_transition(
            agreement=agreement, status=data.validated_data["status"], by=request.user
        )
        agreement = _agreement_detail(request.user).get(pk=agreement.pk)
        return Response(
            AgreementDetailOutputSerializer(agreement, context={"request": request}).data
        )


class ObligationAddApi(APIView):
    """Adds an obligation to an agreement (its parties)."""

    @extend_schema_serializer(component_name="ObligationAddInput")
    class InputSerializer(PlainTextInputSerializer):
        text = serializers.CharField(max_length=2000)
        party = obligation_party_field()
        organisation = AgreementOrganisationField(
            queryset=Organisation.objects.all(),
            required=False,
            allow_null=True,
            error_messages={
                "does_not_exist": _("Organisation {pk_value} is not a party to this agreement."),
                "incorrect_type": _("An organisation is given by its numeric id."),
            },
            help_text=_("The responsible organisation, when the party is an organisation."),
        )
        due_date = serializers.DateField()

    @extend_schema(
        operation_id="obligation_add",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: ObligationOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        agreement = get_object_or_404(
            agreements_visible_to(request.user).select_related("unit__territory"), pk=pk
        )
        _require(can_edit_agreement(request.user, agreement))
        data = self.InputSerializer(data=request.data, context={"agreement": agreement})
        data.is_valid(raise_exception=True)
        obligation = obligation_add(agreement=agreement, **data.validated_data)
        obligation = _obligation_list(obligations_visible_to(request.user)).get(pk=obligation.pk)
        return Response(
            ObligationOutputSerializer(obligation, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ObligationCompleteApi(APIView):
    """Marks an obligation done with its evidence: a description, a file (multipart), or
    both (the agreement's parties)."""

    @extend_schema_serializer(component_name="ObligationCompleteInput")
    class InputSerializer(PlainTextInputSerializer):
        evidence = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        evidence_file = UploadField(required=False, allow_null=True)

    @extend_schema(
        operation_id="obligation_complete",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={
            200: ObligationOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        obligation = get_object_or_404(
            obligations_visible_to(request.user).select_related("agreement__unit__territory"),
            pk=pk,
        )
        _require(can_edit_agreement(request.user, obligation.agreement))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obligation = obligation_complete(
            obligation=obligation,
            evidence=data.validated_data.get("evidence", ""),
            evidence_file=data.validated_data.get("evidence_file"),
        )
        obligation = _obligation_list(obligations_visible_to(request.user)).get(pk=obligation.pk)
        return Response(ObligationOutputSerializer(obligation, context={"request": request}).data)


# --- Joint activities -----------------------------------------------------------------------


def _participants_field(label) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, default=0, help_text=label
    )


class ActivityLogApi(APIView):
    """NGO staff log a joint activity with its evidence files (multipart); it waits for the
    MIA counterpart's confirmation."""

    @extend_schema_serializer(component_name="ActivityLogInput")
    class InputSerializer(PlainTextInputSerializer):
        organisation = ScopedPrimaryKeyRelatedField(
            scope=_own_organisations,
            queryset=Organisation.objects.all(),
            required=False,
            error_messages=ORGANISATION_ID_MESSAGES,
            help_text=_("Needed only when you work for several organisations."),
        )
        agreement = ScopedPrimaryKeyRelatedField(
            scope=agreements_visible_to,
            queryset=Agreement.objects.all(),
            required=False,
            allow_null=True,
            error_messages={
                "does_not_exist": _("There is no agreement with id {pk_value} for you."),
                "incorrect_type": _("An agreement is given by its numeric id."),
            },
        )
        unit = unit_field(help_text=_("The MIA counterpart who confirms the activity."))
        place = serializers.PrimaryKeyRelatedField(
            queryset=Territory.objects.filter(
                kind__in=[Territory.Kind.MAHALLA, Territory.Kind.DISTRICT]
            ),
            error_messages={
                "does_not_exist": _("There is no mahalla or district with id {pk_value}."),
                "incorrect_type": _("A mahalla or district is given by its numeric id."),
            },
        )
        kind = activity_kind_field()
        date = serializers.DateField()
        participants_youth = _participants_field(_("Young people taking part."))
        participants_women = _participants_field(_("Women taking part."))
        participants_minors = _participants_field(_("Minors taking part."))
        participants_others = _participants_field(_("Others taking part."))
        description = serializers.CharField(max_length=4000)
        outcome = serializers.CharField(max_length=4000, required=False, allow_blank=True)
        files = files_field()

        def validate(self, attrs):
            if "organisation" not in attrs:
                own = list(_own_organisations(self.context["request"].user)[:2])
                if len(own) != 1:
                    raise serializers.ValidationError(
                        {"organisation": _("Choose the organisation you log the activity for.")}
                    )
                attrs["organisation"] = own[0]
            return attrs

    @extend_schema(
        operation_id="activity_log",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={201: ActivityOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        _require(
            has_role(request.user, *ORGANISATION_ROLES),
            _("Only the staff of an organisation log joint activities."),
        )
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        activity = activity_log(by=request.user, **data.validated_data)
        activity = _activities(request.user).get(pk=activity.pk)
        return Response(
            ActivityOutputSerializer(activity, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ActivityUpdateApi(APIView):
    """Corrects an activity not yet confirmed, or adds evidence to it (the organisation's
    staff); a disputed activity goes back for confirmation."""

    @extend_schema_serializer(component_name="ActivityUpdateInput")
    class InputSerializer(ActivityLogApi.InputSerializer):
        organisation = None

        def validate(self, attrs):
            return attrs

    @extend_schema(
        operation_id="activity_update",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={
            200: ActivityOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request, pk: int):
        activity = get_object_or_404(
            activities_visible_to(request.user).select_related("organisation"), pk=pk
        )
        _require(acts_for_organisation(request.user, activity.organisation))
        data = self.InputSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        activity = activity_update(activity=activity, by=request.user, **data.validated_data)
        activity = _activities(request.user).get(pk=activity.pk)
        return Response(ActivityOutputSerializer(activity, context={"request": request}).data)


def _activity_for_review(request, pk: int) -> JointActivity:
    """An activity in the caller's scope that the caller is the MIA counterpart of."""
    activity = get_object_or_404(
        activities_visible_to(request.user).select_related("unit__territory", "place"), pk=pk
    )
    _require(
        can_review_activity(request.user, activity),
        _("Only the named MIA counterpart confirms or disputes this activity."),
    )
    return activity


def _reviewed(request, activity: JointActivity) -> Response:
    activity = _activities(request.user).get(pk=activity.pk)
    return Response(ActivityOutputSerializer(activity, context={"request": request}).data)


class ActivityConfirmApi(APIView):
    """The MIA counterpart (officers over the unit, the mahalla's inspectors) confirms that
    the activity took place as logged; only confirmed activities count in indicators."""

    @extend_schema(
        operation_id="activity_confirm",
        tags=TAGS,
        request=None,
        responses={
            200: ActivityOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        activity = _activity_for_review(request, pk)
        activity = activity_review(activity=activity, by=request.user, confirm=True)
        return _reviewed(request, activity)


class ActivityDisputeApi(APIView):
    """The MIA counterpart disputes the activity, saying why; the organisation may correct
    it and submit it again."""

    @extend_schema_serializer(component_name="ActivityDisputeInput")
    class InputSerializer(PlainTextInputSerializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        operation_id="activity_dispute",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: ActivityOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        activity = _activity_for_review(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = activity_review(
            activity=activity, by=request.user, confirm=False, reason=data.validated_data["reason"]
        )
        return _reviewed(request, activity)


# --- Information requests -------------------------------------------------------------------


def _speaks_for_sender(user, *, direction: str, organisation, unit) -> bool:
    """The sender's side: the organisation's staff, or the unit's officers."""
    if direction == InformationRequest.Direction.TO_UNIT:
        return acts_for_organisation(user, organisation)
    return can_act_for_unit(user, unit)


class RequestCreateApi(APIView):
    """Sends an information request: from an organisation to an MIA unit or the other way
    round, with attachments (multipart). The answer is due in 15 working days unless a date
    is given."""

    @extend_schema_serializer(component_name="RequestCreateInput")
    class InputSerializer(PlainTextInputSerializer):
        direction = request_direction_field()
        organisation = ScopedPrimaryKeyRelatedField(
            scope=organisations_visible_to,
            queryset=Organisation.objects.all(),
            error_messages=ORGANISATION_ID_MESSAGES,
        )
        unit = unit_field()
        subject = serializers.CharField(max_length=300)
        text = serializers.CharField(max_length=4000)
        due_date = serializers.DateField(
            required=False,
            allow_null=True,
            help_text=_("15 working days from today when not given."),
        )
        files = files_field()

    @extend_schema(
        operation_id="request_create",
        tags=TAGS,
        request={
            "multipart/form-data": InputSerializer,
            "application/json": InputSerializer,
        },
        responses={201: InformationRequestOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        _require(takes_part_in_partnership(request.user))
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _require(
            _speaks_for_sender(
                request.user,
                direction=values["direction"],
                organisation=values["organisation"],
                unit=values["unit"],
            ),
            _("You do not speak for the sending side of this request."),
        )
        information_request = request_create(by=request.user, **values)
        information_request = _requests(request.user).get(pk=information_request.pk)
        return Response(
            InformationRequestOutputSerializer(
                information_request, context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class RequestAnswerApi(APIView):
    """Answers an information request (the side it was sent to)."""

    @extend_schema_serializer(component_name="RequestAnswerInput")
    class InputSerializer(PlainTextInputSerializer):
        answer = serializers.CharField(max_length=4000)

    @extend_schema(
        operation_id="request_answer",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: InformationRequestOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        information_request = get_object_or_404(
            requests_visible_to(request.user).select_related("unit__territory", "organisation"),
            pk=pk,
        )
        _require(can_answer_request(request.user, information_request))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        information_request = request_answer(
            request=information_request, answer=data.validated_data["answer"], by=request.user
        )
        information_request = _requests(request.user).get(pk=information_request.pk)
        return Response(
            InformationRequestOutputSerializer(
                information_request, context={"request": request}
            ).data
        )


# --- Files ----------------------------------------------------------------------------------
# Uploads are served only through these views, within the caller's scope: the media folder is
# not public.

FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description=_("The file, as a photo or a PDF document.")
    ),
    404: NOT_FOUND,
}


def _download(file_field, content_type: str, name: str) -> FileResponse:
    """The stored file as a download, named after the record with the extension of its
    checked content (never the uploader's name)."""
    extension = ALLOWED_TYPES.get(content_type, "")
    return stored_file_response(
        file_field, content_type=content_type, filename=f"{name}{extension}"
    )


class ActivityEvidenceFileApi(APIView):
    """Downloads an evidence file of a joint activity you see."""

    @extend_schema(operation_id="activity_evidence_file", tags=TAGS, responses=FILE_RESPONSES)
    def get(self, request, pk: int, file_pk: int):
        evidence = get_object_or_404(
            ActivityEvidence.objects.filter(activity__in=activities_visible_to(request.user)),
            activity_id=pk,
            pk=file_pk,
        )
        return _download(evidence.file, evidence.content_type, f"activity-{pk}-{file_pk}")


class AgreementDocumentFileApi(APIView):
    """Downloads a document of an agreement you see."""

    @extend_schema(operation_id="agreement_document_file", tags=TAGS, responses=FILE_RESPONSES)
    def get(self, request, pk: int, file_pk: int):
        document = get_object_or_404(
            AgreementDocument.objects.filter(agreement__in=agreements_visible_to(request.user)),
            agreement_id=pk,
            pk=file_pk,
        )
        return _download(document.file, document.content_type, f"agreement-{pk}-{file_pk}")


class ObligationEvidenceFileApi(APIView):
    """Downloads the evidence file of an obligation you see."""

    @extend_schema(operation_id="obligation_evidence_file", tags=TAGS, responses=FILE_RESPONSES)
    def get(self, request, pk: int):
        obligation = get_object_or_404(obligations_visible_to(request.user), pk=pk)
        if not obligation.evidence_file:
            raise Http404
        # Checked at upload by core.uploads.upload_check; its type is read again here.
        content_type = _content_type_of(obligation.evidence_file)
        return _download(obligation.evidence_file, content_type, f"obligation-{pk}")


class RequestAttachmentFileApi(APIView):
    """Downloads an attachment of an information request you see."""

    @extend_schema(operation_id="request_attachment_file", tags=TAGS, responses=FILE_RESPONSES)
    def get(self, request, pk: int, file_pk: int):
        attachment = get_object_or_404(
            RequestAttachment.objects.filter(request__in=requests_visible_to(request.user)),
            request_id=pk,
            pk=file_pk,
        )
        return _download(attachment.file, attachment.content_type, f"request-{pk}-{file_pk}")


def _content_type_of(file_field) -> str:
    """An obligation keeps no content type of its file: read from its first bytes."""
    try:
        with file_field.open("rb") as handle:
            kind = filetype.guess(handle.read(2048))
    except FileNotFoundError:
        raise Http404 from None
    mime = kind.mime if kind is not None else ""
    return mime if mime in ALLOWED_TYPES else "application/octet-stream"


# --- Notifications --------------------------------------------------------------------------


class NotificationsMarkReadApi(APIView):
    """Marks your notifications read: the ones given, or all of them."""

    @extend_schema_serializer(component_name="NotificationsMarkReadInput")
    class InputSerializer(PlainTextInputSerializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            max_length=500,
            help_text=_("Your notifications to mark; all of them when not given."),
        )

    @extend_schema(
        operation_id="notifications_mark_read",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "NotificationsMarkReadOutput",
                {"marked": serializers.IntegerField(help_text=_("Notifications marked now."))},
            ),
            400: BAD_INPUT,
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked})
