"""Shifts and recurring series: creation in local time across daylight saving, edit one vs all future."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from messaging.models import Message
from tests.factories import BookingFactory, ready_volunteer
from volunteers import services
from volunteers.models import Booking, Shift, ShiftSeries

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
UTC = datetime.UTC


def _pending_reminders(booking):
    return services.booking_reminders(booking).filter(status=Message.Status.PENDING)


def _create_march_series(role, coordinator, **overrides):
    kwargs = {
        "role": role,
        "created_by": coordinator,
        "start_date": datetime.date(2027, 3, 1),
        "until_date": datetime.date(2027, 3, 24),
        "start_time": datetime.time(9, 0),
        "duration_minutes": 180,
        "frequency": ShiftSeries.Frequency.WEEKLY,
        "weekdays": [0, 2],
        "capacity": 3,
        "title": "Breakfast",
    }
    kwargs.update(overrides)
    return services.shift_series_create(**kwargs)


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_weekly_series_on_monday_and_wednesday_until_a_date(role, coordinator):
    # given a weekly Mon/Wed pattern from Mar 1 to Mar 24, 2027 (the last date is a Wednesday)
    # when it is created
    series, shifts = _create_march_series(role, coordinator)

    # then there is one shift per Monday and Wednesday, the last date included
    dates = [s.occurrence_date for s in Shift.objects.filter(series=series).order_by("starts_at")]
    assert dates == [
        datetime.date(2027, 3, 1),
        datetime.date(2027, 3, 3),
        datetime.date(2027, 3, 8),
        datetime.date(2027, 3, 10),
        datetime.date(2027, 3, 15),
        datetime.date(2027, 3, 17),
        datetime.date(2027, 3, 22),
        datetime.date(2027, 3, 24),
    ]
    assert all(s.capacity == 3 and s.role == role and s.title == "Breakfast" for s in shifts)


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_series_stays_at_nine_local_across_the_march_2027_dst_change(role, coordinator):
    # given a 09:00 series spanning March 14, 2027, when New York moves from EST to EDT
    series, _ = _create_march_series(role, coordinator)

    shifts = list(Shift.objects.filter(series=series).order_by("starts_at"))

    # then every shift starts at 09:00 and ends at 12:00 New York time
    assert {s.starts_at.astimezone(NY).time() for s in shifts} == {datetime.time(9, 0)}
    assert {s.ends_at.astimezone(NY).time() for s in shifts} == {datetime.time(12, 0)}
    # and the stored UTC instant moves by an hour: 14:00 UTC before the change, 13:00 UTC after
    before = [s for s in shifts if s.occurrence_date < datetime.date(2027, 3, 14)]
    after = [s for s in shifts if s.occurrence_date > datetime.date(2027, 3, 14)]
    assert {s.starts_at.astimezone(UTC).hour for s in before} == {14}
    assert {s.starts_at.astimezone(UTC).hour for s in after} == {13}


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_daily_series_and_its_limits(role, coordinator):
    _, shifts = _create_march_series(
        role,
        coordinator,
        frequency=ShiftSeries.Frequency.DAILY,
        weekdays=[],
        until_date=datetime.date(2027, 3, 7),
    )
    assert len(shifts) == 7

    with pytest.raises(services.CoordinationError, match="at least one weekday"):
        _create_march_series(role, coordinator, weekdays=[])
    with pytest.raises(services.CoordinationError, match="the most at once"):
        _create_march_series(
            role, coordinator, frequency=ShiftSeries.Frequency.DAILY, until_date=datetime.date(2029, 3, 1)
        )


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_series_created_through_the_page(client, coordinator, role):
    client.force_login(coordinator)  # inside the travelled time, so the session is fresh
    response = client.post(
        reverse("volunteers:coordinate:series_new"),
        {
            "role": role.pk,
            "title": "",
            "frequency": "weekly",
            "weekdays": ["0", "2"],
            "start_date": "2027-03-01",
            "until_date": "2027-03-24",
            "start_time": "09:00",
            "end_time": "12:00",
            "capacity": "3",
            "neighbourhood": "Eastside",
            "address": "1 Main St",
            "cancellation_cutoff_hours": "24",
        },
    )
    assert response.status_code == 302
    assert Shift.objects.filter(role=role, series__isnull=False).count() == 8


def _book(shift, volunteer):
    return services.shift_book(shift=shift, volunteer=volunteer)


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_edit_one_shift_makes_it_an_exception_and_moves_its_reminders(
    role, coordinator, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    # given a series and a volunteer booked on its second shift
    series, _ = _create_march_series(role, coordinator)
    shifts = list(Shift.objects.filter(series=series).order_by("starts_at"))
    target = shifts[1]
    volunteer = ready_volunteer()
    booking = _book(target, volunteer)
    mailoutbox.clear()
    new_start = datetime.datetime(2027, 3, 3, 10, 0, tzinfo=NY).astimezone(UTC)

    # when only that shift moves to 10:00
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_update(
            shift=target,
            by=coordinator,
            starts_at=new_start,
            ends_at=new_start + datetime.timedelta(hours=3),
            capacity=3,
            title="Late breakfast",
            description="",
            neighbourhood="Eastside",
            address="12 Hidden Lane",
            cancellation_cutoff_hours=24,
        )

    # then it alone changed and is marked as edited on its own
    target.refresh_from_db()
    assert target.is_series_exception and target.title == "Late breakfast"
    others = Shift.objects.filter(series=series).exclude(pk=target.pk)
    assert {s.starts_at.astimezone(NY).time() for s in others} == {datetime.time(9, 0)}
    # and the volunteer's reminders follow the new start; they are told by email
    due = {r.data["offset_hours"]: r.due_at for r in _pending_reminders(booking)}
    assert due == {48: new_start - datetime.timedelta(hours=48), 3: new_start - datetime.timedelta(hours=3)}
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [volunteer.email]
    assert "New time" in mailoutbox[0].subject
    assert "12 Hidden Lane" not in mailoutbox[0].body


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_edit_all_future_shifts_keeps_earlier_and_edited_ones(role, coordinator, agreement):
    series, _ = _create_march_series(role, coordinator)
    shifts = list(Shift.objects.filter(series=series).order_by("starts_at"))
    # given one later shift edited on its own
    exception = shifts[5]
    services.shift_update(
        shift=exception,
        by=coordinator,
        starts_at=exception.starts_at,
        ends_at=exception.ends_at,
        capacity=5,
        title="Special",
        description="",
        neighbourhood="",
        address="",
        cancellation_cutoff_hours=24,
    )
    volunteer = ready_volunteer()
    booking = _book(shifts[6], volunteer)

    # when "this and all later" is applied from the third shift: 08:00 for 4 hours, capacity 6
    changed = services.shift_series_update_future(
        shift=shifts[2],
        by=coordinator,
        start_time=datetime.time(8, 0),
        duration_minutes=240,
        capacity=6,
        title="Breakfast",
        neighbourhood="Eastside",
        address="1 Main St",
        cancellation_cutoff_hours=12,
    )

    # then the third shift onward moved (at 08:00 local on both sides of the DST change), except the exception
    assert {s.pk for s in changed} == {s.pk for s in shifts[2:]} - {exception.pk}
    for shift in Shift.objects.filter(pk__in=[s.pk for s in changed]):
        assert shift.starts_at.astimezone(NY).time() == datetime.time(8, 0)
        assert shift.ends_at.astimezone(NY).time() == datetime.time(12, 0)
        assert shift.capacity == 6 and shift.cancellation_cutoff_hours == 12
    for shift in Shift.objects.filter(pk__in=[shifts[0].pk, shifts[1].pk, exception.pk]):
        assert shift.starts_at.astimezone(NY).time() == datetime.time(9, 0)
    exception.refresh_from_db()
    assert exception.title == "Special" and exception.capacity == 5
    # and the booked volunteer's reminders moved with their shift
    shifts[6].refresh_from_db()
    moved = shifts[6]
    due = {r.data["offset_hours"]: r.due_at for r in _pending_reminders(booking)}
    assert due[3] == moved.starts_at - datetime.timedelta(hours=3)
    series.refresh_from_db()
    assert series.start_time == datetime.time(8, 0) and series.duration_minutes == 240


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_edit_all_future_is_all_or_nothing_when_a_shift_has_more_bookings(role, coordinator):
    series, _ = _create_march_series(role, coordinator)
    shifts = list(Shift.objects.filter(series=series).order_by("starts_at"))
    BookingFactory.create_batch(3, shift=shifts[4])

    with pytest.raises(services.CapacityBelowBooked, match="3 people are booked"):
        services.shift_series_update_future(
            shift=shifts[0],
            by=coordinator,
            start_time=datetime.time(10, 0),
            duration_minutes=60,
            capacity=2,
            title="",
            neighbourhood="",
            address="",
            cancellation_cutoff_hours=24,
        )

    assert set(Shift.objects.filter(series=series).values_list("capacity", flat=True)) == {3}
    assert Booking.objects.filter(shift=shifts[4]).count() == 3


@time_machine.travel(datetime.datetime(2027, 2, 20, 12, 0, tzinfo=UTC), tick=False)
def test_edit_page_offers_series_scope(client, role, coordinator):
    client.force_login(coordinator)
    series, _ = _create_march_series(role, coordinator)
    first = Shift.objects.filter(series=series).order_by("starts_at").first()
    url = reverse("volunteers:coordinate:shift_edit", args=[first.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"This and all later shifts" in page.content

    response = client.post(
        url,
        {
            "scope": "future",
            "title": "Breakfast",
            "date": "2027-03-01",
            "start_time": "07:30",
            "end_time": "10:30",
            "capacity": "3",
            "neighbourhood": "",
            "address": "",
            "cancellation_cutoff_hours": "24",
        },
    )
    assert response.status_code == 302
    times = {s.starts_at.astimezone(NY).time() for s in Shift.objects.filter(series=series)}
    assert times == {datetime.time(7, 30)}
