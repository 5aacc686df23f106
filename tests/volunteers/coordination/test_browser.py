"""The coordinator's day in a real browser: the fill-rate view, the roster, checking someone in,
messaging the shift, and the print view."""

import datetime

import pytest
from django.utils import timezone

from messaging.models import Message
from tests.e2e.conftest import browser, page, screenshot  # noqa: F401  (shared browser fixtures)
from tests.factories import BookingFactory, RoleFactory, ShiftFactory, UserFactory, VolunteerProfileFactory
from volunteers.models import Booking, ShiftMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_coordinator_runs_a_shift(page, live_server, screenshot, mailoutbox):  # noqa: F811
    # given a coordinator of "Shelter meal prep" with one shift starting in an hour (two people booked)
    # and a nearly empty one tomorrow
    UserFactory(email="cora@example.org", name="Cora Lee", roles=["coordinator"])
    from accounts.models import User

    cora = User.objects.get(email="cora@example.org")
    role = RoleFactory(name="Shelter meal prep", coordinators=[cora])
    soon = (timezone.now() + datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    today = ShiftFactory(
        role=role, title="Lunch", starts_at=soon, ends_at=soon + datetime.timedelta(hours=3), capacity=2
    )
    for name, phone in (("Ana Diaz", "+1 555 0101"), ("Ben Okoro", "+1 555 0102")):
        person = UserFactory(name=name, roles=["volunteer"])
        VolunteerProfileFactory(user=person, phone=phone, emergency_contact_name=f"Kin of {name}")
        BookingFactory(shift=today, volunteer=person)
    tomorrow = soon + datetime.timedelta(days=1)
    ShiftFactory(
        role=role, title="Dinner", starts_at=tomorrow, ends_at=tomorrow + datetime.timedelta(hours=2)
    )

    page.goto("/accounts/login/?next=/coordinate/")
    page.get_by_label("Email").fill("cora@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/coordinate/")

    # then the empty dinner shift is listed first, marked understaffed
    rows = page.locator("table tbody tr")
    assert "Dinner" in rows.nth(0).inner_text() and "Understaffed" in rows.nth(0).inner_text()
    assert "2 of 2" in rows.nth(1).inner_text()
    screenshot("fill-rate")

    # when they open the lunch roster and check Ana in
    rows.nth(1).get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Roster: Lunch"
    assert page.get_by_text("Kin of Ana Diaz").is_visible()
    page.get_by_role("button", name="Check in Ana Diaz").click()

    # then the roster shows her as attended with a check-in time
    ana_row = page.locator("tr", has_text="Ana Diaz")
    assert "Attended" in ana_row.inner_text() and "In " in ana_row.inner_text()
    assert Booking.objects.get(volunteer__name="Ana Diaz").checked_in_at is not None
    screenshot("roster")

    # when they message the shift
    page.get_by_role("link", name="Message everyone booked").click()
    page.get_by_label("Subject").fill("Use the side door")
    page.get_by_label("Message").fill("The front entrance is being painted today.")
    page.get_by_role("button", name="Send").click()

    # then each booked person has their own copy in the outbox, and the roster lists the message
    assert page.get_by_text("Message sent to 2 people").is_visible()
    note = ShiftMessage.objects.get(subject="Use the side door")
    assert Message.objects.filter(kind=ShiftMessage.MESSAGE_KIND, about_id=note.pk).count() == 2

    # and the print view leaves navigation off the paper
    page.get_by_role("link", name="Print view").click()
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_text("Kin of Ben Okoro").is_visible()
    screenshot("print")
