"""50 people press "Book" at once for the last 3 places. Real threads, real PostgreSQL row locks.

To widen the race, a pause runs between counting the places and inserting the booking; the control
run also takes the row locks out (both fixtures in tests/volunteers/conftest.py)."""

import threading
import time

import pytest
from django.db import connection

from tests.factories import AgreementFactory, ShiftFactory, ready_volunteer
from volunteers import services
from volunteers.booking_rules import BookingError, ShiftFull
from volunteers.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)


def _run_concurrently(volunteers, shift):
    """Each volunteer books from its own thread (own DB connection); all start together."""
    start = threading.Barrier(len(volunteers))
    outcomes: list[object] = []
    lock = threading.Lock()

    def book(volunteer):
        try:
            start.wait(timeout=30)
            booking = services.shift_book(shift=shift, volunteer=volunteer)
            result: object = booking.pk
        except BookingError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _shift_with_three_places_left():
    AgreementFactory(version=1)
    shift = ShiftFactory(capacity=5)
    for _ in range(2):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    return shift


def test_fifty_concurrent_bookings_for_the_last_three_places_give_exactly_three(
    requires_postgres, pause_between_count_and_insert
):
    # given a shift with 3 of 5 places left and 50 eligible volunteers
    shift = _shift_with_three_places_left()
    volunteers = [ready_volunteer() for _ in range(50)]

    # when all 50 book at the same moment, with a pause between counting and inserting to widen the race
    pause_between_count_and_insert(lambda: time.sleep(0.005))
    outcomes = _run_concurrently(volunteers, shift)

    # then exactly 3 succeed and 47 are told the shift is full
    assert len(outcomes) == 50
    assert sum(isinstance(o, int) for o in outcomes) == 3
    assert sum(isinstance(o, ShiftFull) for o in outcomes) == 47
    assert Booking.objects.filter(shift=shift, status="booked").count() == 5


def test_control_without_the_lock_the_same_logic_overbooks(
    requires_postgres, pause_between_count_and_insert, without_row_locks
):
    # given the same shift, and the same booking logic with the row locks taken out
    shift = _shift_with_three_places_left()
    volunteers = [ready_volunteer() for _ in range(10)]
    without_row_locks()
    # every thread counts, then waits until all have counted, then inserts: the race made certain
    counted = threading.Barrier(len(volunteers))
    pause_between_count_and_insert(lambda: counted.wait(timeout=30))

    outcomes = _run_concurrently(volunteers, shift)

    # then every one of them got a "place": the shift is overbooked, so the test above can catch it
    assert sum(isinstance(o, int) for o in outcomes) == 10
    assert Booking.objects.filter(shift=shift, status="booked").count() == 12 > shift.capacity


def _book_two_overlapping_shifts_at_once():
    AgreementFactory(version=1)
    volunteer = ready_volunteer()
    first = ShiftFactory(capacity=5)
    second = ShiftFactory(capacity=5, starts_at=first.starts_at, ends_at=first.ends_at)
    start = threading.Barrier(2)
    results = []

    def book(shift):
        try:
            start.wait(timeout=30)
            results.append(services.shift_book(shift=shift, volunteer=volunteer))
        except BookingError as error:
            results.append(error)
        finally:
            connection.close()

    return volunteer, (first, second), book, results


def _run(book, shifts):
    threads = [threading.Thread(target=book, args=(s,)) for s in shifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_one_person_booking_two_overlapping_shifts_at_once_gets_one(
    requires_postgres, pause_between_count_and_insert
):
    # given one volunteer and two overlapping shifts with room
    volunteer, shifts, book, results = _book_two_overlapping_shifts_at_once()
    pause_between_count_and_insert(lambda: time.sleep(0.05))

    # when they book both at the same moment
    _run(book, shifts)

    # then the profile lock serialised them: one booking, one overlap refusal
    assert Booking.objects.filter(volunteer=volunteer).count() == 1
    assert sum(isinstance(r, BookingError) for r in results) == 1


def test_control_without_the_lock_one_person_gets_two_overlapping_shifts(
    requires_postgres, pause_between_count_and_insert, without_row_locks
):
    volunteer, shifts, book, results = _book_two_overlapping_shifts_at_once()
    without_row_locks()
    checked = threading.Barrier(2)  # both looked for an overlapping booking before either inserts
    pause_between_count_and_insert(lambda: checked.wait(timeout=30))

    _run(book, shifts)

    assert Booking.objects.filter(volunteer=volunteer).count() == 2
    assert not any(isinstance(r, BookingError) for r in results)
