"""The prevention register in the browser. Personal data: every page that shows it logs the
read (accounts.PersonalDataRead), and only MIA users in scope reach these pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.models import PersonalDataRead
from accounts.selectors import personal_data_reads_of
from accounts.services import personal_data_reads_log
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from mahalla.models import Territory
from prevention.filters import RegisterEntryFilter
from prevention.forms.records import RegisterEntryEditForm, RegisterEntryForm
from prevention.permissions import (
    can_edit_register_entry,
    inspector_of,
    mahallas_for_new_rows,
    mahallas_in_scope,
    register_entries_visible_to,
    territories_in_scope,
)
from prevention.selectors import register_entry_list
from prevention.services import register_entry_create, register_entry_update
from prevention.views.records import PAGE_SIZE, require_mia


def _log_reads(request, entries) -> None:
    personal_data_reads_log(
        user=request.user,
        objects=entries,
        territory_of=lambda entry: entry.mahalla_id,
        via=PersonalDataRead.Via.PAGE,
    )


@login_required
def register_list_view(request):
    require_mia(request.user)
    entries = register_entry_list(queryset=register_entries_visible_to(request.user))
    filterset = RegisterEntryFilter(request.GET, queryset=entries)
    filterset.form.fields["mahalla"].queryset = mahallas_in_scope(request.user)
    filterset.form.fields["district"].queryset = territories_in_scope(
        request.user, Territory.Kind.DISTRICT
    )
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else entries.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="registered_on",
    )
    _log_reads(request, page.items)
    context = {
        "filterset": filterset,
        "page": page,
        "can_file": inspector_of(request.user) is not None,
        "page_query": page.next_query(request.GET),
    }
    template = "prevention/register_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def register_create_view(request):
    inspector = inspector_of(request.user)
    if inspector is None:
        raise Http404
    mahallas = mahallas_for_new_rows(request.user)
    form = RegisterEntryForm(
        request.POST or None, initial={"mahalla": mahallas.first()}, mahallas=mahallas
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = register_entry_create(inspector=inspector, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The person has been placed on the register."))
                return redirect("prevention:register-detail", pk=entry.pk)
        status = 400
    return render(
        request, "prevention/register_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def register_detail_view(request, pk: int):
    require_mia(request.user)
    entry = get_object_or_404(
        register_entry_list(queryset=register_entries_visible_to(request.user)), pk=pk
    )
    _log_reads(request, [entry])
    context = {
        "entry": entry,
        "reads": personal_data_reads_of(request.user, entry),
        "records": entry.records.select_related("inspector__user").order_by("-date")[:20],
        "can_edit": can_edit_register_entry(request.user, entry),
        "history": change_history(entry),
    }
    return render(request, "prevention/register_detail.html", context)


@login_required
def register_edit_view(request, pk: int):
    require_mia(request.user)
    entry = get_object_or_404(
        register_entry_list(queryset=register_entries_visible_to(request.user)), pk=pk
    )
    mahallas = mahallas_in_scope(request.user) | Territory.objects.filter(pk=entry.mahalla_id)
    initial = {name: getattr(entry, name) for name in RegisterEntryEditForm.base_fields}
    form = RegisterEntryEditForm(request.POST or None, initial=initial, mahallas=mahallas)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                register_entry_update(entry=entry, user=request.user, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The register entry has been saved."))
                return redirect("prevention:register-detail", pk=entry.pk)
        status = 400
    else:
        _log_reads(request, [entry])
    context = {"form": form, "entry": entry}
    return render(request, "prevention/register_form.html", context, status=status)


urlpatterns = [
    path("register/", register_list_view, name="register-list"),
    path("register/new/", register_create_view, name="register-create"),
    path("register/<int:pk>/", register_detail_view, name="register-detail"),
    path("register/<int:pk>/edit/", register_edit_view, name="register-edit"),
]
