from django.conf import settings

from accounts.permissions import user_roles
from accounts.selectors import navigation_items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_items": navigation_items(user),
        "user_roles": user_roles(user),
        "source_url": settings.PORTAL_SOURCE_URL,
    }
