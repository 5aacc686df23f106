"""Thin Celery tasks: they call a service. Each is safe to run twice (the services check state, and
their emails are outbox messages with unique dedupe keys), so acks_late redelivery sends nothing
twice. The gifts' emails are delivered by messaging.tasks.message_deliver."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services, webhooks


@shared_task(acks_late=True)
def statements_send_last_year() -> int:
    """Runs daily from beat; only acts in January, for the year just ended. Computed at run time (a
    process running across New Year must not remember the old year)."""
    today = timezone.localdate()
    if today.month != 1:
        return 0
    return services.statements_send_for_year(year=(today - datetime.timedelta(days=today.day)).year)


@shared_task(acks_late=True)
def stripe_events_release_stale() -> int:
    """Safety net: apply waiting webhook events whose payment is known by now (normally they are
    applied right after the payment's transaction commits)."""
    return webhooks.stripe_events_release_stale()
