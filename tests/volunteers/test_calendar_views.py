"""/shifts/ as a week and a month: server-rendered, filters kept in every link, accessible markup,
no address; and a coordinator's message to all shifts of a day or a role (one per person)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from tests.factories import RoleFactory, ShiftFactory, UserFactory, ready_volunteer
from volunteers import services
from volunteers.services import CoordinationError

pytestmark = pytest.mark.django_db


def _local(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture(autouse=True)
def a_wednesday():
    with time_machine.travel(_local(2026, 12, 2, 9, 0), tick=False):
        yield


@pytest.fixture
def roles(db):
    return RoleFactory(name="Shelter meals"), RoleFactory(name="Hotline support")


@pytest.fixture
def shifts(roles):
    meals, hotline = roles
    return [
        ShiftFactory(
            role=meals,
            title="Soup night",
            starts_at=_local(2026, 12, 3, 18, 0),
            ends_at=_local(2026, 12, 3, 21, 0),
        ),
        ShiftFactory(
            role=hotline,
            title="Late line",
            starts_at=_local(2026, 12, 5, 20, 0),
            ends_at=_local(2026, 12, 5, 23, 0),
        ),
        ShiftFactory(
            role=meals,
            title="Lunch club",
            starts_at=_local(2026, 12, 9, 12, 0),
            ends_at=_local(2026, 12, 9, 14, 0),
        ),
        ShiftFactory(
            role=meals,
            title="January",
            starts_at=_local(2027, 1, 6, 12, 0),
            ends_at=_local(2027, 1, 6, 14, 0),
        ),
    ]


def test_the_week_lists_each_day_and_its_shifts(client, shifts):
    page = client.get(reverse("volunteers:shift_week")).content.decode()

    assert "Monday, November 30" in page and "Sunday, December 6" in page
    assert "Soup night" in page and "Late line" in page
    assert "Lunch club" not in page
    assert "12 Hidden Lane" not in page  # the address stays with the people booked
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_week_moves_and_keeps_the_filters(client, shifts, roles):
    meals = roles[0]

    page = client.get(reverse("volunteers:shift_week"), {"role": meals.pk, "free": "on"}).content.decode()
    later = client.get(
        reverse("volunteers:shift_week"), {"role": meals.pk, "week": "2026-12-07"}
    ).content.decode()

    assert "Soup night" in page and "Late line" not in page
    assert f"role={meals.pk}" in page.split('rel="next"')[0].rsplit("<a", 1)[1]  # the next-week link
    assert "week=2026-12-07" in page
    assert "Lunch club" in later and "Soup night" not in later


def test_the_month_is_a_table_of_weeks_with_column_headers(client, shifts):
    page = client.get(reverse("volunteers:shift_month")).content.decode()
    january = client.get(reverse("volunteers:shift_month"), {"month": "2027-01"}).content.decode()

    assert '<table class="month-grid">' in page and '<th scope="col">Monday</th>' in page
    assert "Soup night" in page and "Lunch club" in page and "January" not in page.split("<table", 1)[1]
    assert 'aria-current="date"' in page
    assert "3 open shifts this month" in page
    assert "January" in january.split("<table", 1)[1] and "month=2026-12" in january


def test_the_views_link_to_each_other_with_the_filters(client, shifts, roles):
    page = client.get(reverse("volunteers:shift_list"), {"role": roles[1].pk}).content.decode()

    assert f"/shifts/week/?role={roles[1].pk}" in page and f"/shifts/month/?role={roles[1].pk}" in page


def test_a_bad_date_in_the_address_shows_the_current_week_and_month(client, shifts):
    assert client.get(reverse("volunteers:shift_week"), {"week": "not-a-day"}).status_code == 200
    assert client.get(reverse("volunteers:shift_month"), {"month": "2026-13"}).status_code == 200


def test_the_week_page_costs_the_same_queries_for_few_or_many_shifts(
    client, roles, django_assert_max_num_queries
):
    for hour in range(9, 21):
        ShiftFactory(
            role=roles[0], starts_at=_local(2026, 12, 4, hour, 0), ends_at=_local(2026, 12, 4, hour, 30)
        )
    client.force_login(ready_volunteer())

    with django_assert_max_num_queries(20):
        assert client.get(reverse("volunteers:shift_week")).status_code == 200


# --- a message to every shift of a day or a role -----------------------------------------------------


def test_a_coordinator_writes_to_a_day_and_each_person_gets_one_email(
    client, shifts, roles, agreement, django_capture_on_commit_callbacks
):
    meals, hotline = roles
    coordinator = UserFactory(roles=["coordinator"])
    meals.coordinators.add(coordinator)
    hotline.coordinators.add(coordinator)
    ada, grace = ready_volunteer(name="Ada"), ready_volunteer(name="Grace")
    same_day = ShiftFactory(
        role=hotline, starts_at=_local(2026, 12, 3, 12, 0), ends_at=_local(2026, 12, 3, 14, 0)
    )
    services.shift_book(shift=shifts[0], volunteer=ada)
    services.shift_book(shift=same_day, volunteer=ada)  # Ada is on two shifts that day
    services.shift_book(shift=same_day, volunteer=grace)
    services.shift_book(shift=shifts[1], volunteer=ready_volunteer(name="Other day"))
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:coordinate:bulk_message"),
            {"day": "2026-12-03", "subject": "Snow", "body": "Stay safe, roads are icy."},
        )

    assert response.status_code == 302
    sent = Message.objects.filter(kind="volunteers.bulk_message")
    assert sorted(m.recipient for m in sent) == sorted([ada.email, grace.email])
    ada_mail = sent.get(recipient=ada.email)
    assert "Stay safe" in ada_mail.body_text and "Soup night" in ada_mail.body_text
    assert shifts[0].address not in ada_mail.body_text


def test_a_coordinator_writes_only_to_their_own_roles(roles, shifts, agreement):
    meals, hotline = roles
    coordinator = UserFactory(roles=["coordinator"])
    meals.coordinators.add(coordinator)
    services.shift_book(shift=shifts[1], volunteer=ready_volunteer())  # a hotline shift

    with pytest.raises(CoordinationError, match="do not coordinate"):
        services.bulk_message_send(
            sender=coordinator,
            roles=meals.__class__.objects.filter(coordinators=coordinator),
            role=hotline,
            subject="x",
            body="y",
        )
    with pytest.raises(CoordinationError, match="Nobody is booked"):
        services.bulk_message_send(
            sender=coordinator,
            roles=meals.__class__.objects.filter(coordinators=coordinator),
            day=datetime.date(2026, 12, 5),
            subject="x",
            body="y",
        )
    assert not Message.objects.filter(kind="volunteers.bulk_message").exists()


def test_the_bulk_form_needs_a_day_or_a_role(client, roles):
    coordinator = UserFactory(roles=["coordinator"])
    roles[0].coordinators.add(coordinator)
    client.force_login(coordinator)

    response = client.post(reverse("volunteers:coordinate:bulk_message"), {"subject": "x", "body": "y"})

    assert response.status_code == 400 and "Choose a day, a role, or both" in response.content.decode()
