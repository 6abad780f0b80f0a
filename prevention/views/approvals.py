"""Placeholder while the module is written: the page answers 404."""

from django.http import Http404
from django.urls import path


def _placeholder_view(request):
    raise Http404


urlpatterns = [path("approvals/", _placeholder_view, name="approval-list")]
