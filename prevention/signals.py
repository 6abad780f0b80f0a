"""Signals the prevention app sends to the apps above it, which must not be imported here
(STYLE.md §1): they listen instead."""

from django.dispatch import Signal

# A district's month changed state (approved, accepted, returned, reopened); sent after the
# commit, with `district` (a Territory) and `month` (its first day). The accountability app
# publishes or withdraws the month's figures on it.
period_state_changed = Signal()
