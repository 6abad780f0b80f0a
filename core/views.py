from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.selectors import health_report


@never_cache
@require_GET
def healthz_view(request):
    healthy, checks = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


def permission_denied_view(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found_view(request, exception=None):
    return render(request, "404.html", status=404)


def server_error_view(request):
    # Rendered without context processors or the database: they may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
