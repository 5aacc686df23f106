"""Thin Celery tasks: take ids, call a service. Each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def booking_confirmation_send(booking_id: int) -> bool:
    return services.booking_confirmation_deliver(booking_id=booking_id)


@shared_task(acks_late=True)
def waitlist_offer_send(entry_id: int) -> bool:
    return services.waitlist_offer_deliver(entry_id=entry_id)


@shared_task
def reminders_send_due() -> int:
    """Beat, every minute: send due reminders (claimed with skip_locked, so overlapping runs are safe)."""
    return services.reminders_send_due()


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


# --- coordination


@shared_task(acks_late=True)
def shift_message_deliver(message_id: int) -> int:
    """Email each recipient of a shift message (or cancellation notice) its own copy, once."""
    return services.shift_message_deliver(message_id=message_id)


@shared_task
def coordinator_digests_send() -> int:
    """Beat, hourly: today's understaffed-shifts digest, at most once per coordinator per day."""
    return services.coordinator_digests_send()


@shared_task(acks_late=True)
def role_application_notify(application_id: int) -> bool:
    """Email a volunteer the decision on their role application, once."""
    return services.role_application_notify(application_id=application_id)
