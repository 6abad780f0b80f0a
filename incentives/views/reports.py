"""The incentives' reports: how each commission's fund is used in a year, a quarter or a
month, and the awards by ground and region; each table also as CSV and XLSX.

The page and its four exports read the same filters through `_report`, so a download holds
exactly the rows the page shows. Funds follow `commissions_visible_to`; the award table
follows `awards_counted_for`. A user who sees no commission gets a 404.
"""

import calendar
import io
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.exports import csv_response
from core.forms import BootstrapFormMixin
from core.i18n import language_suffix
from incentives.models import Fund, Level
from incentives.permissions import awards_counted_for, commissions_visible_to, funds_visible_to
from incentives.selectors import awards_by_ground_and_region, fund_use_in_period
from mahalla.models import Territory

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PERIOD_CHOICES = [
    ("", gettext_lazy("Whole year")),
    (
        gettext_lazy("Quarter"),
        [
            ("q1", gettext_lazy("1st quarter (January–March)")),
            ("q2", gettext_lazy("2nd quarter (April–June)")),
            ("q3", gettext_lazy("3rd quarter (July–September)")),
            ("q4", gettext_lazy("4th quarter (October–December)")),
        ],
    ),
    (gettext_lazy("Month"), [(f"m{number}", name) for number, name in MONTHS.items()]),
]


def period_bounds(year: int, period: str) -> tuple[date, date]:
    """The first and last day of the whole year ("") , a quarter ("q1"–"q4") or a month
    ("m1"–"m12") of `year`."""
    if period.startswith("q"):
        quarter = int(period[1:])
        first, last = 3 * quarter - 2, 3 * quarter
    elif period.startswith("m"):
        first = last = int(period[1:])
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


class _TerritoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        # Districts follow their region (the choices are in path order).
        return f"— {obj.name}" if obj.kind == Territory.Kind.DISTRICT else obj.name


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    """The report's filters. The territories offered are only the regions and districts that
    hold a commission the user sees: a short list, never the country's mahallas."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES, required=False)
    level = forms.ChoiceField(
        label=gettext_lazy("Commission level"),
        choices=[("", "---------"), *Level.choices],
        required=False,
    )
    territory = _TerritoryField(
        label=gettext_lazy("Territory"),
        queryset=Territory.objects.none(),
        required=False,
        help_text=gettext_lazy("Commissions of this region or district and below."),
    )

    def __init__(self, data, *, commissions: QuerySet, years: list[int]):
        super().__init__(data)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["territory"].queryset = Territory.objects.filter(
            kind__in=[Territory.Kind.REGION, Territory.Kind.DISTRICT],
            incentive_commission__in=commissions,
        ).order_by("path")


@dataclass
class Report:
    form: ReportFilterForm
    funds: list[Fund]
    awards: list[dict]
    start: date | None = None
    end: date | None = None

    @property
    def slug(self) -> str:
        """The year and period in a file name: "2026", "2026-q1", "2026-m11"."""
        data = self.form.cleaned_data
        return "-".join(str(part) for part in (data["year"], data["period"]) if part)


def _report(request) -> Report:
    """The filters of the request and, when they are valid, both tables."""
    user = request.user
    commissions = commissions_visible_to(user)
    if not commissions.exists():
        raise Http404
    this_year = timezone.localdate().year
    years = set(funds_visible_to(user).order_by().values_list("year", flat=True).distinct())
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(this_year)
    form = ReportFilterForm(
        data, commissions=commissions, years=sorted(years | {this_year}, reverse=True)
    )
    if not form.is_valid():
        return Report(form=form, funds=[], awards=[])
    filters = form.cleaned_data
    start, end = period_bounds(filters["year"], filters["period"])
    funds = funds_visible_to(user).filter(year=filters["year"])
    awards = awards_counted_for(user).filter(decision_date__range=(start, end))
    if filters["level"]:
        funds = funds.filter(commission__level=filters["level"])
        awards = awards.filter(commission__level=filters["level"])
    if filters["territory"]:
        subtree = filters["territory"].path
        funds = funds.filter(commission__territory__path__startswith=subtree)
        awards = awards.filter(commission__territory__path__startswith=subtree)
    return Report(
        form=form,
        funds=list(fund_use_in_period(queryset=funds, start=start, end=end)),
        awards=_award_rows(awards_by_ground_and_region(queryset=awards)),
        start=start,
        end=end,
    )


def _award_rows(rows: QuerySet) -> list[dict]:
    """The grouped rows with the region's and the ground's names in the request's language."""
    suffix = language_suffix()

    def name(row: dict, prefix: str) -> str:
        return row[f"{prefix}__name_{suffix}"] or row[f"{prefix}__name_uz"]

    return [
        {
            "region": name(row, "mahalla__parent__parent"),
            "ground": name(row, "ground"),
            "awards": row["awards"],
            "total": int(row["total"]),
        }
        for row in rows
    ]


def _export_query(report: Report) -> str:
    """The page's filters as the exports' query string (with the year the page defaulted)."""
    data = report.form.cleaned_data
    territory = data["territory"]
    query = {
        "year": data["year"],
        "period": data["period"],
        "level": data["level"],
        "territory": territory.pk if territory else "",
    }
    return urlencode({key: value for key, value in query.items() if value})


@login_required
def fund_report_view(request):
    report = _report(request)
    valid = not report.form.errors
    funds = report.funds
    context = {
        "form": report.form,
        "report": report,
        "funds": funds,
        "fund_totals": {
            name: sum(getattr(fund, name) for fund in funds)
            for name in ("budget", "approved_in_period", "paid_in_period", "committed", "remaining")
        },
        "awards": report.awards,
        "award_totals": {
            "awards": sum(row["awards"] for row in report.awards),
            "total": sum(row["total"] for row in report.awards),
        },
        "export_query": _export_query(report) if valid else "",
    }
    return render(request, "incentives/fund_report.html", context, status=200 if valid else 400)


# --- Exports ---------------------------------------------------------------------------------


def _fund_header() -> list[str]:
    return [
        _("Commission"),
        _("Level"),
        _("Budget, so'm"),
        _("Approved in the period, so'm"),
        _("Paid in the period, so'm"),
        _("Committed, so'm"),
        _("Remaining, so'm"),
    ]


def _fund_values(fund: Fund) -> list:
    return [
        str(fund.commission),
        fund.commission.get_level_display(),
        int(fund.budget),
        int(fund.approved_in_period),
        int(fund.paid_in_period),
        int(fund.committed),
        int(fund.remaining),
    ]


def _award_header() -> list[str]:
    return [_("Region"), _("Ground"), _("Awards"), _("Total, so'm")]


def _award_values(row: dict) -> list:
    return [row["region"], row["ground"], row["awards"], row["total"]]


def xlsx_response(header, rows, *, sheet_title: str, filename: str) -> HttpResponse:
    """A one-sheet workbook, written in openpyxl's write-only mode: a bold header, then the
    rows; text is stored as text, never as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 30
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_request(report: Report) -> HttpResponseBadRequest:
    errors = "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in report.form.errors.items()
    )
    return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")


@login_required
def fund_report_funds_csv_view(request):
    report = _report(request)
    if report.form.errors:
        return _bad_request(report)
    rows = [_fund_values(fund) for fund in report.funds]
    return csv_response(_fund_header(), rows, filename=f"funds-{report.slug}.csv")


@login_required
def fund_report_funds_xlsx_view(request):
    report = _report(request)
    if report.form.errors:
        return _bad_request(report)
    rows = [_fund_values(fund) for fund in report.funds]
    return xlsx_response(
        _fund_header(), rows, sheet_title=_("Funds"), filename=f"funds-{report.slug}.xlsx"
    )


@login_required
def fund_report_awards_csv_view(request):
    report = _report(request)
    if report.form.errors:
        return _bad_request(report)
    rows = [_award_values(row) for row in report.awards]
    return csv_response(_award_header(), rows, filename=f"awards-{report.slug}.csv")


@login_required
def fund_report_awards_xlsx_view(request):
    report = _report(request)
    if report.form.errors:
        return _bad_request(report)
    rows = [_award_values(row) for row in report.awards]
    return xlsx_response(
        _award_header(), rows, sheet_title=_("Awards"), filename=f"awards-{report.slug}.xlsx"
    )


urlpatterns = [
    path("reports/", fund_report_view, name="fund-report"),
    path("reports/funds.csv", fund_report_funds_csv_view, name="fund-report-funds-csv"),
    path("reports/funds.xlsx", fund_report_funds_xlsx_view, name="fund-report-funds-xlsx"),
    path("reports/awards.csv", fund_report_awards_csv_view, name="fund-report-awards-csv"),
    path("reports/awards.xlsx", fund_report_awards_xlsx_view, name="fund-report-awards-xlsx"),
]
