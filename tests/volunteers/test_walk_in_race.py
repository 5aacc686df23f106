"""Walk-ins under the capacity race: at a busy door, coordinators add people at the same moment as
volunteers book online. Real threads, real PostgreSQL row locks; the control takes the locks out
(fixtures in tests/volunteers/conftest.py)."""

import datetime
import threading
import time

import pytest
from django.db import connection

from tests.factories import AgreementFactory, ShiftFactory, UserFactory, ready_volunteer
from volunteers import services
from volunteers.booking_rules import BookingError, ShiftFull
from volunteers.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)


def _run_concurrently(actions):
    start = threading.Barrier(len(actions))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(action):
        try:
            start.wait(timeout=30)
            result: object = action().pk
        except BookingError as error:
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _shift_with_two_places_left(time_machine):
    AgreementFactory(version=1)
    shift = ShiftFactory(capacity=4)
    for _ in range(2):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    # at the door, a quarter of an hour after the start (walk-ins still welcome, online booking closed)
    time_machine.move_to(shift.starts_at + datetime.timedelta(minutes=15), tick=True)
    return shift


def test_twenty_walk_ins_at_once_for_the_last_two_places_give_exactly_two(
    requires_postgres, time_machine, pause_between_count_and_insert
):
    shift = _shift_with_two_places_left(time_machine)
    coordinator = UserFactory(roles=["coordinator"])
    shift.role.coordinators.add(coordinator)
    people = [ready_volunteer() for _ in range(20)]
    pause_between_count_and_insert(lambda: time.sleep(0.005))

    outcomes = _run_concurrently(
        [lambda p=p: services.shift_walk_in(shift=shift, volunteer=p, by=coordinator) for p in people]
    )

    assert sum(isinstance(o, int) for o in outcomes) == 2
    assert sum(isinstance(o, ShiftFull) for o in outcomes) == 18
    assert Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count() == 4
    assert Booking.objects.filter(shift=shift, source="walk_in", checked_in_at__isnull=False).count() == 2


def test_one_person_added_twice_at_once_is_booked_once(
    requires_postgres, time_machine, pause_between_count_and_insert
):
    shift = _shift_with_two_places_left(time_machine)
    coordinators = [UserFactory(roles=["coordinator"]) for _ in range(2)]
    shift.role.coordinators.add(*coordinators)
    person = ready_volunteer()
    pause_between_count_and_insert(lambda: time.sleep(0.05))

    outcomes = _run_concurrently(
        [lambda c=c: services.shift_walk_in(shift=shift, volunteer=person, by=c) for c in coordinators]
    )

    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert Booking.objects.filter(shift=shift, volunteer=person).count() == 1


def test_control_without_the_locks_walk_ins_overbook(
    requires_postgres, time_machine, pause_between_count_and_insert, without_row_locks
):
    shift = _shift_with_two_places_left(time_machine)
    coordinator = UserFactory(roles=["coordinator"])
    shift.role.coordinators.add(coordinator)
    people = [ready_volunteer() for _ in range(6)]
    without_row_locks()
    counted = threading.Barrier(len(people))  # every walk-in counts before any inserts
    pause_between_count_and_insert(lambda: counted.wait(timeout=30))

    outcomes = _run_concurrently(
        [lambda p=p: services.shift_walk_in(shift=shift, volunteer=p, by=coordinator) for p in people]
    )

    assert sum(isinstance(o, int) for o in outcomes) == 6
    assert (
        Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count() == 8 > shift.capacity
    )


def _half_an_hour_before_with_two_places_left(time_machine):
    """Check-in is open and so is online booking: walk-ins and bookings compete for the places."""
    AgreementFactory(version=1)
    shift = ShiftFactory(capacity=4)
    for _ in range(2):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    time_machine.move_to(shift.starts_at - datetime.timedelta(minutes=30), tick=True)
    coordinator = UserFactory(roles=["coordinator"])
    shift.role.coordinators.add(coordinator)
    return shift, coordinator


def _walk_ins_and_bookings(shift, coordinator):
    at_the_door, online = [ready_volunteer() for _ in range(5)], [ready_volunteer() for _ in range(5)]
    walk_ins = [
        lambda p=p: services.shift_walk_in(shift=shift, volunteer=p, by=coordinator) for p in at_the_door
    ]
    bookings = [lambda p=p: services.shift_book(shift=shift, volunteer=p) for p in online]
    return walk_ins + bookings


def test_walk_ins_and_online_bookings_at_once_share_the_last_two_places(
    requires_postgres, time_machine, pause_between_count_and_insert
):
    shift, coordinator = _half_an_hour_before_with_two_places_left(time_machine)
    actions = _walk_ins_and_bookings(shift, coordinator)
    pause_between_count_and_insert(lambda: time.sleep(0.005))

    outcomes = _run_concurrently(actions)

    assert sum(isinstance(o, int) for o in outcomes) == 2
    assert sum(isinstance(o, ShiftFull) for o in outcomes) == 8
    assert Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count() == 4


def test_control_without_the_locks_walk_ins_and_online_bookings_overbook(
    requires_postgres, time_machine, pause_between_count_and_insert, without_row_locks
):
    shift, coordinator = _half_an_hour_before_with_two_places_left(time_machine)
    actions = _walk_ins_and_bookings(shift, coordinator)
    without_row_locks()
    counted = threading.Barrier(len(actions))
    pause_between_count_and_insert(lambda: counted.wait(timeout=30))

    outcomes = _run_concurrently(actions)

    assert sum(isinstance(o, int) for o in outcomes) == 10
    assert (
        Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count() == 12 > shift.capacity
    )
