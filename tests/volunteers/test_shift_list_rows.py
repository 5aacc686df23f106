"""The shift list's bulk reads: roles taken from the page's active roles, and the reasons a person may
not book, worked out once per role and day."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import RequirementFactory, RoleFactory, ShiftFactory
from volunteers import selectors
from volunteers.booking_rules import VolunteerStanding

pytestmark = pytest.mark.django_db


def _listed(**filters):
    return list(selectors.shift_list_open(filters=selectors.ShiftFilters(**filters), for_list_page=True))


def test_shifts_take_their_roles_and_requirements_from_the_roles_given(django_assert_num_queries):
    hygiene = RequirementFactory(name="Food hygiene")
    role = RoleFactory(requirements=[hygiene])
    ShiftFactory(role=role)
    ShiftFactory(role=role, starts_at=timezone.now() + datetime.timedelta(days=4))
    roles = selectors.roles_active()
    shifts = _listed()

    with django_assert_num_queries(0):
        listed = selectors.shifts_with_roles(shifts, roles)
        names = [[r.name for r in shift.role.requirements.all()] for shift in listed]

    assert names == [["Food hygiene"], ["Food hygiene"]]
    assert all(shift.role is roles[0] for shift in listed)


def test_a_role_missing_from_the_roles_given_is_read_once_with_its_requirements(django_assert_num_queries):
    role = RoleFactory(requirements=[RequirementFactory(name="Orientation")])
    ShiftFactory(role=role)
    ShiftFactory(role=role, starts_at=timezone.now() + datetime.timedelta(days=4))
    shifts = _listed()

    with django_assert_num_queries(2):  # the role, its requirements
        listed = selectors.shifts_with_roles(shifts, [])
    with django_assert_num_queries(0):
        assert [[r.name for r in shift.role.requirements.all()] for shift in listed] == [["Orientation"]] * 2


def test_reasons_are_the_booking_checks_once_per_role_and_day_and_each_shift_still_open(ready):
    needs = RoleFactory(name="Hotline", requirements=[RequirementFactory(name="Hotline training")])
    free = RoleFactory(name="Sorting")
    day = (timezone.now() + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    first = ShiftFactory(role=needs, starts_at=day, ends_at=day + datetime.timedelta(hours=2))
    second = ShiftFactory(
        role=needs, starts_at=day + datetime.timedelta(hours=3), ends_at=day + datetime.timedelta(hours=5)
    )
    open_one = ShiftFactory(role=free, starts_at=day, ends_at=day + datetime.timedelta(hours=2))
    shifts = selectors.shifts_with_roles(_listed(), selectors.roles_active())
    standing = VolunteerStanding.load(ready)

    reasons = selectors.shift_block_reasons(shifts, standing, timezone.now())
    # when the first shift of a role and day has started by the time the page is worked out
    started = selectors.shift_block_reasons(shifts, standing, first.starts_at)

    assert "Hotline training" in reasons[first.pk] and reasons[second.pk] == reasons[first.pk]
    assert reasons[open_one.pk] == ""
    assert started[first.pk] == "This shift has already started."
    assert started[second.pk] == reasons[first.pk]  # the day's clearance is not taken from a started shift
    assert started[open_one.pk] == "This shift has already started."


def test_nobody_signed_in_gets_no_reasons():
    shift = ShiftFactory(role=RoleFactory(requirements=[RequirementFactory()]))
    standing = VolunteerStanding(profile=None, current_agreement=None)

    assert selectors.shift_block_reasons([shift], standing, timezone.now()) == {shift.pk: ""}


def test_the_list_page_reads_only_the_fields_it_shows_and_checks():
    ShiftFactory(address="12 Hidden Lane", title="Morning sort", neighbourhood="Eastside")
    (shift,) = _listed()

    assert {"address", "check_in_code", "description"} <= shift.get_deferred_fields()
    assert not shift.get_deferred_fields() & set(selectors.SHIFT_LIST_FIELDS)
