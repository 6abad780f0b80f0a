"""Placeholder: filled in by the activities views."""

urlpatterns: list = []
