"""A person's first minute: the home page with the hotline, then signing in to their dashboard."""

import pytest

from tests.factories import UserFactory

# transaction=True: the live server thread must see the test's rows. serialized_rollback=True puts
# back what migrations created (role groups, the site, the general fund) after the flush, so tests
# that run later still find it.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_home_page_shows_the_hotline_and_a_person_signs_in(page, live_server, screenshot):
    # Given a verified volunteer
    UserFactory(email="vera@example.org", name="Vera Okafor", roles=["volunteer"])

    # When they open the home page
    page.goto("/")

    # Then the hotline is the first thing on the page, and the styles loaded
    hotline = page.get_by_role("complementary", name="Get help now")
    assert hotline.is_visible()
    assert "1-888-373-7888" in hotline.inner_text()
    assert "233733" in hotline.inner_text()
    assert page.get_by_role("heading", level=1).is_visible()
    background = page.evaluate("getComputedStyle(document.querySelector('.hotline')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # haven.css was served
    screenshot("home")

    # When they sign in from the navigation
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("vera@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    screenshot("sign-in")
    page.get_by_role("button", name="Sign In").click()

    # Then they land on their dashboard, signed in
    page.wait_for_url("**/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Vera"
    assert page.get_by_role("button", name="Sign out").is_visible()
    screenshot("dashboard")


def test_a_wrong_password_keeps_the_person_on_the_sign_in_page(page, live_server):
    UserFactory(email="sam@example.org")

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign In").click()

    assert "/accounts/login/" in page.url
    # said once, in the error summary at the top, which is announced
    summary = page.locator(".error-summary")
    assert summary.get_by_text(
        "The email address and/or password you specified are not correct."
    ).is_visible()


def test_a_person_signs_up_confirms_by_email_and_lands_signed_in(page, live_server, mailoutbox, screenshot):
    # Given the sign-up page, reached from the sign-in page
    page.goto("/accounts/login/")
    page.get_by_role("link", name="sign up").click()

    # When a person signs up to volunteer
    page.get_by_label("Your name").fill("Noor Haddad")
    page.get_by_label("Email").fill("new.volunteer@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again)").fill("a long enough passphrase")
    page.get_by_label("Volunteer").check()
    screenshot("sign-up")
    page.get_by_role("button", name="Create an account").click()

    # Then they are asked to confirm their address, and a mail with the link arrives
    page.wait_for_url("**/accounts/confirm-email/")
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/confirm-email/" in word)

    # When they open the link and confirm
    page.goto(link)
    screenshot("confirm")
    page.get_by_role("button", name="Confirm").click()

    # Then they land on their dashboard
    page.wait_for_url("**/me/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
