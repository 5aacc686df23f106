"""The path a new volunteer takes, in a real browser: onboarding with the agreement, finding a shift,
booking it, seeing where to go, cancelling."""

import pytest

from tests.e2e.conftest import browser, page, screenshot  # noqa: F401  (shared browser fixtures)
from tests.factories import AgreementFactory, RoleFactory, ShiftFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_new_volunteer_onboards_books_sees_the_address_and_cancels(page, live_server, screenshot):  # noqa: F811
    # given a published agreement, a meal-prep shift and a person who just signed up
    AgreementFactory(version=1, text="What I learn here stays here.")
    shift = ShiftFactory(
        role=RoleFactory(name="Shelter meal prep"), address="410 Harbor Street", neighbourhood="Riverside"
    )
    UserFactory(email="nia@example.org", name="Nia Brooks")

    page.goto("/accounts/login/?next=/me/volunteer/profile/")
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/me/volunteer/profile/")

    # when they fill in the onboarding profile and sign the agreement
    page.get_by_label("Cooking and meal prep").check()
    page.get_by_label("Languages you speak").fill("English, French")
    page.get_by_label("Saturday morning").check()
    page.get_by_label("Emergency contact: name").fill("Omar Brooks")
    page.get_by_label("Emergency contact: phone").fill("+1 555 010 0111")
    page.get_by_label("I have read the confidentiality agreement above and agree to it.").check()
    screenshot("onboarding")
    page.get_by_role("button", name="Save and finish").click()

    # then they land on the shift list, where the shift shows its neighbourhood but no address
    page.wait_for_url("**/shifts/")
    assert "Welcome aboard" in page.content()
    assert "410 Harbor Street" not in page.content()
    screenshot("shift-list")

    # when they open the shift and book it
    page.get_by_role("link", name=shift.starts_at.strftime("%a")).first.click()
    assert "410 Harbor Street" not in page.content()
    page.get_by_role("button", name="Book this shift").click()

    # then the page confirms it and now shows where to go
    assert page.get_by_text("You are booked.").is_visible()
    assert page.get_by_text("410 Harbor Street").is_visible()
    screenshot("booked")

    # and they can cancel from "My shifts"
    page.goto("/me/shifts/")
    page.get_by_role("link", name="Cancel").click()
    # which asks first, saying what happens to the place
    page.get_by_role("button", name="Yes, cancel my booking").click()
    assert page.get_by_text("Your booking is cancelled").is_visible()
    screenshot("cancelled")
