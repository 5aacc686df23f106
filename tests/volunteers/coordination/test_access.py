"""Who may open the coordinator pages, and what a coordinator sees of other roles."""

import pytest
from django.urls import reverse

from tests.factories import (
    BookingFactory,
    RoleApprovalFactory,
    ShiftFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "shift_new", "series_new", "volunteers"]


@pytest.mark.parametrize("name", PAGES)
def test_a_volunteer_gets_403(client, name):
    client.force_login(UserFactory(roles=["volunteer", "donor"]))
    assert client.get(reverse(f"volunteers:coordinate:{name}")).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("volunteers:coordinate:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("name", PAGES)
def test_coordinators_and_staff_may_open_the_pages(client, coordinator, name):
    for person in (coordinator, UserFactory(roles=["staff"])):
        client.force_login(person)
        assert client.get(reverse(f"volunteers:coordinate:{name}")).status_code == 200


def test_a_coordinator_sees_only_volunteers_of_their_roles(coordinator_client, own_shift, other_role):
    mine = BookingFactory(shift=own_shift).volunteer
    waiting = WaitlistEntryFactory(shift=own_shift).volunteer
    foreign_shift = ShiftFactory(role=other_role)
    theirs = BookingFactory(shift=foreign_shift).volunteer
    approved_elsewhere = RoleApprovalFactory(role=other_role).volunteer

    listing = coordinator_client.get(reverse("volunteers:coordinate:volunteers")).content.decode()

    assert mine.email in listing and waiting.email in listing
    assert theirs.email not in listing and approved_elsewhere.email not in listing
    for person, status in ((mine, 200), (theirs, 404), (approved_elsewhere, 404)):
        assert (
            coordinator_client.get(reverse("volunteers:coordinate:volunteer", args=[person.pk])).status_code
            == status
        )


def test_a_coordinator_sees_only_shifts_of_their_roles(coordinator_client, own_shift, other_role):
    foreign = ShiftFactory(role=other_role, title="Someone else's shift")
    own_shift.title = "My own shift"
    own_shift.save()

    dashboard = coordinator_client.get(reverse("volunteers:coordinate:dashboard")).content.decode()

    assert "My own shift" in dashboard and "Someone else" not in dashboard
    assert (
        coordinator_client.get(reverse("volunteers:coordinate:roster", args=[foreign.pk])).status_code == 404
    )
    assert (
        coordinator_client.get(reverse("volunteers:coordinate:roster", args=[own_shift.pk])).status_code
        == 200
    )


def test_the_role_field_offers_only_own_roles(coordinator_client, role, other_role):
    page = coordinator_client.get(reverse("volunteers:coordinate:shift_new")).content.decode()
    assert role.name in page and other_role.name not in page

    response = coordinator_client.post(
        reverse("volunteers:coordinate:shift_new"),
        {
            "role": other_role.pk,
            "date": "2030-01-07",
            "start_time": "09:00",
            "end_time": "12:00",
            "capacity": 3,
            "cancellation_cutoff_hours": 24,
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not other_role.shifts.exists()


def test_staff_see_every_role(client, own_shift, other_role):
    foreign = ShiftFactory(role=other_role)
    client.force_login(UserFactory(roles=["staff"]))
    assert client.get(reverse("volunteers:coordinate:roster", args=[foreign.pk])).status_code == 200
    assert client.get(reverse("volunteers:coordinate:roster", args=[own_shift.pk])).status_code == 200
