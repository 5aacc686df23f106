"""Thin Celery tasks: they call a service. Each is safe to run twice (the services check state, and
their emails are outbox messages with unique dedupe keys), so acks_late redelivery sends nothing
twice. The gifts' emails are delivered by messaging.tasks.message_deliver."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import periods, services, webhooks


@shared_task(acks_late=True)
def statements_send_last_year() -> int:
    """Runs from beat every few hours; acts in the first month after a period ended: in January for
    the calendar year just ended (donors' tax year), and, when the fiscal year differs
    (HAVEN_FISCAL_YEAR_START_MONTH), in the fiscal year's first month for the fiscal year just
    ended. Computed at run time (a process running across New Year must not remember the old year);
    each statement is issued and emailed once however often this runs."""
    today = timezone.localdate()
    sent = 0
    if today.month == 1:
        sent += services.statements_send_for_year(year=(today - datetime.timedelta(days=today.day)).year)
    if periods.fiscal_years_differ() and today.month == periods.fiscal_start_month():
        sent += services.statements_send_for_period(period=periods.last_ended(periods.FISCAL, today))
    return sent


@shared_task(acks_late=True)
def stripe_events_release_stale() -> int:
    """Safety net: apply waiting webhook events whose payment is known by now (normally they are
    applied right after the payment's transaction commits)."""
    return webhooks.stripe_events_release_stale()
