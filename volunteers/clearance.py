"""Whether a booked volunteer is still cleared for their shift, and so may be told where it is.

A shift's address goes only to people booked on it who still meet the role's conditions on the day:
the current confidentiality agreement signed, the approval (for roles that need one) still in place,
and every requirement verified and valid on the shift's date. Lose one of them after booking (a new
agreement version, an approval withdrawn, a background check that will have expired by the shift) and
the booking is **on hold**: the place stays theirs, the address disappears from every surface, the
volunteer is told why and what to do, and coordinators see it on the roster. Meeting the conditions
again restores the address.

This module is the one place that decides it, for every surface (the shift page, the private
calendar feed and the per-shift .ics download all call `locations_for`; they never read
`Shift.address` themselves: tests/volunteers/test_holds.py checks). It is computed on every read from
the same checks a booking passes (volunteers.booking_rules), so nothing waits for a task: an expiry
date is noticed the day it matters, with or without beat. `Booking.on_hold_since` only records which
holds the volunteer has been told about (volunteers.services.holds).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from . import booking_rules
from .booking_rules import BookingError, VolunteerStanding
from .models import Booking, Requirement

HoldReason = Booking.HoldReason


@dataclass(frozen=True)
class Hold:
    """Why a booking is on hold, in the words of the check that failed."""

    reason: str  # a Booking.HoldReason value
    error: BookingError

    @property
    def explanation(self) -> str:
        """What happened and what to do, for the volunteer (never the address)."""
        if self.reason == HoldReason.AGREEMENT:
            return _(
                "The confidentiality agreement has a new version. Please read and sign it: the address "
                "is shown again as soon as you have."
            )
        if self.reason == HoldReason.APPROVAL:
            return _(
                "You are no longer approved for this role. Please talk to one of its coordinators; if "
                "you cannot take the shift, please cancel your booking so that someone else can."
            )
        if self.reason == HoldReason.PROFILE:
            return _("Please complete your volunteer profile: the address is shown again once you have.")
        return _("%(problem)s The address is shown again once it is on your record.") % {
            "problem": self.error.message
        }

    @property
    def label(self) -> str:
        """A short label for coordinators (the roster)."""
        return Booking.HoldReason(self.reason).label


@dataclass(frozen=True)
class Location:
    """What one person may be told about where a shift is."""

    address: str  # the exact address, or "" when this person may not see it
    booking: Booking | None
    hold: Hold | None

    @property
    def on_hold(self) -> bool:
        return self.hold is not None


def booking_hold(booking: Booking, standing: VolunteerStanding) -> Hold | None:
    """Why this active booking is on hold, or None when its volunteer is cleared for the shift.
    `booking.shift.role.requirements` should be prefetched when checking many."""
    role = booking.shift.role
    try:
        booking_rules.check_onboarded(standing)
        # With no agreement published there is nothing to sign (and nothing was signed at booking).
        if standing.current_agreement is not None:
            booking_rules.check_agreement(standing, role)
        booking_rules.check_approval(standing, role)
        booking_rules.check_requirements(standing, role, booking_rules.local_date(booking.shift.starts_at))
    except booking_rules.NotOnboarded as error:
        return Hold(HoldReason.PROFILE, error)
    except booking_rules.AgreementNotSigned as error:
        return Hold(HoldReason.AGREEMENT, error)
    except booking_rules.ApprovalMissing as error:
        return Hold(HoldReason.APPROVAL, error)
    except (booking_rules.RequirementMissing, booking_rules.RequirementExpired) as error:
        return Hold(HoldReason.REQUIREMENT, error)
    return None


def holds_for(bookings: Iterable[Booking]) -> dict[int, Hold]:
    """The holds of these bookings (booking id -> Hold; bookings not on hold are absent), in a fixed
    number of queries however many bookings and volunteers there are."""
    bookings = [b for b in bookings if b.status in Booking.ACTIVE_STATUSES]
    if not bookings:
        return {}
    prefetch_related_objects(
        bookings,
        Prefetch("shift__role__requirements", queryset=Requirement.objects.order_by("name")),
    )
    standings = VolunteerStanding.load_many(b.volunteer_id for b in bookings)
    holds = {}
    for booking in bookings:
        hold = booking_hold(booking, standings[booking.volunteer_id])
        if hold is not None:
            holds[booking.pk] = hold
    return holds


def locations_for(bookings: Iterable[Booking]) -> dict[int, Location]:
    """For each booking (by shift id): the shift's address if its volunteer may see it, else "" and,
    when the booking is on hold, why. The one decision every volunteer-facing surface uses."""
    bookings = list(bookings)
    holds = holds_for(bookings)
    locations = {}
    for booking in bookings:
        hold = holds.get(booking.pk)
        cleared = booking.status in Booking.ACTIVE_STATUSES and hold is None
        locations[booking.shift_id] = Location(
            address=booking.shift.address if cleared else "", booking=booking, hold=hold
        )
    return locations


def location_for(booking: Booking | None) -> Location:
    """The same decision for one shift page or download: `booking` is the person's active booking on
    the shift, or None (then nobody is told the address)."""
    if booking is None:
        return Location(address="", booking=None, hold=None)
    return locations_for([booking])[booking.shift_id]
