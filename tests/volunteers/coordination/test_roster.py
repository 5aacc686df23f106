"""Roster page, print view, CSV export (injection-safe, own roles only) and attendance with hours."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from core.csv import csv_safe
from tests.factories import BookingFactory, ShiftFactory, UserFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Booking

pytestmark = pytest.mark.django_db


def _booked(shift, *, name, email, phone="+1 555 0199", **profile):
    person = UserFactory(roles=["volunteer"], name=name, email=email)
    VolunteerProfileFactory(user=person, phone=phone, **profile)
    return BookingFactory(shift=shift, volunteer=person)


def test_roster_shows_contacts_and_emergency_contact_to_the_coordinator(coordinator_client, own_shift):
    _booked(own_shift, name="Ada Lovelace", email="ada@example.org", emergency_contact_name="Byron Kin")

    page = coordinator_client.get(
        reverse("volunteers:coordinate:roster", args=[own_shift.pk])
    ).content.decode()

    assert "Ada Lovelace" in page and "ada@example.org" in page and "+1 555 0199" in page
    assert "Byron Kin" in page  # the emergency contact, on the roster only
    printed = coordinator_client.get(reverse("volunteers:coordinate:roster_print", args=[own_shift.pk]))
    assert (
        printed.status_code == 200
        and b"css/roster-print.css" in printed.content  # its print styles (no inline style: CSP)
        and b"Byron Kin" in printed.content
    )


def test_roster_csv_content(coordinator_client, own_shift):
    _booked(own_shift, name="Ada Lovelace", email="ada@example.org")
    BookingFactory(shift=own_shift, status=Booking.Status.CANCELLED, cancelled_at=own_shift.starts_at)

    response = coordinator_client.get(reverse("volunteers:coordinate:roster_csv", args=[own_shift.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Email", "Phone", "Status", "Checked in", "Checked out", "Hours"]
    assert rows[1][:4] == ["Ada Lovelace", "ada@example.org", "'+1 555 0199", "Booked"]
    assert len(rows) == 2  # the cancelled booking is not on the roster
    assert "Sam Contact" not in response.content.decode()  # emergency contacts stay off the file


def test_roster_csv_is_safe_against_formula_injection(coordinator_client, own_shift):
    _booked(
        own_shift, name='=HYPERLINK("http://evil.example","x")', email="eve@example.org", phone="@SUM(1+1)"
    )
    _booked(own_shift, name="-2+3", email="minus@example.org", phone="+44 20 7946 0000")

    response = coordinator_client.get(reverse("volunteers:coordinate:roster_csv", args=[own_shift.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'-2+3" in cells and "'@SUM(1+1)" in cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("Ann", "Ann"),
        (None, ""),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_roster_and_csv_of_another_roles_shift_are_404(coordinator_client, other_role):
    foreign = ShiftFactory(role=other_role)
    BookingFactory(shift=foreign)
    for name in ("roster", "roster_csv", "roster_print", "shift_edit", "shift_cancel", "shift_message"):
        assert (
            coordinator_client.get(reverse(f"volunteers:coordinate:{name}", args=[foreign.pk])).status_code
            == 404
        )
    assert (
        coordinator_client.post(
            reverse("volunteers:coordinate:shift_capacity", args=[foreign.pk]), {"capacity": 9}
        )
    ).status_code == 404


def test_check_in_and_out_give_hours_from_the_times(own_shift, coordinator):
    booking = BookingFactory(shift=own_shift)
    start = own_shift.starts_at

    with pytest.raises(services.CoordinationError, match="two hours before"):
        services.booking_check_in(booking=booking, by=coordinator, now=start - datetime.timedelta(hours=3))

    services.booking_check_in(booking=booking, by=coordinator, now=start - datetime.timedelta(minutes=10))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ATTENDED
    assert booking.minutes == 180  # provisional: the scheduled length until check-out

    # a second click keeps the first time
    services.booking_check_in(booking=booking, by=coordinator, now=start + datetime.timedelta(minutes=30))
    services.booking_check_out(
        booking=booking, by=coordinator, now=start + datetime.timedelta(hours=2, minutes=20)
    )
    booking.refresh_from_db()
    assert booking.checked_in_at == start - datetime.timedelta(minutes=10)
    assert booking.minutes == 150 and booking.hours == 2.5


def test_attended_without_times_counts_the_scheduled_length(own_shift, coordinator):
    booking = BookingFactory(shift=own_shift)
    with pytest.raises(services.CoordinationError, match="once the shift has started"):
        services.booking_mark_attended(
            booking=booking, by=coordinator, now=own_shift.starts_at - datetime.timedelta(minutes=1)
        )

    services.booking_mark_attended(
        booking=booking, by=coordinator, now=own_shift.starts_at + datetime.timedelta(hours=1)
    )

    booking.refresh_from_db()
    assert (
        booking.status == Booking.Status.ATTENDED and booking.minutes == 180 and booking.checked_in_at is None
    )


def test_no_show_clears_times_and_hours(own_shift, coordinator):
    booking = BookingFactory(shift=own_shift)
    services.booking_check_in(booking=booking, by=coordinator, now=own_shift.starts_at)

    services.booking_mark_no_show(
        booking=booking, by=coordinator, now=own_shift.starts_at + datetime.timedelta(hours=1)
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert booking.minutes is None and booking.checked_in_at is None and booking.hours == 0


def test_check_out_needs_a_check_in(own_shift, coordinator):
    booking = BookingFactory(shift=own_shift)
    with pytest.raises(services.CoordinationError, match="Check this person in"):
        services.booking_check_out(booking=booking, by=coordinator, now=own_shift.starts_at)


def test_attendance_buttons_post_through_the_page(client, coordinator, own_shift):
    booking = _booked(own_shift, name="Ada Lovelace", email="ada@example.org")
    url = reverse("volunteers:coordinate:booking_attendance", args=[booking.pk])
    with time_machine.travel(own_shift.starts_at + datetime.timedelta(minutes=5), tick=False):
        client.force_login(coordinator)
        assert client.get(url).status_code == 405  # POST only
        response = client.post(url, {"action": "check_in"})
        assert response.status_code == 302
    with time_machine.travel(own_shift.starts_at + datetime.timedelta(hours=1, minutes=35), tick=False):
        client.force_login(coordinator)
        client.post(url, {"action": "check_out"})
        roster = client.get(reverse("volunteers:coordinate:roster", args=[own_shift.pk])).content.decode()

    booking.refresh_from_db()
    assert booking.minutes == 90
    assert "1.50" in roster


def test_attendance_on_another_roles_booking_is_404(coordinator_client, other_role):
    booking = BookingFactory(shift=ShiftFactory(role=other_role))
    response = coordinator_client.post(
        reverse("volunteers:coordinate:booking_attendance", args=[booking.pk]), {"action": "no_show"}
    )
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED
