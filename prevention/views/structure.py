"""The service's structure in the browser: inspectors with their assignment history, and the
mahalla "seven" kept by the district unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from core.history import change_history
from prevention.forms.structure import MahallaContactForm
from prevention.models import MahallaContact
from prevention.permissions import (
    can_edit_contacts,
    contacts_visible_to,
    inspectors_visible_to,
    mahallas_in_scope,
)
from prevention.selectors import inspector_list
from prevention.services import mahalla_contact_set
from prevention.views.records import require_mia


@login_required
def inspector_list_view(request):
    require_mia(request.user)
    inspectors = inspector_list(queryset=inspectors_visible_to(request.user))[:500]
    return render(request, "prevention/inspector_list.html", {"inspectors": inspectors})


@login_required
def inspector_detail_view(request, pk: int):
    require_mia(request.user)
    inspector = get_object_or_404(
        inspector_list(queryset=inspectors_visible_to(request.user)), pk=pk
    )
    assignments = (
        Membership.objects.filter(user=inspector.user, role=Role.INSPECTOR)
        .select_related("territory__parent")
        .order_by("-valid_from")
    )
    context = {
        "inspector": inspector,
        "assignments": assignments,
        "history": change_history(inspector),
    }
    return render(request, "prevention/inspector_detail.html", context)


@login_required
def mahalla_contacts_view(request, code: str):
    """The mahalla "seven": seen by MIA users of the mahalla, kept by the district unit."""
    require_mia(request.user)
    mahalla = get_object_or_404(mahallas_in_scope(request.user), code=code)
    editable = can_edit_contacts(request.user, mahalla)
    form = MahallaContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not editable:
            status = 403
        elif form.is_valid():
            mahalla_contact_set(mahalla=mahalla, changed_by=request.user, **form.cleaned_data)
            messages.success(request, _("The contact has been saved."))
            return redirect("prevention:mahalla-contacts", code=mahalla.code)
        else:
            status = 400
    current = {c.position: c for c in contacts_visible_to(request.user).filter(mahalla=mahalla)}
    rows = [(value, label, current.get(value)) for value, label in MahallaContact.Position.choices]
    context = {"mahalla": mahalla, "rows": rows, "form": form, "editable": editable}
    return render(request, "prevention/mahalla_contacts.html", context, status=status)


urlpatterns = [
    path("inspectors/", inspector_list_view, name="inspector-list"),
    path("inspectors/<int:pk>/", inspector_detail_view, name="inspector-detail"),
    path("mahallas/<str:code>/seven/", mahalla_contacts_view, name="mahalla-contacts"),
]
