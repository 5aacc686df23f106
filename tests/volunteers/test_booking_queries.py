"""A booking costs a fixed, small number of queries (the same locks and checks as ever: profile, then
shift, eligibility, no double or overlapping booking, capacity), whatever the shift's size, and its
confirmation, reminders and reminder texts are written in one INSERT.

In production a booking makes 6 queries: lock the profile, lock the shift, the booking facts, the
overlap check, the booking's INSERT, the outbox's INSERT. The test wraps everything in a transaction
of its own, which turns the booking's outermost atomic block into a savepoint (2 statements more)."""

import datetime

import pytest

from messaging.models import Message
from tests.factories import BookingFactory, ShiftFactory
from tests.factories.volunteers import ready_volunteer
from volunteers import services
from volunteers.models import Booking
from volunteers.services import shift_book
from volunteers.services.booking import KIND_BOOKING_CONFIRMATION
from volunteers.services.reminders import KIND_REMINDER
from volunteers.services.texts import KIND_REMINDER_TEXT

pytestmark = pytest.mark.django_db

QUERIES_PER_BOOKING = 6 + 2  # the goal is at most 10


def test_a_booking_makes_as_many_queries_on_a_busy_shift_as_on_an_empty_one(django_assert_num_queries):
    shift = ShiftFactory(capacity=50)
    first, second = ready_volunteer(), ready_volunteer()
    shift_book(shift=shift, volunteer=first)  # the process looks up the outbox's content type once

    for _ in range(30):
        BookingFactory(shift=shift)
    with django_assert_num_queries(QUERIES_PER_BOOKING) as busy:
        booking = shift_book(shift=shift, volunteer=second)

    statements = [q["sql"].split(" ", 1)[0] for q in busy.captured_queries]
    assert statements.count("INSERT") == 2, "the booking, then every message in one INSERT"
    assert booking.status == Booking.Status.BOOKED
    kinds = sorted(Message.objects.filter(about_id=booking.pk).values_list("kind", flat=True))
    assert kinds == [KIND_BOOKING_CONFIRMATION, KIND_REMINDER, KIND_REMINDER]


def test_a_volunteer_who_takes_texts_costs_no_more_queries(django_assert_num_queries):
    shift = ShiftFactory(capacity=50)
    warm, texter = ready_volunteer(), ready_volunteer()
    shift_book(shift=shift, volunteer=warm)
    services.sms_opt_in(volunteer=texter, number="+12015550123", wording=services.consent_wording())

    with django_assert_num_queries(QUERIES_PER_BOOKING):
        booking = shift_book(shift=shift, volunteer=texter)

    kinds = Message.objects.filter(about_id=booking.pk).values_list("kind", "channel")
    assert sorted(kinds) == sorted(
        [
            (KIND_BOOKING_CONFIRMATION, "email"),
            (KIND_REMINDER, "email"),
            (KIND_REMINDER, "email"),
            (KIND_REMINDER_TEXT, "sms"),
            (KIND_REMINDER_TEXT, "sms"),
        ]
    )


def test_moving_a_shift_reschedules_every_booking_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    shift = ShiftFactory(capacity=50)
    people = [ready_volunteer() for _ in range(5)]
    bookings = [shift_book(shift=shift, volunteer=person) for person in people]
    shift.starts_at += datetime.timedelta(hours=5)
    shift.ends_at += datetime.timedelta(hours=5)
    shift.save()

    # bookings, their pending reminders, cancel the stale ones, the opted-in profiles, one INSERT
    # (and the atomic block's savepoint): the same for 5 bookings as for 500.
    with django_assert_max_num_queries(7):
        rescheduled = services.reminders_reschedule_for_shift(shift=shift)

    assert rescheduled == 2 * len(bookings)
    pending = Message.objects.filter(kind=KIND_REMINDER, status=Message.Status.PENDING)
    assert pending.count() == 2 * len(bookings)
    moved = Message.objects.filter(kind=KIND_REMINDER, status=Message.Status.CANCELLED)
    assert moved.count() == 2 * len(bookings)
