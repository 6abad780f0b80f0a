"""Placeholder: filled in by the public views."""

urlpatterns: list = []
