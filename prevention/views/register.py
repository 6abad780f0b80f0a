"""Placeholder: filled in by the register views."""

urlpatterns: list = []
