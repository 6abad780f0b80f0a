"""The inspector's accountability to residents in the browser: meetings and their questions,
anonymous feedback through a post's QR code, its moderation, the public mahalla page and the
performance card (DESIGN.md §3)."""

import io
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from accounts.models import MIA_ROLES, Role
from accounts.permissions import (
    active_memberships,
    has_role,
    is_portal_admin,
    territory_scope_q,
)
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from mahalla.models import Territory
from mahalla.permissions import territories_visible_to
from mahalla.selectors import territory_in_force
from prevention.filters import MeetingFilter
from prevention.forms.residents import (
    FeedbackForm,
    MeetingHeldForm,
    MeetingScheduleForm,
    ModerationForm,
    PerformanceForm,
    QuestionAddForm,
    QuestionUpdateForm,
    default_period_start,
)
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    MeetingQuestion,
    PreventionRecord,
    ResidentFeedback,
    Unit,
)
from prevention.permissions import (
    can_edit_meeting,
    can_file_records,
    can_moderate_feedback,
    feedback_visible_to,
    inspector_of,
    inspectors_visible_to,
    is_unit_officer_over,
    mahallas_in_scope,
    meetings_visible_to,
    records_visible_to,
    register_entries_visible_to,
    units_visible_to,
)
from prevention.selectors import (
    feedback_about_mahalla_q,
    inspector_list,
    mahalla_inspectors,
    meeting_list,
    performance_card,
)
from prevention.services import (
    feedback_moderate,
    feedback_submit,
    inspector_mahallas,
    meeting_record_held,
    meeting_schedule,
    question_add,
    question_update,
)
from prevention.views.records import require_mia

PAGE_SIZE = 50
MODERATION_PAGE_SIZE = 50
PUBLIC_COMMENTS = 10
QR_SCALE = 10
# The default due date of a question raised at a meeting, in days after the meeting.
QUESTION_DUE_DAYS = 30


# --- Accountability meetings ----------------------------------------------------------------


@login_required
def meeting_list_view(request):
    require_mia(request.user)
    meetings = meeting_list(queryset=meetings_visible_to(request.user))
    filterset = MeetingFilter(request.GET, queryset=meetings)
    # The mahallas offered are the user's own scope; anything else is a form error.
    filterset.form.fields["mahalla"].queryset = mahallas_in_scope(request.user)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else meetings.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="date",
    )
    context = {
        "filterset": filterset,
        "page": page,
        "can_schedule": can_file_records(request.user),
        "page_query": page.next_query(request.GET),
    }
    template = "prevention/meeting_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def meeting_create_view(request):
    inspector = inspector_of(request.user)
    if inspector is None:
        raise Http404
    # Held to today's inspector memberships as well: inspector_mahallas also lists a mahalla
    # whose assignment has ended while someone else's membership there is still open.
    assigned = list(
        Territory.objects.filter(
            territory_scope_q(request.user, roles={Role.INSPECTOR}),
            territory_in_force(timezone.localdate()),
            pk__in=[m.pk for m in inspector_mahallas(inspector=inspector)],
        ).order_by("name_uz")
    )
    mahallas = Territory.objects.filter(pk__in=[m.pk for m in assigned]).order_by("name_uz")
    initial = {"date": timezone.localdate(), "mahalla": assigned[0] if assigned else None}
    form = MeetingScheduleForm(request.POST or None, initial=initial, mahallas=mahallas)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = meeting_schedule(inspector=inspector, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The meeting has been scheduled."))
                return redirect("prevention:meeting-detail", pk=meeting.pk)
        status = 400
    context = {"form": form, "has_mahallas": bool(assigned)}
    return render(request, "prevention/meeting_form.html", context, status=status)


def _get_meeting(request, pk: int) -> AccountabilityMeeting:
    require_mia(request.user)
    meetings = meetings_visible_to(request.user).select_related(
        "mahalla__parent", "inspector__user", "inspector__grade"
    )
    return get_object_or_404(meetings, pk=pk)


def _render_meeting(
    request, meeting, *, held_form=None, question_form=None, question_forms=None, status=200
):
    """The meeting page. Bound forms passed in (with their errors) are shown as they are."""
    can_write = can_edit_meeting(request.user, meeting)
    question_forms = question_forms or {}
    questions = []
    for question in meeting.questions.order_by("due_date", "id"):
        form = question_forms.get(question.pk)
        if form is None and can_write:
            form = QuestionUpdateForm(question=question)
        questions.append((question, form))
    if can_write and held_form is None and meeting.status == AccountabilityMeeting.Status.SCHEDULED:
        held_form = MeetingHeldForm(initial={"topics": meeting.topics})
    if can_write and question_form is None and meeting.status == AccountabilityMeeting.Status.HELD:
        due = meeting.date + timedelta(days=QUESTION_DUE_DAYS)
        question_form = QuestionAddForm(initial={"due_date": due})
    context = {
        "meeting": meeting,
        "questions": questions,
        "can_write": can_write,
        "held_form": held_form,
        "question_form": question_form,
        "date_in_future": meeting.date > timezone.localdate(),
        "history": change_history(meeting),
    }
    return render(request, "prevention/meeting_detail.html", context, status=status)


@login_required
def meeting_detail_view(request, pk: int):
    meeting = _get_meeting(request, pk)
    return _render_meeting(request, meeting)


@login_required
@require_POST
def meeting_held_view(request, pk: int):
    meeting = _get_meeting(request, pk)
    if not can_edit_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingHeldForm(request.POST)
    if form.is_valid():
        try:
            meeting_record_held(meeting=meeting, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The meeting has been recorded as held."))
            return redirect("prevention:meeting-detail", pk=meeting.pk)
    return _render_meeting(request, meeting, held_form=form, status=400)


@login_required
@require_POST
def question_add_view(request, pk: int):
    meeting = _get_meeting(request, pk)
    if not can_edit_meeting(request.user, meeting):
        raise PermissionDenied
    form = QuestionAddForm(request.POST)
    if form.is_valid():
        try:
            question_add(meeting=meeting, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The question has been added."))
            return redirect("prevention:meeting-detail", pk=meeting.pk)
    return _render_meeting(request, meeting, question_form=form, status=400)


@login_required
@require_POST
def question_update_view(request, pk: int):
    require_mia(request.user)
    questions = MeetingQuestion.objects.filter(
        meeting__in=meetings_visible_to(request.user)
    ).select_related("meeting__mahalla")
    question = get_object_or_404(questions, pk=pk)
    meeting = question.meeting
    if not can_edit_meeting(request.user, meeting):
        raise PermissionDenied
    form = QuestionUpdateForm(request.POST, question=question)
    status = 400
    if form.is_valid():
        try:
            question = question_update(question=question, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("The follow-up has been saved."))
                return redirect("prevention:meeting-detail", pk=meeting.pk)
            form, status = QuestionUpdateForm(question=question), 200
    if request.htmx:
        context = {"question": question, "form": form, "can_write": True, "saved": status == 200}
        return render(request, "prevention/meeting_detail.html#question", context, status=status)
    meeting = _get_meeting(request, meeting.pk)
    return _render_meeting(request, meeting, question_forms={question.pk: form}, status=status)


# --- Resident feedback ----------------------------------------------------------------------


def _feedback_rate(group, request) -> str:
    # Read on every request, so that a changed setting (and a test's override) applies.
    return settings.FEEDBACK_RATE


def _public_post(public_key: str, user) -> Unit:
    posts = units_visible_to(user).filter(kind=Unit.Kind.POST, public_key__isnull=False)
    return get_object_or_404(posts, public_key=public_key)


@ratelimit(key="ip", rate=_feedback_rate, method="POST", block=False)
def post_feedback_view(request, public_key: str):
    """The page a resident reaches from the QR code on the post's door. No login, no personal
    data; submissions are limited per client address."""
    post = _public_post(public_key, request.user)
    mahallas = post.mahallas.order_by("name_uz")
    mahalla_list = list(mahallas)
    context = {"post": post, "mahallas": mahalla_list, "thanks": False, "limited": False}
    template = "prevention/post_feedback.html"
    if request.method == "POST":
        if getattr(request, "limited", False):
            context["limited"] = True
            return render(request, template, context, status=429)
        form = FeedbackForm(request.POST, mahallas=mahallas)
        if form.is_valid():
            mahalla = form.cleaned_data["mahalla"]
            if mahalla is None and len(mahalla_list) == 1:
                mahalla = mahalla_list[0]
            try:
                feedback_submit(
                    post=post,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    mahalla=mahalla,
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                return redirect(
                    reverse("prevention:post-feedback", args=[public_key]) + "?thanks=1"
                )
        context["form"] = form
        return render(request, template, context, status=400)
    context["thanks"] = request.GET.get("thanks") == "1"
    context["form"] = FeedbackForm(mahallas=mahallas)
    return render(request, template, context)


def post_qr_view(request, public_key: str, fmt: str):
    """The QR code of a post's feedback page, as SVG (for print) or PNG."""
    post = _public_post(public_key, request.user)
    url = request.build_absolute_uri(reverse("prevention:post-feedback", args=[post.public_key]))
    code = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    if fmt == "svg":
        code.save(buffer, kind="svg", scale=QR_SCALE, border=4, xmldecl=False)
        content_type = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=QR_SCALE, border=4)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


@login_required
def post_poster_view(request, pk: int):
    """A printable poster for the post's door: its name, the QR code and how to use it."""
    posts = units_visible_to(request.user).filter(kind=Unit.Kind.POST, public_key__isnull=False)
    post = get_object_or_404(posts.select_related("territory"), pk=pk)
    if not is_unit_officer_over(request.user, post.territory):
        raise Http404
    feedback_url = request.build_absolute_uri(
        reverse("prevention:post-feedback", args=[post.public_key])
    )
    context = {
        "post": post,
        "mahallas": post.mahallas.order_by("name_uz"),
        "feedback_url": feedback_url,
    }
    return render(request, "prevention/post_poster.html", context)


# --- Moderation -----------------------------------------------------------------------------


def _require_moderator(user) -> None:
    if not (is_portal_admin(user) or has_role(user, Role.UNIT_OFFICER)):
        raise Http404


@login_required
def feedback_moderation_view(request):
    """Comments waiting for moderation in the officer's territory, oldest first."""
    _require_moderator(request.user)
    pending = (
        feedback_visible_to(request.user)
        .filter(moderation=ResidentFeedback.Moderation.PENDING)
        # Only a comment needs a moderator; a bare rating is never held back.
        .exclude(comment="")
        .select_related("post", "mahalla")
        .order_by("created_at", "id")
    )
    rows = list(pending[: MODERATION_PAGE_SIZE + 1])
    context = {
        "items": rows[:MODERATION_PAGE_SIZE],
        "more": len(rows) > MODERATION_PAGE_SIZE,
        "page_size": MODERATION_PAGE_SIZE,
    }
    return render(request, "prevention/feedback_moderation.html", context)


@login_required
@require_POST
def feedback_moderate_view(request, pk: int):
    _require_moderator(request.user)
    feedback = get_object_or_404(
        feedback_visible_to(request.user).select_related("post__territory", "mahalla"), pk=pk
    )
    if not can_moderate_feedback(request.user, feedback):
        raise Http404
    form = ModerationForm(request.POST)
    if not form.is_valid():
        context = {"item": feedback, "error": True}
        if request.htmx:
            return render(request, "prevention/feedback_moderation.html#item", context, status=400)
        messages.error(request, _("Choose to publish or to reject the comment."))
        return redirect("prevention:feedback-moderation")
    approve = form.cleaned_data["decision"] == "approve"
    feedback = feedback_moderate(feedback=feedback, approve=approve, moderated_by=request.user)
    if request.htmx:
        return render(request, "prevention/feedback_moderation.html#item", {"item": feedback})
    if approve:
        messages.success(request, _("The comment has been published."))
    else:
        messages.success(request, _("The comment has been rejected."))
    return redirect("prevention:feedback-moderation")


# --- Public mahalla page --------------------------------------------------------------------


def mahalla_public_view(request, code: str):
    """What residents may know about their mahalla's prevention work. No personal data: the
    inspectors' names and grades only, published comments only."""
    mahallas = territories_visible_to(request.user).filter(kind=Territory.Kind.MAHALLA)
    mahalla = get_object_or_404(mahallas.select_related("parent__parent"), code=code)
    today = timezone.localdate()
    since = default_period_start(today)
    posts = list(
        mahalla.posts.filter(kind=Unit.Kind.POST).select_related("territory").order_by("code")
    )
    meetings_held = AccountabilityMeeting.objects.filter(
        mahalla=mahalla,
        status=AccountabilityMeeting.Status.HELD,
        date__range=(since, today),
    ).count()
    published = ResidentFeedback.objects.filter(
        feedback_about_mahalla_q(mahalla),
        moderation=ResidentFeedback.Moderation.APPROVED,
        created_at__date__gte=since,
    )
    ratings = published.aggregate(average=Avg("rating"), count=Count("id"))
    comments = published.exclude(comment="").order_by("-created_at", "-id")[:PUBLIC_COMMENTS]
    officer = request.user.is_authenticated and is_unit_officer_over(request.user, mahalla)
    context = {
        "mahalla": mahalla,
        "posts": posts,
        "inspectors": mahalla_inspectors(mahalla, today),
        "meetings_held": meetings_held,
        "rating_average": ratings["average"],
        "rating_count": ratings["count"],
        "comments": list(comments),
        "since": since,
        "is_officer_over": officer,
    }
    return render(request, "prevention/mahalla_public.html", context)


# --- Performance card -----------------------------------------------------------------------


def _default_territory(user) -> Territory | None:
    if is_portal_admin(user):
        return Territory.objects.filter(kind=Territory.Kind.COUNTRY).first()
    for membership in active_memberships(user):
        if membership.role in MIA_ROLES and membership.territory_id is not None:
            return membership.territory
    return None


def _inspector_card_querysets(user, inspector: Inspector) -> dict:
    return {
        "records": records_visible_to(user).filter(inspector=inspector),
        "meetings": meetings_visible_to(user).filter(inspector=inspector),
        "entries": register_entries_visible_to(user).filter(inspector=inspector),
        # Residents rate the post, not a person: the inspector's card shows the post's ratings.
        "feedback": ResidentFeedback.objects.filter(post_id=inspector.post_id),
    }


def _territory_card_querysets(user, node: Territory) -> dict:
    under = {"mahalla__path__startswith": node.path}
    if node.kind == Territory.Kind.MAHALLA:
        feedback = ResidentFeedback.objects.filter(feedback_about_mahalla_q(node))
    else:
        feedback = ResidentFeedback.objects.filter(post__territory__path__startswith=node.path)
    return {
        "records": records_visible_to(user).filter(**under),
        "meetings": meetings_visible_to(user).filter(**under),
        "entries": register_entries_visible_to(user).filter(**under),
        "feedback": feedback,
    }


def _scoped_inspector(user, inspector_id: int) -> Inspector:
    own = inspector_of(user)
    if own is not None and own.pk == inspector_id:
        return own
    return get_object_or_404(inspector_list(queryset=inspectors_visible_to(user)), pk=inspector_id)


@login_required
def performance_view(request):
    """PQ-2896 criteria for an inspector or a territory over a period. Figures of work with
    residents and its outcomes only: no quota of protocols is counted or shown."""
    user = request.user
    require_mia(user)
    form = PerformanceForm(request.GET)
    context = {"form": form, "card": None}
    if not form.is_valid():
        return render(request, "prevention/performance_card.html", context, status=400)
    data = form.cleaned_data
    inspector = node = None
    scope = Territory.objects.filter(territory_scope_q(user, roles=MIA_ROLES))
    if data["inspector"]:
        inspector = _scoped_inspector(user, data["inspector"])
    elif data["territory"]:
        node = get_object_or_404(scope, code=data["territory"])
    else:
        inspector = inspector_of(user)
        node = None if inspector is not None else _default_territory(user)
        if inspector is None and node is None:
            raise Http404
    if inspector is not None:
        querysets = _inspector_card_querysets(user, inspector)
    else:
        querysets = _territory_card_querysets(user, node)
    card = performance_card(**querysets, date_from=data["date_from"], date_to=data["date_to"])
    context.update(
        {
            "card": card,
            "inspector": inspector,
            "node": node,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "records_total": sum(card.records_by_kind.values()),
            "records_by_kind": _records_rows(card.records_by_kind),
        }
    )
    if node is not None:
        context["ancestors"] = list(scope.filter(code__in=node.ancestor_codes).order_by("depth"))
        if node.kind != Territory.Kind.MAHALLA:
            context["children"] = list(Territory.objects.filter(parent=node).order_by("name_uz"))
        if node.kind == Territory.Kind.DISTRICT:
            context["node_inspectors"] = list(
                inspector_list(queryset=inspectors_visible_to(user).filter(post__territory=node))
            )
        elif node.kind == Territory.Kind.MAHALLA:
            context["node_inspectors"] = list(mahalla_inspectors(node, timezone.localdate()))
    return render(request, "prevention/performance_card.html", context)


def _records_rows(by_kind: dict[str, int]) -> list[tuple[str, int]]:
    labels = dict(PreventionRecord.Kind.choices)
    return [(labels[kind], count) for kind, count in by_kind.items()]


urlpatterns = [
    path("meetings/", meeting_list_view, name="meeting-list"),
    path("meetings/new/", meeting_create_view, name="meeting-create"),
    path("meetings/<int:pk>/", meeting_detail_view, name="meeting-detail"),
    path("meetings/<int:pk>/held/", meeting_held_view, name="meeting-held"),
    path("meetings/<int:pk>/questions/", question_add_view, name="question-add"),
    path("questions/<int:pk>/", question_update_view, name="question-update"),
    path("posts/<str:public_key>/feedback/", post_feedback_view, name="post-feedback"),
    re_path(r"^posts/(?P<public_key>[-\w]+)/qr\.(?P<fmt>svg|png)$", post_qr_view, name="post-qr"),
    path("posts/<int:pk>/poster/", post_poster_view, name="post-poster"),
    path("feedback/", feedback_moderation_view, name="feedback-moderation"),
    path("feedback/<int:pk>/moderate/", feedback_moderate_view, name="feedback-moderate"),
    path("mahallas/<str:code>/", mahalla_public_view, name="mahalla-public"),
    path("performance/", performance_view, name="performance"),
]
