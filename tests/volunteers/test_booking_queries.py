"""A booking costs a fixed, small number of queries (the same locks and checks as ever: profile, then
shift, eligibility, no double or overlapping booking, capacity), whatever the shift's size."""

import pytest

from tests.factories import BookingFactory, ShiftFactory
from tests.factories.volunteers import ready_volunteer
from volunteers.models import Booking, Reminder
from volunteers.services import shift_book

pytestmark = pytest.mark.django_db

# 8 in production; the test wraps everything in a transaction of its own, which turns the
# booking's outermost atomic block into a savepoint (2 statements more).
MAX_QUERIES_PER_BOOKING = 10


def test_a_booking_makes_at_most_10_queries_on_a_busy_shift_as_on_an_empty_one(django_assert_max_num_queries):
    shift = ShiftFactory(capacity=50)
    first, second = ready_volunteer(), ready_volunteer()
    with django_assert_max_num_queries(MAX_QUERIES_PER_BOOKING) as empty:
        shift_book(shift=shift, volunteer=first)

    for _ in range(30):
        BookingFactory(shift=shift)
    with django_assert_max_num_queries(MAX_QUERIES_PER_BOOKING) as busy:
        booking = shift_book(shift=shift, volunteer=second)

    assert len(empty.captured_queries) == len(busy.captured_queries)
    assert booking.status == Booking.Status.BOOKED
    assert Reminder.objects.filter(booking=booking).count() == 2  # 48 h and 3 h before
