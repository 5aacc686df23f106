"""Check-in at the door: a booked volunteer scans the shift's QR code on their own phone, or types
their PIN or confirmation code at the shift's kiosk; a coordinator adds a walk-in.

The check-in window runs from `CHECK_IN_OPENS_BEFORE` before the start to the end of the shift. A
volunteer only ever checks in their own booking, and only while they are cleared for the shift (a
booking on hold waits for the coordinator). The kiosk is a device with its own token, scoped to one
shift, that closes itself when the shift ends; it never acts with the coordinator's session.

A walk-in is a booking made and checked in at once by a coordinator: the same eligibility and
capacity rules as `shift_book`, under the same locks (profile, then shift), except that the shift may
already have started."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record

from .. import booking_rules, clearance
from ..booking_rules import VolunteerStanding
from ..models import Booking, Kiosk, Shift, VolunteerProfile
from . import locks
from .attendance import CHECK_IN_OPENS_BEFORE, booking_check_in
from .capacity import taken_places
from .errors import CoordinationError

PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")


class CheckInRefused(Exception):
    """A volunteer's check-in that cannot be done, in words they read."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


class WrongCode(CheckInRefused):
    """The code or PIN does not match (counted by the rate limit)."""


def check_in_window(shift: Shift) -> tuple[datetime.datetime, datetime.datetime]:
    """When check-in opens and closes for this shift (aware UTC instants)."""
    return shift.starts_at - CHECK_IN_OPENS_BEFORE, shift.ends_at


def check_in_window_open(shift: Shift, now: datetime.datetime) -> bool:
    opens, closes = check_in_window(shift)
    return not shift.is_cancelled and opens <= now < closes


def _check_window(shift: Shift, now: datetime.datetime) -> None:
    if shift.is_cancelled:
        raise CheckInRefused(_("This shift was cancelled."))
    opens, closes = check_in_window(shift)
    if now < opens:
        raise CheckInRefused(_("Check-in opens two hours before the shift starts."))
    if now >= closes:
        raise CheckInRefused(_("This shift has ended; check-in is closed."))


def _check_in_own(booking: Booking, *, now: datetime.datetime) -> Booking:
    """Check in a volunteer's own active booking once they are cleared; a second check-in keeps the
    first time."""
    if booking.checked_in_at is not None:
        return booking
    if clearance.holds_for([booking]):
        raise CheckInRefused(
            _("Your booking is on hold, so you cannot check yourself in. Please see the coordinator.")
        )
    try:
        return booking_check_in(booking=booking, by=booking.volunteer, now=now)
    except CoordinationError as error:
        raise CheckInRefused(error.message) from error


def booking_self_check_in(
    *, shift: Shift, volunteer: User, code: str, now: datetime.datetime | None = None
) -> Booking:
    """The volunteer scanned the shift's QR code on their own phone while signed in. Checks in their
    own active booking on this shift, within the window; anyone else is refused, whatever the code."""
    now = now or timezone.now()
    if not constant_time_compare(code or "", shift.check_in_code):
        raise WrongCode(_("This check-in code is not the code of this shift."))
    booking = (
        Booking.objects.filter(shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES)
        .select_related("shift__role", "volunteer")
        .first()
    )
    if booking is None:
        raise CheckInRefused(_("You are not booked on this shift, so you cannot check in to it."))
    _check_window(shift, now)
    return _check_in_own(booking, now=now)


# --- the volunteer's own kiosk PIN -------------------------------------------------------------


def check_in_pin_set(*, volunteer: User, pin: str) -> VolunteerProfile:
    """Set (or, with an empty `pin`, remove) the volunteer's kiosk PIN: 4 to 6 digits, hashed."""
    profile = VolunteerProfile.objects.get(user=volunteer)
    if pin and not PIN_PATTERN.match(pin):
        raise ValueError("A check-in PIN is 4 to 6 digits.")
    profile.check_in_pin_hash = make_password(pin) if pin else ""
    profile.save(update_fields=["check_in_pin_hash", "updated_at"])
    return profile


# --- the kiosk ---------------------------------------------------------------------------------


def kiosk_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def kiosk_open(*, shift: Shift, by: User, now: datetime.datetime | None = None) -> tuple[Kiosk, str]:
    """A coordinator opens the kiosk of `shift` on a device. Returns the kiosk and its token (only
    the hash is stored); it closes itself at the end of the shift."""
    now = now or timezone.now()
    shift = locks.lock_shift(shift_id=shift.pk)
    if shift.is_cancelled:
        raise CoordinationError(_("This shift was cancelled."))
    if now >= shift.ends_at:
        raise CoordinationError(_("This shift has ended."))
    token = secrets.token_urlsafe(32)
    kiosk = Kiosk.objects.create(
        shift=shift, token_hash=kiosk_token_hash(token), opened_by=by, opened_at=now, expires_at=shift.ends_at
    )
    audit_record(actor=by, action="volunteers.kiosk_open", target=kiosk, data={"shift": shift.pk})
    return kiosk, token


@transaction.atomic
def kiosk_close(*, kiosk: Kiosk, by: User | None, now: datetime.datetime | None = None) -> Kiosk:
    now = now or timezone.now()
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if kiosk.closed_at is None:
        kiosk.closed_at = now
        kiosk.save(update_fields=["closed_at"])
        if by is not None:
            audit_record(
                actor=by, action="volunteers.kiosk_close", target=kiosk, data={"shift": kiosk.shift_id}
            )
    return kiosk


def _code_matches(booking: Booking, code: str) -> bool:
    code = (code or "").strip()
    if not code:
        return False
    if constant_time_compare(code, booking.check_in_code):
        return True
    profile = getattr(booking.volunteer, "volunteer_profile", None)
    pin_hash = profile.check_in_pin_hash if profile else ""
    return bool(pin_hash) and PIN_PATTERN.match(code) is not None and check_password(code, pin_hash)


def kiosk_check_in(
    *, kiosk: Kiosk, booking_id: int, code: str, now: datetime.datetime | None = None
) -> Booking:
    """Someone at the kiosk picked a name and typed a code: the booking's confirmation code or its
    volunteer's PIN. Only bookings of the kiosk's own shift; a closed kiosk refuses everything."""
    now = now or timezone.now()
    if not kiosk.is_open(now):
        raise CheckInRefused(_("This kiosk is closed."))
    booking = (
        Booking.objects.filter(pk=booking_id, shift_id=kiosk.shift_id, status__in=Booking.ACTIVE_STATUSES)
        .select_related("shift__role", "volunteer__volunteer_profile")
        .first()
    )
    if booking is None or not _code_matches(booking, code):
        raise WrongCode(_("That code does not match. Try again, or ask the coordinator."))
    _check_window(booking.shift, now)
    return _check_in_own(booking, now=now)


# --- walk-ins ----------------------------------------------------------------------------------


def shift_walk_in(
    *, shift: Shift, volunteer: User, by: User, now: datetime.datetime | None = None
) -> Booking:
    """A coordinator of the shift's role (or staff) adds someone who came without booking: onboarded,
    cleared for the role, not booked on this shift, within capacity. They are booked and checked in
    at once. Raises `CoordinationError` when `by` does not coordinate the role, a `BookingError` (the
    person's standing, the shift is full...) or `CheckInRefused` (the window)."""
    now = now or timezone.now()
    if not (by.has_role("staff") or shift.role.coordinators.filter(pk=by.pk).exists()):
        raise CoordinationError(_("Only a coordinator of this role can add walk-ins to its shifts."))
    with transaction.atomic():
        _profile, shift = locks.lock_profile_then_shift(volunteer=volunteer, shift=shift)
        _check_window(shift, now)
        booking_rules.check_cleared_for(VolunteerStanding.load(volunteer), shift)
        if Booking.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES
        ).exists():
            raise booking_rules.AlreadyBooked(
                _("This person is already booked on this shift: check them in instead.")
            )
        clash = (
            Booking.objects.filter(
                volunteer=volunteer,
                status__in=Booking.ACTIVE_STATUSES,
                shift__is_cancelled=False,
                shift__starts_at__lt=shift.ends_at,
                shift__ends_at__gt=shift.starts_at,
            )
            .exclude(shift=shift)
            .exists()
        )
        if clash:
            raise booking_rules.OverlappingBooking(
                _("This person is booked on another shift at the same time.")
            )
        booking_rules.check_capacity(shift, taken_places(shift))
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    shift=shift,
                    volunteer=volunteer,
                    source=Booking.Source.WALK_IN,
                    status=Booking.Status.ATTENDED,
                    created_at=now,
                    checked_in_at=now,
                )
        except IntegrityError as exc:
            raise booking_rules.AlreadyBooked() from exc
        booking.minutes = booking.worked_minutes()
        booking.save(update_fields=["minutes"])
        audit_record(actor=by, action="volunteers.walk_in", target=booking, data={"shift": shift.pk})
    return booking
