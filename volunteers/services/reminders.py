"""Shift reminders: one per configured offset before the start, due instants in UTC, sent by beat."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..emails import send_reminder
from ..models import Booking, Reminder, Shift
from .texts import reminder_text_queue

logger = logging.getLogger(__name__)


def reminders_create(*, booking: Booking, now: datetime.datetime, profile=None) -> list[Reminder]:
    """A new booking's reminders in one INSERT: what `reminders_schedule` makes for a booking that has
    none yet (one per configured offset still ahead, and its text twin for a volunteer who opted in;
    with the volunteer's `profile` at hand, one who did not costs no query)."""
    offsets = sorted(set(settings.HAVEN_SHIFT_REMINDER_OFFSETS_HOURS), reverse=True)
    due = [(offset, booking.shift.starts_at - datetime.timedelta(hours=offset)) for offset in offsets]
    due = [(offset, due_at) for offset, due_at in due if due_at > now]
    created = Reminder.objects.bulk_create(
        [Reminder(booking=booking, offset_hours=offset, due_at=due_at) for offset, due_at in due]
    )
    if profile is None or (profile.sms_opted_in_at and profile.mobile):
        for offset, due_at in due:
            reminder_text_queue(booking=booking, offset_hours=offset, due_at=due_at)
    return created


def reminders_schedule(*, booking: Booking, now: datetime.datetime | None = None) -> list[Reminder]:
    """Create (or move) one reminder per configured offset. Due instants are UTC: `starts_at` minus a
    fixed number of hours is the same instant whatever the local clock does. Offsets already in the
    past are not created (a 48 h reminder for a shift booked 5 hours ahead makes no sense)."""
    now = now or timezone.now()
    offsets = sorted(set(settings.HAVEN_SHIFT_REMINDER_OFFSETS_HOURS), reverse=True)
    created = []
    for offset in offsets:
        due_at = booking.shift.starts_at - datetime.timedelta(hours=offset)
        if due_at <= now:
            booking.reminders.filter(offset_hours=offset, sent_at__isnull=True).delete()
            continue
        reminder, made = Reminder.objects.get_or_create(
            booking=booking, offset_hours=offset, defaults={"due_at": due_at}
        )
        if not made and reminder.due_at != due_at:
            # The shift moved: remind again for the new time, even if the old reminder went out.
            reminder.due_at, reminder.sent_at, reminder.skipped_at, reminder.attempts = due_at, None, None, 0
            reminder.save(update_fields=["due_at", "sent_at", "skipped_at", "attempts"])
        # The same reminder by text, for a volunteer who opted in (the outbox sends it once).
        reminder_text_queue(booking=booking, offset_hours=offset, due_at=due_at)
        created.append(reminder)
    return created


@transaction.atomic
def reminders_reschedule_for_shift(*, shift: Shift) -> int:
    """After a shift's time changed: recompute every active booking's reminders (sent ones for the
    old time are replaced, since the volunteer needs to hear about the new time)."""
    count = 0
    for booking in shift.bookings.filter(status=Booking.Status.BOOKED).select_related("shift"):
        count += len(reminders_schedule(booking=booking))
    return count


def reminders_send_due(*, now: datetime.datetime | None = None, batch_size: int = 100) -> int:
    """Send every reminder that is due. Rows are claimed with `select_for_update(skip_locked=True)`
    (PostgreSQL; SQLite has no row locks and runs one writer at a time), sent, and marked sent in the
    same transaction, so two beat workers never send the same reminder. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True, skipped_at__isnull=True, due_at__lte=now)
                .select_related("booking__shift__role", "booking__volunteer")
                .order_by("due_at", "id")[:batch_size]
            )
            if not due:
                return sent
            for reminder in due:
                booking = reminder.booking
                shift = booking.shift
                if (
                    booking.status != Booking.Status.BOOKED
                    or shift.is_cancelled
                    or shift.starts_at <= now
                    or not booking.volunteer.is_active
                ):
                    reminder.skipped_at = now
                    reminder.save(update_fields=["skipped_at"])
                    continue
                reminder.attempts += 1
                try:
                    send_reminder(reminder)
                except Exception as exc:  # noqa: BLE001  (a mail server error must not stop the batch)
                    logger.warning("reminder %s failed: %s", reminder.pk, exc)
                    reminder.last_error = str(exc)[:500]
                    if reminder.attempts >= settings.HAVEN_REMINDER_MAX_ATTEMPTS:
                        reminder.skipped_at = now
                    reminder.save(update_fields=["attempts", "last_error", "skipped_at"])
                    continue
                reminder.sent_at = now
                reminder.save(update_fields=["attempts", "sent_at"])
                sent += 1
            if len(due) < batch_size:
                return sent
