"""Group sign-up: where a role allows it, one volunteer books several places and names the members
later; capacity counts places everywhere (booking, lists, waitlist), also under concurrency."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import AgreementFactory, RoleFactory, ShiftFactory, UserFactory, ready_volunteer
from volunteers import selectors, services
from volunteers.booking_rules import BookingError, GroupNotAllowed, ShiftFull
from volunteers.models import Booking, GroupMember, Shift


@pytest.fixture
def group_role(db):
    return RoleFactory(name="Park clean-up", allows_groups=True, max_group_size=4)


@pytest.mark.django_db
def test_a_group_takes_several_places_and_the_lists_count_places(client, group_role, agreement):
    shift = ShiftFactory(role=group_role, capacity=5)
    leader = ready_volunteer(name="Ada Lovelace")
    client.force_login(leader)

    page = client.get(reverse("volunteers:shift_detail", args=[shift.pk])).content.decode()
    client.post(reverse("volunteers:shift_book", args=[shift.pk]), {"places": "3"})

    assert 'name="places"' in page
    booking = Booking.objects.get(shift=shift, volunteer=leader)
    assert booking.places == 3
    listed = selectors.shifts_with_counts(Shift.objects.filter(pk=shift.pk)).get()
    assert (listed.booked_count, listed.places_left) == (3, 2)


@pytest.mark.django_db
def test_a_group_larger_than_the_places_left_is_refused(group_role, agreement):
    shift = ShiftFactory(role=group_role, capacity=4)
    services.shift_book(shift=shift, volunteer=ready_volunteer(), places=2)

    with pytest.raises(ShiftFull):
        services.shift_book(shift=shift, volunteer=ready_volunteer(), places=3)
    services.shift_book(shift=shift, volunteer=ready_volunteer(), places=2)  # exactly fits
    with pytest.raises(ShiftFull):
        services.shift_book(shift=shift, volunteer=ready_volunteer())


@pytest.mark.django_db
def test_groups_only_where_the_role_allows_and_up_to_its_largest_group(group_role, agreement):
    with pytest.raises(GroupNotAllowed, match="one place at a time"):
        services.shift_book(shift=ShiftFactory(capacity=10), volunteer=ready_volunteer(), places=2)
    with pytest.raises(GroupNotAllowed, match="at most 4"):
        services.shift_book(
            shift=ShiftFactory(role=group_role, capacity=10), volunteer=ready_volunteer(), places=5
        )
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_the_leader_names_the_members_later_and_the_roster_shows_them(client, group_role, agreement):
    coordinator = UserFactory(roles=["coordinator"])
    group_role.coordinators.add(coordinator)
    shift = ShiftFactory(role=group_role, capacity=5)
    leader = ready_volunteer(name="Ada Lovelace")
    booking = services.shift_book(shift=shift, volunteer=leader, places=3)
    client.force_login(leader)

    too_many = services.group_members_name
    with pytest.raises(BookingError, match="room for 2 more"):
        too_many(booking=booking, volunteer=leader, names=["Bo", "Cy", "Di"])
    client.post(reverse("volunteers:group_members", args=[booking.pk]), {"member-2": "Bo", "member-3": " "})

    assert list(GroupMember.objects.values_list("name", flat=True)) == ["Bo"]
    client.force_login(coordinator)
    roster = client.get(reverse("volunteers:coordinate:roster", args=[shift.pk])).content.decode()
    assert "Group of 3" in roster and "+ Bo" in roster


@pytest.mark.django_db
def test_someone_else_cannot_name_a_groups_members(client, group_role, agreement):
    booking = services.shift_book(shift=ShiftFactory(role=group_role), volunteer=ready_volunteer(), places=2)
    client.force_login(ready_volunteer())

    assert client.get(reverse("volunteers:group_members", args=[booking.pk])).status_code == 404


def _groups_and_singles_book_at_once(shift, requests):
    start = threading.Barrier(len(requests))
    booked = []

    def book(volunteer, places):
        try:
            start.wait(timeout=30)
            booked.append(services.shift_book(shift=shift, volunteer=volunteer, places=places).places)
        except BookingError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sum(Booking.objects.filter(shift=shift, status="booked").values_list("places", flat=True))


def _four_groups_of_three_and_six_singles():
    AgreementFactory(version=1)
    shift = ShiftFactory(role=RoleFactory(allows_groups=True, max_group_size=3), capacity=6)
    return shift, [(ready_volunteer(), 3) for _ in range(4)] + [(ready_volunteer(), 1) for _ in range(6)]


@pytest.mark.django_db(transaction=True)
def test_groups_and_singles_booking_at_once_never_overbook(requires_postgres, pause_between_count_and_insert):
    shift, requests = _four_groups_of_three_and_six_singles()
    pause_between_count_and_insert(lambda: time.sleep(0.01))

    taken = _groups_and_singles_book_at_once(shift, requests)

    assert taken == 6  # full, never more: the singles fill any gap a refused group leaves


@pytest.mark.django_db(transaction=True)
def test_control_without_the_locks_groups_and_singles_overbook(
    requires_postgres, pause_between_count_and_insert, without_row_locks
):
    shift, requests = _four_groups_of_three_and_six_singles()
    without_row_locks()
    counted = threading.Barrier(len(requests))  # every booking counts the places before any inserts
    pause_between_count_and_insert(lambda: counted.wait(timeout=30))

    taken = _groups_and_singles_book_at_once(shift, requests)

    assert taken == 4 * 3 + 6 > shift.capacity  # every group and single got in: what the lock stops
