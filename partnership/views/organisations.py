"""Placeholder: filled in by the organisations views."""

urlpatterns: list = []
