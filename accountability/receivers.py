"""What the accountability app does when the apps below it signal a change (they cannot
import it: STYLE.md §1)."""

import logging

from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accountability.services import approved_periods_withdraw
from prevention.signals import period_state_changed

logger = logging.getLogger(__name__)


@receiver(period_state_changed, dispatch_uid="accountability-period-figures")
def period_figures_follow(sender, *, district, month, **kwargs):
    """A month returned or reopened stops being public at once; then (in a worker) the
    month's roll-ups are computed again, published if approved, and the reports made again
    where their figures changed."""
    # Imported here: the task module imports the services, which import the models.
    from accountability.tasks import period_figures_refresh_task

    approved_periods_withdraw(district=district, month=month)
    try:
        period_figures_refresh_task.delay(
            district.pk, month.isoformat(), timezone.now().isoformat()
        )
    except BrokerError:
        # The state change is committed; the nightly roll-up pass publishes the figures.
        logger.exception("Could not queue the figures of %s for %s", district.code, month)
