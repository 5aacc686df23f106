"""Through nginx, with real processes: rate limits count per client, as the proxy reports the client
(HAVEN_TRUSTED_PROXY_COUNT=1), not per proxy; a client's own X-Forwarded-For changes nothing. Each
test client connects from its own loopback address (127.0.0.N), so nginx sees a different peer."""

import re
import uuid

import pytest

pytestmark = pytest.mark.stack

PASSWORD = "stack tests correct horse"
# Every sign-in limit answers 429 with this page (pages.views.too_many_requests).
LIMITED_SIGN_IN = "Too many attempts"


def _address(block: int, number: int) -> str:
    """A loopback address of its own per test and client."""
    return f"127.{block}.0.{number}"


def _donation(**overrides) -> dict:
    data = {
        "amount_choice": "5000",
        "custom_amount": "",
        "frequency": "one_time",
        "designation": "general",
        "name": "Ana Lima",
        "email": "ana@example.org",
        "tribute_type": "",
        "confirm": "1",
    }
    return {**data, **overrides}


def _sign_in(stack, session, email: str, password: str):
    return stack.csrf_post(session, "/accounts/login/", {"login": email, "password": password})


def test_twelve_clients_each_donate_and_only_the_one_that_keeps_trying_is_limited(stack):
    # given twelve clients behind the proxy, each making one donation attempt
    clients = [stack.client(_address(10, number)) for number in range(1, 13)]
    for client in clients:
        response = stack.csrf_post(client, "/donate/", _donation())
        # then none is limited: each goes on to (the stand-in's) Stripe Checkout
        assert response.status_code == 302, response.text[-2000:]
        assert response.headers["Location"].startswith(stack.env["STRIPE_API_BASE"])

    # when one of them tries nine more times (a bad amount), forging X-Forwarded-For every time
    persistent = clients[0]
    for attempt in range(9):
        forged = {"X-Forwarded-For": f"203.0.113.{attempt}"}
        response = stack.csrf_post(
            persistent, "/donate/", _donation(amount_choice="other", custom_amount="1"), headers=forged
        )
        assert response.status_code == 400

    # then its 11th attempt in the window answers 429, and the others can still give
    eleventh = stack.csrf_post(
        persistent, "/donate/", _donation(), headers={"X-Forwarded-For": "203.0.113.99"}
    )
    assert eleventh.status_code == 429
    assert "Too many attempts" in eleventh.text
    assert stack.csrf_post(clients[1], "/donate/", _donation()).status_code == 302


def test_failed_sign_ins_are_limited_per_client(stack):
    # given a client guessing passwords for ten different addresses
    guesser = stack.client(_address(20, 1))
    for number in range(10):
        page = _sign_in(stack, guesser, f"nobody{number}-{uuid.uuid4().hex[:6]}@example.org", "wrong")
        assert page.status_code == 200 and LIMITED_SIGN_IN not in page.text

    # then its 11th failure in the minute is refused with a 429, and someone else's is not
    refused = _sign_in(stack, guesser, "nobody@example.org", "wrong")
    assert refused.status_code == 429 and LIMITED_SIGN_IN in refused.text
    other = stack.client(_address(20, 2))
    assert LIMITED_SIGN_IN not in _sign_in(stack, other, "nobody@example.org", "wrong").text


def test_a_hammered_account_is_limited_from_every_client_but_its_owner_signs_in_by_emailed_code(stack):
    # given a person with an account, and five clients that each guess their password
    email = f"hammered-{uuid.uuid4().hex[:8]}@example.org"
    stack.sign_up(email, PASSWORD)
    for number in range(1, 6):
        page = _sign_in(stack, stack.client(_address(30, number)), email, "wrong guess")
        assert LIMITED_SIGN_IN not in page.text

    # when the owner, from their own address, now signs in with the right password
    owner = stack.client(_address(30, 100))
    # then the account's limit refuses it too (the limit is per account as well as per client), with a
    # 429 whose page offers the way that stays open
    paused = _sign_in(stack, owner, email, PASSWORD)
    assert paused.status_code == 429 and LIMITED_SIGN_IN in paused.text
    assert "Email me a sign-in code" in paused.text

    # but a code sent to their email signs them in
    requested = stack.csrf_post(owner, "/accounts/login/code/", {"email": email})
    assert requested.status_code == 302
    message = stack.wait_for_mail(email, "Sign-In Code")[-1]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.get_body(("plain",)).get_content(), re.M)
    confirmed = stack.csrf_post(owner, requested.headers["Location"], {"code": code.group(1)})
    assert confirmed.status_code == 302
    dashboard = owner.get(stack.origin + "/me/", timeout=30, allow_redirects=False)
    assert dashboard.status_code == 200
    assert email in dashboard.text
