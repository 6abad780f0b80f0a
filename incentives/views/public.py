"""The public award register under Cabinet Resolution No. 15: no sign-in, every award decided
and not reversed.

A row shows exactly the nominee's public name (`award_public_name`: a citizen's own name only
with consent), the ground, the type of incentive, the month of the decision and the region;
never an amount, a date of birth, an address, a document number or a phone.
"""

from dataclasses import dataclass
from datetime import date

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from core.exports import csv_response
from core.paging import keyset_page
from incentives.filters import AwardRegisterFilter
from incentives.models import Nomination
from incentives.permissions import awards_public
from incentives.selectors import award_public_name, award_register_list

PAGE_SIZE = 30
CSV_CHUNK = 500


@dataclass(frozen=True)
class RegisterRow:
    """What the register publishes of one award, and nothing more."""

    name: str
    ground: str
    incentive_type: str
    month: date
    region: str


def register_row(award: Nomination) -> RegisterRow:
    return RegisterRow(
        name=award_public_name(award),
        ground=award.ground.name,
        incentive_type=award.incentive_type.name if award.incentive_type else "",
        month=award.decision_date.replace(day=1),
        region=award.mahalla.parent.parent.name,
    )


def _register_filterset(request) -> AwardRegisterFilter:
    return AwardRegisterFilter(request.GET, queryset=award_register_list(queryset=awards_public()))


def award_register_view(request):
    filterset = _register_filterset(request)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else filterset.queryset.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="decision_date",
    )
    filters = request.GET.copy()
    filters.pop("after", None)
    context = {
        "filterset": filterset,
        "page": page,
        "rows": [register_row(award) for award in page.items],
        "page_query": page.next_query(request.GET),
        "csv_query": filters.urlencode(),
    }
    template = "incentives/award_register.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


def award_register_csv_view(request):
    """The register with the page's filters, as CSV, streamed row by row."""
    filterset = _register_filterset(request)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    header = [_("Name"), _("Ground"), _("Type of incentive"), _("Month"), _("Region")]
    awards = filterset.qs.order_by("-decision_date", "-id").iterator(chunk_size=CSV_CHUNK)

    def rows():
        for award in awards:
            row = register_row(award)
            yield [row.name, row.ground, row.incentive_type, f"{row.month:%Y-%m}", row.region]

    return csv_response(header, rows(), filename="awards-register.csv")


urlpatterns = [
    path("awards/register/", award_register_view, name="award-register"),
    path("awards/register.csv", award_register_csv_view, name="award-register-csv"),
]
