"""Every coordinator page renders with real data: headings, labels, and no leaks between roles."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import (
    BookingFactory,
    RequirementFactory,
    RoleFactory,
    ShiftSeriesFactory,
    UserFactory,
    VolunteerProfileFactory,
    WaitlistEntryFactory,
)
from volunteers import services
from volunteers.models import ShiftMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_shift(coordinator, agreement):
    role = RoleFactory(
        name="Driver", requires_approval=True, requirements=[RequirementFactory()], coordinators=[coordinator]
    )
    series = ShiftSeriesFactory(role=role)
    _, shifts = services.shift_series_create(
        role=role,
        created_by=coordinator,
        start_date=series.start_date,
        until_date=series.until_date,
        start_time=datetime.time(9, 0),
        duration_minutes=120,
        frequency="weekly",
        weekdays=[0, 1, 2, 3, 4],
        capacity=2,
    )
    shift = shifts[0]
    for i in range(2):
        person = UserFactory(roles=["volunteer"], name=f"Person {i}")
        VolunteerProfileFactory(user=person, phone=f"+1 555 010{i}")
        BookingFactory(shift=shift, volunteer=person)
    WaitlistEntryFactory(shift=shift)
    message = services.shift_message_send(
        shift=shift, sender=coordinator, subject="Parking", body="Back lot."
    )
    for copy in Message.objects.filter(kind=ShiftMessage.MESSAGE_KIND, about_id=message.pk):
        message_deliver(message_id=copy.pk)  # what the task queued after commit does
    services.role_apply(volunteer=User.objects.get(name="Person 0"), role=role)
    return shift


def test_every_page_renders(coordinator_client, busy_shift):
    person = busy_shift.bookings.first().volunteer
    urls = [
        reverse("volunteers:coordinate:dashboard"),
        reverse("volunteers:coordinate:dashboard") + f"?role={busy_shift.role_id}&open_only=on",
        reverse("volunteers:coordinate:shift_new"),
        reverse("volunteers:coordinate:series_new"),
        reverse("volunteers:coordinate:roster", args=[busy_shift.pk]),
        reverse("volunteers:coordinate:roster_print", args=[busy_shift.pk]),
        reverse("volunteers:coordinate:shift_edit", args=[busy_shift.pk]),
        reverse("volunteers:coordinate:shift_cancel", args=[busy_shift.pk]),
        reverse("volunteers:coordinate:shift_message", args=[busy_shift.pk]),
        reverse("volunteers:coordinate:volunteers"),
        reverse("volunteers:coordinate:volunteers") + "?q=Person",
        reverse("volunteers:coordinate:volunteer", args=[person.pk]),
    ]
    for url in urls:
        response = coordinator_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<h1>" in html and "1-888-373-7888" in html, url
    roster = coordinator_client.get(urls[4]).content.decode()
    assert (
        "Person 0" in roster and "Person 1" in roster and "Parking" in roster and "2 of 2 delivered" in roster
    )


def test_new_shift_through_the_page(coordinator_client, role):
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = coordinator_client.post(
        reverse("volunteers:coordinate:shift_new"),
        {
            "role": role.pk,
            "title": "Inventory",
            "date": day.isoformat(),
            "start_time": "22:00",
            "end_time": "02:00",
            "capacity": 2,
            "neighbourhood": "Northside",
            "address": "",
            "cancellation_cutoff_hours": 24,
        },
    )
    assert response.status_code == 302
    shift = role.shifts.get(title="Inventory")
    assert timezone.localtime(shift.starts_at).date() == day
    assert shift.duration == datetime.timedelta(hours=4)  # an end before the start is the next day
