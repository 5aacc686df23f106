"""Messages to the people booked on a shift: a coordinator's own message, and the notices Haven
writes when a shift moves or is cancelled. One delivery row per person; each gets their own email
(To: only them), sent by a task after commit."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..coordination_emails import send_shift_message
from ..models import Booking, Shift, ShiftMessage, ShiftMessageDelivery
from . import queue
from .errors import CoordinationError
from .local_time import format_when
from .locks import lock_shift
from .texts import shift_message_texts_queue

logger = logging.getLogger(__name__)


@transaction.atomic
def shift_message_send(*, shift: Shift, sender: User, subject: str, body: str) -> ShiftMessage:
    """Write to everyone booked on the shift. One delivery row per person; each gets their own email
    (To: only them, no CC), sent by a task after commit."""
    shift = lock_shift(shift_id=shift.pk)
    bookings = list(
        shift.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED]).order_by("pk")
    )
    if not bookings:
        raise CoordinationError("Nobody is booked on this shift, so there is no one to write to.")
    return shift_notice(
        shift=shift, sender=sender, subject=subject.strip(), body=body.strip(), bookings=bookings
    )


def shift_notice(
    *, shift: Shift, sender: User | None, subject: str, body: str, bookings: list[Booking]
) -> ShiftMessage | None:
    """Tell these booked people something about their shift, in the caller's transaction: a
    `ShiftMessage` with one delivery per person, emailed individually by a task after commit (the
    delivery rows make a re-run send nothing)."""
    if not bookings:
        return None
    message = ShiftMessage.objects.create(shift=shift, sender=sender, subject=subject, body=body)
    ShiftMessageDelivery.objects.bulk_create(
        [ShiftMessageDelivery(message=message, volunteer_id=b.volunteer_id, booking=b) for b in bookings]
    )
    queue.after_commit(lambda: queue.tasks().shift_message_deliver.delay(message.pk))
    # Opted-in people also get a short text pointing to the email (never its words).
    shift_message_texts_queue(message=message, bookings=bookings)
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


def shift_message_deliver(*, message_id: int) -> int:
    """Email every unsent delivery of a message, each in its own transaction: the row is claimed with
    `select_for_update(skip_locked=True)`, sent, and marked sent, so a re-run (or a second worker)
    sends nothing twice. A failed send stays unsent for the next run. Returns how many were sent."""
    sent = 0
    pending = list(
        ShiftMessageDelivery.objects.filter(message_id=message_id, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for delivery_id in pending:
        with transaction.atomic():
            delivery = (
                ShiftMessageDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("message__shift__role", "volunteer")
                .filter(pk=delivery_id, sent_at__isnull=True)
                .first()
            )
            if delivery is None or not delivery.volunteer.is_active:
                continue
            delivery.attempts += 1
            try:
                send_shift_message(delivery)
            except Exception as exc:  # noqa: BLE001  (one bad address must not stop the others)
                logger.warning("shift message delivery %s failed: %s", delivery.pk, exc)
                delivery.save(update_fields=["attempts"])
                continue
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent
