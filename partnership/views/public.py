"""The public registry of agreements: no sign-in, active agreements their parties made public.

It shows the parties, areas, dates, the progress of obligations and the number of confirmed
joint activities; never documents, evidence or anyone's personal data.
"""

from django.db.models import Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from core.exports import csv_response
from core.paging import keyset_page
from partnership.forms.agreements import PublicAgreementFilter
from partnership.models import Obligation
from partnership.permissions import agreements_public
from partnership.selectors import agreement_list

PAGE_SIZE = 30
CSV_CHUNK = 500
# Spreadsheets run cells starting with these as formulas (CSV injection).


def _registry_filterset(request) -> PublicAgreementFilter:
    return PublicAgreementFilter(request.GET, queryset=agreement_list(queryset=agreements_public()))


def public_registry_view(request):
    filterset = _registry_filterset(request)
    valid = filterset.is_valid()
    page = keyset_page(
        filterset.qs if valid else filterset.queryset.none(),
        token=request.GET.get("after"),
        size=PAGE_SIZE,
        field="valid_from",
    )
    filters = request.GET.copy()
    filters.pop("after", None)
    context = {
        "filterset": filterset,
        "page": page,
        "page_query": page.next_query(request.GET),
        "csv_query": filters.urlencode(),
    }
    template = "partnership/public_registry.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return render(request, template, context, status=200 if valid else 400)


def public_agreement_view(request, pk: int):
    agreements = agreement_list(queryset=agreements_public()).prefetch_related(
        Prefetch("obligations", queryset=Obligation.objects.select_related("organisation"))
    )
    agreement = get_object_or_404(agreements, pk=pk)
    return render(request, "partnership/public_agreement.html", {"agreement": agreement})


def public_registry_csv_view(request):
    """The registry with the page's filters, as CSV, streamed row by row."""
    filterset = _registry_filterset(request)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    header = [
        _("Number"),
        _("Title"),
        _("MIA unit"),
        _("Organisations"),
        _("Areas of partnership"),
        _("Signed on"),
        _("Valid from"),
        _("Valid to"),
        _("Obligations done"),
        _("Obligations in all"),
        _("Confirmed joint activities"),
        _("Page"),
    ]
    agreements = filterset.qs.order_by("-valid_from", "-id").iterator(chunk_size=CSV_CHUNK)

    def rows():
        for agreement in agreements:
            detail = reverse("partnership:public-agreement", args=[agreement.pk])
            yield [
                agreement.number,
                agreement.title,
                agreement.unit.name,
                "; ".join(o.name for o in agreement.organisations.all()),
                "; ".join(a.name for a in agreement.areas.all()),
                agreement.signed_on.isoformat() if agreement.signed_on else "",
                agreement.valid_from.isoformat(),
                agreement.valid_to.isoformat(),
                agreement.obligations_done,
                agreement.obligations_total,
                agreement.confirmed_activities,
                request.build_absolute_uri(detail),
            ]

    return csv_response(header, rows(), filename="agreements.csv")


urlpatterns = [
    path("registry/", public_registry_view, name="public-registry"),
    path("registry.csv", public_registry_csv_view, name="public-registry-csv"),
    path("registry/<int:pk>/", public_agreement_view, name="public-agreement"),
]
