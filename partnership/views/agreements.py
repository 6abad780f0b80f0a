"""Agreements (memoranda of cooperation) in the portal: the list, drafting one, its page with
status changes, documents and obligations.

Every agreement is fetched through `agreements_visible_to`, so one outside the user's scope is
a 404, documents and evidence files included.
"""

from pathlib import PurePath

import filetype
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import ORGANISATION_ROLES, Role
from accounts.permissions import (
    has_role,
    is_portal_admin,
    organisation_ids,
    territory_scope_q,
)
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from core.uploads import ALLOWED_TYPES, stored_file_response
from partnership.forms.agreements import (
    AgreementFilter,
    AgreementForm,
    ObligationCompleteForm,
    ObligationForm,
    TransitionForm,
)
from partnership.models import Agreement, Obligation, Organisation
from partnership.permissions import agreements_visible_to, can_act_for_unit, can_edit_agreement
from partnership.selectors import agreement_detail, agreement_list
from partnership.services import (
    TRANSITIONS,
    agreement_create,
    agreement_transition,
    obligation_add,
    obligation_complete,
)
from prevention.models import Unit

PAGE_SIZE = 30
# The units an agreement is signed with: never a mahalla post.
SIGNING_UNIT_KINDS = (Unit.Kind.REPUBLIC, Unit.Kind.REGION, Unit.Kind.DISTRICT)
CLOSED = (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED)
TRANSITION_LABELS = {
    Agreement.Status.PROPOSED: gettext_lazy("Propose to the other side"),
    Agreement.Status.DRAFT: gettext_lazy("Return to draft"),
    Agreement.Status.ACTIVE: gettext_lazy("Sign and activate"),
    Agreement.Status.TERMINATED: gettext_lazy("Terminate"),
}


def require_agreement_pages(user) -> None:
    """The pages exist for the parties' people: NGO staff, unit officers, administrators."""
    if not (is_portal_admin(user) or has_role(user, *ORGANISATION_ROLES, Role.UNIT_OFFICER)):
        raise Http404


def _creation_choices(user) -> tuple[QuerySet[Unit], QuerySet[Organisation] | None]:
    """What the user may draft an agreement for: NGO staff for one of their organisations
    with any unit; unit officers for a unit of their territory. Anyone else: 404."""
    own = organisation_ids(user)
    officer = is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER)
    if not own and not officer:
        raise Http404
    units = Unit.objects.filter(kind__in=SIGNING_UNIT_KINDS).order_by("territory__path", "code")
    if own:
        organisations = Organisation.objects.filter(
            pk__in=own, verification=Organisation.Verification.VERIFIED
        ).order_by("name")
        return units, organisations
    scope = territory_scope_q(user, field="territory__path", roles={Role.UNIT_OFFICER})
    return units.filter(scope), None


def _default_unit(units: QuerySet[Unit], own_organisations) -> Unit | None:
    """The unit nearest to the user's first organisation, or an officer's own (top) unit."""
    units = list(units.select_related("territory"))
    if own_organisations is None:
        return min(units, key=lambda unit: unit.territory.depth, default=None)
    organisation = own_organisations.select_related("territory").first()
    if organisation is None:
        return None
    above = [u for u in units if organisation.territory.path.startswith(u.territory.path)]
    return max(above, key=lambda unit: unit.territory.depth, default=None)


def _get_agreement(request, pk: int) -> Agreement:
    require_agreement_pages(request.user)
    agreements = agreement_detail(queryset=agreements_visible_to(request.user)).select_related(
        "status_changed_by", "created_by"
    )
    return get_object_or_404(agreements, pk=pk)


def _render_detail(
    request,
    agreement: Agreement,
    *,
    obligation_form=None,
    complete_forms=None,
    action_error: str = "",
    status: int = 200,
):
    """The agreement page. Bound forms passed in (with their errors) are shown as they are."""
    user = request.user
    can_edit = can_edit_agreement(user, agreement)
    is_open = agreement.status not in CLOSED
    signer = can_edit and can_act_for_unit(user, agreement.unit)
    transitions = []
    if can_edit:
        for (current, target), who in TRANSITIONS.items():
            if current == agreement.status and (who == "party" or signer):
                transitions.append((target, TRANSITION_LABELS[target]))
    awaiting_signature = agreement.status == Agreement.Status.PROPOSED and not signer
    complete_forms = complete_forms or {}
    obligations = []
    for obligation in agreement.obligations.all():
        form = complete_forms.get(obligation.pk)
        if form is None and can_edit and is_open and obligation.state != Obligation.State.DONE:
            form = ObligationCompleteForm(obligation=obligation)
        obligations.append((obligation, form))
    if obligation_form is None and can_edit and is_open:
        obligation_form = ObligationForm(agreement=agreement)
    context = {
        "agreement": agreement,
        "obligations": obligations,
        "documents": list(agreement.documents.all()),
        "history": change_history(agreement),
        "can_edit": can_edit,
        "transitions": transitions,
        "awaiting_signature": awaiting_signature,
        "obligation_form": obligation_form,
        "action_error": action_error,
    }
    return render(request, "partnership/agreement_detail.html", context, status=status)


@login_required
def agreement_list_view(request):
    user = request.user
    require_agreement_pages(user)
    agreements = agreement_list(queryset=agreements_visible_to(user))
    filterset = AgreementFilter(request.GET, queryset=agreements)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else agreements.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="valid_from",
    )
    context = {
        "filterset": filterset,
        "page": page,
        "page_query": page.next_query(request.GET),
        "can_create": bool(organisation_ids(user))
        or is_portal_admin(user)
        or has_role(user, Role.UNIT_OFFICER),
    }
    template = "partnership/agreement_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def agreement_create_view(request):
    units, own_organisations = _creation_choices(request.user)
    posted = request.method == "POST"
    form = AgreementForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=None if posted else {"unit": _default_unit(units, own_organisations)},
        units=units,
        own_organisations=own_organisations,
    )
    status = 200
    if posted:
        if form.is_valid():
            try:
                agreement = agreement_create(by=request.user, **form.service_kwargs())
            except ApplicationError as error:
                if error.extra.get("field") == "files":
                    form.add_error("documents", error.message)
                else:
                    add_service_error(form, error)
            else:
                messages.success(request, _("The agreement has been drafted."))
                return redirect("partnership:agreement-detail", pk=agreement.pk)
        status = 400
    return render(request, "partnership/agreement_form.html", {"form": form}, status=status)


@login_required
def agreement_detail_view(request, pk: int):
    agreement = _get_agreement(request, pk)
    return _render_detail(request, agreement)


def _attachment(file_field, content_type: str, title: str) -> FileResponse:
    """The stored file as a download, named after its title with the extension of its
    checked content (none for a type that was not checked: it goes out as bytes)."""
    extension = ALLOWED_TYPES.get(content_type, "")
    name = f"{slugify(PurePath(title).stem) or 'document'}{extension}"
    return stored_file_response(file_field, content_type=content_type, filename=name)


@login_required
def agreement_document_view(request, pk: int, doc_pk: int):
    agreement = _get_agreement(request, pk)
    document = get_object_or_404(agreement.documents.all(), pk=doc_pk)
    return _attachment(document.file, document.content_type, document.title)


@login_required
@require_POST
def agreement_transition_view(request, pk: int):
    agreement = _get_agreement(request, pk)
    if not can_edit_agreement(request.user, agreement):
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(
            request, agreement, action_error=_("Choose a valid status."), status=400
        )
    try:
        agreement = agreement_transition(
            agreement=agreement, status=form.cleaned_data["status"], by=request.user
        )
    except ApplicationError as error:
        return _render_detail(request, agreement, action_error=error.message, status=400)
    messages.success(
        request,
        _("The agreement is now “%(status)s”.") % {"status": agreement.get_status_display()},
    )
    return redirect("partnership:agreement-detail", pk=agreement.pk)


@login_required
@require_POST
def obligation_add_view(request, pk: int):
    agreement = _get_agreement(request, pk)
    if not can_edit_agreement(request.user, agreement):
        raise PermissionDenied
    form = ObligationForm(request.POST, agreement=agreement)
    if form.is_valid():
        try:
            obligation_add(agreement=agreement, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The obligation has been added."))
            return redirect("partnership:agreement-detail", pk=agreement.pk)
    return _render_detail(request, agreement, obligation_form=form, status=400)


@login_required
@require_POST
def obligation_complete_view(request, pk: int, obligation_pk: int):
    agreement = _get_agreement(request, pk)
    obligation = get_object_or_404(Obligation.objects.filter(agreement=agreement), pk=obligation_pk)
    if not can_edit_agreement(request.user, agreement):
        raise PermissionDenied
    form = ObligationCompleteForm(request.POST, request.FILES, obligation=obligation)
    if form.is_valid():
        try:
            obligation_complete(
                obligation=obligation,
                evidence=form.cleaned_data["evidence"],
                evidence_file=form.cleaned_data["evidence_file"],
            )
        except ApplicationError as error:
            if error.extra.get("field") == "files":
                form.add_error("evidence_file", error.message)
            else:
                add_service_error(form, error)
        else:
            messages.success(request, _("The obligation is marked as done."))
            return redirect("partnership:agreement-detail", pk=agreement.pk)
    return _render_detail(request, agreement, complete_forms={obligation.pk: form}, status=400)


@login_required
def obligation_evidence_view(request, pk: int, obligation_pk: int):
    agreement = _get_agreement(request, pk)
    obligation = get_object_or_404(
        Obligation.objects.filter(agreement=agreement).exclude(evidence_file=""), pk=obligation_pk
    )
    # The stored name keeps the uploader's extension; the type is read from the content.
    try:
        with obligation.evidence_file.open("rb") as handle:
            kind = filetype.guess(handle.read(2048))
    except FileNotFoundError:
        raise Http404 from None
    content_type = kind.mime if kind and kind.mime in ALLOWED_TYPES else "application/octet-stream"
    return _attachment(obligation.evidence_file, content_type, _("evidence"))


urlpatterns = [
    path("agreements/", agreement_list_view, name="agreement-list"),
    path("agreements/new/", agreement_create_view, name="agreement-create"),
    path("agreements/<int:pk>/", agreement_detail_view, name="agreement-detail"),
    path(
        "agreements/<int:pk>/documents/<int:doc_pk>/",
        agreement_document_view,
        name="agreement-document",
    ),
    path(
        "agreements/<int:pk>/transition/",
        agreement_transition_view,
        name="agreement-transition",
    ),
    path("agreements/<int:pk>/obligations/new/", obligation_add_view, name="obligation-add"),
    path(
        "agreements/<int:pk>/obligations/<int:obligation_pk>/complete/",
        obligation_complete_view,
        name="obligation-complete",
    ),
    path(
        "agreements/<int:pk>/obligations/<int:obligation_pk>/evidence/",
        obligation_evidence_view,
        name="obligation-evidence",
    ),
]
