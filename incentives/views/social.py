"""Social protection cases in the browser: MIA users and commission members open the case of
a citizen harmed while helping; the commission decides the support and records it given.
Every page shows personal data, so every page logs the read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import personal_data_reads_of
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from incentives.filters import SocialCaseFilter
from incentives.forms import PaymentForm, SocialCaseForm, SocialDecisionForm
from incentives.models import SocialProtectionCase
from incentives.permissions import (
    can_decide_social_case,
    can_open_social_case,
    social_case_mahallas,
    social_cases_visible_to,
)
from incentives.selectors import social_case_list
from incentives.services import (
    social_case_open,
    social_case_pay,
    social_case_settle,
)
from incentives.views.nominations import (
    PAGE_SIZE,
    filter_territories,
    log_personal_reads,
    post_action,
)


def _all(_obj) -> bool:
    return True


@login_required
def social_case_list_view(request):
    user = request.user
    if not can_open_social_case(user):
        raise Http404
    cases = social_case_list(queryset=social_cases_visible_to(user))
    filterset = SocialCaseFilter(request.GET, queryset=cases, request=request)
    filterset.form.fields["territory"].queryset = filter_territories()
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else cases.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="created_at",
    )
    log_personal_reads(request, page.items, may_read=_all)
    context = {"filterset": filterset, "page": page, "page_query": page.next_query(request.GET)}
    template = "incentives/social_case_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def social_case_create_view(request):
    user = request.user
    if not can_open_social_case(user):
        raise Http404
    form = SocialCaseForm(request.POST or None, mahallas=social_case_mahallas(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = social_case_open(by=user, **form.case_data())
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The case has been opened before the commission."))
                return redirect("incentives:social-case-detail", pk=case.pk)
        status = 400
    return render(request, "incentives/social_case_form.html", {"form": form}, status=status)


def _get_case(request, pk: int) -> SocialProtectionCase:
    if not can_open_social_case(request.user):
        raise Http404
    return get_object_or_404(
        social_case_list(queryset=social_cases_visible_to(request.user)), pk=pk
    )


def _render_detail(request, case: SocialProtectionCase, *, forms=None, status=200):
    log_personal_reads(request, [case], may_read=_all)
    can_decide = can_decide_social_case(request.user, case)
    forms = forms or {}
    context = {
        "case": case,
        "decision_form": forms.get("decision", SocialDecisionForm())
        if can_decide and case.state == SocialProtectionCase.State.OPEN
        else None,
        "payment_form": forms.get("payment", PaymentForm())
        if can_decide and case.state == SocialProtectionCase.State.DECIDED
        else None,
        "reads": personal_data_reads_of(request.user, case),
        "history": change_history(case),
    }
    return render(request, "incentives/social_case_detail.html", context, status=status)


@login_required
def social_case_detail_view(request, pk: int):
    return _render_detail(request, _get_case(request, pk))


def _act(request, pk: int, **options):
    case = _get_case(request, pk)
    if not can_decide_social_case(request.user, case):
        raise PermissionDenied
    return post_action(
        request,
        case,
        detail="incentives:social-case-detail",
        render_again=lambda **kw: _render_detail(request, _get_case(request, pk), **kw),
        **options,
    )


@login_required
@require_POST
def social_case_decide_view(request, pk: int):
    def decide(case, data):
        social_case_settle(case=case, by=request.user, **data)

    return _act(
        request,
        pk,
        form_class=SocialDecisionForm,
        form_key="decision",
        action=decide,
        done_message=_("The decision has been recorded."),
    )


@login_required
@require_POST
def social_case_pay_view(request, pk: int):
    return _act(
        request,
        pk,
        form_class=PaymentForm,
        form_key="payment",
        action=lambda case, data: social_case_pay(
            case=case, by=request.user, paid_on=data["paid_on"], reference=data["reference"]
        ),
        done_message=_("The support has been recorded as given."),
    )


urlpatterns = [
    path("social-cases/", social_case_list_view, name="social-case-list"),
    path("social-cases/new/", social_case_create_view, name="social-case-create"),
    path("social-cases/<int:pk>/", social_case_detail_view, name="social-case-detail"),
    path("social-cases/<int:pk>/decide/", social_case_decide_view, name="social-case-decide"),
    path("social-cases/<int:pk>/pay/", social_case_pay_view, name="social-case-pay"),
]
