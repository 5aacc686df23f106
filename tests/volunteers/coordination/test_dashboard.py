"""The fill-rate dashboard: emptiest first, filters, and the same number of queries for 10 or 500 shifts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BookingFactory, RoleFactory, ShiftFactory, WaitlistEntryFactory
from volunteers import selectors
from volunteers.models import Shift

pytestmark = pytest.mark.django_db


def _make_shifts(role, count):
    start = (timezone.now() + datetime.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    Shift.objects.bulk_create(
        [
            Shift(
                role=role,
                starts_at=start + datetime.timedelta(hours=i),
                ends_at=start + datetime.timedelta(hours=i + 1),
                capacity=3,
            )
            for i in range(count)
        ]
    )
    shifts = list(Shift.objects.filter(role=role))
    # a booking and a waiting person on every other shift, so the counts have something to count
    for shift in shifts[::2]:
        BookingFactory(shift=shift)
        WaitlistEntryFactory(shift=shift)
    return shifts


def _query_count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_count_is_the_same_for_10_and_500_shifts(
    coordinator_client, role, django_assert_max_num_queries
):
    url = reverse("volunteers:coordinate:dashboard") + "?date_from=&date_to="
    _make_shifts(role, 10)
    small = _query_count(coordinator_client, url, django_assert_max_num_queries, 12)

    _make_shifts(RoleFactory(coordinators=list(role.coordinators.all())), 490)
    large = _query_count(coordinator_client, url, django_assert_max_num_queries, 12)

    assert small == large


def test_emptiest_shifts_come_first_with_counts(coordinator_client, role):
    at = timezone.now() + datetime.timedelta(days=2)
    full = ShiftFactory(
        role=role, capacity=2, starts_at=at, ends_at=at + datetime.timedelta(hours=1), title="Full"
    )
    BookingFactory.create_batch(2, shift=full)
    WaitlistEntryFactory(shift=full)
    half = ShiftFactory(
        role=role, capacity=4, starts_at=at, ends_at=at + datetime.timedelta(hours=1), title="Half"
    )
    BookingFactory.create_batch(2, shift=half)
    empty = ShiftFactory(
        role=role,
        capacity=4,
        starts_at=at + datetime.timedelta(days=3),
        ends_at=at + datetime.timedelta(days=3, hours=1),
    )
    empty.title = "Empty"
    empty.save()

    response = coordinator_client.get(reverse("volunteers:coordinate:dashboard"))
    shifts = list(response.context["page"])

    assert [s.title for s in shifts] == ["Empty", "Half", "Full"]
    assert [(s.booked_count, s.waiting_count) for s in shifts] == [(0, 0), (2, 0), (2, 1)]
    assert "Understaffed" in response.content.decode()


def test_filters_by_role_and_dates(coordinator, coordinator_client, role):
    second = RoleFactory(coordinators=[coordinator])
    soon = timezone.now() + datetime.timedelta(days=1)
    later = timezone.now() + datetime.timedelta(days=20)
    a = ShiftFactory(role=role, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    b = ShiftFactory(role=second, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    c = ShiftFactory(role=role, starts_at=later, ends_at=later + datetime.timedelta(hours=1))
    url = reverse("volunteers:coordinate:dashboard")

    by_role = coordinator_client.get(url, {"role": role.pk, "date_from": "", "date_to": ""}).context["page"]
    assert {s.pk for s in by_role} == {a.pk, c.pk}
    to = timezone.localdate() + datetime.timedelta(days=5)
    by_date = coordinator_client.get(
        url, {"date_from": timezone.localdate().isoformat(), "date_to": to}
    ).context["page"]
    assert {s.pk for s in by_date} == {a.pk, b.pk}


def test_the_selector_reads_500_shifts_with_their_counts_in_one_query(
    coordinator, role, django_assert_num_queries
):
    _make_shifts(role, 500)
    coordinator.roles  # noqa: B018  (the role lookup is cached per request; load it outside the count)

    with django_assert_num_queries(1):
        shifts = list(selectors.coordinator_fill_rate(user=coordinator, filters=selectors.FillRateFilters()))

    assert len(shifts) == 500
    assert sum(s.booked_count for s in shifts) == 250 and sum(s.waiting_count for s in shifts) == 250


def test_the_next_page_keeps_the_default_four_weeks(coordinator_client, role):
    # given 120 shifts in the next days and one in two months
    _make_shifts(role, 120)
    far = timezone.now() + datetime.timedelta(days=60)
    distant = ShiftFactory(role=role, starts_at=far, ends_at=far + datetime.timedelta(hours=1))

    first = coordinator_client.get(reverse("volunteers:coordinate:dashboard"))
    query = first.context["query"]
    second = coordinator_client.get(reverse("volunteers:coordinate:dashboard") + f"?{query}&page=2")

    # then both pages cover the default range, and the distant shift is on neither
    assert "date_from=" in query and "date_to=" in query
    listed = {s.pk for s in first.context["page"]} | {s.pk for s in second.context["page"]}
    assert len(listed) == 120 and distant.pk not in listed
    escaped = query.replace("&", "&amp;")
    assert f'href="?{escaped}&amp;page=2"' in first.content.decode()
