"""Prevention records in the browser: the inspector's phone form, the list, detail, edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.exports import csv_response
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from mahalla.models import Territory
from prevention.filters import PreventionRecordFilter
from prevention.forms.records import PreventionRecordEditForm, PreventionRecordForm
from prevention.permissions import (
    can_edit_record,
    can_file_records,
    can_use_prevention_pages,
    inspector_of,
    inspectors_visible_to,
    mahallas_for_new_rows,
    mahallas_in_scope,
    record_is_locked,
    records_visible_to,
    register_entries_visible_to,
    territories_in_scope,
)
from prevention.selectors import inspector_list, record_export_rows, record_list
from prevention.services import record_create, record_update

PAGE_SIZE = 50


def require_mia(user) -> None:
    """Out of the service, its pages do not exist: 404, as for any object out of scope."""
    if not can_use_prevention_pages(user):
        raise Http404


def _record_form_kwargs(user, mahallas):
    return {
        "mahallas": mahallas,
        "register_entries": register_entries_visible_to(user).filter(mahalla__in=mahallas),
    }


# A list of choices longer than this waits for a district to be chosen: a republic officer's
# lists of every mahalla and inspector would be ~9,500 and ~12,000 options on every page.
MAX_CHOICES = 300


def _offer_at_most(field, queryset, hint: str) -> None:
    """Offers the field's choices from `queryset` when there are at most MAX_CHOICES, else
    none but the hint. Only the list shown is cut: a value given in the address is still
    checked against the field's whole queryset, one indexed lookup."""
    shown = list(queryset[: MAX_CHOICES + 1])
    if len(shown) > MAX_CHOICES:
        shown = []
        field.help_text = hint
    field.widget.choices = [
        ("", field.empty_label),
        *((o.pk, field.label_from_instance(o)) for o in shown),
    ]


@login_required
def record_list_view(request):
    require_mia(request.user)
    records = record_list(queryset=records_visible_to(request.user))
    filterset = PreventionRecordFilter(request.GET, queryset=records)
    # The choices offered are the user's own scope; anything else is a form error.
    form = filterset.form
    form.fields["district"].queryset = territories_in_scope(request.user, Territory.Kind.DISTRICT)
    mahallas = mahallas_in_scope(request.user)
    inspectors = inspector_list(queryset=inspectors_visible_to(request.user))
    form.fields["mahalla"].queryset = mahallas
    form.fields["inspector"].queryset = inspectors
    district = request.GET.get("district", "")
    # Only a plausible id narrows the lists; any other value is the filter form's 400.
    if district.isdigit() and len(district) <= 9:
        mahallas = mahallas.filter(parent_id=district)
        inspectors = inspectors.filter(post__mahallas__parent_id=district).distinct()
    _offer_at_most(form.fields["mahalla"], mahallas, _("Choose a district to list its mahallas."))
    _offer_at_most(
        form.fields["inspector"], inspectors, _("Choose a district to list its inspectors.")
    )
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else records.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="date",
    )
    context = {
        "filterset": filterset,
        "page": page,
        "can_file": can_file_records(request.user),
        "page_query": page.next_query(request.GET),
    }
    template = "prevention/record_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def record_export_view(request):
    """The records of the list's filters as CSV, streamed: rows are read in chunks while the
    file is sent, so a district's years of records never sit in memory. Same scope and
    filters as the list; a bad filter is a 400 with the list's errors."""
    require_mia(request.user)
    records = records_visible_to(request.user)
    filterset = PreventionRecordFilter(request.GET, queryset=records)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "; ".join(str(e) for errors in filterset.errors.values() for e in errors),
            content_type="text/plain; charset=utf-8",
        )
    header, rows = record_export_rows(queryset=filterset.qs)
    return csv_response(header, rows, filename="prevention-records.csv")


@login_required
def record_create_view(request):
    inspector = inspector_of(request.user)
    if inspector is None:
        raise Http404
    mahallas = mahallas_for_new_rows(request.user)
    initial = {"date": timezone.localdate(), "mahalla": mahallas.first(), "people_reached": 1}
    form = PreventionRecordForm(
        request.POST or None, initial=initial, **_record_form_kwargs(request.user, mahallas)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = record_create(inspector=inspector, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The record has been filed."))
                return redirect("prevention:record-detail", pk=record.pk)
        status = 400
    return render(
        request, "prevention/record_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def record_detail_view(request, pk: int):
    require_mia(request.user)
    record = get_object_or_404(record_list(queryset=records_visible_to(request.user)), pk=pk)
    context = {
        "record": record,
        "history": change_history(record),
        "locked": record_is_locked(record),
        "can_edit": can_edit_record(request.user, record),
    }
    return render(request, "prevention/record_detail.html", context)


@login_required
def record_edit_view(request, pk: int):
    require_mia(request.user)
    record = get_object_or_404(record_list(queryset=records_visible_to(request.user)), pk=pk)
    if not can_edit_record(request.user, record):
        raise PermissionDenied
    mahallas = mahallas_in_scope(request.user) | Territory.objects.filter(pk=record.mahalla_id)
    initial = {name: getattr(record, name) for name in PreventionRecordForm.base_fields}
    form = PreventionRecordEditForm(
        request.POST or None, initial=initial, **_record_form_kwargs(request.user, mahallas)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason", "")
            try:
                record_update(record=record, user=request.user, reason=reason, **data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The record has been corrected."))
                return redirect("prevention:record-detail", pk=record.pk)
        status = 400
    context = {"form": form, "record": record, "locked": record_is_locked(record)}
    return render(request, "prevention/record_form.html", context, status=status)


urlpatterns = [
    path("records/", record_list_view, name="record-list"),
    path("records/new/", record_create_view, name="record-create"),
    path("records/export.csv", record_export_view, name="record-export"),
    path("records/<int:pk>/", record_detail_view, name="record-detail"),
    path("records/<int:pk>/edit/", record_edit_view, name="record-edit"),
]
