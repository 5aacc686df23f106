"""Attendance on the roster: check-in, check-out, attended, no-show.

Hours are check-in to check-out when both are recorded; a person marked attended without times (or
checked in but never out) gets the scheduled length of the shift. Each locks only the booking row."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User

from ..models import Booking
from .errors import CoordinationError
from .reminders import reminders_cancel

# Check-in opens this long before the start (people arrive early to set up).
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=2)


def _attendance_booking(booking: Booking) -> Booking:
    booking = Booking.objects.select_for_update(of=("self",)).select_related("shift").get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        raise CoordinationError(gettext("This booking was cancelled."))
    if booking.shift.is_cancelled:
        raise CoordinationError(gettext("This shift was cancelled."))
    return booking


@transaction.atomic
def booking_check_in(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Record arrival (from two hours before the start). Checking in twice keeps the first time."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise CoordinationError(gettext("Check-in opens two hours before the shift starts."))
    if booking.checked_in_at is None:
        booking.checked_in_at = now
        booking.checked_out_at = None
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "checked_in_at", "checked_out_at", "minutes"])
    reminders_cancel(booking=booking, reason="the shift has started")
    return booking


@transaction.atomic
def booking_check_out(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Record departure; hours become check-in to check-out."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if booking.checked_in_at is None:
        raise CoordinationError(gettext("Check this person in before checking them out."))
    if booking.checked_out_at is None:
        booking.checked_out_at = max(now, booking.checked_in_at)
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "checked_out_at", "minutes"])
    return booking


@transaction.atomic
def booking_mark_attended(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Attended without recorded times: hours are the scheduled length (or check-in to check-out
    when those were recorded)."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at:
        raise CoordinationError(gettext("Attendance can be marked once the shift has started."))
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "minutes"])
    reminders_cancel(booking=booking, reason="the shift has started")
    return booking


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """The person did not come (once the shift has started): no times, no hours."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at:
        raise CoordinationError(gettext("A no-show can be marked once the shift has started."))
    booking.status = Booking.Status.NO_SHOW
    booking.checked_in_at = None
    booking.checked_out_at = None
    booking.minutes = None
    booking.save(update_fields=["status", "checked_in_at", "checked_out_at", "minutes"])
    reminders_cancel(booking=booking, reason="the shift has started")
    return booking
