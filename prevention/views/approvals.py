"""The approvals page of the monthly period approval, and the POST actions of its buttons.

The page has a section per level the user acts at: a district unit submits or reopens its
month and reads what came back down; a region unit approves or returns its districts' months;
the republic service accepts them or returns them to the region. Who may do what is decided
by prevention.services: a refusal is shown as a message, changes nothing and answers 400.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import active_memberships, is_portal_admin
from core.exceptions import ApplicationError
from mahalla.models import Territory
from prevention.forms.approvals import (
    ApprovalPageForm,
    PeriodActionForm,
    PeriodBulkAcceptForm,
    PeriodBulkApproveForm,
    PeriodReopenForm,
    PeriodReturnForm,
)
from prevention.models import PeriodApproval
from prevention.permissions import (
    can_accept_period,
    can_approve_period,
    can_submit_period,
    can_use_approval_pages,
    is_officer_at,
    territories_in_scope,
)
from prevention.selectors import (
    period_district_list,
    period_due_date,
    period_history,
    period_is_late,
    period_previous_month,
    period_region_summaries,
)
from prevention.services import (
    period_accept,
    period_approve,
    period_reopen,
    period_return,
    period_submit,
    periods_bulk,
)

State = PeriodApproval.State
TEMPLATE = "prevention/approval_list.html"
# A bulk action refused for many districts usually says the same thing for each.
REFUSALS_SHOWN = 3


def require_approval_pages(user) -> None:
    """The page exists for unit officers and portal administrators: for anyone else, 404."""
    if not can_use_approval_pages(user):
        raise Http404


def _month_label(month: date) -> str:
    return f"{month:%m.%Y}"


def _page_url(month: date, region_code: str = "") -> str:
    query = {"month": f"{month:%Y-%m}"}
    if region_code:
        query["region"] = region_code
    return f"{reverse('prevention:approval-list')}?{urlencode(query)}"


def _figures_urls(district: Territory, month: date) -> tuple[str, str]:
    """The dashboard of the district for the month, and its prevention records of the month."""
    dashboard = urlencode({"node": district.code, "kind": "month", "period": f"{month:%Y-%m}"})
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    records = urlencode(
        {"district": district.pk, "date_from": month.isoformat(), "date_to": last_day.isoformat()}
    )
    return (
        f"{reverse('accountability:dashboard')}?{dashboard}",
        f"{reverse('prevention:record-list')}?{records}",
    )


def _acting_nodes(user) -> list[Territory]:
    """The nodes the user is a unit officer at, top level first. Administrators act for the
    republic, and through its region lists at every level below."""
    if is_portal_admin(user):
        return list(Territory.objects.filter(kind=Territory.Kind.COUNTRY).order_by("pk")[:1])
    nodes = {
        m.territory_id: m.territory
        for m in active_memberships(user)
        if m.role == Role.UNIT_OFFICER
        and m.territory_id is not None
        and m.territory.kind != Territory.Kind.MAHALLA
    }
    return sorted(nodes.values(), key=lambda node: (node.depth, node.name_uz, node.pk))


@dataclass
class DistrictRow:
    """A district's month as a row of a region's table, with what the user may do to it."""

    district: Territory
    state: str
    message: str
    late: bool
    can_approve: bool
    can_accept: bool
    can_return: bool
    figures_url: str
    records_url: str

    @property
    def state_label(self) -> str:
        return State(self.state).label


def _district_rows(user, region: Territory, month: date, today: date) -> list[DistrictRow]:
    rows = []
    districts = period_district_list(districts=Territory.objects.filter(parent=region), month=month)
    for district in districts:
        state = district.period_state
        approves = state == State.SUBMITTED and can_approve_period(user, district)
        # The region may take back its approval until the republic accepts.
        takes_back = state == State.APPROVED and can_approve_period(user, district)
        accepts = state in (State.APPROVED, State.ACCEPTED) and can_accept_period(user, district)
        figures_url, records_url = _figures_urls(district, month)
        rows.append(
            DistrictRow(
                district=district,
                state=state,
                message=district.period_message,
                late=period_is_late(month=month, state=state, today=today),
                can_approve=approves,
                can_accept=accepts and state == State.APPROVED,
                can_return=approves or takes_back or accepts,
                figures_url=figures_url,
                records_url=records_url,
            )
        )
    return rows


def _approve_blocked(rows: list[DistrictRow]) -> str:
    """Why the region's months cannot be approved yet ("" when they can)."""
    waiting = [row.district for row in rows if row.state == State.OPEN]
    if not waiting:
        return ""
    return ngettext(
        "Approval opens once every district has submitted: %(count)d district has not "
        "yet (%(name)s).",
        "Approval opens once every district has submitted: %(count)d districts have not "
        "yet (e.g. %(name)s).",
        len(waiting),
    ) % {"count": len(waiting), "name": waiting[0].name}


def _accept_blocked(not_approved: int) -> str:
    """Why the republic cannot accept yet ("" when it can)."""
    if not not_approved:
        return ""
    return ngettext(
        "Acceptance opens once every region has approved all its districts: %(count)d "
        "district is not approved yet.",
        "Acceptance opens once every region has approved all its districts: %(count)d "
        "districts are not approved yet.",
        not_approved,
    ) % {"count": not_approved}


def _country_not_approved(month: date) -> int:
    reached = PeriodApproval.objects.filter(
        month=month,
        district__kind=Territory.Kind.DISTRICT,
        state__in=[State.APPROVED, State.ACCEPTED],
    ).count()
    return Territory.objects.filter(kind=Territory.Kind.DISTRICT).count() - reached


def _district_section(user, district: Territory, month: date, today: date) -> dict:
    approval = PeriodApproval.objects.filter(district=district, month=month).first()
    state = approval.state if approval else State.OPEN
    history = period_history(district=district, month=month)
    # While open again, the return's message or the reopen's reason says why.
    last_word = history[0] if history and history[0].message and state == State.OPEN else None
    own = can_submit_period(user, district)
    figures_url, records_url = _figures_urls(district, month)
    return {
        "kind": "district",
        "node": district,
        "state": state,
        "state_label": State(state).label,
        "late": period_is_late(month=month, state=state, today=today),
        "last_word": last_word,
        "history": history,
        "can_submit": own and state == State.OPEN,
        "can_reopen": own and state == State.SUBMITTED,
        "figures_url": figures_url,
        "records_url": records_url,
    }


def _region_table(user, region: Territory, month: date, today: date, *, back: str) -> dict:
    """A region's districts for the month, with the buttons the user may press; `back` is the
    region to come back to after an action (the republic's choice, "" for the region unit)."""
    rows = _district_rows(user, region, month, today)
    submitted_now = sum(row.state == State.SUBMITTED for row in rows)
    blocked = _approve_blocked(rows)
    accept_blocked = ""
    if any(row.can_accept for row in rows):
        accept_blocked = _accept_blocked(_country_not_approved(month))
    return {
        "node": region,
        "rows": rows,
        "reached": sum(row.state != State.OPEN for row in rows),
        "total": len(rows),
        "approve_blocked": blocked,
        "accept_blocked": accept_blocked,
        "can_bulk_approve": is_officer_at(user, region) and submitted_now > 0 and not blocked,
        "region_code": back,
    }


def _region_section(user, region: Territory, month: date, today: date) -> dict:
    table = _region_table(user, region, month, today, back="")
    return {"kind": "region", "node": region, "table": table}


def _republic_section(
    user, country: Territory, month: date, today: date, region: Territory | None
) -> dict:
    summaries = period_region_summaries(month=month)
    overdue = today >= period_due_date(month)
    not_approved = sum(s.open + s.submitted for s in summaries)
    approved_now = sum(s.approved for s in summaries)
    section = {
        "kind": "republic",
        "node": country,
        "summaries": [(s, s.open if overdue else 0) for s in summaries],
        "totals": {
            "total": sum(s.total for s in summaries),
            "open": sum(s.open for s in summaries),
            "submitted": sum(s.submitted for s in summaries),
            "approved": approved_now,
            "accepted": sum(s.accepted for s in summaries),
        },
        "accept_blocked": _accept_blocked(not_approved),
        "can_bulk_accept": is_officer_at(user, country) and approved_now > 0 and not not_approved,
        "region": region,
    }
    if region is not None:
        section["table"] = _region_table(user, region, month, today, back=region.code)
    return section


def _sections(user, month: date, region: Territory | None) -> list[dict]:
    today = timezone.localdate()
    sections = []
    for node in _acting_nodes(user):
        if node.kind == Territory.Kind.COUNTRY:
            sections.append(_republic_section(user, node, month, today, region))
        elif node.kind == Territory.Kind.REGION:
            sections.append(_region_section(user, node, month, today))
        else:
            sections.append(_district_section(user, node, month, today))
    return sections


def _regions(user):
    return territories_in_scope(user, Territory.Kind.REGION)


def _render_page(
    request,
    *,
    month: date,
    region: Territory | None = None,
    chooser: ApprovalPageForm | None = None,
    failed: dict | None = None,
    status: int = 200,
):
    """The page for a month; a bound `chooser` with errors shows the errors and no data."""
    page_error = chooser is not None and chooser.errors
    if chooser is None:
        chooser = ApprovalPageForm(
            initial={"month": month, "region": region.code if region else ""},
            regions=_regions(request.user),
        )
    context = {
        "month": month,
        "month_query": f"{month:%Y-%m}",
        "due": period_due_date(month),
        "chooser": chooser,
        "page_error": page_error,
        "sections": [] if page_error else _sections(request.user, month, region),
        "failed": failed or {},
    }
    return render(request, TEMPLATE, context, status=status)


@login_required
def approval_list_view(request):
    require_approval_pages(request.user)
    form = ApprovalPageForm(request.GET, regions=_regions(request.user))
    if not form.is_valid():
        return _render_page(
            request, month=period_previous_month(timezone.localdate()), chooser=form, status=400
        )
    return _render_page(
        request, month=form.cleaned_data["month"], region=form.cleaned_data["region"]
    )


def _refused(request, form, *, errors: list[str], action: str = "") -> HttpResponse:
    """The page again, with the refusal as messages: nothing has changed."""
    for error in errors:
        messages.error(request, error)
    data = getattr(form, "cleaned_data", {})
    month = data.get("month") or period_previous_month(timezone.localdate())
    region_code = data.get("region")
    region_code = region_code.code if isinstance(region_code, Territory) else region_code
    region = _regions(request.user).filter(code=region_code).first() if region_code else None
    failed = {}
    if action:
        district = data.get("district") or form.data.get("district", "")
        failed = {
            "action": action,
            "district": district.code if isinstance(district, Territory) else district,
            "form": form,
        }
    return _render_page(request, month=month, region=region, failed=failed, status=400)


def _form_errors(form) -> list[str]:
    return [error for errors in form.errors.values() for error in errors]


ACTIONS = {
    "submit": (
        PeriodActionForm,
        period_submit,
        gettext_lazy("The data of %(district)s for %(month)s has been submitted."),
    ),
    "reopen": (
        PeriodReopenForm,
        period_reopen,
        gettext_lazy("The data of %(district)s for %(month)s is open again."),
    ),
    "approve": (
        PeriodActionForm,
        period_approve,
        gettext_lazy("The data of %(district)s for %(month)s has been approved."),
    ),
    "accept": (
        PeriodActionForm,
        period_accept,
        gettext_lazy("The data of %(district)s for %(month)s has been accepted."),
    ),
    "return": (
        PeriodReturnForm,
        period_return,
        gettext_lazy("The data of %(district)s for %(month)s has been returned with your message."),
    ),
}


@login_required
@require_POST
def approval_action_view(request, action: str):
    """One district's month: submit, reopen, approve, accept or return."""
    require_approval_pages(request.user)
    form_class, service, done = ACTIONS[action]
    form = form_class(
        request.POST, districts=territories_in_scope(request.user, Territory.Kind.DISTRICT)
    )
    if not form.is_valid():
        return _refused(request, form, errors=_form_errors(form), action=action)
    data = form.cleaned_data
    words = {name: data[name] for name in ("reason", "message") if name in data}
    try:
        service(district=data["district"], month=data["month"], by=request.user, **words)
    except ApplicationError as error:
        return _refused(request, form, errors=[error.message], action=action)
    messages.success(
        request, done % {"district": data["district"].name, "month": _month_label(data["month"])}
    )
    return redirect(_page_url(data["month"], data["region"]))


def _bulk(request, form, *, action, districts, month: date, region_code: str, done_text, none):
    """Runs a bulk action; refused for every district (or none to act on), it is a 400."""
    done, refusals = periods_bulk(action=action, districts=districts, month=month, by=request.user)
    if not done:
        errors = refusals[:REFUSALS_SHOWN] or [none]
        if len(refusals) > REFUSALS_SHOWN:
            errors.append(
                _("…and %(count)d more refusals.") % {"count": len(refusals) - REFUSALS_SHOWN}
            )
        return _refused(request, form, errors=errors)
    messages.success(request, done_text(done) % {"count": done})
    for refusal in refusals:
        messages.warning(request, refusal)
    return redirect(_page_url(month, region_code))


@login_required
@require_POST
def approval_bulk_approve_view(request):
    """The “Approve all submitted” button of a region."""
    require_approval_pages(request.user)
    form = PeriodBulkApproveForm(request.POST, regions=_regions(request.user))
    if not form.is_valid():
        return _refused(request, form, errors=_form_errors(form))
    region, month = form.cleaned_data["region"], form.cleaned_data["month"]
    districts = period_district_list(
        districts=Territory.objects.filter(parent=region), month=month
    ).filter(period_state=State.SUBMITTED)
    return _bulk(
        request,
        form,
        action=period_approve,
        districts=list(districts),
        month=month,
        region_code=region.code,
        done_text=lambda n: ngettext(
            "The month of %(count)d district has been approved.",
            "The months of %(count)d districts have been approved.",
            n,
        ),
        none=_("No district of the region has a submitted month to approve."),
    )


@login_required
@require_POST
def approval_bulk_accept_view(request):
    """The “Accept all approved” button of the republic."""
    require_approval_pages(request.user)
    form = PeriodBulkAcceptForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, errors=_form_errors(form))
    month = form.cleaned_data["month"]
    districts = period_district_list(districts=Territory.objects.all(), month=month).filter(
        period_state=State.APPROVED
    )
    return _bulk(
        request,
        form,
        action=period_accept,
        districts=list(districts),
        month=month,
        region_code=form.cleaned_data["region"],
        done_text=lambda n: ngettext(
            "The month of %(count)d district has been accepted.",
            "The months of %(count)d districts have been accepted.",
            n,
        ),
        none=_("No district has an approved month to accept."),
    )


urlpatterns = [
    path("approvals/", approval_list_view, name="approval-list"),
    path("approvals/submit/", approval_action_view, {"action": "submit"}, name="approval-submit"),
    path("approvals/reopen/", approval_action_view, {"action": "reopen"}, name="approval-reopen"),
    path(
        "approvals/approve/", approval_action_view, {"action": "approve"}, name="approval-approve"
    ),
    path("approvals/accept/", approval_action_view, {"action": "accept"}, name="approval-accept"),
    path("approvals/return/", approval_action_view, {"action": "return"}, name="approval-return"),
    path("approvals/approve-all/", approval_bulk_approve_view, name="approval-bulk-approve"),
    path("approvals/accept-all/", approval_bulk_accept_view, name="approval-bulk-accept"),
]
