"""Placeholder: filled in by the residents views."""

urlpatterns: list = []
