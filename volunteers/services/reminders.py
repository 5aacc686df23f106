"""Shift reminders: one outbox message per configured offset before the start, with its due instant
in UTC (`Message.due_at`); the outbox's sweeper sends each once it falls due."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.i18n import message_language
from messaging.models import Message
from messaging.services import message_queue, messages_cancel

from ..models import Booking, Shift
from .texts import reminder_text_queue

KIND_REMINDER = "volunteers.reminder"


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def reminder_dedupe_key(*, booking: Booking, offset_hours: int) -> str:
    """One reminder per booking, offset and start time: a shift that moves is a new fact (the
    volunteer hears again, for the new time), the same start announced twice is one message."""
    starts = booking.shift.starts_at.astimezone(datetime.UTC)
    return f"{KIND_REMINDER}:{booking.pk}:{offset_hours}:{starts:%Y%m%dT%H%M%S}"


def reminders_schedule(*, booking: Booking, now: datetime.datetime | None = None) -> list[Message]:
    """Queue (or move) one reminder per configured offset, in the caller's transaction. Due instants
    are UTC: `starts_at` minus a fixed number of hours is the same instant whatever the local clock
    does. Offsets already in the past are not created (a 48 h reminder for a shift booked 5 hours
    ahead makes no sense); pending reminders for an earlier start time are cancelled."""
    now = now or timezone.now()
    starts = _utc(booking.shift.starts_at)
    stale = [
        m.pk
        for m in booking_reminders(booking).filter(status=Message.Status.PENDING)
        if m.data.get("starts_at") != starts
    ]
    Message.objects.filter(pk__in=stale).update(
        status=Message.Status.CANCELLED, status_reason="the shift moved"
    )
    queued = []
    volunteer = booking.volunteer
    for offset in sorted(set(settings.HAVEN_SHIFT_REMINDER_OFFSETS_HOURS), reverse=True):
        due_at = booking.shift.starts_at - datetime.timedelta(hours=offset)
        if due_at <= now:
            continue
        queued.append(
            message_queue(
                kind=KIND_REMINDER,
                recipient=volunteer.email,
                user=volunteer,
                language=message_language(volunteer),
                about=booking,
                dedupe_key=reminder_dedupe_key(booking=booking, offset_hours=offset),
                data={"offset_hours": offset, "starts_at": starts},
                due_at=due_at,
            )
        )
        # The same reminder by text, for a volunteer who opted in (the outbox sends it once).
        reminder_text_queue(booking=booking, offset_hours=offset, due_at=due_at)
    return queued


def booking_reminders(booking: Booking):
    """The booking's reminder messages (any status)."""
    return Message.objects.filter(
        kind=KIND_REMINDER, about_type=ContentType.objects.get_for_model(Booking), about_id=booking.pk
    )


def reminders_cancel(*, booking: Booking, reason: str) -> int:
    """The booking no longer needs reminding (cancelled, attended, no-show): its pending reminders
    are cancelled in the caller's transaction."""
    return messages_cancel(about=booking, kinds=[KIND_REMINDER], reason=reason)


@transaction.atomic
def reminders_reschedule_for_shift(*, shift: Shift) -> int:
    """After a shift's time changed, in the caller's transaction: recompute every active booking's
    reminders (the volunteer hears again, for the new time)."""
    count = 0
    for booking in shift.bookings.filter(status=Booking.Status.BOOKED).select_related("shift", "volunteer"):
        count += len(reminders_schedule(booking=booking))
    return count
