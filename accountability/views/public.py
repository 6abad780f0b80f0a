"""The public accountability reports, with no sign-in: the archive by territory and period,
a report's page with its digests and versions, its files, and the check of a downloaded copy
against the digests published here (DESIGN.md §6).

Every report in the archive is published; nothing on these pages is personal (small counts
from personal records were suppressed when the report was made).
"""

import hashlib
import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accountability.models import PeriodKind, PublicReport
from accountability.periods import Period
from accountability.services import report_body
from core.forms import BootstrapFormMixin
from core.paging import keyset_page
from mahalla.models import Territory

PAGE_SIZE = 30
# A report's PDF is far under this; the upload limit of documents may be lower.
VERIFY_MAX_BYTES = max(settings.UPLOAD_MAX_BYTES, 20 * 1024 * 1024)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


class PeriodField(forms.CharField):
    """A period typed by its short name; cleans to a Period (or None when empty)."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a year (2026), a quarter (2026-q3) or a month (2026-11).")
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": "7", "placeholder": "2026-q3"})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            if len(text) > 7:
                raise ValueError(text)
            return Period.from_slug(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        return value.slug if isinstance(value, Period) else value


class ArchiveFilterForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        choices=[("", gettext_lazy("All levels")), *Territory.Kind.choices],
        required=False,
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"),
        queryset=Territory.objects.filter(kind=Territory.Kind.REGION).order_by("path"),
        to_field_name="code",
        empty_label=gettext_lazy("All regions"),
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Reports"),
        choices=[("", gettext_lazy("Monthly, quarterly and yearly")), *PeriodKind.choices],
        required=False,
    )
    period = PeriodField(label=gettext_lazy("Period"), required=False)
    territory = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)


def _archive_filter(queryset, data: dict):
    if data.get("level"):
        queryset = queryset.filter(territory__kind=data["level"])
    if data.get("region"):
        queryset = queryset.filter(territory__path__startswith=data["region"].path)
    if data.get("kind"):
        queryset = queryset.filter(period_kind=data["kind"])
    if data.get("period"):
        queryset = queryset.filter(
            period_kind=data["period"].kind, period_start=data["period"].start
        )
    if data.get("territory"):
        queryset = queryset.filter(territory__code=data["territory"])
    return queryset


def report_archive_view(request):
    """Every published report, newest period first, in pages of PAGE_SIZE ("show more")."""
    form = ArchiveFilterForm(request.GET)
    valid = form.is_valid()
    reports = PublicReport.objects.select_related("territory__parent").defer("html")
    reports = _archive_filter(reports, form.cleaned_data) if valid else reports.none()
    page = keyset_page(
        reports, token=request.GET.get("after"), size=PAGE_SIZE, field="period_start"
    )
    context = {"form": form, "page": page, "page_query": page.next_query(request.GET)}
    template = "accountability/report_archive.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


# The report's body is the published document as stored: its own <style> element and the
# style="" widths of its bars are part of the bytes its digest is taken of, so this page allows
# inline styles (never inline scripts).
@csp_update({"style-src": [UNSAFE_INLINE]})
def report_detail_view(request, pk: int):
    """A published report inside the portal's page, with its digests and its versions."""
    report = get_object_or_404(PublicReport.objects.select_related("territory"), pk=pk)
    versions = list(
        PublicReport.objects.filter(
            territory_id=report.territory_id,
            period_kind=report.period_kind,
            period_start=report.period_start,
        )
        .defer("html")
        .order_by("-version")
    )
    context = {
        "report": report,
        "body": report_body(report),
        "versions": versions,
        "newer": versions[0] if versions[0].version > report.version else None,
    }
    return render(request, "accountability/report.html", context)


def _download_name(report: PublicReport, extension: str) -> str:
    period = Period(report.period_kind, report.period_start)
    return f"hamkorlik-{report.territory.code}-{period.slug}-v{report.version}.{extension}"


def report_file_view(request, pk: int, extension: str):
    """A report's file as published, byte for byte, so that its digest is the one shown."""
    report = get_object_or_404(PublicReport.objects.select_related("territory"), pk=pk)
    return report_file_response(report, extension)


def report_file_response(report: PublicReport, extension: str):
    """The page's and the API's download of a published file; 404 when it is missing."""
    name = _download_name(report, extension)
    if extension == "html":
        response = HttpResponse(report.html.encode(), content_type=CONTENT_TYPES["html"])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    stored = report.pdf if extension == "pdf" else report.csv
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES[extension]
    )


class VerifyForm(BootstrapFormMixin, forms.Form):
    """A downloaded file, or its SHA-256 digest typed or pasted; cleans to `sha256`."""

    file = forms.FileField(label=gettext_lazy("Downloaded file (PDF, CSV or HTML)"), required=False)
    digest = forms.CharField(
        label=gettext_lazy("Or its SHA-256 digest"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; a report is at most %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(VERIFY_MAX_BYTES),
                }
            )
        return upload

    def clean_digest(self):
        digest = re.sub(r"\s+", "", self.cleaned_data.get("digest", "")).lower()
        if digest and not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise forms.ValidationError(
                _("A SHA-256 digest is 64 characters, the digits 0–9 and the letters a–f.")
            )
        return digest

    def clean(self):
        data = super().clean()
        upload, digest = data.get("file"), data.get("digest")
        if self.errors:
            return data
        if upload:
            sha256 = hashlib.sha256()
            for chunk in upload.chunks():
                sha256.update(chunk)
            data["sha256"] = sha256.hexdigest()
        elif digest:
            data["sha256"] = digest
        else:
            raise forms.ValidationError(_("Choose the downloaded file, or give its digest."))
        return data


def _published_with_digest(sha256: str) -> tuple[PublicReport, str] | tuple[None, str]:
    """The report and format ("pdf", "csv", "html") whose file has this digest."""
    reports = PublicReport.objects.select_related("territory").defer("html")
    for extension in ("pdf", "csv", "html"):
        report = reports.filter(**{f"{extension}_sha256": sha256}).order_by("-version").first()
        if report is not None:
            return report, extension
    return None, ""


@require_http_methods(["GET", "POST"])
def report_verify_view(request):
    """Says whether a file (or a digest) is exactly one of the published reports."""
    if request.method != "POST":
        return render(request, "accountability/report_verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "accountability/report_verify.html", {"form": form}, status=400)
    sha256 = form.cleaned_data["sha256"]
    report, extension = _published_with_digest(sha256)
    latest = None
    if report is not None:
        latest = (
            PublicReport.objects.filter(
                territory_id=report.territory_id,
                period_kind=report.period_kind,
                period_start=report.period_start,
            )
            .defer("html")
            .order_by("-version")
            .first()
        )
    context = {
        "form": VerifyForm(),
        "checked": True,
        "sha256": sha256,
        "match": report,
        "match_format": extension.upper(),
        "latest": latest,
    }
    return render(request, "accountability/report_verify.html", context)


urlpatterns = [
    path("reports/", report_archive_view, name="report-archive"),
    path("reports/verify/", report_verify_view, name="report-verify"),
    path("reports/<int:pk>/", report_detail_view, name="report-detail"),
    path(
        "reports/<int:pk>/report.pdf",
        report_file_view,
        {"extension": "pdf"},
        name="report-pdf",
    ),
    path(
        "reports/<int:pk>/report.csv",
        report_file_view,
        {"extension": "csv"},
        name="report-csv",
    ),
    path(
        "reports/<int:pk>/report.html",
        report_file_view,
        {"extension": "html"},
        name="report-html",
    ),
]
