"""How many places of a shift are taken, and the rule that a capacity never goes below the people
booked. Counted under the shift's row lock (see locks.py), so the count holds until the caller acts."""

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from ..models import Booking, Shift, WaitlistEntry
from .errors import CapacityBelowBooked
from .local_time import format_when


def active_bookings(shift: Shift) -> int:
    """Places taken by active bookings (a group booking takes several)."""
    return shift.bookings.filter(status__in=Booking.ACTIVE_STATUSES).aggregate(n=Coalesce(Sum("places"), 0))[
        "n"
    ]


def taken_places(shift: Shift, *, excluding_offer: WaitlistEntry | None = None) -> int:
    """Active bookings plus places held for open waitlist offers (`excluding_offer`: the one the
    person booking holds, which is theirs to take)."""
    offers = shift.waitlist_entries.filter(status=WaitlistEntry.Status.OFFERED)
    if excluding_offer is not None:
        offers = offers.exclude(pk=excluding_offer.pk)
    return active_bookings(shift) + offers.count()


def capacity_check(*, shift: Shift, capacity: int, booked: int) -> None:
    """Raise CapacityBelowBooked, saying how many are booked, when `capacity` is below `booked`."""
    if capacity < booked:
        raise CapacityBelowBooked(
            ngettext(
                "%(count)s person is booked on the shift of %(when)s, so its capacity cannot go below "
                "%(count)s. Cancel bookings first if fewer people are needed.",
                "%(count)s people are booked on the shift of %(when)s, so its capacity cannot go below "
                "%(count)s. Cancel bookings first if fewer people are needed.",
                booked,
            )
            % {"count": booked, "when": format_when(shift.starts_at)}
        )
