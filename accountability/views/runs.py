"""The report runs, for the portal administrators only (anyone else gets a 404): each run's
state and progress, refreshed by htmx while one is working, and a form to start a run for a
level and a period. Starting a finished run again replaces only the reports whose figures
changed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountability.models import PeriodKind, ReportRun
from accountability.periods import Period
from accountability.permissions import can_manage_report_runs
from accountability.services import report_run_queue
from accountability.views.public import PeriodField
from core.exceptions import ApplicationError
from core.forms import BootstrapFormMixin, add_service_error
from mahalla.models import Territory

RUNS_SHOWN = 50
POLL_SECONDS = 3


class RunStartForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Territory.Kind.choices)
    period = PeriodField(label=gettext_lazy("Period"))


@login_required
def report_run_list_view(request):
    if not can_manage_report_runs(request.user):
        raise Http404
    if request.method == "POST":
        form = RunStartForm(request.POST)
        if form.is_valid():
            try:
                report_run_queue(
                    period=form.cleaned_data["period"], level=form.cleaned_data["level"]
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The run has been queued."))
                return redirect("accountability:report-run-list")
    else:
        last_month = Period.containing(PeriodKind.MONTH, timezone.localdate()).previous
        form = RunStartForm(initial={"level": Territory.Kind.MAHALLA, "period": last_month})
    runs = list(ReportRun.objects.order_by("-updated_at", "-id")[:RUNS_SHOWN])
    context = {
        "form": form,
        "runs": runs,
        "active": any(
            run.state in (ReportRun.State.QUEUED, ReportRun.State.RUNNING) for run in runs
        ),
        "poll_seconds": POLL_SECONDS,
    }
    template = "accountability/report_run_list.html"
    if request.htmx and request.method == "GET":
        template += "#runs"
    return render(request, template, context, status=400 if form.errors else 200)


urlpatterns = [path("reports/runs/", report_run_list_view, name="report-run-list")]
