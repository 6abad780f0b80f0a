"""Placeholder: filled in by the agreements views."""

urlpatterns: list = []
