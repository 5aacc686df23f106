"""Thin Celery tasks: take ids, call a service. Each is safe to run twice (the services check state
and the outbox claims atomically), so acks_late redelivery after a crash sends nothing twice."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services, webhooks


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def receipt_send(receipt_id: int) -> bool:
    return services.receipt_deliver(receipt_id=receipt_id)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def outbox_send_task(email_id: int) -> bool:
    return services.outbox_send(email_id=email_id)


@shared_task(acks_late=True)
def outbox_sweep() -> int:
    return services.outbox_sweep()


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
