import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import BookingFactory, ShiftFactory, WaitlistEntryFactory
from volunteers.models import Booking

pytestmark = pytest.mark.django_db


def test_one_active_booking_per_volunteer_and_shift_but_rebooking_after_cancel_is_allowed():
    # given a cancelled booking
    first = BookingFactory(status=Booking.Status.CANCELLED, cancelled_at=timezone.now())

    # when the same person books again, then it is allowed once
    BookingFactory(shift=first.shift, volunteer=first.volunteer)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(shift=first.shift, volunteer=first.volunteer)


def test_shift_must_end_after_it_starts():
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftFactory(starts_at=start, ends_at=start)


def test_one_open_waitlist_entry_per_volunteer_and_shift():
    entry = WaitlistEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntryFactory(shift=entry.shift, volunteer=entry.volunteer)
