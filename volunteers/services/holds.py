"""Bookings on hold: the volunteer is told once when their booking goes on hold, and once when it
comes off it.

Whether a booking is on hold right now is decided on every read by `volunteers.clearance`, from the
same checks a booking passes; pages never wait for this module. What this module keeps is the
record of what the volunteer has been told: `Booking.on_hold_since` and `hold_reason`, changed under
the booking's row lock in the transaction that changes the volunteer's clearance (an approval
withdrawn or given, a verification recorded, an agreement signed, a shift moved to another day), with
the notice written to the outbox in the same transaction. A beat task (`booking_holds_sync_all`,
every 15 minutes) catches what no service announced: a new agreement version reaching its publication
time, requirements changed on a role, records edited in the admin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from messaging.services import message_queue

from .. import clearance
from ..models import Booking, Shift

KIND_ON_HOLD = "volunteers.booking_on_hold"
KIND_CLEARED = "volunteers.booking_cleared"
SYNC_BATCH = 500


@dataclass
class HoldChanges:
    held: list[int]
    cleared: list[int]

    def __add__(self, other: HoldChanges) -> HoldChanges:
        return HoldChanges(held=self.held + other.held, cleared=self.cleared + other.cleared)


def hold_dedupe_key(kind: str, booking_id: int, since: datetime.datetime) -> str:
    """One notice of each kind per hold: a later hold of the same booking is a new fact."""
    return f"{kind}:{booking_id}:{since.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%f}"


def _candidates(now: datetime.datetime) -> QuerySet[Booking]:
    # Holds matter until the shift ends; a cancelled booking or shift shows no address anyway.
    return Booking.objects.filter(
        status=Booking.Status.BOOKED, shift__is_cancelled=False, shift__ends_at__gt=now
    )


def booking_holds_sync(
    *, volunteer: User | None = None, shift: Shift | None = None, now: datetime.datetime | None = None
) -> HoldChanges:
    """Bring the recorded holds of `volunteer`'s (or `shift`'s) upcoming bookings in line with their
    clearance, inside the caller's transaction, and queue one notice per change. Returns the ids of
    the bookings that went on hold and of those cleared again."""
    if volunteer is None and shift is None:
        raise ValueError("Say whose bookings to check (booking_holds_sync_all checks everyone's).")
    now = now or timezone.now()
    bookings = _candidates(now)
    if volunteer is not None:
        bookings = bookings.filter(volunteer=volunteer)
    if shift is not None:
        bookings = bookings.filter(shift=shift)
    return _sync_ids(list(bookings.values_list("pk", flat=True)), now=now)


def booking_holds_sync_all(*, now: datetime.datetime | None = None) -> HoldChanges:
    """Every upcoming booking, in batches of SYNC_BATCH bookings per transaction (the beat task).
    Safe to run twice at once: each batch locks its rows, and the notices have unique dedupe keys."""
    now = now or timezone.now()
    ids = list(_candidates(now).order_by("pk").values_list("pk", flat=True))
    changes = HoldChanges(held=[], cleared=[])
    for start in range(0, len(ids), SYNC_BATCH):
        changes += _sync_ids(ids[start : start + SYNC_BATCH], now=now)
    return changes


def _sync_ids(ids: list[int], *, now: datetime.datetime) -> HoldChanges:
    changes = HoldChanges(held=[], cleared=[])
    if not ids:
        return changes
    with transaction.atomic():
        # The bookings' own rows, in id order; nothing else is locked, so this never waits on (or
        # crosses) a booking in progress, which takes the profile and the shift first.
        locked = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, status=Booking.Status.BOOKED)
            .select_related("shift__role", "volunteer")
            .order_by("pk")
        )
        holds = clearance.holds_for(locked)
        for booking in locked:
            hold = holds.get(booking.pk)
            if hold is not None and booking.on_hold_since is None:
                _put_on_hold(booking, hold=hold, now=now)
                changes.held.append(booking.pk)
            elif hold is not None and booking.hold_reason != hold.reason:
                Booking.objects.filter(pk=booking.pk).update(hold_reason=hold.reason)
            elif hold is None and booking.on_hold_since is not None:
                _clear(booking)
                changes.cleared.append(booking.pk)
    return changes


def _put_on_hold(booking: Booking, *, hold: clearance.Hold, now: datetime.datetime) -> None:
    booking.on_hold_since = now
    booking.hold_reason = hold.reason
    booking.save(update_fields=["on_hold_since", "hold_reason"])
    _notify(booking, kind=KIND_ON_HOLD, since=now)


def _clear(booking: Booking) -> None:
    since = booking.on_hold_since
    booking.on_hold_since = None
    booking.hold_reason = ""
    booking.save(update_fields=["on_hold_since", "hold_reason"])
    _notify(booking, kind=KIND_CLEARED, since=since)


def _notify(booking: Booking, *, kind: str, since: datetime.datetime) -> None:
    volunteer = booking.volunteer
    if not volunteer.is_active:
        return
    message_queue(
        kind=kind,
        recipient=volunteer.email,
        user=volunteer,
        about=booking,
        dedupe_key=hold_dedupe_key(kind, booking.pk, since),
        data={"hold_since": since.astimezone(datetime.UTC).isoformat()},
    )
