"""REST API of the accountability figures (STYLE.md §5, DESIGN.md §6): the indicator
catalogue, the roll-up values, the published reports with their files, and the report runs.

The catalogue, the roll-ups and the reports are public aggregates: no sign-in needed. Small
counts from personal records are hidden from everyone accountability.permissions does not let
see them (the council and the public among them), by one rule in the roll-up serializer.
Report runs are the administrators': to anyone else the list is empty and a run is a 404, as
for any object out of scope.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api.serializers import (
    IndicatorOutputSerializer,
    PublicReportOutputSerializer,
    ReportRunOutputSerializer,
    RollUpOutputSerializer,
    period_kind_field,
    territory_kind_field,
)
from accountability.filters import DayField, PublicReportFilter, RollUpFilter
from accountability.models import PublicReport, RollUp
from accountability.periods import Period
from accountability.permissions import (
    can_manage_report_runs,
    report_runs_visible_to,
    sees_provisional_figures,
    sees_small_counts,
)
from accountability.selectors import indicator_list, public_report_list, rollup_list
from accountability.services import report_run_queue
from accountability.views.public import report_file_response
from core.pagination import CursorPagination
from core.serializers import PlainTextInputSerializer

TAGS = ["accountability"]
# Ids in URLs are numbers, so "report-runs/start/" never reads as the detail of "start".
ID_REGEX = r"[0-9]+"
CODE_REGEX = r"[-a-zA-Z0-9_]+"

BAD_INPUT = OpenApiResponse(description=_("Invalid input or a business rule refused it."))
FORBIDDEN = OpenApiResponse(description=_("You may not do this."))
NOT_FOUND = OpenApiResponse(description=_("No such object in your scope."))

# --- Pagination -----------------------------------------------------------------------------
# A cursor keeps its place by the first field of the ordering alone and walks ties by an
# offset, so each list is ordered by a unique, indexed field: a page deep in the list costs
# the same as the first.


class IndicatorPagination(CursorPagination):
    ordering = ("order", "code")  # a short catalogue, in the order admins give it


class RollUpPagination(CursorPagination):
    # By id, the primary key. Ordering by period and territory path, as people read them,
    # would key the cursor on period_start alone: every node and indicator of a period shares
    # it, so the pages after the first would skip an ever longer offset (and a path is on
    # another table, which a cursor cannot follow). The rows carry their period and node;
    # a filtered list (indicator, node, kind, period) is found through the roll-ups' unique
    # (indicator, period_kind, period_start, territory) and (territory, period_kind,
    # period_start) indexes and only its rows are sorted.
    ordering = "id"


class NewestPagination(CursorPagination):
    ordering = "-id"  # newest first: ids grow with creation, and the primary key is indexed


# --- Indicators -----------------------------------------------------------------------------


@extend_schema(tags=TAGS, auth=[])
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicators in use: what each counts, divided by what, times which factor, in
    which unit, and whether higher or lower is better. No sign-in needed."""

    serializer_class = IndicatorOutputSerializer
    pagination_class = IndicatorPagination
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = CODE_REGEX

    def get_queryset(self):
        return indicator_list(active_only=True)


# --- Roll-ups -------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class RollUpViewSet(viewsets.ReadOnlyModelViewSet):
    """Values of the indicators in use at every territory node for every period, with their
    numerator and denominator. No sign-in needed. Only approved figures are served, except to
    MIA users and administrators, who also receive the provisional ones (marked so). A count
    from personal records under 5 is shown only to MIA officers and administrators, and comes
    to anyone else as `suppressed` with its figures null."""

    serializer_class = RollUpOutputSerializer
    filterset_class = RollUpFilter
    pagination_class = RollUpPagination
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return rollup_list(
            queryset=RollUp.objects.all(),
            provisional=sees_provisional_figures(self.request.user),
        )

    def get_serializer_context(self):
        # Whether the caller sees small counts as they are: decided once per request.
        return {
            **super().get_serializer_context(),
            "small_counts": sees_small_counts(self.request.user),
        }


# --- Report runs ----------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class ReportRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Generations of the public reports of a period for a level of the tree, newest first,
    with their progress (administrators only)."""

    serializer_class = ReportRunOutputSerializer
    pagination_class = NewestPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return report_runs_visible_to(self.request.user)


class ReportRunStartApi(APIView):
    """Starts the run of a level's public reports for a period (administrators only): a
    finished run starts over, replacing only the reports whose figures changed; a failed or
    unfinished one continues where it stopped. Its batches are worked in the background;
    follow it in `report-runs/{id}/`."""

    @extend_schema_serializer(component_name="ReportRunStartInput")
    class InputSerializer(PlainTextInputSerializer):
        kind = period_kind_field()
        period = serializers.CharField(
            max_length=10,
            help_text=_(
                "A day of the period, as YYYY-MM or YYYY-MM-DD: the period of the kind given "
                "that holds it."
            ),
        )
        level = territory_kind_field(help_text=_("The level of the tree whose reports to make."))

        def validate_period(self, value: str):
            try:
                return DayField().clean(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from None

        def validate(self, attrs):
            try:
                attrs["period"] = Period.containing(attrs["kind"], attrs["period"])
            except ValueError:
                raise serializers.ValidationError(
                    {"period": _("There are no reports for a period so far off.")}
                ) from None
            return attrs

    @extend_schema(
        operation_id="report_run_start",
        tags=TAGS,
        request=InputSerializer,
        responses={202: ReportRunOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        if not can_manage_report_runs(request.user):
            raise PermissionDenied(_("Only the portal administrators start report runs."))
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = report_run_queue(period=values["period"], level=values["level"])
        return Response(ReportRunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


# --- Published reports ----------------------------------------------------------------------


@extend_schema(tags=TAGS)
class PublicReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Published accountability reports of the territory nodes, every version, newest first,
    with the SHA-256 digest of each file (to check a printed or downloaded copy against) and
    links to the PDF and the CSV. No sign-in needed."""

    serializer_class = PublicReportOutputSerializer
    filterset_class = PublicReportFilter
    pagination_class = NewestPagination
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return public_report_list(queryset=PublicReport.objects.all())


def _report_file(pk: int, extension: str):
    report = get_object_or_404(PublicReport.objects.select_related("territory"), pk=pk)
    return report_file_response(report, extension)


PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(
        OpenApiTypes.BINARY, description=_("The report as a PDF document.")
    ),
    404: NOT_FOUND,
}
CSV_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.BINARY, description=_("The report's figures as CSV (UTF-8).")
    ),
    404: NOT_FOUND,
}


class ReportPdfFileApi(APIView):
    """Downloads the PDF of a published report. No sign-in needed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="report_pdf_file", tags=TAGS, auth=[], responses=PDF_RESPONSES)
    def get(self, request, pk: int):
        return _report_file(pk, "pdf")


class ReportCsvFileApi(APIView):
    """Downloads the CSV of a published report. No sign-in needed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="report_csv_file", tags=TAGS, auth=[], responses=CSV_RESPONSES)
    def get(self, request, pk: int):
        return _report_file(pk, "csv")
