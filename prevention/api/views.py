"""REST API of the prevention service (STYLE.md §5): read-only viewsets scoped by
prevention.permissions, and one APIView per write, each calling one service."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.services import personal_data_reads_log
from core.pagination import CursorPagination
from core.serializers import PlainTextInputSerializer
from mahalla.models import Territory
from prevention.api.serializers import (
    FeedbackOutputSerializer,
    InspectorOutputSerializer,
    MeetingOutputSerializer,
    MeetingQuestionOutputSerializer,
    PreventionRecordOutputSerializer,
    RegisterEntryOutputSerializer,
    ScopedPrimaryKeyRelatedField,
    UnitOutputSerializer,
    mahalla_field,
    organisation_field,
    question_state_field,
    record_kind_field,
    record_measure_field,
)
from prevention.filters import MeetingFilter, PreventionRecordFilter, RegisterEntryFilter
from prevention.models import (
    AccountabilityMeeting,
    MeetingQuestion,
    RegisterCategory,
    RegisterEntry,
    Unit,
)
from prevention.permissions import (
    can_edit_meeting,
    can_edit_record,
    can_edit_register_entry,
    can_file_records,
    can_moderate_feedback,
    feedback_visible_to,
    inspector_of,
    inspectors_visible_to,
    meetings_visible_to,
    records_visible_to,
    register_entries_visible_to,
    units_visible_to,
)
from prevention.selectors import (
    inspector_list,
    meeting_list,
    record_list,
    register_entry_list,
    unit_list,
)
from prevention.services import (
    feedback_moderate,
    feedback_submit,
    meeting_record_held,
    meeting_schedule,
    question_add,
    question_update,
    record_create,
    record_update,
    register_entry_create,
    register_entry_update,
)

TAGS = ["prevention"]
# Ids in URLs are numbers, so "records/create/" never reads as the detail of record "create".
ID_REGEX = r"[0-9]+"

BAD_INPUT = OpenApiResponse(description=_("Invalid input or a business rule refused it."))
FORBIDDEN = OpenApiResponse(description=_("You may not do this."))
NOT_FOUND = OpenApiResponse(description=_("No such object in your territory."))


# --- Pagination -----------------------------------------------------------------------------
# Each ordering matches its selector's (where a cursor can follow it) and is unique, ending in
# the id where the first field is not, so pages never skip or repeat a row.


class UnitPagination(CursorPagination):
    ordering = "code"


class InspectorPagination(CursorPagination):
    # The selector orders by surname, which a cursor cannot follow across a join.
    ordering = "id"


class DatedPagination(CursorPagination):
    ordering = ("-date", "-id")


class RegisterEntryPagination(CursorPagination):
    ordering = ("-registered_on", "-id")


class FeedbackPagination(CursorPagination):
    ordering = ("-created_at", "-id")


# --- Helpers --------------------------------------------------------------------------------


def _meetings_with_questions(user):
    return meeting_list(queryset=meetings_visible_to(user)).prefetch_related("questions")


def _log_register_reads(request, entries) -> None:
    personal_data_reads_log(
        user=request.user, objects=entries, territory_of=lambda e: e.mahalla_id, via="api"
    )


def _inspector_or_403(user):
    """The caller's inspector profile; filing records, entries and meetings is theirs alone."""
    if not can_file_records(user):
        raise PermissionDenied(_("Only a prevention inspector can do this."))
    return inspector_of(user)


# --- Reads ----------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of the MIA crime-prevention structure. Public: no sign-in needed."""

    serializer_class = UnitOutputSerializer
    pagination_class = UnitPagination
    permission_classes = [permissions.AllowAny]
    filterset_fields = ["kind", "territory", "parent"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return unit_list(queryset=units_visible_to(self.request.user)).prefetch_related("mahallas")


@extend_schema(tags=TAGS)
class InspectorViewSet(viewsets.ReadOnlyModelViewSet):
    """Prevention inspectors whose posts lie in your MIA territory."""

    serializer_class = InspectorOutputSerializer
    pagination_class = InspectorPagination
    filterset_fields = ["post", "grade", "is_active"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return inspector_list(queryset=inspectors_visible_to(self.request.user))


@extend_schema(tags=TAGS)
class PreventionRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Prevention records of the mahallas in your MIA territory, newest first."""

    serializer_class = PreventionRecordOutputSerializer
    filterset_class = PreventionRecordFilter
    pagination_class = DatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return record_list(queryset=records_visible_to(self.request.user))


@extend_schema(tags=TAGS)
class RegisterEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The prevention register of your MIA territory. Personal data: every read is logged."""

    serializer_class = RegisterEntryOutputSerializer
    filterset_class = RegisterEntryFilter
    pagination_class = RegisterEntryPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return register_entry_list(queryset=register_entries_visible_to(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        _log_register_reads(request, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        entry = self.get_object()
        _log_register_reads(request, [entry])
        return Response(self.get_serializer(entry).data)


@extend_schema(tags=TAGS)
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Accountability meetings with residents in your MIA territory, with their questions."""

    serializer_class = MeetingOutputSerializer
    filterset_class = MeetingFilter
    pagination_class = DatedPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return _meetings_with_questions(self.request.user)


@extend_schema(tags=TAGS)
class FeedbackViewSet(viewsets.ReadOnlyModelViewSet):
    """Resident feedback on the posts in your MIA territory, pending moderation included."""

    serializer_class = FeedbackOutputSerializer
    pagination_class = FeedbackPagination
    filterset_fields = ["post", "moderation"]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        # Only ids are shown, so no relation needs loading.
        return feedback_visible_to(self.request.user)


# --- Prevention records ---------------------------------------------------------------------


class RecordCreateApi(APIView):
    """Files a prevention record for one of your mahallas (inspectors only)."""

    @extend_schema_serializer(component_name="RecordCreateInput")
    class InputSerializer(PlainTextInputSerializer):
        kind = record_kind_field()
        measure = record_measure_field()
        mahalla = mahalla_field()
        date = serializers.DateField()
        summary = serializers.CharField(max_length=4000)
        people_reached = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
        partner_organisation = organisation_field(required=False, allow_null=True)
        register_entry = ScopedPrimaryKeyRelatedField(
            scope=register_entries_visible_to,
            queryset=RegisterEntry.objects.all(),
            required=False,
            allow_null=True,
            error_messages={
                "does_not_exist": _("There is no register entry with id {pk_value} for you."),
                "incorrect_type": _("A register entry is given by its numeric id."),
            },
        )

    @extend_schema(
        operation_id="record_create",
        tags=TAGS,
        request=InputSerializer,
        responses={201: PreventionRecordOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        inspector = _inspector_or_403(request.user)
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        record = record_create(inspector=inspector, **data.validated_data)
        record = record_list(queryset=records_visible_to(request.user)).get(pk=record.pk)
        return Response(
            PreventionRecordOutputSerializer(record).data, status=status.HTTP_201_CREATED
        )


class RecordUpdateApi(APIView):
    """Corrects a record: its inspector within the edit window, an officer above with a reason."""

    @extend_schema_serializer(component_name="RecordUpdateInput")
    class InputSerializer(RecordCreateApi.InputSerializer):
        # The history's change-reason column holds 100 characters.
        reason = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            help_text=_("Required once the record is locked."),
        )

    @extend_schema(
        operation_id="record_update",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: PreventionRecordOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request, pk: int):
        record = get_object_or_404(
            records_visible_to(request.user).select_related("inspector", "mahalla"), pk=pk
        )
        # The record's own inspector past the window goes on to record_update, whose 400
        # says why and who can correct it; anyone else who may not edit gets a plain 403.
        own = record.inspector.user_id == request.user.pk
        if not (own or can_edit_record(request.user, record)):
            raise PermissionDenied
        data = self.InputSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        record = record_update(record=record, user=request.user, **data.validated_data)
        record = record_list(queryset=records_visible_to(request.user)).get(pk=record.pk)
        return Response(PreventionRecordOutputSerializer(record).data)


# --- Prevention register --------------------------------------------------------------------


class RegisterEntryCreateApi(APIView):
    """Places a person on the prevention register of one of your mahallas (inspectors only)."""

    @extend_schema_serializer(component_name="RegisterEntryCreateInput")
    class InputSerializer(PlainTextInputSerializer):
        mahalla = mahalla_field()
        full_name = serializers.CharField(max_length=200)
        birth_date = serializers.DateField()
        address = serializers.CharField(max_length=300)
        document_number = serializers.CharField(max_length=30)
        category = serializers.PrimaryKeyRelatedField(
            queryset=RegisterCategory.objects.filter(is_active=True),
            error_messages={
                "does_not_exist": _("There is no register category with id {pk_value}."),
                "incorrect_type": _("A register category is given by its numeric id."),
            },
        )
        grounds = serializers.CharField(max_length=2000)
        registered_on = serializers.DateField()
        rehabilitation_support = serializers.CharField(
            max_length=2000, required=False, allow_blank=True
        )
        rehabilitation_partner = organisation_field(required=False, allow_null=True)

    @extend_schema(
        operation_id="register_entry_create",
        tags=TAGS,
        request=InputSerializer,
        responses={201: RegisterEntryOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        inspector = _inspector_or_403(request.user)
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        entry = register_entry_create(inspector=inspector, **data.validated_data)
        entry = register_entry_list(queryset=register_entries_visible_to(request.user)).get(
            pk=entry.pk
        )
        _log_register_reads(request, [entry])
        return Response(RegisterEntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)


class RegisterEntryUpdateApi(APIView):
    """Corrects a register entry, or removes the person (removed_on with removal_reason)."""

    @extend_schema_serializer(component_name="RegisterEntryUpdateInput")
    class InputSerializer(RegisterEntryCreateApi.InputSerializer):
        removed_on = serializers.DateField(required=False, allow_null=True)
        removal_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(
        operation_id="register_entry_update",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: RegisterEntryOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request, pk: int):
        entry = get_object_or_404(register_entries_visible_to(request.user), pk=pk)
        if not can_edit_register_entry(request.user, entry):
            raise PermissionDenied
        data = self.InputSerializer(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        entry = register_entry_update(entry=entry, user=request.user, **data.validated_data)
        entry = register_entry_list(queryset=register_entries_visible_to(request.user)).get(
            pk=entry.pk
        )
        _log_register_reads(request, [entry])
        return Response(RegisterEntryOutputSerializer(entry).data)


# --- Accountability meetings ----------------------------------------------------------------


class MeetingScheduleApi(APIView):
    """Schedules a meeting with the residents of one of your mahallas (inspectors only)."""

    @extend_schema_serializer(component_name="MeetingScheduleInput")
    class InputSerializer(PlainTextInputSerializer):
        mahalla = mahalla_field()
        date = serializers.DateField()
        topics = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    @extend_schema(
        operation_id="meeting_schedule",
        tags=TAGS,
        request=InputSerializer,
        responses={201: MeetingOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        inspector = _inspector_or_403(request.user)
        data = self.InputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        meeting = meeting_schedule(inspector=inspector, **data.validated_data)
        meeting = _meetings_with_questions(request.user).get(pk=meeting.pk)
        return Response(MeetingOutputSerializer(meeting).data, status=status.HTTP_201_CREATED)


def _meeting_for_inspector(request, pk: int) -> AccountabilityMeeting:
    """A meeting of the caller's territory that the caller may keep up to date."""
    meeting = get_object_or_404(meetings_visible_to(request.user), pk=pk)
    if not can_edit_meeting(request.user, meeting):
        raise PermissionDenied(_("Only the inspectors of the mahalla and the units above do this."))
    return meeting


class MeetingHeldApi(APIView):
    """Records that a meeting took place: residents attending and the topics reported on."""

    @extend_schema_serializer(component_name="MeetingHeldInput")
    class InputSerializer(PlainTextInputSerializer):
        attendance = serializers.IntegerField(min_value=0, max_value=100_000)
        topics = serializers.CharField(
            max_length=4000,
            required=False,
            allow_blank=True,
            help_text=_("Left as scheduled when not given."),
        )

    @extend_schema(
        operation_id="meeting_held",
        tags=TAGS,
        request=InputSerializer,
        responses={200: MeetingOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        meeting = _meeting_for_inspector(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = meeting_record_held(
            meeting=meeting,
            attendance=data.validated_data["attendance"],
            topics=data.validated_data.get("topics", meeting.topics),
        )
        meeting = _meetings_with_questions(request.user).get(pk=meeting.pk)
        return Response(MeetingOutputSerializer(meeting).data)


class QuestionAddApi(APIView):
    """Adds a question residents raised at a meeting, with the date its follow-up is due."""

    @extend_schema_serializer(component_name="QuestionAddInput")
    class InputSerializer(PlainTextInputSerializer):
        text = serializers.CharField(max_length=2000)
        due_date = serializers.DateField()
        follow_up = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(
        operation_id="question_add",
        tags=TAGS,
        request=InputSerializer,
        responses={
            201: MeetingQuestionOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        meeting = _meeting_for_inspector(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_add(meeting=meeting, **data.validated_data)
        return Response(
            MeetingQuestionOutputSerializer(question).data, status=status.HTTP_201_CREATED
        )


class QuestionUpdateApi(APIView):
    """Moves a question's follow-up along (state and follow-up text)."""

    @extend_schema_serializer(component_name="QuestionUpdateInput")
    class InputSerializer(PlainTextInputSerializer):
        state = question_state_field(required=False)
        follow_up = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(
        operation_id="question_update",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: MeetingQuestionOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def patch(self, request, pk: int):
        question = get_object_or_404(
            MeetingQuestion.objects.filter(meeting__in=meetings_visible_to(request.user)), pk=pk
        )
        _inspector_or_403(request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = question_update(
            question=question,
            state=data.validated_data.get("state", question.state),
            follow_up=data.validated_data.get("follow_up", question.follow_up),
        )
        return Response(MeetingQuestionOutputSerializer(question).data)


# --- Resident feedback ----------------------------------------------------------------------


class FeedbackRateThrottle(AnonRateThrottle):
    """Submissions per client address, at settings.FEEDBACK_RATE."""

    scope = "feedback"

    def get_rate(self):
        return settings.FEEDBACK_RATE


class FeedbackSubmitApi(APIView):
    """A resident's anonymous rating of a law-and-order post, from the address on its QR code."""

    # Anonymous by design: no identity is read or kept, so the session (and its CSRF check)
    # plays no part and every client is counted by address.
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [FeedbackRateThrottle]

    @extend_schema_serializer(component_name="FeedbackSubmitInput")
    class InputSerializer(PlainTextInputSerializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        mahalla = serializers.PrimaryKeyRelatedField(
            queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA),
            required=False,
            allow_null=True,
            error_messages={
                "does_not_exist": _("There is no mahalla with id {pk_value}."),
                "incorrect_type": _("A mahalla is given by its numeric id."),
            },
        )

    @extend_schema(
        operation_id="feedback_submit",
        tags=TAGS,
        auth=[],
        request=InputSerializer,
        responses={
            201: FeedbackOutputSerializer,
            400: BAD_INPUT,
            404: OpenApiResponse(description=_("No law-and-order post has this key.")),
            429: OpenApiResponse(description=_("Too many submissions from this address.")),
        },
    )
    def post(self, request, public_key: str):
        post = get_object_or_404(
            units_visible_to(request.user), kind=Unit.Kind.POST, public_key=public_key
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_submit(post=post, **data.validated_data)
        return Response(FeedbackOutputSerializer(feedback).data, status=status.HTTP_201_CREATED)


class FeedbackModerateApi(APIView):
    """Publishes or rejects a feedback comment (unit officers above the post)."""

    @extend_schema_serializer(component_name="FeedbackModerateInput")
    class InputSerializer(PlainTextInputSerializer):
        approve = serializers.BooleanField(help_text=_("True publishes, false rejects."))

    @extend_schema(
        operation_id="feedback_moderate",
        tags=TAGS,
        request=InputSerializer,
        responses={200: FeedbackOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        feedback = get_object_or_404(
            feedback_visible_to(request.user).select_related("post__territory"), pk=pk
        )
        if not can_moderate_feedback(request.user, feedback):
            raise PermissionDenied
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_moderate(
            feedback=feedback, approve=data.validated_data["approve"], moderated_by=request.user
        )
        return Response(FeedbackOutputSerializer(feedback).data)
