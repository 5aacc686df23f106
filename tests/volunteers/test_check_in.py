"""Check-in at the door: the shift's QR code on the volunteer's own phone, the kiosk (its own token,
one shift, first names and initials only, closes itself), PINs and confirmation codes, limits on wrong
codes, and walk-ins added by a coordinator."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import (
    RequirementFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)
from volunteers import selectors as services_selectors
from volunteers import services
from volunteers.booking_rules import AlreadyBooked
from volunteers.checkin_views import KIOSK_COOKIE
from volunteers.models import Booking, Kiosk

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=["coordinator"], name="Cora Coordinator")


@pytest.fixture
def shift(coordinator, agreement):
    role = RoleFactory(name="Shelter meals", coordinators=[coordinator])
    return ShiftFactory(role=role, capacity=3)


@pytest.fixture
def ada(agreement):
    return ready_volunteer(name="Ada Lovelace", email="ada@example.org")


@pytest.fixture
def ada_booking(shift, ada):
    return services.shift_book(shift=shift, volunteer=ada)


@pytest.fixture
def at_the_door(time_machine, shift):
    """Thirty minutes before the shift starts: the check-in window is open."""
    time_machine.move_to(shift.starts_at - datetime.timedelta(minutes=30), tick=False)


def _self_check_in_url(shift, code=None):
    return reverse("volunteers:self_check_in", args=[shift.pk, code or shift.check_in_code])


# --- the QR code on the volunteer's own phone --------------------------------------------------


def test_a_booked_volunteer_scanning_the_code_is_checked_in(client, shift, ada, ada_booking, at_the_door):
    client.force_login(ada)

    asked = client.get(_self_check_in_url(shift))
    response = client.post(_self_check_in_url(shift))

    assert asked.status_code == 200 and "Check me in" in asked.content.decode()
    assert response.status_code == 302
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is not None and ada_booking.status == Booking.Status.ATTENDED


def test_the_code_used_by_someone_not_booked_is_refused(
    client, shift, ada, ada_booking, at_the_door, agreement
):
    stranger = ready_volunteer(name="Sam Stranger")
    client.force_login(stranger)

    response = client.post(_self_check_in_url(shift))

    assert response.status_code == 400
    assert "not booked on this shift" in response.content.decode()
    assert not Booking.objects.filter(shift=shift, volunteer=stranger).exists()
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is None  # nobody else's booking is touched either


def test_the_code_of_another_shift_is_refused(client, shift, ada, ada_booking, at_the_door):
    other = ShiftFactory(role=shift.role, starts_at=shift.starts_at + datetime.timedelta(days=1))
    client.force_login(ada)

    response = client.post(_self_check_in_url(shift, code=other.check_in_code))

    assert response.status_code == 400
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is None


def test_self_check_in_only_within_the_window(client, time_machine, shift, ada, ada_booking):
    client.force_login(ada)
    time_machine.move_to(shift.starts_at - datetime.timedelta(hours=3), tick=False)
    too_early = client.post(_self_check_in_url(shift))
    time_machine.move_to(shift.ends_at + datetime.timedelta(minutes=1), tick=False)
    too_late = client.post(_self_check_in_url(shift))

    assert too_early.status_code == 400 and "opens two hours before" in too_early.content.decode()
    assert too_late.status_code == 400 and "has ended" in too_late.content.decode()
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is None


def test_a_booking_on_hold_cannot_check_itself_in(client, shift, ada, ada_booking, at_the_door):
    shift.role.requirements.add(RequirementFactory(name="Food safety"))  # Ada has not done it

    with pytest.raises(services.CheckInRefused, match="on hold"):
        services.booking_self_check_in(shift=shift, volunteer=ada, code=shift.check_in_code)


def test_wrong_qr_codes_are_limited_per_volunteer(client, shift, ada, ada_booking, at_the_door):
    client.force_login(ada)

    answers = [client.post(_self_check_in_url(shift, code="guess")).status_code for _ in range(11)]

    assert answers[:10] == [400] * 10
    assert answers[10] == 429
    assert client.post(_self_check_in_url(shift)).status_code == 429  # until the limit passes


def test_scanning_signed_out_asks_to_sign_in_and_comes_back(client, shift):
    response = client.get(_self_check_in_url(shift))

    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_confirmation_email_carries_the_bookings_own_code(shift, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.shift_book(shift=shift, volunteer=ada)

    body = mail.outbox[-1].body
    assert booking.check_in_code in body and len(booking.check_in_code) == 6
    assert shift.address not in body


# --- the kiosk ---------------------------------------------------------------------------------


def _open_kiosk(client, coordinator, shift):
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:coordinate:kiosk_open", args=[shift.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("volunteers:kiosk")
    return response


def test_opening_the_kiosk_signs_the_coordinator_out_and_locks_the_device_to_the_shift(
    client, coordinator, shift, ada_booking, at_the_door
):
    response = _open_kiosk(client, coordinator, shift)

    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["path"] == "/kiosk/" and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert client.get(reverse("volunteers:coordinate:dashboard")).status_code == 302  # signed out
    kiosk = Kiosk.objects.get(shift=shift)
    assert kiosk.expires_at == shift.ends_at and kiosk.token_hash != cookie.value
    page = client.get(reverse("volunteers:kiosk"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


def test_the_kiosk_shows_first_names_and_initials_and_nothing_else_about_anyone(
    client, coordinator, shift, ada, ada_booking, at_the_door, agreement
):
    other_shift = ShiftFactory(role=shift.role, starts_at=shift.starts_at + datetime.timedelta(days=1))
    services.shift_book(shift=other_shift, volunteer=ready_volunteer(name="Grace Hopper"))
    ada.volunteer_profile.phone = "+1 555 0142"
    ada.volunteer_profile.save()
    _open_kiosk(client, coordinator, shift)

    page = client.get(reverse("volunteers:kiosk")).content.decode()

    assert "Ada L." in page
    for secret in (
        "Lovelace",
        "ada@example.org",
        "+1 555 0142",
        shift.address,
        "Grace",
        "Cora",
        "Sam Contact",
    ):
        assert secret not in page, secret
    # Locked to the shift: no navigation, no links anywhere (the QR code is a picture, not a link).
    assert "<nav" not in page and "href=" not in page.replace('href="/static/', "")
    assert "1-888-373-7888" in page  # the hotline, as on every page


def test_checking_in_at_the_kiosk_with_the_confirmation_code(
    client, coordinator, shift, ada_booking, at_the_door
):
    _open_kiosk(client, coordinator, shift)

    response = client.post(
        reverse("volunteers:kiosk_check_in"), {"booking": ada_booking.pk, "code": ada_booking.check_in_code}
    )

    assert response.status_code == 302
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is not None
    assert "Welcome, Ada L." in client.get(reverse("volunteers:kiosk")).content.decode()


def test_checking_in_at_the_kiosk_with_the_volunteers_own_pin(
    client, coordinator, shift, ada, ada_booking, at_the_door
):
    services.check_in_pin_set(volunteer=ada, pin="4711")
    _open_kiosk(client, coordinator, shift)

    wrong = client.post(reverse("volunteers:kiosk_check_in"), {"booking": ada_booking.pk, "code": "1234"})
    right = client.post(reverse("volunteers:kiosk_check_in"), {"booking": ada_booking.pk, "code": "4711"})

    assert wrong.status_code == 400 and right.status_code == 302
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is not None


def test_a_wrong_code_at_the_kiosk_comes_back_in_the_error_summary_and_the_kiosk_stays_locked(
    client, coordinator, shift, ada, ada_booking, at_the_door
):
    _open_kiosk(client, coordinator, shift)

    wrong = client.post(reverse("volunteers:kiosk_check_in"), {"booking": ada_booking.pk, "code": "918273"})
    no_name = client.post(reverse("volunteers:kiosk_check_in"), {"code": "918273"})

    page = wrong.content.decode()
    assert wrong.status_code == 400 and "<title>Error:" in page
    summary = page[
        page.index('class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))
    ]
    assert "There is a problem" in summary and 'href="#id_code"' in summary
    assert "That code does not match" in summary
    assert "918273" not in page  # the code typed is never shown back to the next person at the door
    # still locked: the only links are the summary's, within the page
    links = re.findall(r'href="([^"]*)"', page)
    assert links and all(link.startswith(("#", "/static/")) for link in links)
    assert "<nav" not in page and "quick-exit" not in page
    # a missing name links to the first name that can be picked
    assert no_name.status_code == 400
    assert 'href="#id_booking_0"' in no_name.content.decode()
    assert 'id="id_booking_0"' in no_name.content.decode()


def test_the_kiosk_keeps_itself_current_without_reloading_under_someone_typing(
    client, coordinator, shift, ada_booking, at_the_door
):
    _open_kiosk(client, coordinator, shift)

    page = client.get(reverse("volunteers:kiosk")).content.decode()

    # no timed <meta> refresh (it would interrupt someone typing their PIN: WCAG 2.2.1); the script
    # loads the page again only while nobody is using it
    assert 'http-equiv="refresh"' not in page
    assert '<script src="/static/js/kiosk.js" defer>' in page
    assert 'data-kiosk-refresh="60"' in page and 'data-kiosk-url="/kiosk/"' in page


def test_the_kiosk_cannot_check_in_a_booking_of_another_shift(
    client, coordinator, shift, ada_booking, at_the_door, agreement
):
    elsewhere = services.shift_book(
        shift=ShiftFactory(role=shift.role, starts_at=shift.starts_at), volunteer=ready_volunteer()
    )
    _open_kiosk(client, coordinator, shift)

    response = client.post(
        reverse("volunteers:kiosk_check_in"), {"booking": elsewhere.pk, "code": elsewhere.check_in_code}
    )

    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None


def test_wrong_codes_at_the_kiosk_answer_429(client, coordinator, shift, ada_booking, at_the_door):
    _open_kiosk(client, coordinator, shift)
    url = reverse("volunteers:kiosk_check_in")

    answers = [client.post(url, {"booking": ada_booking.pk, "code": "000000"}).status_code for _ in range(6)]
    right_code_now = client.post(url, {"booking": ada_booking.pk, "code": ada_booking.check_in_code})

    assert answers == [400] * 5 + [429]
    assert right_code_now.status_code == 429
    ada_booking.refresh_from_db()
    assert ada_booking.checked_in_at is None


def test_the_kiosk_closes_itself_at_the_end_of_the_shift(
    client, time_machine, coordinator, shift, ada_booking
):
    time_machine.move_to(shift.starts_at, tick=False)
    _open_kiosk(client, coordinator, shift)
    assert client.get(reverse("volunteers:kiosk")).status_code == 200

    time_machine.move_to(shift.ends_at, tick=False)
    closed = client.get(reverse("volunteers:kiosk"))
    refused = client.post(
        reverse("volunteers:kiosk_check_in"), {"booking": ada_booking.pk, "code": ada_booking.check_in_code}
    )

    assert closed.status_code == 403 and "This kiosk is closed" in closed.content.decode()
    assert closed.cookies[KIOSK_COOKIE].value == ""  # the device forgets the token
    assert refused.status_code == 403


def test_a_coordinator_closes_a_kiosk_from_the_roster(client, coordinator, shift, at_the_door):
    kiosk, token = services.kiosk_open(shift=shift, by=coordinator)
    client.force_login(coordinator)

    roster = client.get(reverse("volunteers:coordinate:roster", args=[shift.pk])).content.decode()
    client.post(reverse("volunteers:coordinate:kiosk_close", args=[kiosk.pk]))
    client.cookies[KIOSK_COOKIE] = token

    assert "Open kiosks" in roster and "<svg" in roster  # the QR code, drawn on the server
    assert client.get(reverse("volunteers:kiosk")).status_code == 403


def test_without_a_kiosk_token_the_kiosk_page_shows_nothing(client, shift, ada_booking):
    client.cookies[KIOSK_COOKIE] = "made-up"

    response = client.get(reverse("volunteers:kiosk"))

    assert response.status_code == 403 and "Ada" not in response.content.decode()


def test_a_coordinator_of_another_role_cannot_open_the_kiosk(client, shift, at_the_door):
    client.force_login(UserFactory(roles=["coordinator"]))

    assert client.post(reverse("volunteers:coordinate:kiosk_open", args=[shift.pk])).status_code == 404
    assert not Kiosk.objects.exists()


def test_the_volunteer_sets_their_pin(client, ada):
    client.force_login(ada)

    mismatch = client.post(reverse("volunteers:check_in_pin"), {"pin": "2580", "pin_again": "2581"})
    letters = client.post(reverse("volunteers:check_in_pin"), {"pin": "abcd", "pin_again": "abcd"})
    saved = client.post(reverse("volunteers:check_in_pin"), {"pin": "2580", "pin_again": "2580"})

    assert mismatch.status_code == 200 and letters.status_code == 200 and saved.status_code == 302
    ada.volunteer_profile.refresh_from_db()
    assert ada.volunteer_profile.check_in_pin_hash and "2580" not in ada.volunteer_profile.check_in_pin_hash


# --- walk-ins ----------------------------------------------------------------------------------


def _walk_in(client, shift, email):
    return client.post(
        reverse("volunteers:coordinate:walk_in", args=[shift.pk]), {"email": email}, follow=True
    )


def test_a_cleared_unbooked_volunteer_walks_in_booked_and_checked_in(
    client, coordinator, shift, ada, at_the_door
):
    client.force_login(coordinator)

    page = _walk_in(client, shift, "ADA@example.org").content.decode()

    booking = Booking.objects.get(shift=shift, volunteer=ada)
    assert booking.status == Booking.Status.ATTENDED and booking.checked_in_at is not None
    assert booking.source == Booking.Source.WALK_IN
    assert "Ada Lovelace is booked and checked in" in page


def test_a_walk_in_after_the_start_is_still_possible(client, time_machine, coordinator, shift, ada):
    time_machine.move_to(shift.starts_at + datetime.timedelta(minutes=40), tick=False)
    client.force_login(coordinator)

    _walk_in(client, shift, ada.email)

    assert Booking.objects.get(shift=shift, volunteer=ada).checked_in_at is not None


def test_a_walk_in_not_cleared_for_the_role_is_not_offered_and_nothing_is_said_of_why(
    client, coordinator, shift, ada, at_the_door
):
    shift.role.requirements.add(RequirementFactory(name="Food safety"))
    client.force_login(coordinator)

    page = _walk_in(client, shift, ada.email).content.decode()

    assert "No volunteer cleared for this role has that address" in page
    assert "Food safety" not in page  # the record of someone outside the role's pool stays private
    assert not Booking.objects.filter(shift=shift, volunteer=ada).exists()


def test_the_walk_in_lookup_offers_only_volunteers_cleared_for_the_role(coordinator, shift, ada, agreement):
    needs_approval = RoleFactory(name="Hotline", requires_approval=True, coordinators=[coordinator])
    hotline_shift = ShiftFactory(role=needs_approval)
    unsigned = ready_volunteer(email="unsigned@example.org")
    unsigned.agreement_signatures.all().delete()
    lapsed = ready_volunteer(email="lapsed@example.org")
    lapsed.volunteer_profile.delete()

    def found(email, on=shift):
        return services_selectors.walk_in_candidate(user=coordinator, shift=on, email=email)

    assert found("ADA@example.org") == ada
    assert found("ada@example.org", on=hotline_shift) is None  # not approved for the hotline
    assert found("unsigned@example.org") is None and found("lapsed@example.org") is None
    assert found("nobody@example.org") is None


def test_a_coordinator_of_another_role_is_refused_by_the_lookup_and_the_service(shift, ada, at_the_door):
    other = UserFactory(roles=["coordinator"])
    RoleFactory(name="Tutoring", coordinators=[other])

    assert services_selectors.walk_in_candidate(user=other, shift=shift, email=ada.email) is None
    with pytest.raises(services.CoordinationError, match="Only a coordinator of this role"):
        services.shift_walk_in(shift=shift, volunteer=ada, by=other)
    assert not Booking.objects.filter(shift=shift).exists()


def test_staff_may_add_a_cleared_walk_in_to_any_shift(shift, ada, at_the_door):
    staff = UserFactory(roles=["staff"])

    assert services_selectors.walk_in_candidate(user=staff, shift=shift, email=ada.email) == ada
    assert services.shift_walk_in(shift=shift, volunteer=ada, by=staff).source == Booking.Source.WALK_IN


def test_a_walk_in_beyond_capacity_is_refused(client, coordinator, shift, ada, at_the_door, agreement):
    for _ in range(shift.capacity):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    client.force_login(coordinator)

    page = _walk_in(client, shift, ada.email).content.decode()

    assert "Not added" in page
    assert not Booking.objects.filter(shift=shift, volunteer=ada).exists()


def test_a_walk_in_who_is_not_onboarded_is_refused_without_detail(client, coordinator, shift, at_the_door):
    UserFactory(email="new@example.org")
    client.force_login(coordinator)

    page = _walk_in(client, shift, "new@example.org").content.decode()

    assert "No volunteer cleared for this role has that address" in page
    assert not Booking.objects.filter(shift=shift).exists()


def test_a_booked_person_cannot_be_added_twice(coordinator, shift, ada, ada_booking, at_the_door):
    with pytest.raises(AlreadyBooked, match="check them in instead"):
        services.shift_walk_in(shift=shift, volunteer=ada, by=coordinator)
    assert Booking.objects.filter(shift=shift, volunteer=ada).count() == 1


def test_a_coordinator_of_another_role_cannot_add_walk_ins(client, shift, ada, at_the_door):
    client.force_login(UserFactory(roles=["coordinator"]))

    response = client.post(reverse("volunteers:coordinate:walk_in", args=[shift.pk]), {"email": ada.email})

    assert response.status_code == 404
    assert not Booking.objects.filter(shift=shift).exists()
