"""Someone who knows an address can pause password sign-in for it (five wrong passwords), but never
keep its owner out: sign-in by emailed code stays open, also while the attacker requests codes for the
same address, and every limit answers 429. Attacker and owner are separate browsers on separate IPs,
over HTTP."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ATTACKER_IP, OWNER_IP = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.org")


def _browser(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def _sign_in(browser, email, password):
    return browser.post(reverse("account_login"), {"login": email, "password": password})


def _sign_in_by_code(browser, email, mailoutbox, capture):
    with capture(execute=True):
        requested = browser.post(reverse("account_request_login_code"), {"email": email})
    assert requested.status_code == 302, requested.status_code
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[-1].body, re.MULTILINE).group(1)
    return browser.post(requested["Location"], {"code": code})


def _request_code(browser, email):
    return browser.post(reverse("account_request_login_code"), {"email": email})


def _is_signed_in(browser) -> bool:
    return browser.get(reverse("accounts:dashboard")).status_code == 200


def test_wrong_passwords_pause_password_sign_in_with_a_429_and_the_code_still_lets_the_owner_in(
    owner, mailoutbox, django_capture_on_commit_callbacks
):
    attacker = _browser(ATTACKER_IP)
    # Given five wrong passwords for the owner's address, from someone else
    for _ in range(5):
        wrong = _sign_in(attacker, owner.email, "not the password")
        assert wrong.status_code == 200 and wrong.context["form"].errors

    # Then the next attempt, from anyone and even with the right password, is refused with a 429
    assert _sign_in(attacker, owner.email, "still guessing").status_code == 429
    owners_browser = _browser(OWNER_IP)
    paused = _sign_in(owners_browser, owner.email, PASSWORD)
    assert paused.status_code == 429
    assert not _is_signed_in(owners_browser)
    # and the page shows the way that stays open
    page = paused.content.decode()
    assert "You can still sign in now with a code sent to your email address." in page
    assert reverse("account_request_login_code") in page

    # When the owner asks for a code and types it, they are in
    signed_in = _sign_in_by_code(owners_browser, owner.email, mailoutbox, django_capture_on_commit_callbacks)
    assert signed_in.status_code == 302
    assert _is_signed_in(owners_browser)
    assert mailoutbox[-1].to == [owner.email]


def test_code_requests_from_elsewhere_cannot_use_up_the_owners(
    owner, mailoutbox, django_capture_on_commit_callbacks
):
    # Given someone requesting codes for the owner's address as fast as the limit allows (a fresh
    # browser each time: a browser with a code pending is sent to that code's page)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert _request_code(_browser(ATTACKER_IP), owner.email).status_code == 302
        # Then their fourth request in the minute is a 429
        assert _request_code(_browser(ATTACKER_IP), owner.email).status_code == 429

    # And the owner, from their own connection, still gets a code that signs them in
    owners_browser = _browser(OWNER_IP)
    assert (
        _sign_in_by_code(
            owners_browser, owner.email, mailoutbox, django_capture_on_commit_callbacks
        ).status_code
        == 302
    )
    assert _is_signed_in(owners_browser)


def test_many_wrong_passwords_from_one_connection_answer_429(db):
    people = [UserFactory() for _ in range(11)]
    attacker = _browser(ATTACKER_IP)

    answers = [_sign_in(attacker, person.email, "wrong guess").status_code for person in people]

    assert answers == [200] * 10 + [429]
    # someone else's connection is not affected
    assert _sign_in(_browser(OWNER_IP), people[0].email, PASSWORD).status_code == 302


def test_a_rate_limit_page_outside_sign_in_says_to_wait(owner):
    for _ in range(3):
        _request_code(_browser(ATTACKER_IP), owner.email)

    refused = _request_code(_browser(ATTACKER_IP), owner.email)

    assert refused.status_code == 429
    assert "Please wait a few minutes and try again." in refused.content.decode()
