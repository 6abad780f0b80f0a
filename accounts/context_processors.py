from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from accounts.models import Notification
from accounts.permissions import user_roles
from accounts.selectors import navigation_items, offline_forms


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    context = {
        "nav_items": navigation_items(user),
        "user_roles": user_roles(user),
        "source_url": settings.PORTAL_SOURCE_URL,
        "offline_config": offline_config(user),
    }
    if user.is_authenticated:
        # A callable: the template calls it, so the count (one indexed query on the user's own
        # rows) runs only when a page shows the navbar, and once per request.
        @cache
        def unread_notifications() -> int:
            return Notification.objects.filter(user=user, read_at__isnull=True).count()

        context["unread_notifications"] = unread_notifications
    return context


def offline_config(user) -> dict:
    """What static/js/offline.js and outbox.js need: the service worker, the user (an outbox
    entry is sent only under its author's session) and the forms kept for offline use."""
    config = {"serviceWorker": reverse("accounts:service-worker"), "user": None}
    if user.is_authenticated:
        config.update(
            user=user.pk,
            session=reverse("accounts:session"),
            login=reverse("accounts:login"),
            outbox=reverse("accounts:outbox"),
            # As base.html names it: the copy kept offline is the page's language.
            catalog=f"{reverse('javascript-catalog')}?l={get_language()}",
            forms=[
                {"url": reverse(form.url_name), "label": str(form.label)}
                for form in offline_forms(user)
            ],
        )
    return config
