"""Information requests between organisations and MIA units, either way: the list, a new
request, the request with its attachments, and the answer by the receiving side."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ORGANISATION_ROLES, Role
from accounts.permissions import has_role, is_portal_admin, territory_scope_q
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from mahalla.selectors import region_paths, under
from partnership.forms.activities import RequestAnswerForm, RequestFilter, RequestForm
from partnership.models import Agreement, InformationRequest, Organisation, RequestAttachment
from partnership.permissions import (
    can_answer_request,
    organisations_visible_to,
    requests_visible_to,
)
from partnership.selectors import request_list
from partnership.services import (
    ANSWER_WORKING_DAYS,
    request_answer,
    request_create,
    working_days_after,
)
from partnership.views.activities import file_response, own_organisations
from prevention.models import Unit

PAGE_SIZE = 50
# Above this many organisations in an officer's scope, the request form asks for the
# registration number instead of offering a select of thousands.
ORGANISATION_SELECT_LIMIT = 300


def require_request_pages(user) -> None:
    """The pages exist for NGO staff, unit officers and administrators; 404 for others."""
    if not (is_portal_admin(user) or has_role(user, *ORGANISATION_ROLES, Role.UNIT_OFFICER)):
        raise Http404


def _officer_units(user):
    """The units an officer writes for: those of its subtree, posts excepted."""
    units = Unit.objects.exclude(kind=Unit.Kind.POST)
    if is_portal_admin(user):
        return units.order_by("code")
    scope = territory_scope_q(user, field="territory__path", roles={Role.UNIT_OFFICER})
    return units.filter(scope).order_by("code")


@login_required
def request_list_view(request):
    user = request.user
    require_request_pages(user)
    requests = request_list(queryset=requests_visible_to(user))
    filterset = RequestFilter(request.GET, queryset=requests)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else requests.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="created_at",
    )
    context = {
        "filterset": filterset,
        "page": page,
        "page_query": page.next_query(request.GET),
        "today": timezone.localdate(),
        "can_create": own_organisations(user).exists() or _officer_units(user).exists(),
    }
    template = "partnership/request_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def request_create_view(request):
    """NGO staff write to a unit; unit officers write to an organisation of their territory."""
    user = request.user
    organisations = own_organisations(user)
    if organisations.exists():
        direction = InformationRequest.Direction.TO_UNIT
        regions = region_paths(organisations.values_list("territory__path", flat=True))
        units = Unit.objects.filter(
            (Q(kind=Unit.Kind.DISTRICT) & under(regions, "territory__path"))
            | Q(pk__in=Agreement.objects.filter(organisations__in=organisations).values("unit"))
        ).order_by("kind", "code")
        by_number = False
    elif is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER):
        direction = InformationRequest.Direction.TO_ORGANISATION
        units = _officer_units(user)
        organisations = organisations_visible_to(user).filter(
            verification=Organisation.Verification.VERIFIED
        )
        by_number = len(organisations[: ORGANISATION_SELECT_LIMIT + 1]) > ORGANISATION_SELECT_LIMIT
        organisations = organisations.order_by("name")
    else:
        raise Http404
    initial = {"due_date": working_days_after(timezone.localdate(), ANSWER_WORKING_DAYS)}
    if direction == InformationRequest.Direction.TO_UNIT:
        first = organisations.first()
        home_unit = units.filter(kind=Unit.Kind.DISTRICT, territory_id=first.territory_id).first()
        initial["unit"] = home_unit
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisations=organisations,
        units=units,
        organisation_by_number=by_number,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = request_create(
                    direction=direction,
                    organisation=data["organisation"],
                    unit=data["unit"],
                    subject=data["subject"],
                    text=data["text"],
                    by=user,
                    due_date=data["due_date"],
                    files=data["files"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The request has been sent."))
                return redirect("partnership:request-detail", pk=created.pk)
        status = 400
    context = {"form": form, "direction": direction, "by_number": by_number}
    return render(request, "partnership/request_form.html", context, status=status)


def _get_request(request, pk: int) -> InformationRequest:
    require_request_pages(request.user)
    return get_object_or_404(request_list(queryset=requests_visible_to(request.user)), pk=pk)


def _render_detail(request, info_request, *, answer_form=None, status=200):
    can_answer = info_request.state != InformationRequest.State.ANSWERED and can_answer_request(
        request.user, info_request
    )
    if can_answer and answer_form is None:
        answer_form = RequestAnswerForm()
    context = {
        "info_request": info_request,
        "attachments": list(info_request.attachments.order_by("pk")),
        # A refused answer is shown with its errors even once the request is answered.
        "answer_form": answer_form,
        "overdue": info_request.state == InformationRequest.State.OVERDUE
        or (
            info_request.state == InformationRequest.State.OPEN
            and info_request.due_date < timezone.localdate()
        ),
        "history": change_history(info_request),
    }
    return render(request, "partnership/request_detail.html", context, status=status)


@login_required
def request_detail_view(request, pk: int):
    return _render_detail(request, _get_request(request, pk))


@login_required
@require_GET
def request_attachment_view(request, pk: int, attachment_pk: int):
    info_request = _get_request(request, pk)
    attachment = get_object_or_404(
        RequestAttachment.objects.filter(request=info_request), pk=attachment_pk
    )
    return file_response(attachment)


@login_required
@require_POST
def request_answer_view(request, pk: int):
    info_request = _get_request(request, pk)
    if not can_answer_request(request.user, info_request):
        raise PermissionDenied
    form = RequestAnswerForm(request.POST)
    if form.is_valid():
        try:
            request_answer(
                request=info_request, answer=form.cleaned_data["answer"], by=request.user
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The answer has been sent."))
            return redirect("partnership:request-detail", pk=info_request.pk)
    return _render_detail(request, info_request, answer_form=form, status=400)


urlpatterns = [
    path("requests/", request_list_view, name="request-list"),
    path("requests/new/", request_create_view, name="request-create"),
    path("requests/<int:pk>/", request_detail_view, name="request-detail"),
    path("requests/<int:pk>/answer/", request_answer_view, name="request-answer"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_pk>/",
        request_attachment_view,
        name="request-attachment",
    ),
]
