"""What the accountability app does when the apps below it signal a change (they cannot
import it: STYLE.md §1)."""

from django.dispatch import receiver
from django.utils import timezone

from accountability.services import approved_periods_withdraw
from core.outbox import enqueue
from prevention.signals import period_state_changed


@receiver(period_state_changed, dispatch_uid="accountability-period-figures")
def period_figures_follow(sender, *, district, month, **kwargs):
    """A month returned or reopened stops being public at once; then (in a worker) the
    month's roll-ups are computed again, published if approved, and the reports made again
    where their figures changed."""
    # Imported here: the task module imports the services, which import the models.
    from accountability.tasks import period_figures_refresh_task

    approved_periods_withdraw(district=district, month=month)
    # Through the outbox: with the broker down the refresh waits there and runs once it is
    # back (before the outbox, it was lost until the nightly roll-up pass).
    enqueue(period_figures_refresh_task, district.pk, month.isoformat(), timezone.now().isoformat())
