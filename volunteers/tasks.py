"""Thin Celery tasks: they call a service and are safe to run twice. The volunteers' emails are
outbox messages (messaging.tasks.message_deliver sends them; its sweeper sends reminders when due)."""

from celery import shared_task

from . import services


@shared_task
def booking_holds_sync_all() -> int:
    """Beat, every 15 minutes: record holds no service announced (a new agreement version reaching its
    publication time, records changed in the admin) and tell the volunteers. Returns how many changed."""
    changes = services.booking_holds_sync_all()
    return len(changes.held) + len(changes.cleared)


@shared_task
def waitlist_offers_expire() -> int:
    """Beat, every minute: expire offers and pass the places on."""
    return services.waitlist_offers_expire()


@shared_task
def coordinator_digests_send() -> int:
    """Beat, hourly: queue today's understaffed-shifts digest, at most once per coordinator per day."""
    return services.coordinator_digests_send()
