from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Notification
from accounts.selectors import home_sections
from accounts.services import notifications_mark_read
from core.paging import keyset_page


class PortalLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
