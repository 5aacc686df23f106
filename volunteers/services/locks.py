"""The one lock order of the volunteers app, and the helpers that take it.

Lock order, everywhere more than one of these rows is locked in one transaction:

1. the volunteer's profile row (`VolunteerProfile`),
2. then the shift row (several shifts: in primary-key order; a series edit locks its `ShiftSeries`
   row before its shifts),
3. then that shift's own rows: its bookings, waitlist entries and reminders.

As in ephios ("user, then shift"), two transactions that need the same rows therefore wait for each
other in line instead of deadlocking. The profile lock serialises one person's bookings, so the
overlap check cannot race; the shift lock serialises the capacity count of one shift. Coordinator
actions never lock a profile: they start at the shift, so they queue behind a booking in progress
and never cross it. Only the named rows are locked (`of=("self",)`): a shift's role is read, not
locked, so bookings of different shifts of one role do not wait for each other.
"""

from accounts.models import User

from ..booking_rules import NotOnboarded
from ..models import Shift, VolunteerProfile


def lock_profile_then_shift(*, volunteer: User, shift: Shift) -> tuple[VolunteerProfile, Shift]:
    """Lock the volunteer's profile, then the shift (with its role loaded), inside the caller's
    transaction. A missing profile means the person has not onboarded: a booking error, not a crash."""
    profile = VolunteerProfile.objects.select_for_update().filter(user=volunteer).first()
    if profile is None:
        raise NotOnboarded()
    return profile, lock_shift(shift_id=shift.pk)


def lock_shift(*, shift_id: int) -> Shift:
    """Lock one shift row (its role loaded, not locked) inside the caller's transaction. Locking a
    shift this transaction already holds returns at once."""
    return Shift.objects.select_for_update(of=("self",)).select_related("role").get(pk=shift_id)
