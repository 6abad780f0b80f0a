"""Placeholder: filled in by the records views."""

urlpatterns: list = []
