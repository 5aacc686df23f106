import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AgreementFactory,
    BookingFactory,
    RoleFactory,
    ShiftFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from volunteers import services
from volunteers.models import Shift

pytestmark = pytest.mark.django_db


def test_address_is_shown_only_to_volunteers_booked_on_the_shift(client, ready):
    shift = ShiftFactory(address="12 Hidden Lane, Apt 3", neighbourhood="Eastside")
    other = ready_volunteer()

    client.force_login(other)
    body = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "Hidden Lane" not in body
    assert "Eastside" in body and "shared after booking" in body

    services.shift_book(shift=shift, volunteer=ready)
    client.force_login(ready)
    assert "12 Hidden Lane, Apt 3" in client.get(f"/shifts/{shift.pk}/").content.decode()

    client.logout()
    body = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "Hidden Lane" not in body and "Eastside" not in body


def test_shift_list_never_shows_addresses(client, ready):
    shift = ShiftFactory(address="12 Hidden Lane")
    services.shift_book(shift=shift, volunteer=ready)
    client.force_login(ready)

    body = client.get("/shifts/").content.decode()

    assert "Hidden Lane" not in body
    assert "Booked" in body


def test_my_pages_show_only_my_own_bookings_and_hours(client, ready):
    mine = BookingFactory(volunteer=ready, shift=ShiftFactory(title="My own shift"))
    theirs_shift = ShiftFactory(title="Their shift")
    theirs = BookingFactory(shift=theirs_shift, status="attended", minutes=180)
    WaitlistEntryFactory(shift=theirs_shift)
    client.force_login(ready)

    shifts_page = client.get("/me/shifts/").content.decode()
    hours_page = client.get("/me/volunteer/hours/").content.decode()

    assert "My own shift" in shifts_page
    assert "Their shift" not in shifts_page
    assert "Their shift" not in hours_page and "3.0" not in hours_page
    assert mine.pk
    # their objects answer 404
    assert client.post(f"/me/shifts/bookings/{theirs.pk}/cancel/").status_code == 404
    entry = theirs_shift.waitlist_entries.get()
    assert client.post(f"/me/shifts/waitlist/{entry.pk}/leave/").status_code == 404


def test_profile_page_shows_only_my_profile(client, ready):
    other = ready_volunteer()
    other.volunteer_profile.emergency_contact_name = "Zed Otherperson"
    other.volunteer_profile.save()
    client.force_login(ready)

    body = client.get("/me/volunteer/profile/").content.decode()

    assert "Sam Contact" in body
    assert "Zed Otherperson" not in body


def test_hours_page_adds_up_attended_shifts(client, ready):
    for minutes in (120, 90):
        BookingFactory(volunteer=ready, status="attended", minutes=minutes)
    BookingFactory(volunteer=ready, status="no_show")
    client.force_login(ready)

    body = client.get("/me/volunteer/hours/").content.decode()

    assert "3.5 hours on 2 shifts" in body


def test_volunteer_pages_need_sign_in(client, db):
    for url in ("/me/shifts/", "/me/volunteer/profile/", "/me/volunteer/hours/", "/me/volunteer/calendar/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_shift_list_filters_by_role_date_and_free_places(client, ready):
    driver = RoleFactory(name="Driver")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    ShiftFactory(
        role=driver, starts_at=tomorrow, ends_at=tomorrow + datetime.timedelta(hours=1), title="Drive A"
    )
    full = ShiftFactory(title="Full one", capacity=1)
    BookingFactory(shift=full)
    later = timezone.now() + datetime.timedelta(days=30)
    ShiftFactory(title="Much later", starts_at=later, ends_at=later + datetime.timedelta(hours=1))
    client.force_login(ready)

    by_role = client.get("/shifts/", {"role": driver.pk}).content.decode()
    free_only = client.get("/shifts/", {"free": "on"}).content.decode()
    soon = client.get(
        "/shifts/", {"date_to": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()}
    ).content.decode()

    assert "Drive A" in by_role and "Full one" not in by_role
    assert "Full one" not in free_only and "Drive A" in free_only
    assert "Much later" not in soon and "Drive A" in soon


@pytest.mark.parametrize("count", [10, 1000])
def test_shift_list_makes_a_constant_number_of_queries(client, ready, count, django_assert_max_num_queries):
    # given many shifts with bookings and requirements
    role = RoleFactory(requirements=[])
    start = timezone.now() + datetime.timedelta(days=2)
    Shift.objects.bulk_create(
        Shift(
            role=role,
            starts_at=start + datetime.timedelta(hours=i),
            ends_at=start + datetime.timedelta(hours=i, minutes=30),
            capacity=3,
            neighbourhood="Eastside",
        )
        for i in range(count)
    )
    BookingFactory(shift=Shift.objects.first(), volunteer=ready)
    client.force_login(ready)

    # when the list is shown (first page and a later page), then the query count does not grow
    with django_assert_max_num_queries(13):
        response = client.get("/shifts/")
    assert response.status_code == 200
    with django_assert_max_num_queries(13):
        client.get("/shifts/", {"page": 2, "free": "on"})


def test_offer_link_with_a_bad_signature_is_404(client, ready):
    AgreementFactory(version=1)
    client.force_login(ready)
    assert client.get("/waitlist/offers/not-signed/").status_code == 404


def test_a_shift_of_an_inactive_role_cannot_be_booked_or_queued_for(client, ready):
    shift = ShiftFactory(role=RoleFactory(is_active=False))
    client.force_login(ready)

    assert client.post(f"/shifts/{shift.pk}/book/").status_code == 404
    assert client.post(f"/shifts/{shift.pk}/waitlist/").status_code == 404
    assert client.post("/shifts/999999/book/").status_code == 404
    assert not shift.bookings.exists() and not shift.waitlist_entries.exists()


def test_booking_from_the_shift_page_books_and_returns_to_the_place(client, ready):
    shift = ShiftFactory()
    client.force_login(ready)

    response = client.post(f"/shifts/{shift.pk}/book/")

    assert response.status_code == 302
    assert response["Location"] == f"/shifts/{shift.pk}/#your-place"
    assert shift.bookings.get().volunteer == ready
