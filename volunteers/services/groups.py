"""Group bookings: where a role allows groups, a volunteer books several places at once
(`shift_book(places=...)`, counted under the same locks as any booking) and names the members later,
until the shift starts. The names are only for the coordinator's roster."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..booking_rules import BookingError
from ..models import Booking, GroupMember


@transaction.atomic
def group_members_name(
    *, booking: Booking, volunteer: User, names: list[str], now: datetime.datetime | None = None
) -> list[GroupMember]:
    """Replace the names of the group's members (empty names are left out). At most places - 1:
    the volunteer who booked takes the first place."""
    now = now or timezone.now()
    booking = Booking.objects.select_for_update(of=("self",)).select_related("shift").get(pk=booking.pk)
    if booking.volunteer_id != volunteer.pk:
        raise BookingError(_("This is not your booking."))
    if booking.status != Booking.Status.BOOKED or booking.shift.starts_at <= now:
        raise BookingError(_("Names can be given until the shift starts."))
    names = [" ".join(name.split())[:120] for name in names if name and name.strip()]
    if len(names) > booking.places - 1:
        raise BookingError(
            _("This booking has room for %(n)s more people besides you.") % {"n": booking.places - 1}
        )
    booking.group_members.all().delete()
    return GroupMember.objects.bulk_create(
        [GroupMember(booking=booking, name=name, position=i) for i, name in enumerate(names, start=2)]
    )
