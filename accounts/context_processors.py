from functools import cache

from django.conf import settings

from accounts.models import Notification
from accounts.permissions import user_roles
from accounts.selectors import navigation_items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    context = {
        "nav_items": navigation_items(user),
        "user_roles": user_roles(user),
        "source_url": settings.PORTAL_SOURCE_URL,
    }
    if user.is_authenticated:
        # A callable: the template calls it, so the count (one indexed query on the user's own
        # rows) runs only when a page shows the navbar, and once per request.
        @cache
        def unread_notifications() -> int:
            return Notification.objects.filter(user=user, read_at__isnull=True).count()

        context["unread_notifications"] = unread_notifications
    return context
