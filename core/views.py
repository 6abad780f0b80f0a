from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.selectors import health_report

# The portal's blue (static/css/portal.css): the phone's status bar and splash screen.
THEME_COLOUR = "#0b4f8a"


@never_cache
@require_GET
def healthz_view(request):
    healthy, checks = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def ping_view(request):
    """The benchmarks' baseline (bench/): a plain JSON answer behind the same middleware as
    every page. It reads the user as every page does, so a signed-in request pays the same
    session and user lookups and an anonymous one runs no query."""
    return JsonResponse({"ok": True, "authenticated": request.user.is_authenticated})


def permission_denied_view(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found_view(request, exception=None):
    return render(request, "404.html", status=404)


# The API's paths (config/urls.py): its clients read JSON, errors included.
API_PATH_PREFIX = "/api/"


def server_error_view(request):
    # Rendered without context processors or the database: they may be what failed. An
    # error the API's own handler did not turn into an answer (the database away, say, or a
    # middleware failing before the API view) is still JSON there, in DRF's shape.
    if request is not None and request.path_info.startswith(API_PATH_PREFIX):
        detail = _(
            "Something went wrong on our side; the error has been recorded. Nothing you sent "
            "was half-saved: please try again in a few minutes."
        )
        return JsonResponse({"detail": detail}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


def _bcp47(language: str) -> str:
    """Django's language code as a web manifest writes it: uz-cyrl -> uz-Cyrl."""
    base, _sep, script = language.partition("-")
    return f"{base}-{script.title()}" if len(script) == 4 else language


@require_GET
def manifest_view(request):
    """The web app manifest, so that the portal installs on a phone's home screen.

    Browsers fetch a manifest without cookies, so the page names its language in the URL
    (?lang=); without it the request's own language is used. No login: the login page itself
    must be installable.
    """
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        manifest = {
            "id": "/",
            "name": _("Hamkorlik: cooperation portal"),
            "short_name": str(settings.PORTAL_NAME),
            "description": _(
                "Cooperation of the internal affairs bodies and civil society institutions: "
                "prevention work, joint activities, incentives and public accountability."
            ),
            "lang": _bcp47(language),
            "dir": "ltr",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": "#ffffff",
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("icons/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    response = JsonResponse(
        manifest,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response
