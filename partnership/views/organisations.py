"""The organisation registry in the browser: the public application form, the list and its
CSV export, the profile, the officers' verification queue and the staff accounts."""

import base64
import binascii
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from accounts.models import MIA_ROLES, Membership, Role
from accounts.permissions import (
    has_role,
    is_portal_admin,
    organisation_ids,
    territory_scope_paths,
    territory_scope_q,
)
from core.exceptions import ApplicationError
from core.exports import csv_response
from core.forms import add_service_error
from core.history import change_history
from core.paging import KeysetPage
from mahalla.models import Territory
from partnership.forms.organisations import (
    OrganisationApplyForm,
    OrganisationFilter,
    OrganisationProfileForm,
    StaffActionForm,
    StaffInviteForm,
    VerificationForm,
    districts,
)
from partnership.models import Organisation
from partnership.permissions import (
    agreements_visible_to,
    can_manage_staff,
    can_verify_organisation,
    organisations_visible_to,
)
from partnership.resources import OrganisationResource
from partnership.selectors import organisation_list
from partnership.services import (
    organisation_apply,
    organisation_update,
    organisation_verify,
    staff_deactivate,
)
from partnership.services import staff_invite as staff_invite_service
from prevention.permissions import is_unit_officer_over

PAGE_SIZE = 50
QUEUE_SIZE = 50
AGREEMENTS_SHOWN = 100
PAST_STAFF_SHOWN = 100
EXPORT_CHUNK = 500


# --- Helpers --------------------------------------------------------------------------------


def _apply_rate(group, request) -> str:
    # Read on every request, so that a changed setting (and a test's override) applies.
    return settings.ORGANISATION_APPLY_RATE


def _get_organisation(request, pk: int) -> Organisation:
    """The organisation if the user may see it; a hidden one does not exist (404)."""
    queryset = organisation_list(queryset=organisations_visible_to(request.user))
    return get_object_or_404(queryset, pk=pk)


def _can_edit_profile(user, organisation: Organisation) -> bool:
    # The same people as for its staff accounts: its administrator and portal administrators.
    return can_manage_staff(user, organisation)


def _can_see_staff(user, organisation: Organisation) -> bool:
    """Its administrators and portal administrators, and the unit officers above it."""
    return can_manage_staff(user, organisation) or is_unit_officer_over(
        user, organisation.territory
    )


def _can_verify_any(user) -> bool:
    return is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER)


def _awaiting_verification(user) -> QuerySet[Organisation]:
    """Applications the user may decide: pending, registered under the user's unit."""
    return organisations_visible_to(user).filter(
        territory_scope_q(user, field="territory__path", roles={Role.UNIT_OFFICER}),
        verification=Organisation.Verification.PENDING,
    )


def _filter_districts(user) -> QuerySet[Territory]:
    """Districts offered by the list's filter: those of the user's territory, and of the
    organisations the user works for."""
    paths = territory_scope_paths(user, roles=MIA_ROLES)
    if paths is None:
        return districts()
    scope = territory_scope_q(user, field="path", roles=MIA_ROLES)
    own = organisation_ids(user)
    if own:
        scope |= Q(pk__in=Organisation.objects.filter(pk__in=own).values("territory"))
    return districts().filter(scope)


def _name_page(queryset: QuerySet, *, token: str | None, size: int) -> KeysetPage:
    """The `size` rows after `token`, ordered by (name, id): the registry reads
    alphabetically. The token is the (name, id) of the last row shown; a malformed one is a
    400."""
    queryset = queryset.order_by("name", "id")
    if token:
        try:
            padded = token + "=" * (-len(token) % 4)
            name, last_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if not isinstance(name, str) or not isinstance(last_id, int) or "\x00" in name:
                raise ValueError(token)
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            raise SuspiciousOperation("Malformed page token.") from None
        queryset = queryset.filter(Q(name__gt=name) | Q(name=name, id__gt=last_id))
    rows = list(queryset[: size + 1])
    items = rows[:size]
    next_token = None
    if len(rows) > size:
        last = items[-1]
        raw = json.dumps([last.name, last.pk], ensure_ascii=False).encode("utf-8")
        next_token = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return KeysetPage(items=items, next_token=next_token)


def _filtered(request) -> tuple[OrganisationFilter, bool]:
    organisations = organisation_list(queryset=organisations_visible_to(request.user))
    filterset = OrganisationFilter(
        request.GET, queryset=organisations, districts=_filter_districts(request.user)
    )
    return filterset, filterset.is_valid()


def _current_staff(organisation: Organisation) -> QuerySet[Membership]:
    today = timezone.localdate()
    return (
        Membership.objects.filter(organisation=organisation)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def _past_staff(organisation: Organisation) -> QuerySet[Membership]:
    today = timezone.localdate()
    return (
        Membership.objects.filter(organisation=organisation, valid_to__lt=today)
        .select_related("user")
        .order_by("-valid_to", "-pk")
    )


# --- Public application ---------------------------------------------------------------------


@ratelimit(key="ip", rate=_apply_rate, method="POST", block=False)
def organisation_apply_view(request):
    """The public application form. No login; submissions are limited per client address."""
    template = "partnership/organisation_apply.html"
    form = OrganisationApplyForm(request.POST or None)
    if request.method != "POST":
        return render(request, template, {"form": form})
    if getattr(request, "limited", False):
        return render(request, template, {"form": form, "limited": True}, status=429)
    if form.is_valid():
        try:
            organisation_apply(**form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        except IntegrityError:
            # Two applications with the same number at the same moment: the second loses.
            form.add_error(
                "registration_number",
                _("An organisation with this registration number is already registered."),
            )
        else:
            return redirect("partnership:organisation-apply-done")
    return render(request, template, {"form": form}, status=400)


def organisation_apply_done_view(request):
    return render(request, "partnership/organisation_apply_done.html")


# --- List and export ------------------------------------------------------------------------


@login_required
def organisation_list_view(request):
    filterset, valid = _filtered(request)
    page = _name_page(
        filterset.qs if valid else filterset.queryset.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    export_query = request.GET.copy()
    export_query.pop("after", None)
    context = {
        "filterset": filterset,
        "page": page,
        "page_query": page.next_query(request.GET),
        "export_query": export_query.urlencode(),
        "can_verify": _can_verify_any(request.user),
    }
    template = "partnership/organisation_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


def _export_rows(queryset: QuerySet[Organisation]):
    resource = OrganisationResource()
    fields = resource.get_export_fields()
    for organisation in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield [resource.export_field(field, organisation) for field in fields]


@login_required
def organisation_export_view(request):
    """The organisations the user sees, with the list's filters, in the registry's import
    format; streamed row by row, never held in memory."""
    filterset, valid = _filtered(request)
    if not valid:
        context = {
            "filterset": filterset,
            "page": KeysetPage(items=[], next_token=None),
            "can_verify": _can_verify_any(request.user),
        }
        return render(request, "partnership/organisation_list.html", context, status=400)
    queryset = filterset.qs.select_related("territory").order_by("name", "id")
    header = OrganisationResource().get_export_headers()
    stamp = timezone.localdate().isoformat()
    return csv_response(header, _export_rows(queryset), filename=f"organisations-{stamp}.csv")


# --- Profile --------------------------------------------------------------------------------


@login_required
def organisation_detail_view(request, pk: int):
    organisation = _get_organisation(request, pk)
    user = request.user
    sees_staff = _can_see_staff(user, organisation)
    agreements = (
        agreements_visible_to(user)
        .filter(organisations=organisation)
        .select_related("unit")
        .order_by("-valid_from", "-id")[:AGREEMENTS_SHOWN]
    )
    pending = organisation.verification == Organisation.Verification.PENDING
    context = {
        "organisation": organisation,
        "staff": list(_current_staff(organisation)) if sees_staff else None,
        "agreements": list(agreements),
        "can_edit": _can_edit_profile(user, organisation),
        "can_manage_staff": can_manage_staff(user, organisation),
        "can_verify": pending and can_verify_organisation(user, organisation),
        # Who changed the profile is for its own staff and the officers over it.
        "history": change_history(organisation) if sees_staff else None,
    }
    return render(request, "partnership/organisation_detail.html", context)


@login_required
def organisation_edit_view(request, pk: int):
    organisation = _get_organisation(request, pk)
    if not _can_edit_profile(request.user, organisation):
        raise PermissionDenied
    form = OrganisationProfileForm(
        request.POST or None, initial=OrganisationProfileForm.initial_for(organisation)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organisation_update(organisation=organisation, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The profile has been saved."))
                return redirect("partnership:organisation-detail", pk=organisation.pk)
        status = 400
    context = {"form": form, "organisation": organisation}
    return render(request, "partnership/organisation_form.html", context, status=status)


# --- Verification ---------------------------------------------------------------------------


def _verification_page(request, *, failed_form=None, status=200):
    pending = (
        _awaiting_verification(request.user)
        .select_related("territory__parent")
        .prefetch_related("areas")
        .order_by("created_at", "id")
    )
    rows = list(pending[: QUEUE_SIZE + 1])
    context = {
        "items": rows[:QUEUE_SIZE],
        "more": len(rows) > QUEUE_SIZE,
        "page_size": QUEUE_SIZE,
        "failed_form": failed_form,
    }
    return render(request, "partnership/organisation_verification.html", context, status=status)


@login_required
def organisation_verification_view(request):
    """Applications awaiting verification in the officer's territory, oldest first."""
    if not _can_verify_any(request.user):
        raise Http404
    return _verification_page(request)


@login_required
@require_POST
def organisation_verify_view(request, pk: int):
    organisation = _get_organisation(request, pk)
    if not can_verify_organisation(request.user, organisation):
        raise PermissionDenied
    form = VerificationForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            organisation = organisation_verify(
                organisation=organisation, approve=approve, by=request.user
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "partnership/organisation_verification.html#row",
                    {"organisation": organisation},
                )
            if approve:
                messages.success(
                    request,
                    _("%(name)s is verified; its applicant has been invited.")
                    % {"name": organisation.name},
                )
            else:
                messages.success(
                    request, _("The application of %(name)s is rejected.") % {"name": organisation}
                )
            if form.cleaned_data["next"] == "detail":
                return redirect("partnership:organisation-detail", pk=organisation.pk)
            return redirect("partnership:organisation-verification")
    if request.htmx:
        context = {"organisation": organisation, "row_form": form}
        return render(
            request, "partnership/organisation_verification.html#row", context, status=400
        )
    return _verification_page(request, failed_form=form, status=400)


# --- Staff ----------------------------------------------------------------------------------


def _staff_page(request, organisation, *, form=None, failed_form=None, status=200):
    context = {
        "organisation": organisation,
        "form": form or StaffInviteForm(),
        "current": list(_current_staff(organisation)),
        "past": list(_past_staff(organisation)[:PAST_STAFF_SHOWN]),
        "failed_form": failed_form,
        "today": timezone.localdate(),
    }
    return render(request, "partnership/staff_list.html", context, status=status)


def _staff_organisation(request, pk: int) -> Organisation:
    """The organisation if the user may manage its staff: 404 out of scope, 403 in scope but
    without the right."""
    organisation = _get_organisation(request, pk)
    if not can_manage_staff(request.user, organisation):
        raise PermissionDenied
    return organisation


@login_required
def staff_list_view(request, pk: int):
    organisation = _staff_organisation(request, pk)
    return _staff_page(request, organisation)


@login_required
@require_POST
def staff_invite_view(request, pk: int):
    organisation = _staff_organisation(request, pk)
    form = StaffInviteForm(request.POST)
    if form.is_valid():
        try:
            staff_invite_service(organisation=organisation, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(email)s has been invited; the e-mail holds a link to set a password.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("partnership:staff-list", pk=organisation.pk)
    return _staff_page(request, organisation, form=form, status=400)


@login_required
@require_POST
def staff_deactivate_view(request, pk: int, membership_pk: int):
    organisation = _staff_organisation(request, pk)
    membership = get_object_or_404(_current_staff(organisation), pk=membership_pk)
    form = StaffActionForm(request.POST)
    if form.is_valid():
        try:
            membership = staff_deactivate(membership=membership, by=request.user)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                context = {"membership": membership, "organisation": organisation}
                return render(request, "partnership/staff_list.html#row", context)
            messages.success(
                request,
                _("%(name)s no longer acts for the organisation.") % {"name": membership.user},
            )
            return redirect("partnership:staff-list", pk=organisation.pk)
    if request.htmx:
        context = {"membership": membership, "organisation": organisation, "row_form": form}
        return render(request, "partnership/staff_list.html#row", context, status=400)
    return _staff_page(request, organisation, failed_form=form, status=400)


urlpatterns = [
    path("organisations/", organisation_list_view, name="organisation-list"),
    path("organisations/apply/", organisation_apply_view, name="organisation-apply"),
    path(
        "organisations/apply/thanks/",
        organisation_apply_done_view,
        name="organisation-apply-done",
    ),
    path("organisations/export.csv", organisation_export_view, name="organisation-export"),
    path(
        "organisations/verification/",
        organisation_verification_view,
        name="organisation-verification",
    ),
    path("organisations/<int:pk>/", organisation_detail_view, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", organisation_edit_view, name="organisation-edit"),
    path("organisations/<int:pk>/verify/", organisation_verify_view, name="organisation-verify"),
    path("organisations/<int:pk>/staff/", staff_list_view, name="staff-list"),
    path("organisations/<int:pk>/staff/invite/", staff_invite_view, name="staff-invite"),
    path(
        "organisations/<int:pk>/staff/<int:membership_pk>/deactivate/",
        staff_deactivate_view,
        name="staff-deactivate",
    ),
]
