"""The booking facts run as SQL compiled once per process (core.sql.QueryTemplate): they are the
facts the ORM's own query returns, in every situation a booking meets."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AgreementFactory,
    AgreementSignatureFactory,
    BookingFactory,
    RequirementFactory,
    RoleFactory,
    ShiftFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from volunteers.models import Booking, WaitlistEntry
from volunteers.services import booking

pytestmark = pytest.mark.django_db


def _empty(shift, person):
    pass


def _full(shift, person):
    BookingFactory.create_batch(shift.capacity, shift=shift)


def _group_places(shift, person):
    BookingFactory(shift=shift, places=3)


def _booked_already(shift, person):
    BookingFactory(shift=shift, volunteer=person)


def _cancelled_booking(shift, person):
    BookingFactory(
        shift=shift, volunteer=person, status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    BookingFactory(shift=shift, status=Booking.Status.CANCELLED, cancelled_at=timezone.now())


def _attended(shift, person):
    BookingFactory(shift=shift, volunteer=person, status=Booking.Status.ATTENDED)


def _waiting(shift, person):
    WaitlistEntryFactory(shift=shift, volunteer=person, status=WaitlistEntry.Status.WAITING)


def _offer(shift, person, *, expires_in: datetime.timedelta):
    WaitlistEntryFactory(
        shift=shift,
        volunteer=person,
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now() - datetime.timedelta(hours=1),
        offer_expires_at=timezone.now() + expires_in,
    )


def _own_offer(shift, person):
    _offer(shift, person, expires_in=datetime.timedelta(hours=2))


def _expired_offer(shift, person):
    _offer(shift, person, expires_in=-datetime.timedelta(minutes=1))


def _someone_elses_offer(shift, person):
    WaitlistEntryFactory(
        shift=shift,
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now() - datetime.timedelta(hours=1),
        offer_expires_at=timezone.now() + datetime.timedelta(hours=2),
    )


def _clearance_missing(shift, person):
    shift.role.requirements.add(RequirementFactory(), RequirementFactory())


def _new_agreement(shift, person):
    AgreementFactory(version=2)  # signed version 1 only


def _agreement_not_yet_published(shift, person):
    AgreementFactory(version=3, published_at=timezone.now() + datetime.timedelta(days=1))


def _new_agreement_signed(shift, person):
    AgreementSignatureFactory(volunteer=person, agreement=AgreementFactory(version=2))


def _overlapping_booking(shift, person):
    other = ShiftFactory(starts_at=shift.starts_at + datetime.timedelta(hours=1))
    BookingFactory(shift=other, volunteer=person)
    BookingFactory(shift=other)


CASES = [
    _empty,
    _full,
    _group_places,
    _booked_already,
    _cancelled_booking,
    _attended,
    _waiting,
    _own_offer,
    _expired_offer,
    _someone_elses_offer,
    _clearance_missing,
    _new_agreement,
    _agreement_not_yet_published,
    _new_agreement_signed,
    _overlapping_booking,
]


@pytest.mark.parametrize("situation", CASES, ids=[case.__name__.strip("_") for case in CASES])
def test_the_compiled_facts_are_the_orms_facts(situation):
    AgreementFactory(version=1)
    person = ready_volunteer()
    shift = ShiftFactory(role=RoleFactory(), capacity=4)
    WaitlistEntryFactory(shift=shift, status=WaitlistEntry.Status.WAITING)  # a colleague queues
    situation(shift, person)
    now = timezone.now()

    compiled = booking._facts(shift=shift, volunteer=person, now=now)
    orm = booking._facts_queryset(shift_id=shift.pk, volunteer_id=person.pk, now=now).get()

    assert compiled == orm
    assert {key: type(value) for key, value in compiled.items()} == {
        key: type(value) for key, value in orm.items()
    }


def test_the_facts_of_one_person_are_not_anothers():
    AgreementFactory(version=1)
    first, second = ready_volunteer(), ready_volunteer()
    shift = ShiftFactory()
    BookingFactory(shift=shift, volunteer=first)
    now = timezone.now()

    assert booking._facts(shift=shift, volunteer=first, now=now)["my_booking"] is True
    assert booking._facts(shift=shift, volunteer=second, now=now)["my_booking"] is False
    assert booking._facts(shift=ShiftFactory(), volunteer=first, now=now)["booked"] == 0
