"""A coordinator creates, edits, resizes and cancels one shift. Each locks the shift first (see
locks.py); people booked are told when their shift moves or is cancelled."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit_record

from ..models import Booking, Role, Shift, WaitlistEntry
from .capacity import active_bookings, capacity_check
from .errors import CoordinationError
from .holds import booking_holds_sync
from .local_time import format_when
from .locks import lock_shift
from .reminders import reminders_cancel, reminders_reschedule_for_shift
from .shift_messages import shift_moved_notice, shift_notice
from .waitlist import waitlist_fit_capacity


@transaction.atomic
def shift_create(
    *,
    role: Role,
    created_by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    title: str = "",
    description: str = "",
    neighbourhood: str = "",
    address: str = "",
    cancellation_cutoff_hours: int = 24,
) -> Shift:
    """A one-off shift."""
    if starts_at <= timezone.now():
        raise CoordinationError(gettext("A new shift must start in the future."))
    shift = Shift(
        role=role,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        title=title,
        description=description,
        neighbourhood=neighbourhood,
        address=address,
        cancellation_cutoff_hours=cancellation_cutoff_hours,
    )
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shift_update(
    *,
    shift: Shift,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    title: str,
    description: str,
    neighbourhood: str,
    address: str,
    cancellation_cutoff_hours: int,
) -> Shift:
    """Edit one shift. A shift of a series becomes an exception that "edit all future shifts" leaves
    alone. Capacity never goes below the active bookings; a new time moves the booked people's
    reminders and tells them; more places are offered to the waitlist."""
    shift = lock_shift(shift_id=shift.pk)
    if shift.is_cancelled:
        raise CoordinationError(gettext("This shift is cancelled and can no longer be edited."))
    moved = starts_at != shift.starts_at or ends_at != shift.ends_at
    if moved and starts_at <= timezone.now():
        raise CoordinationError(gettext("A shift cannot be moved to a time that has already passed."))
    capacity_check(shift=shift, capacity=capacity, booked=active_bookings(shift))
    shift.starts_at = starts_at
    shift.ends_at = ends_at
    shift.capacity = capacity
    shift.title = title
    shift.description = description
    shift.neighbourhood = neighbourhood
    shift.address = address
    shift.cancellation_cutoff_hours = cancellation_cutoff_hours
    if shift.series_id is not None:
        shift.is_series_exception = True
    shift.full_clean()
    shift.save()
    if moved:
        reminders_reschedule_for_shift(shift=shift)
        shift_moved_notice(shift=shift, sender=by)
        # A new day can fall after a booked volunteer's check expires: their booking goes on hold.
        booking_holds_sync(shift=shift)
    waitlist_fit_capacity(shift=shift)
    return shift


@transaction.atomic
def shift_capacity_set(*, shift: Shift, capacity: int, by: User) -> Shift:
    """Change one shift's capacity: never below the active bookings (CapacityBelowBooked says how
    many are booked); new places are offered to the waitlist at once."""
    shift = lock_shift(shift_id=shift.pk)
    if shift.is_cancelled:
        raise CoordinationError(gettext("This shift is cancelled."))
    capacity_check(shift=shift, capacity=capacity, booked=active_bookings(shift))
    shift.capacity = capacity
    # Like any edit of one shift, this makes it an exception that a later series edit leaves alone.
    shift.is_series_exception = shift.series_id is not None
    shift.save(update_fields=["capacity", "is_series_exception", "updated_at"])
    waitlist_fit_capacity(shift=shift)
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, by: User, reason: str = "") -> Shift:
    """Cancel a shift that has not started: its bookings are cancelled, pending reminders cancelled,
    its waitlist closed, and every booked person is emailed individually (after commit). Cancelling
    twice does nothing the second time."""
    shift = lock_shift(shift_id=shift.pk)
    if shift.is_cancelled:
        return shift
    now = timezone.now()
    if shift.starts_at <= now:
        raise CoordinationError(gettext("This shift has already started, so it can no longer be cancelled."))
    shift.is_cancelled = True
    shift.cancelled_at = now
    shift.cancellation_reason = reason
    shift.save(update_fields=["is_cancelled", "cancelled_at", "cancellation_reason", "updated_at"])
    bookings = list(
        Booking.objects.select_for_update().filter(shift=shift, status=Booking.Status.BOOKED).order_by("pk")
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=Booking.Status.CANCELLED, cancelled_at=now
    )
    for booking in bookings:
        reminders_cancel(booking=booking, reason="the shift was cancelled")
    audit_record(
        actor=by, action="volunteers.shift_cancel", target=shift, data={"bookings_cancelled": len(bookings)}
    )
    WaitlistEntry.objects.filter(shift=shift, status__in=WaitlistEntry.OPEN_STATUSES).update(
        status=WaitlistEntry.Status.CLOSED, responded_at=now
    )
    body = (
        f"The {shift.role.name} shift on {format_when(shift.starts_at)} is cancelled, and your booking "
        "with it."
    )
    if reason.strip():
        body += f"\n\nFrom the coordinator: {reason.strip()}"
    body += "\n\nWe are sorry for the change, and thank you for offering your time."
    shift_notice(
        shift=shift, sender=by, subject=f"Cancelled: {shift.display_title}", body=body, bookings=bookings
    )
    return shift
