"""Placeholder: filled in by the requests views."""

urlpatterns: list = []
