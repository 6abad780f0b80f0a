"""REST API of the period approval (STYLE.md §5): a district's month of data on its way up,
open → submitted → approved → accepted, kept apart from prevention.api.views.

Reads: the period rows in the caller's MIA subtree (a month without a row is open and has
none), their detail with the history of every change, and a summary of one month giving the
state of every district in the caller's subtree, absent rows counted as open. Writes: one
view per action, each calling one service of prevention.services. A district outside the
caller's subtree is a 404; in it but at the wrong level, a 403; a refusal by the service
(the order of the levels, a missing reason), a 400 with its message.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import CursorPagination
from core.serializers import PlainTextInputSerializer
from mahalla.models import Territory
from prevention.api.serializers import EnumChoiceField
from prevention.filters import PeriodApprovalFilter
from prevention.models import PeriodApproval
from prevention.permissions import (
    can_accept_period,
    can_approve_period,
    can_submit_period,
    can_use_approval_pages,
    period_approvals_visible_to,
    territories_in_scope,
)
from prevention.services import (
    month_start,
    period_accept,
    period_approve,
    period_reopen,
    period_return,
    period_submit,
    periods_bulk,
)

TAGS = ["prevention"]
ID_REGEX = r"[0-9]+"

BAD_INPUT = OpenApiResponse(description=_("Invalid input or a business rule refused it."))
FORBIDDEN = OpenApiResponse(
    description=_("The district is in your territory, but this is another level's action.")
)
NOT_FOUND = OpenApiResponse(description=_("No such district or region in your territory."))


# --- Fields and outputs ---------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM, read into the first day of the month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("format", "%Y-%m")
        kwargs.setdefault("error_messages", {"invalid": _("Give the month as YYYY-MM.")})
        super().__init__(**kwargs)


def _territory_id_field(**kwargs) -> serializers.IntegerField:
    # Bounded so that a huge number is a 400 here, not an error of the database.
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


def period_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=PeriodApproval.State.choices, enum_name="PeriodStateEnum", **kwargs
    )


def _full_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


class PeriodApprovalOutputSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    state = period_state_field(read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    district_code = serializers.CharField(source="district.code", read_only=True)
    region = serializers.IntegerField(source="district.parent_id", read_only=True)
    region_name = serializers.CharField(source="district.parent.name", read_only=True)
    changed_by_name = serializers.SerializerMethodField()
    locked = serializers.BooleanField(
        source="is_locked",
        read_only=True,
        help_text=_("Submitted or further: the district's writes dated in the month are refused."),
    )

    class Meta:
        model = PeriodApproval
        fields = [
            "id",
            "district",
            "district_name",
            "district_code",
            "region",
            "region_name",
            "month",
            "state",
            "locked",
            "message",
            "changed_by",
            "changed_by_name",
            "updated_at",
        ]
        read_only_fields = fields

    def get_changed_by_name(self, period: PeriodApproval) -> str | None:
        return _full_name(period.changed_by)


class PeriodHistoryEntrySerializer(serializers.Serializer):
    state = period_state_field(read_only=True)
    message = serializers.CharField(
        read_only=True, help_text=_("The return message or the reason for reopening.")
    )
    changed_by = serializers.IntegerField(source="changed_by_id", read_only=True, allow_null=True)
    changed_by_name = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField(source="history_date", read_only=True)

    def get_changed_by_name(self, entry) -> str | None:
        return _full_name(entry.changed_by)


class PeriodApprovalDetailOutputSerializer(PeriodApprovalOutputSerializer):
    history = serializers.SerializerMethodField(
        help_text=_("Every change of state, newest first. The month was open before the first one.")
    )

    class Meta(PeriodApprovalOutputSerializer.Meta):
        fields = [*PeriodApprovalOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(PeriodHistoryEntrySerializer(many=True))
    def get_history(self, period: PeriodApproval) -> list[dict]:
        # The row comes into being open when a level first acts on the month: that entry
        # says nothing that "absent means open" did not.
        entries = (
            period.history.exclude(history_type="+", state=PeriodApproval.State.OPEN)
            .select_related("changed_by")
            .order_by("-history_date", "-history_id")
        )
        return PeriodHistoryEntrySerializer(entries, many=True).data


class PeriodSummaryRowSerializer(serializers.Serializer):
    district = serializers.IntegerField(source="district.pk", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    district_code = serializers.CharField(source="district.code", read_only=True)
    region = serializers.IntegerField(source="district.parent_id", read_only=True)
    region_name = serializers.CharField(source="district.parent.name", read_only=True)
    state = period_state_field(read_only=True)
    period = serializers.IntegerField(
        source="period.pk",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("Id of the period row; null while no level has acted on the month."),
    )
    message = serializers.CharField(source="period.message", read_only=True, default="")
    updated_at = serializers.DateTimeField(
        source="period.updated_at", read_only=True, default=None, allow_null=True
    )


class PeriodCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField(read_only=True)
    submitted = serializers.IntegerField(read_only=True)
    approved = serializers.IntegerField(read_only=True)
    accepted = serializers.IntegerField(read_only=True)


class PeriodSummaryOutputSerializer(serializers.Serializer):
    month = MonthField(read_only=True)
    counts = PeriodCountsSerializer(read_only=True)
    districts = PeriodSummaryRowSerializer(many=True, read_only=True)


class PeriodBulkOutputSerializer(serializers.Serializer):
    done = serializers.IntegerField(read_only=True, help_text=_("Districts moved on."))
    refused = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("One line per district refused: its name and the reason."),
    )


# --- Reads ----------------------------------------------------------------------------------


def _period_list(queryset):
    """Periods newest month first, with district, region and the last actor loaded."""
    return queryset.select_related("district__parent", "changed_by").order_by("-month", "id")


class PeriodPagination(CursorPagination):
    ordering = ("-month", "id")


@extend_schema(tags=TAGS)
class PeriodApprovalViewSet(viewsets.ReadOnlyModelViewSet):
    """The period rows of the districts in your MIA territory. A month no level has acted on
    has no row and is open; the summary gives every district's state for one month."""

    class SummaryQuerySerializer(serializers.Serializer):
        month = MonthField(required=False)
        region = _territory_id_field(required=False)

    filterset_class = PeriodApprovalFilter
    pagination_class = PeriodPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return _period_list(period_approvals_visible_to(self.request.user))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PeriodApprovalDetailOutputSerializer
        return PeriodApprovalOutputSerializer

    @extend_schema(
        operation_id="periods_summary",
        parameters=[
            OpenApiParameter(
                "month",
                str,
                required=False,
                pattern=r"^\d{4}-\d{2}$",
                description=_("The month as YYYY-MM; the current month when not given."),
            ),
            OpenApiParameter(
                "region",
                int,
                required=False,
                description=_("Only the districts of this region (id of a region node)."),
            ),
        ],
        responses={200: PeriodSummaryOutputSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def summary(self, request):
        """One month: the state of every district in your MIA territory (open where no row
        exists), with the count of districts in each state."""
        query = self.SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or month_start(timezone.localdate())
        districts = territories_in_scope(request.user, Territory.Kind.DISTRICT)
        region_id = query.validated_data.get("region")
        if region_id is not None:
            region = get_object_or_404(
                territories_in_scope(request.user, Territory.Kind.REGION), pk=region_id
            )
            districts = districts.filter(parent=region)
        districts = list(districts.select_related("parent").order_by("path"))
        periods = {
            period.district_id: period
            for period in period_approvals_visible_to(request.user).filter(
                month=month, district__in=[d.pk for d in districts]
            )
        }
        rows = []
        for district in districts:
            period = periods.get(district.pk)
            state = period.state if period else PeriodApproval.State.OPEN
            rows.append({"district": district, "period": period, "state": state})
        counts = dict.fromkeys(PeriodApproval.State.values, 0)
        for row in rows:
            counts[row["state"]] += 1
        data = {"month": month, "counts": counts, "districts": rows}
        return Response(PeriodSummaryOutputSerializer(data).data)


# --- Writes ---------------------------------------------------------------------------------


def _district_or_404(user, pk: int) -> Territory:
    """A district (or city) in the caller's MIA territory; anything else is not found."""
    return get_object_or_404(
        territories_in_scope(user, Territory.Kind.DISTRICT).select_related("parent__parent"),
        pk=pk,
    )


def _allowed_or_403(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("This is another level's action on the period."))


def _period_response(user, period: PeriodApproval) -> Response:
    period = _period_list(period_approvals_visible_to(user)).get(pk=period.pk)
    return Response(PeriodApprovalDetailOutputSerializer(period).data)


class TakesPartInApprovals(BasePermission):
    """Period actions are the unit officers' (and administrators'): for anyone else no
    district exists, so they get a 404 before their input is read, as on the approvals
    pages (an empty body must not be answered as if they could act)."""

    def has_permission(self, request, view) -> bool:
        if not can_use_approval_pages(request.user):
            raise NotFound(_("No such district or region in your territory."))
        return True


PERIOD_ACTION_PERMISSIONS = [IsAuthenticated, TakesPartInApprovals]


class PeriodInputSerializer(PlainTextInputSerializer):
    district = _territory_id_field(help_text=_("Id of a district (or city) in your territory."))
    month = MonthField()


class PeriodSubmitApi(APIView):
    """The district unit submits its month: its data dated in the month is locked from now."""

    permission_classes = PERIOD_ACTION_PERMISSIONS

    @extend_schema_serializer(component_name="PeriodSubmitInput")
    class InputSerializer(PeriodInputSerializer):
        pass

    @extend_schema(
        operation_id="period_submit",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: PeriodApprovalDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        district = _district_or_404(request.user, data.validated_data["district"])
        _allowed_or_403(can_submit_period(request.user, district))
        period = period_submit(
            district=district, month=data.validated_data["month"], by=request.user
        )
        return _period_response(request.user, period)


class PeriodReopenApi(APIView):
    """The district unit takes back a month it submitted, before the region approves it."""

    permission_classes = PERIOD_ACTION_PERMISSIONS

    @extend_schema_serializer(component_name="PeriodReopenInput")
    class InputSerializer(PeriodInputSerializer):
        reason = serializers.CharField(
            max_length=2000, help_text=_("Why the month is reopened; kept in the history.")
        )

    @extend_schema(
        operation_id="period_reopen",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: PeriodApprovalDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        district = _district_or_404(request.user, data.validated_data["district"])
        _allowed_or_403(can_submit_period(request.user, district))
        period = period_reopen(
            district=district,
            month=data.validated_data["month"],
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return _period_response(request.user, period)


class PeriodReturnApi(APIView):
    """Sends a month one level down with a message its officers are notified of: the region
    returns a submitted month to the district, the republic an approved or accepted one to
    the region."""

    permission_classes = PERIOD_ACTION_PERMISSIONS

    @extend_schema_serializer(component_name="PeriodReturnInput")
    class InputSerializer(PeriodInputSerializer):
        message = serializers.CharField(
            max_length=2000, help_text=_("What the lower level should fix.")
        )

    @extend_schema(
        operation_id="period_return",
        tags=TAGS,
        request=InputSerializer,
        responses={
            200: PeriodApprovalDetailOutputSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        district = _district_or_404(request.user, data.validated_data["district"])
        # Which of the two levels above may return it depends on the state: the service says.
        _allowed_or_403(
            can_approve_period(request.user, district) or can_accept_period(request.user, district)
        )
        period = period_return(
            district=district,
            month=data.validated_data["month"],
            by=request.user,
            message=data.validated_data["message"],
        )
        return _period_response(request.user, period)


class PeriodManyInputSerializer(PlainTextInputSerializer):
    """One district, a list of districts, or every district of a region: exactly one."""

    district = _territory_id_field(
        required=False, help_text=_("Id of one district: the answer is the period.")
    )
    districts = serializers.ListField(
        child=_territory_id_field(),
        required=False,
        min_length=1,
        max_length=300,
        help_text=_("Ids of several districts: the answer counts those done and refused."),
    )
    region = _territory_id_field(
        required=False,
        help_text=_("Id of a region: all its districts, answered like a list of districts."),
    )
    month = MonthField()

    def validate(self, attrs):
        given = [name for name in ("district", "districts", "region") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"district": _("Give exactly one of district, districts or region.")}
            )
        return attrs


PERIOD_OR_BULK = PolymorphicProxySerializer(
    component_name="PeriodActionResult",
    serializers=[PeriodApprovalDetailOutputSerializer, PeriodBulkOutputSerializer],
    resource_type_field_name=None,
)


def _districts_for(user, data: dict) -> list[Territory]:
    """The districts named by a bulk request, each in the caller's MIA territory (or 404)."""
    in_scope = territories_in_scope(user, Territory.Kind.DISTRICT).select_related("parent__parent")
    if "region" in data:
        region = get_object_or_404(
            territories_in_scope(user, Territory.Kind.REGION), pk=data["region"]
        )
        return list(in_scope.filter(parent=region).order_by("path"))
    wanted = set(data["districts"])
    districts = list(in_scope.filter(pk__in=wanted).order_by("path"))
    if len(districts) != len(wanted):
        raise Http404
    return districts


def _one_or_many(request, input_serializer, *, service, allowed) -> Response:
    """One district answers with its period; several answer with what was done and refused,
    each district in its own transaction (prevention.services.periods_bulk)."""
    data = input_serializer(data=request.data)
    data.is_valid(raise_exception=True)
    month = data.validated_data["month"]
    if "district" in data.validated_data:
        district = _district_or_404(request.user, data.validated_data["district"])
        _allowed_or_403(allowed(request.user, district))
        period = service(district=district, month=month, by=request.user)
        return _period_response(request.user, period)
    districts = _districts_for(request.user, data.validated_data)
    _allowed_or_403(all(allowed(request.user, district) for district in districts))
    done, refused = periods_bulk(action=service, districts=districts, month=month, by=request.user)
    return Response(PeriodBulkOutputSerializer({"done": done, "refused": refused}).data)


class PeriodApproveApi(APIView):
    """The region unit approves its districts' month, once every district of the region has
    submitted it."""

    permission_classes = PERIOD_ACTION_PERMISSIONS

    @extend_schema_serializer(component_name="PeriodApproveInput")
    class InputSerializer(PeriodManyInputSerializer):
        pass

    @extend_schema(
        operation_id="period_approve",
        tags=TAGS,
        request=InputSerializer,
        responses={200: PERIOD_OR_BULK, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        return _one_or_many(
            request, self.InputSerializer, service=period_approve, allowed=can_approve_period
        )


class PeriodAcceptApi(APIView):
    """The republic service accepts the districts' month, once every region has approved all
    of its districts."""

    permission_classes = PERIOD_ACTION_PERMISSIONS

    @extend_schema_serializer(component_name="PeriodAcceptInput")
    class InputSerializer(PeriodManyInputSerializer):
        pass

    @extend_schema(
        operation_id="period_accept",
        tags=TAGS,
        request=InputSerializer,
        responses={200: PERIOD_OR_BULK, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        return _one_or_many(
            request, self.InputSerializer, service=period_accept, allowed=can_accept_period
        )
