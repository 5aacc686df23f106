"""A coordinator lowers capacity (or cancels) while people book. Real threads, real PostgreSQL row locks."""

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from messaging.models import Message
from tests.factories import AgreementFactory, RoleFactory, ShiftFactory, UserFactory, ready_volunteer
from volunteers import services
from volunteers.booking_rules import BookingError
from volunteers.models import Booking

pytestmark = pytest.mark.django_db(transaction=True)


def _together(actions):
    """Run each action in its own thread (own connection), all released at once; return outcomes."""
    start = threading.Barrier(len(actions))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(action):
        try:
            start.wait(timeout=30)
            result = action()
        except (BookingError, services.CoordinationError) as error:
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


def _setup(capacity):
    AgreementFactory(version=1)
    coordinator = UserFactory(roles=["coordinator"])
    shift = ShiftFactory(role=RoleFactory(coordinators=[coordinator]), capacity=capacity)
    return coordinator, shift


@pytest.mark.parametrize("run", range(3))
def test_lowering_capacity_while_people_book_never_leaves_more_bookings_than_places(
    requires_postgres, pause_between_count_and_insert, run
):
    # given an empty shift of 10 places and 8 volunteers about to book
    coordinator, shift = _setup(capacity=10)
    volunteers = [ready_volunteer() for _ in range(8)]
    pause_between_count_and_insert(lambda: time.sleep(0.002))

    def book(volunteer):
        return lambda: services.shift_book(shift=shift, volunteer=volunteer)

    # when they book at the same moment as the coordinator lowers the capacity to 3
    outcomes = _together(
        [book(v) for v in volunteers]
        + [lambda: services.shift_capacity_set(shift=shift, capacity=3, by=coordinator)]
    )

    # then whichever went first, the shift never holds more active bookings than its capacity
    shift.refresh_from_db()
    booked = Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count()
    assert len(outcomes) == 9
    assert booked <= shift.capacity
    lowered = not any(isinstance(o, services.CapacityBelowBooked) for o in outcomes)
    assert shift.capacity == (3 if lowered else 10)


def test_cancelling_while_people_book_leaves_no_active_booking(requires_postgres):
    coordinator, shift = _setup(capacity=10)
    volunteers = [ready_volunteer() for _ in range(6)]
    book = [lambda v=v: services.shift_book(shift=shift, volunteer=v) for v in volunteers]

    _together(book + [lambda: services.shift_cancel(shift=shift, by=coordinator)])

    # a booking that got in before the cancel was cancelled with it; later ones were refused
    assert not Booking.objects.filter(shift=shift, status=Booking.Status.BOOKED).exists()


def test_two_beat_workers_send_one_digest(requires_postgres, mailoutbox):
    # given a coordinator with an empty shift tomorrow, after the digest hour
    coordinator, shift = _setup(capacity=4)
    now = timezone.localtime().replace(hour=settings.HAVEN_COORDINATOR_DIGEST_HOUR + 1)
    shift.starts_at = now + datetime.timedelta(days=1)
    shift.ends_at = shift.starts_at + datetime.timedelta(hours=2)
    shift.save()

    # when two workers run the digest at the same moment
    outcomes = _together([lambda: services.coordinator_digests_send(now=now) for _ in range(2)])

    # then exactly one email went out and one message row exists
    assert sorted(outcomes) in ([0, 1], [1, 1])  # both may see none yet: the dedupe key keeps one row
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert Message.objects.filter(kind="volunteers.coordinator_digest", user=coordinator).count() == 1
