"""Messages to the people booked on a shift: a coordinator's own message, and the notices Haven
writes when a shift moves or is cancelled. One outbox message per person (To: only them), written
in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from core.i18n import message_language
from messaging.services import message_draft, messages_queue

from ..models import Booking, Shift, ShiftMessage
from .errors import CoordinationError
from .local_time import format_when
from .locks import lock_shift
from .texts import shift_message_text_drafts

KIND_SHIFT_MESSAGE = ShiftMessage.MESSAGE_KIND


@transaction.atomic
def shift_message_send(*, shift: Shift, sender: User, subject: str, body: str) -> ShiftMessage:
    """Write to everyone booked on the shift. One outbox message per person (To: only them, no CC),
    sent after commit."""
    shift = lock_shift(shift_id=shift.pk)
    bookings = list(
        shift.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED]).order_by("pk")
    )
    if not bookings:
        raise CoordinationError(gettext("Nobody is booked on this shift, so there is no one to write to."))
    return shift_notice(
        shift=shift, sender=sender, subject=subject.strip(), body=body.strip(), bookings=bookings
    )


def shift_notice(
    *, shift: Shift, sender: User | None, subject: str, body: str, bookings: list[Booking]
) -> ShiftMessage | None:
    """Tell these booked people something about their shift, in the caller's transaction: a
    `ShiftMessage`, and one outbox message per person (To: only them), each sent once."""
    if not bookings:
        return None
    message = ShiftMessage.objects.create(shift=shift, sender=sender, subject=subject, body=body)
    volunteers = User.objects.in_bulk({b.volunteer_id for b in bookings})
    drafts = [
        message_draft(
            kind=KIND_SHIFT_MESSAGE,
            recipient=volunteer.email,
            user=volunteer,
            language=message_language(volunteer),
            about=message,
            dedupe_key=f"{KIND_SHIFT_MESSAGE}:{message.pk}:{volunteer.pk}",
            data={"booking_id": booking.pk},
        )
        for booking in bookings
        if (volunteer := volunteers[booking.volunteer_id]).is_active
    ]
    # Opted-in people also get a short text pointing to the email (never its words).
    drafts += shift_message_text_drafts(message=message, bookings=bookings)
    messages_queue(drafts)
    return message


def shift_moved_notice(*, shift: Shift, sender: User | None) -> None:
    """Tell the people booked on a shift that has just moved its new times."""
    bookings = list(shift.bookings.filter(status=Booking.Status.BOOKED))
    shift_notice(
        shift=shift,
        sender=sender,
        subject=f"New time: {shift.display_title}",
        body=(
            f"The {shift.role.name} shift you are booked on has moved. It now starts "
            f"{format_when(shift.starts_at)} and ends {format_when(shift.ends_at)}.\n\n"
            "If you can no longer come, please cancel from your shifts page so someone else can take "
            "the place."
        ),
        bookings=bookings,
    )
