"""Shift reminders: one outbox message per configured offset before the start, with its due instant
in UTC (`Message.due_at`); the outbox's sweeper sends each once it falls due."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.i18n import message_language
from messaging.models import Message
from messaging.services import message_draft, messages_cancel, messages_queue

from ..models import Booking, Shift, VolunteerProfile
from .texts import opted_in_profiles, reminder_text_draft

KIND_REMINDER = "volunteers.reminder"


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def reminder_dedupe_key(*, booking: Booking, offset_hours: int) -> str:
    """One reminder per booking, offset and start time: a shift that moves is a new fact (the
    volunteer hears again, for the new time), the same start announced twice is one message."""
    starts = booking.shift.starts_at.astimezone(datetime.UTC)
    return f"{KIND_REMINDER}:{booking.pk}:{offset_hours}:{starts:%Y%m%dT%H%M%S}"


def reminder_drafts(
    *, booking: Booking, now: datetime.datetime, profile: VolunteerProfile | None
) -> list[Message]:
    """The booking's reminders, not yet written: one email per configured offset before the start
    (and its text twin, when `profile`, the volunteer's, opted in). Due instants are UTC: `starts_at`
    minus a fixed number of hours is the same instant whatever the local clock does. Offsets already
    in the past are left out (a 48 h reminder for a shift booked 5 hours ahead makes no sense)."""
    starts = _utc(booking.shift.starts_at)
    volunteer = booking.volunteer
    drafts = []
    for offset in sorted(set(settings.HAVEN_SHIFT_REMINDER_OFFSETS_HOURS), reverse=True):
        due_at = booking.shift.starts_at - datetime.timedelta(hours=offset)
        if due_at <= now:
            continue
        drafts.append(
            message_draft(
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
        text = reminder_text_draft(booking=booking, offset_hours=offset, due_at=due_at, profile=profile)
        if text is not None:
            drafts.append(text)
    return drafts


def reminders_schedule(*, booking: Booking, now: datetime.datetime | None = None) -> list[Message]:
    """Queue (or move) one reminder per configured offset, in the caller's transaction, in one
    INSERT (see `reminder_drafts`); pending reminders for an earlier start time are cancelled.
    Returns the reminder emails."""
    return _reschedule([booking], now=now or timezone.now())


def _reschedule(bookings: list[Booking], *, now: datetime.datetime) -> list[Message]:
    """Cancel the pending reminders of `bookings` that are for another start time and queue the
    current ones: three queries however many bookings (theirs, the opted-in profiles, the INSERT)."""
    if not bookings:
        return []
    by_id = {b.pk: b for b in bookings}
    stale = [
        m.pk
        for m in Message.objects.filter(
            kind=KIND_REMINDER,
            about_type=ContentType.objects.get_for_model(Booking),
            about_id__in=list(by_id),
            status=Message.Status.PENDING,
        ).only("pk", "about_id", "data")
        if m.data.get("starts_at") != _utc(by_id[m.about_id].shift.starts_at)
    ]
    if stale:
        Message.objects.filter(pk__in=stale).update(
            status=Message.Status.CANCELLED, status_reason="the shift moved"
        )
    profiles = opted_in_profiles({b.volunteer_id for b in bookings})
    drafts = [
        draft
        for booking in bookings
        for draft in reminder_drafts(booking=booking, now=now, profile=profiles.get(booking.volunteer_id))
    ]
    return [m for m in messages_queue(drafts) if m.kind == KIND_REMINDER]


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
    reminders (the volunteer hears again, for the new time), in a fixed number of queries."""
    bookings = list(shift.bookings.filter(status=Booking.Status.BOOKED).select_related("shift", "volunteer"))
    return len(_reschedule(bookings, now=timezone.now()))
