"""Nominations in the browser: inspectors, unit officers and NGO staff put citizens and
organisations forward; the commission reviews them (comments, more evidence), decides within
its caps and fund, records payments and, for a paid award, only reverses it.

Personal data of citizens shows only to those incentives.permissions allows, and every page
that shows it logs the read (accounts.PersonalDataRead).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import PersonalDataRead
from accounts.selectors import personal_data_reads_of
from accounts.services import personal_data_reads_log
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from incentives.filters import NominationFilter
from incentives.forms import (
    CommentForm,
    DecisionForm,
    EvidenceForm,
    NominationForm,
    PaymentForm,
    ReasonForm,
)
from incentives.models import Nomination, NominationEvidence
from incentives.permissions import (
    can_add_nomination_evidence,
    can_comment_nomination,
    can_decide_nomination,
    can_nominate,
    can_see_nomination_evidence,
    commissions_visible_to,
    nomination_mahallas,
    nominations_visible_to,
    personal_data_checker,
    social_case_mahallas,
    uses_incentive_pages,
)
from incentives.selectors import nomination_detail, nomination_list
from incentives.services import (
    amount_cap,
    nomination_comment_add,
    nomination_decide,
    nomination_evidence_add,
    nomination_pay,
    nomination_reverse,
    nomination_submit,
)
from mahalla.models import Territory
from partnership.views.activities import file_response

PAGE_SIZE = 50


def require_incentive_pages(user) -> None:
    """Outside the roles that nominate, decide or oversee, the pages do not exist."""
    if not uses_incentive_pages(user):
        raise Http404


def log_personal_reads(request, objects, *, may_read) -> None:
    """Logs the reads of the objects whose personal data the page shows."""
    personal_data_reads_log(
        user=request.user,
        objects=[obj for obj in objects if may_read(obj)],
        territory_of=lambda obj: obj.mahalla_id,
        via=PersonalDataRead.Via.PAGE,
    )


def filter_territories():
    """Regions and districts for the lists' territory filter (a couple of hundred nodes at
    most, never the mahallas); the lists themselves are scoped."""
    return Territory.objects.filter(
        kind__in=[Territory.Kind.REGION, Territory.Kind.DISTRICT]
    ).order_by("path")


@login_required
def nomination_list_view(request):
    user = request.user
    require_incentive_pages(user)
    nominations = nomination_list(queryset=nominations_visible_to(user))
    filterset = NominationFilter(request.GET, queryset=nominations, request=request)
    fields = filterset.form.fields
    fields["territory"].queryset = filter_territories()
    fields["commission"].queryset = commissions_visible_to(user).select_related("territory")
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else nominations.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="created_at",
    )
    may_read = personal_data_checker(user)
    log_personal_reads(request, page.items, may_read=may_read)
    context = {
        "filterset": filterset,
        "page": page,
        "rows": [(nomination, may_read(nomination)) for nomination in page.items],
        "page_query": page.next_query(request.GET),
        "can_nominate": can_nominate(user),
    }
    template = "incentives/nomination_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


def _duplicate_in_scope(user, error: ApplicationError):
    """The earlier nomination of the same case, when the user may open it."""
    pk = error.extra.get("duplicate")
    if pk is None:
        return None
    return nominations_visible_to(user).filter(pk=pk).first()


@login_required
def nomination_create_view(request):
    user = request.user
    if not can_nominate(user):
        raise Http404
    mahallas = nomination_mahallas(user)
    form = NominationForm(request.POST or None, request.FILES or None, mahallas=mahallas)
    status, duplicate = 200, None
    if request.method == "POST":
        if form.is_valid():
            try:
                nomination = nomination_submit(by=user, **form.nomination_data())
            except ApplicationError as error:
                add_service_error(form, error)
                duplicate = _duplicate_in_scope(user, error)
            else:
                messages.success(
                    request,
                    _("The nomination has been sent to the %(commission)s commission.")
                    % {"commission": nomination.commission},
                )
                return redirect("incentives:nomination-detail", pk=nomination.pk)
        status = 400
    context = {"form": form, "duplicate": duplicate}
    return render(request, "incentives/nomination_form.html", context, status=status)


@login_required
@require_GET
def mahalla_options_view(request):
    """The mahalla options of a district, for the htmx-loaded select of the forms."""
    user = request.user
    if request.GET.get("for") == "social":
        mahallas = social_case_mahallas(user)
    elif can_nominate(user):
        mahallas = nomination_mahallas(user)
    else:
        raise Http404
    # Unbound, so that the reloaded select is not marked as an error before any choice.
    form = NominationForm(initial={"district": request.GET.get("district", "")}, mahallas=mahallas)
    return render(request, "incentives/nomination_form.html#mahalla-options", {"form": form})


def _get_nomination(request, pk: int) -> Nomination:
    return get_object_or_404(
        nomination_detail(queryset=nominations_visible_to(request.user)), pk=pk
    )


def _render_detail(request, nomination: Nomination, *, forms=None, status=200):
    user = request.user
    may_read = personal_data_checker(user)(nomination)
    if may_read:
        log_personal_reads(request, [nomination], may_read=lambda _obj: True)
    can_decide = can_decide_nomination(user, nomination)
    forms = forms or {}
    submitted = nomination.state == Nomination.State.SUBMITTED
    context = {
        "nomination": nomination,
        "personal": may_read,
        "evidence": list(nomination.evidence.order_by("pk"))
        if can_see_nomination_evidence(user, nomination)
        else None,
        "comments": list(nomination.comments.select_related("author")),
        "reads": personal_data_reads_of(user, nomination) if may_read else [],
        "history": change_history(nomination, shown={"commission": "commission__territory"}),
        "can_decide": can_decide,
        "can_comment": can_comment_nomination(user, nomination),
        "cap": amount_cap(
            ground=nomination.ground,
            gravity=nomination.gravity,
            level=nomination.commission.level,
            day=nomination.decision_date or timezone.localdate(),
        )
        if can_decide
        else None,
        "decision_form": forms.get("decision", DecisionForm(initial=_decision_initial(nomination)))
        if can_decide and submitted
        else None,
        "comment_form": forms.get("comment", CommentForm()),
        "evidence_form": forms.get("evidence", EvidenceForm()) if submitted else None,
        "payment_form": forms.get("payment", PaymentForm())
        if can_decide and nomination.state == Nomination.State.APPROVED
        else None,
        "reverse_form": forms.get("reverse", ReasonForm())
        if can_decide and nomination.state == Nomination.State.PAID
        else None,
    }
    return render(request, "incentives/nomination_detail.html", context, status=status)


def _decision_initial(nomination: Nomination) -> dict:
    return {"amount": nomination.proposed_amount, "decision_date": timezone.localdate()}


@login_required
def nomination_detail_view(request, pk: int):
    return _render_detail(request, _get_nomination(request, pk))


def post_action(
    request, obj, *, form_class, form_key: str, action, done_message, detail: str, render_again
):
    """The shape of every action posted from a detail page: validate, call the service and
    go back to the page with a message; otherwise the page again (400) with the form's
    errors and the service's refusal on the field it names."""
    form = form_class(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            action(obj, form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done_message)
            return redirect(detail, pk=obj.pk)
    return render_again(forms={form_key: form}, status=400)


def _act(request, pk: int, *, check, **options):
    nomination = _get_nomination(request, pk)
    if not check(request.user, nomination):
        raise PermissionDenied
    return post_action(
        request,
        nomination,
        detail="incentives:nomination-detail",
        # Read again: a refused service call may have left the object half-changed in memory.
        render_again=lambda **kw: _render_detail(request, _get_nomination(request, pk), **kw),
        **options,
    )


@login_required
@require_POST
def nomination_decide_view(request, pk: int):
    def decide(nomination, data):
        nomination_decide(nomination=nomination, by=request.user, **data)

    return _act(
        request,
        pk,
        form_class=DecisionForm,
        form_key="decision",
        check=can_decide_nomination,
        action=decide,
        done_message=_("The decision has been recorded."),
    )


@login_required
@require_POST
def nomination_pay_view(request, pk: int):
    return _act(
        request,
        pk,
        form_class=PaymentForm,
        form_key="payment",
        check=can_decide_nomination,
        action=lambda nomination, data: nomination_pay(
            nomination=nomination,
            by=request.user,
            paid_on=data["paid_on"],
            reference=data["reference"],
        ),
        done_message=_("The payment has been recorded."),
    )


@login_required
@require_POST
def nomination_reverse_view(request, pk: int):
    return _act(
        request,
        pk,
        form_class=ReasonForm,
        form_key="reverse",
        check=can_decide_nomination,
        action=lambda nomination, data: nomination_reverse(
            nomination=nomination, by=request.user, reason=data["reason"]
        ),
        done_message=_("The award has been reversed."),
    )


@login_required
@require_POST
def nomination_comment_view(request, pk: int):
    return _act(
        request,
        pk,
        form_class=CommentForm,
        form_key="comment",
        check=can_comment_nomination,
        action=lambda nomination, data: nomination_comment_add(
            nomination=nomination, by=request.user, text=data["text"]
        ),
        done_message=_("The comment has been added."),
    )


@login_required
@require_POST
def nomination_evidence_add_view(request, pk: int):
    return _act(
        request,
        pk,
        form_class=EvidenceForm,
        form_key="evidence",
        check=can_add_nomination_evidence,
        action=lambda nomination, data: nomination_evidence_add(
            nomination=nomination, by=request.user, files=data["files"]
        ),
        done_message=_("The evidence has been added."),
    )


@login_required
@require_GET
def nomination_evidence_view(request, pk: int, evidence_pk: int):
    nomination = _get_nomination(request, pk)
    if not can_see_nomination_evidence(request.user, nomination):
        raise Http404
    evidence = get_object_or_404(
        NominationEvidence.objects.filter(nomination=nomination), pk=evidence_pk
    )
    return file_response(evidence)


urlpatterns = [
    path("nominations/", nomination_list_view, name="nomination-list"),
    path("nominations/new/", nomination_create_view, name="nomination-create"),
    path("mahallas/", mahalla_options_view, name="mahalla-options"),
    path("nominations/<int:pk>/", nomination_detail_view, name="nomination-detail"),
    path("nominations/<int:pk>/decide/", nomination_decide_view, name="nomination-decide"),
    path("nominations/<int:pk>/pay/", nomination_pay_view, name="nomination-pay"),
    path("nominations/<int:pk>/reverse/", nomination_reverse_view, name="nomination-reverse"),
    path("nominations/<int:pk>/comment/", nomination_comment_view, name="nomination-comment"),
    path(
        "nominations/<int:pk>/evidence/",
        nomination_evidence_add_view,
        name="nomination-evidence-add",
    ),
    path(
        "nominations/<int:pk>/evidence/<int:evidence_pk>/",
        nomination_evidence_view,
        name="nomination-evidence",
    ),
]
