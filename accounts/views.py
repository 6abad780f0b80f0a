from django.contrib.auth.views import LoginView
from django.shortcuts import render

from accounts.selectors import home_sections


class PortalLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def home_view(request):
    """The public landing page for visitors; a workspace per held role for signed-in users."""
    return render(request, "accounts/home.html", {"sections": home_sections(request.user)})
