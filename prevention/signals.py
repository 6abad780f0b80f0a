"""Signals the prevention app sends to the apps above it, which must not be imported here
(STYLE.md §1): they listen instead."""

from django.dispatch import Signal

# A district's month changed state (approved, accepted, returned, reopened); sent inside the
# transaction of the change, with `district` (a Territory) and `month` (its first day), so
# that what receivers write commits or rolls back with it. The accountability app withdraws
# the month's figures on it and queues their refresh.
period_state_changed = Signal()
