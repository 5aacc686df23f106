"""Capacity changes (never below the booked, more places go to the waitlist) and cancelling a shift."""

import datetime

import pytest
from django.urls import reverse

from messaging.models import Message
from tests.factories import (
    BookingFactory,
    ShiftFactory,
    ShiftSeriesFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from volunteers import services
from volunteers.models import Booking, Shift, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_capacity_below_the_booked_is_refused_with_a_clear_error(own_shift, coordinator):
    BookingFactory.create_batch(3, shift=own_shift)

    with pytest.raises(services.CapacityBelowBooked) as error:
        services.shift_capacity_set(shift=own_shift, capacity=2, by=coordinator)

    assert "3 people are booked" in error.value.message and "cannot go below 3" in error.value.message
    own_shift.refresh_from_db()
    assert own_shift.capacity == 4


def test_capacity_error_shows_next_to_the_field(coordinator_client, own_shift):
    BookingFactory.create_batch(2, shift=own_shift)

    response = coordinator_client.post(
        reverse("volunteers:coordinate:shift_capacity", args=[own_shift.pk]), {"capacity": "1"}
    )

    assert response.status_code == 400
    assert "2 people are booked" in response.content.decode()
    own_shift.refresh_from_db()
    assert own_shift.capacity == 4


def test_lowering_to_exactly_the_booked_is_allowed(own_shift, coordinator):
    BookingFactory.create_batch(3, shift=own_shift)
    services.shift_capacity_set(shift=own_shift, capacity=3, by=coordinator)
    own_shift.refresh_from_db()
    assert own_shift.capacity == 3


def test_raising_capacity_offers_the_new_places_to_the_waitlist(
    role, coordinator, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    # given a full shift with three people waiting
    shift = ShiftFactory(role=role, capacity=2)
    BookingFactory.create_batch(2, shift=shift)
    waiting = [WaitlistEntryFactory(shift=shift, volunteer=ready_volunteer()) for _ in range(3)]

    # when the coordinator raises the capacity by two
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_capacity_set(shift=shift, capacity=4, by=coordinator)

    # then the first two in the queue are offered a place (and emailed), the third keeps waiting
    statuses = [WaitlistEntry.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == [
        WaitlistEntry.Status.OFFERED,
        WaitlistEntry.Status.OFFERED,
        WaitlistEntry.Status.WAITING,
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.volunteer.email for e in waiting[:2])


def test_lowering_capacity_puts_held_offers_back_in_the_queue(role, coordinator, agreement):
    shift = ShiftFactory(role=role, capacity=2)
    BookingFactory(shift=shift)
    first = WaitlistEntryFactory(shift=shift, volunteer=ready_volunteer())
    services.waitlist_offer_next(shift=shift)
    assert WaitlistEntry.objects.get(pk=first.pk).status == WaitlistEntry.Status.OFFERED

    services.shift_capacity_set(shift=shift, capacity=1, by=coordinator)

    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.WAITING and first.offered_at is None


def test_cancelling_a_shift_tells_each_booked_volunteer_once_individually(
    own_shift, coordinator, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    # given three booked volunteers (with reminders) and one person waiting
    volunteers = [ready_volunteer() for _ in range(3)]
    bookings = [services.shift_book(shift=own_shift, volunteer=v) for v in volunteers]
    cancelled_earlier = BookingFactory(
        shift=own_shift, status=Booking.Status.CANCELLED, cancelled_at=own_shift.starts_at
    )
    waiting = WaitlistEntryFactory(shift=own_shift)
    assert all(services.booking_reminders(b).exists() for b in bookings)
    mailoutbox.clear()

    # when the coordinator cancels it (twice, as a double click would)
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_cancel(shift=own_shift, by=coordinator, reason="The kitchen is closed for repairs.")
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_cancel(shift=own_shift, by=coordinator, reason="again")

    # then each booked person got exactly one email, addressed to them alone
    assert sorted(m.to[0] for m in mailoutbox) == sorted(v.email for v in volunteers)
    for message in mailoutbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        others = {v.email for v in volunteers} - set(message.to)
        assert not any(address in message.body for address in others)
        assert "kitchen is closed" in message.body
        assert own_shift.address not in message.body
    assert cancelled_earlier.volunteer.email not in [m.to[0] for m in mailoutbox]
    # and bookings are cancelled, unsent reminders gone, the waitlist closed
    own_shift.refresh_from_db()
    assert own_shift.is_cancelled and own_shift.cancellation_reason.startswith("The kitchen")
    assert set(Booking.objects.filter(pk__in=[b.pk for b in bookings]).values_list("status", flat=True)) == {
        Booking.Status.CANCELLED
    }
    for booking in bookings:
        assert {r.status for r in services.booking_reminders(booking)} == {Message.Status.CANCELLED}
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.CLOSED


def test_cancel_through_the_page(
    coordinator_client, own_shift, mailoutbox, django_capture_on_commit_callbacks
):
    BookingFactory(shift=own_shift)
    url = reverse("volunteers:coordinate:shift_cancel", args=[own_shift.pk])
    assert coordinator_client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"reason": ""})

    assert response.status_code == 302
    own_shift.refresh_from_db()
    assert own_shift.is_cancelled
    assert len(mailoutbox) == 1


def test_a_capacity_change_on_one_series_shift_survives_a_later_series_edit(role, coordinator):
    series = ShiftSeriesFactory(role=role)
    _, shifts = services.shift_series_create(
        role=role,
        created_by=coordinator,
        start_date=series.start_date,
        until_date=series.until_date,
        start_time=datetime.time(9, 0),
        duration_minutes=60,
        frequency="daily",
        weekdays=[],
        capacity=3,
    )
    event_day = shifts[3]
    services.shift_capacity_set(shift=event_day, capacity=8, by=coordinator)

    services.shift_series_update_future(
        shift=shifts[0],
        by=coordinator,
        start_time=datetime.time(9, 0),
        duration_minutes=60,
        capacity=5,
        title="",
        neighbourhood="",
        address="",
        cancellation_cutoff_hours=24,
    )

    event_day.refresh_from_db()
    assert event_day.capacity == 8 and event_day.is_series_exception
    assert Shift.objects.get(pk=shifts[4].pk).capacity == 5
