import json
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Notification
from accounts.selectors import home_sections, offline_forms, offline_url_names
from accounts.services import notifications_mark_read
from core.paging import keyset_page
from core.staticfiles import static_revision
from core.views import API_PATH_PREFIX


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): the lockout page,
    or for the API's token endpoint the same refusal as JSON, which its clients read."""
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path_info.startswith(API_PATH_PREFIX):
        detail = _("Too many failed sign-in attempts. Try again later.")
        return JsonResponse({"detail": detail}, status=429, headers={"Retry-After": cooloff})
    response = render(request, "accounts/lockout.html", status=429)
    response["Retry-After"] = cooloff
    return response


class PortalLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PortalLogoutView(LogoutView):
    """Signs out and tells the browser to drop what it keeps for the portal: the form pages
    with the user's reference lists and the outbox (the page script clears them first; this
    header also covers a browser where that script did not run)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def home_view(request):
    """The public landing page for visitors; a workspace per held role for signed-in users."""
    return render(request, "accounts/home.html", {"sections": home_sections(request.user)})


# --- Notifications --------------------------------------------------------------------------

NOTIFICATION_PAGE_SIZE = 30
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@login_required
def notification_list_view(request):
    """The user's own notifications, newest first, unread ones highlighted."""
    page = keyset_page(
        Notification.objects.filter(user=request.user),
        token=request.GET.get("after"),
        size=NOTIFICATION_PAGE_SIZE,
        field="created_at",
    )
    context = {"page": page, "page_query": page.next_query(request.GET)}
    template = "accounts/notification_list.html"
    if request.htmx and request.GET.get("after"):
        template += "#items"
    return render(request, template, context)


@login_required
def notification_open_view(request, pk: int):
    """Marks one of the user's notifications read and follows its link (404 if not theirs)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("accounts:notification-list")
    return redirect(target)


@login_required
@require_POST
def notification_mark_all_read_view(request):
    notifications_mark_read(user=request.user)
    return redirect("accounts:notification-list")


# --- Offline use ----------------------------------------------------------------------------

# What the page shell needs offline: precached by the service worker, refreshed when it changes.
OFFLINE_SHELL = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/umd.js",
    "css/portal.css",
    "js/portal.js",
    "js/offline.js",
    "js/outbox-store.js",
    "js/outbox.js",
    "favicon.svg",
    "icons/icon-192.png",
]
# Imported by the service worker itself, from our own static files (no CDN): Workbox's browser
# builds, idb and the outbox it shares with the pages.
SERVICE_WORKER_SCRIPTS = [
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-expiration.prod.js",
    "vendor/workbox/workbox-precaching.prod.js",
    "vendor/idb/umd.js",
    "js/outbox-store.js",
]


@require_GET
def service_worker_view(request):
    """The service worker, served from the root so that its scope is the whole portal."""
    names = offline_url_names()
    config = {
        "scripts": [static(name) for name in SERVICE_WORKER_SCRIPTS],
        "shell": [static_revision(name) for name in OFFLINE_SHELL],
        "static": settings.STATIC_URL,
        "i18n": reverse("javascript-catalog"),
        "pages": [reverse(name) for name in names["forms"]] + [reverse("accounts:outbox")],
        "lookups": [reverse(name) for name in names["lookups"]],
        "outbox": reverse("accounts:outbox"),
        "session": reverse("accounts:session"),
        "login": reverse("accounts:login"),
    }
    response = render(
        request,
        "accounts/sw.js",
        {"config": mark_safe(json.dumps(config))},  # noqa: S308 - our own URLs, as JSON
        content_type="application/javascript; charset=utf-8",
    )
    # Checked on every visit, so that a new version reaches phones at their next page.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@never_cache
@require_GET
def session_view(request):
    """A fresh CSRF token and who is signed in, for the outbox before it sends: an entry is sent
    only under its own author's session, and asks for a sign-in when there is none."""
    user = request.user
    return JsonResponse(
        {"csrfToken": get_token(request), "user": user.pk if user.is_authenticated else None}
    )


@login_required
def outbox_view(request):
    """The outbox and the forms that work offline; also the page a phone shows when it has
    no network and no copy of the page asked for."""
    return render(request, "accounts/outbox.html", {"forms": offline_forms(request.user)})
