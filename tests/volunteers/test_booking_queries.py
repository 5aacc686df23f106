"""A booking costs a fixed, small number of queries (the same locks and checks as ever: profile, then
shift, eligibility, no double or overlapping booking, capacity), whatever the shift's size."""

import pytest

from tests.factories import BookingFactory, ShiftFactory
from tests.factories.volunteers import ready_volunteer
from volunteers.models import Booking
from volunteers.services import shift_book

pytestmark = pytest.mark.django_db

# 20 in production since the reminders and the confirmation became outbox messages (8 before that
# merge); the test wraps everything in a transaction of its own, which turns the booking's outermost
# atomic block into a savepoint (2 statements more). The goal is 10: the next step is queueing the
# reminder and confirmation messages in one INSERT.
MAX_QUERIES_PER_BOOKING = 22


def test_a_booking_makes_as_many_queries_on_a_busy_shift_as_on_an_empty_one(django_assert_max_num_queries):
    shift = ShiftFactory(capacity=50)
    first, second = ready_volunteer(), ready_volunteer()
    with django_assert_max_num_queries(MAX_QUERIES_PER_BOOKING) as empty:
        shift_book(shift=shift, volunteer=first)

    for _ in range(30):
        BookingFactory(shift=shift)
    with django_assert_max_num_queries(MAX_QUERIES_PER_BOOKING) as busy:
        booking = shift_book(shift=shift, volunteer=second)

    # (the first booking of the process also looks up the outbox's content type once)
    assert len(busy.captured_queries) <= len(empty.captured_queries)
    assert booking.status == Booking.Status.BOOKED
