"""Joint activities in the browser: NGO staff log them (often from a phone), the MIA
counterpart confirms or disputes them, and the NGO corrects and resubmits a disputed one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import MIA_ROLES, ORGANISATION_ROLES
from accounts.permissions import (
    active_memberships,
    has_role,
    is_portal_admin,
    organisation_ids,
)
from core.exceptions import ApplicationError
from core.forms import add_service_error
from core.history import change_history
from core.paging import keyset_page
from core.uploads import stored_file_response
from mahalla.models import Territory
from mahalla.selectors import region_paths, territory_in_force, under
from partnership.forms.activities import ActivityFilter, ActivityForm, ActivityReviewForm
from partnership.models import ActivityEvidence, Agreement, JointActivity, Organisation
from partnership.permissions import (
    activities_visible_to,
    can_edit_activity,
    can_review_activity,
    organisations_visible_to,
)
from partnership.selectors import activity_list
from partnership.services import activity_log, activity_review, activity_update
from prevention.models import Unit

PAGE_SIZE = 50
# Above this many organisations in scope, the list's organisation filter is not offered as a
# select (it would be thousands of options); the organisation links in the rows set it.
ORGANISATION_SELECT_LIMIT = 200


def require_activity_pages(user) -> None:
    """The pages exist for NGO staff, MIA users and administrators; for others they are 404."""
    if not (is_portal_admin(user) or has_role(user, *ORGANISATION_ROLES, *MIA_ROLES)):
        raise Http404


def own_organisations(user) -> QuerySet[Organisation]:
    """The organisations the user works for: those it logs activities and requests for."""
    return Organisation.objects.filter(
        pk__in=organisation_ids(user, roles=set(ORGANISATION_ROLES))
    ).order_by("name")


def file_response(stored) -> FileResponse:
    """Serves a checked upload under its generated name, with the type read at upload
    (core.uploads.stored_file_response says how it is kept from running in the browser)."""
    response = stored_file_response(
        stored.file,
        content_type=stored.content_type,
        filename=stored.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _districts_for(user) -> QuerySet[Territory]:
    """Districts offered in the list filter: those of the regions the user works in."""
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT)
    if is_portal_admin(user):
        return districts.order_by("name_uz")
    paths = list(own_organisations(user).values_list("territory__path", flat=True))
    paths += [m.territory.path for m in active_memberships(user) if m.territory_id is not None]
    return districts.filter(under(region_paths(paths), "path")).order_by("name_uz")


def _form_choices(organisations, *, activity: JointActivity | None = None) -> dict:
    """The choices of the activity form for these organisations: their active agreements,
    the district units of their regions and their agreements' units, the districts of their
    regions. A corrected activity keeps its own agreement, unit and place on offer."""
    regions = region_paths(organisations.values_list("territory__path", flat=True))
    agreements = Agreement.objects.filter(
        pk__in=Agreement.objects.filter(
            organisations__in=organisations, status=Agreement.Status.ACTIVE
        ).values("pk")
    )
    units = Unit.objects.filter(
        (Q(kind=Unit.Kind.DISTRICT) & under(regions, "territory__path"))
        | Q(pk__in=Agreement.objects.filter(organisations__in=organisations).values("unit"))
    )
    districts = Territory.objects.filter(kind=Territory.Kind.DISTRICT).filter(
        under(regions, "path")
    )
    if activity is not None:
        agreements |= Agreement.objects.filter(pk=activity.agreement_id)
        units |= Unit.objects.filter(pk=activity.unit_id)
        place = activity.place
        district_id = place.parent_id if place.kind == Territory.Kind.MAHALLA else place.pk
        districts |= Territory.objects.filter(pk=district_id)
    district_ids = districts.values("pk")
    # New activities take place in mahallas in force today; a corrected one keeps its own.
    in_force = territory_in_force(timezone.localdate())
    if activity is not None:
        in_force |= Q(pk=activity.place_id)

    def mahallas_of(district_id):
        if district_id is None:
            return Territory.objects.none()
        return Territory.objects.filter(
            in_force, kind=Territory.Kind.MAHALLA, parent_id=district_id, parent__in=district_ids
        ).order_by("name_uz")

    return {
        "agreements": agreements.select_related("unit").order_by("-valid_from", "-id"),
        "units": units.order_by("kind", "code"),
        "districts": districts.order_by("name_uz"),
        "mahallas_of": mahallas_of,
    }


@login_required
def activity_list_view(request):
    user = request.user
    require_activity_pages(user)
    activities = activity_list(queryset=activities_visible_to(user))
    filterset = ActivityFilter(request.GET, queryset=activities)
    fields = filterset.form.fields
    organisations = organisations_visible_to(user).order_by("name")
    fields["organisation"].queryset = organisations
    if len(organisations[: ORGANISATION_SELECT_LIMIT + 1]) > ORGANISATION_SELECT_LIMIT:
        fields["organisation"].widget = fields["organisation"].hidden_widget()
    fields["district"].queryset = _districts_for(user)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else activities.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="date",
    )
    context = {
        "filterset": filterset,
        "page": page,
        "page_query": page.next_query(request.GET),
        "can_log": own_organisations(user).exists(),
    }
    template = "partnership/activity_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


@login_required
def activity_create_view(request):
    organisations = own_organisations(request.user)
    first = organisations.select_related("territory").first()
    if first is None:
        raise Http404
    choices = _form_choices(organisations)
    agreement = choices["agreements"].filter(organisations=first).first()
    district_unit = choices["units"].filter(kind=Unit.Kind.DISTRICT, territory=first.territory)
    territory = first.territory
    initial = {
        "date": timezone.localdate(),
        "agreement": agreement,
        "unit": agreement.unit_id if agreement else getattr(district_unit.first(), "pk", None),
        "district": territory.parent if territory.kind == Territory.Kind.MAHALLA else territory,
        "mahalla": territory if territory.kind == Territory.Kind.MAHALLA else None,
    }
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisations=organisations,
        **choices,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = activity_log(
                    organisation=form.cleaned_data["organisation"],
                    by=request.user,
                    files=form.cleaned_data["files"],
                    **form.activity_data(),
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The activity has been logged and sent for confirmation.")
                )
                return redirect("partnership:activity-detail", pk=activity.pk)
        status = 400
    context = {"form": form, "creating": True}
    return render(request, "partnership/activity_form.html", context, status=status)


@login_required
@require_GET
def activity_mahallas_view(request):
    """The mahalla options of a district, for the activity form's htmx-loaded select."""
    organisations = own_organisations(request.user)
    if not organisations.exists():
        raise Http404
    form = ActivityForm(
        data={"district": request.GET.get("district", "")}, **_form_choices(organisations)
    )
    return render(request, "partnership/activity_form.html#mahalla-options", {"form": form})


def _get_activity(request, pk: int) -> JointActivity:
    require_activity_pages(request.user)
    return get_object_or_404(activity_list(queryset=activities_visible_to(request.user)), pk=pk)


def _review_context(request, activity: JointActivity, form=None) -> dict:
    can_review = activity.status == JointActivity.Status.SUBMITTED and can_review_activity(
        request.user, activity
    )
    return {
        "activity": activity,
        "review_form": (form or ActivityReviewForm()) if can_review else form,
    }


def _render_detail(request, activity: JointActivity, *, review_form=None, status=200):
    context = {
        **_review_context(request, activity, review_form),
        "evidence": list(activity.evidence.order_by("pk")),
        "history": change_history(activity),
        "can_edit": can_edit_activity(request.user, activity),
    }
    return render(request, "partnership/activity_detail.html", context, status=status)


@login_required
def activity_detail_view(request, pk: int):
    return _render_detail(request, _get_activity(request, pk))


@login_required
@require_GET
def activity_evidence_view(request, pk: int, evidence_pk: int):
    activity = _get_activity(request, pk)
    evidence = get_object_or_404(ActivityEvidence.objects.filter(activity=activity), pk=evidence_pk)
    return file_response(evidence)


@login_required
@require_POST
def activity_review_view(request, pk: int):
    activity = _get_activity(request, pk)
    if not can_review_activity(request.user, activity):
        raise PermissionDenied
    form = ActivityReviewForm(request.POST)
    status = 400
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            activity_review(
                activity=activity,
                by=request.user,
                confirm=confirm,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if not request.htmx:
                if confirm:
                    messages.success(request, _("The activity has been confirmed."))
                else:
                    messages.success(request, _("The activity has been disputed."))
                return redirect("partnership:activity-detail", pk=activity.pk)
            activity, form, status = _get_activity(request, pk), None, 200
    if request.htmx:
        context = _review_context(request, activity, form)
        context["reviewed"] = status == 200
        return render(request, "partnership/activity_detail.html#review", context, status=status)
    return _render_detail(request, activity, review_form=form, status=status)


@login_required
def activity_edit_view(request, pk: int):
    activity = _get_activity(request, pk)
    if not can_edit_activity(request.user, activity):
        raise PermissionDenied
    organisations = Organisation.objects.filter(pk=activity.organisation_id)
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        initial=ActivityForm.initial_for(activity),
        **_form_choices(organisations, activity=activity),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                activity_update(
                    activity=activity,
                    by=request.user,
                    files=form.cleaned_data["files"],
                    **form.activity_data(),
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("The activity has been corrected and sent for confirmation again.")
                )
                return redirect("partnership:activity-detail", pk=activity.pk)
        status = 400
    context = {"form": form, "activity": activity, "evidence": list(activity.evidence.all())}
    return render(request, "partnership/activity_form.html", context, status=status)


urlpatterns = [
    path("activities/", activity_list_view, name="activity-list"),
    path("activities/new/", activity_create_view, name="activity-create"),
    path("activities/mahallas/", activity_mahallas_view, name="activity-mahallas"),
    path("activities/<int:pk>/", activity_detail_view, name="activity-detail"),
    path("activities/<int:pk>/review/", activity_review_view, name="activity-review"),
    path("activities/<int:pk>/edit/", activity_edit_view, name="activity-edit"),
    path(
        "activities/<int:pk>/evidence/<int:evidence_pk>/",
        activity_evidence_view,
        name="activity-evidence",
    ),
]
