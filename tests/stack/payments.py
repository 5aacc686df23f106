"""Gifts through the stack: a pending gift made with the donation form (which opens a Checkout
session at the Stripe stand-in), and the signed `checkout.session.completed` webhook Stripe would
send once it is paid, POSTed through nginx with its latency measured."""

from __future__ import annotations

import json
import re
import time

import requests

from devstripe import objects as so
from devstripe.signing import http_headers


def pending_gift(stack, client: requests.Session, email: str, amount_choice: str = "5000") -> dict:
    """Gives through the donation form; returns the stand-in's Checkout session (still open)."""
    page = client.get(stack.origin + "/donate/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        stack.origin + "/donate/",
        data={
            "csrfmiddlewaretoken": token,
            "amount_choice": amount_choice,
            "custom_amount": "",
            "frequency": "one_time",
            "designation": "general",
            "name": "Stack Donor",
            "email": email,
            "tribute_type": "",
            "confirm": "1",
        },
        headers={"Origin": stack.origin, "Referer": stack.origin + "/donate/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[-2000:]
    session_id = re.search(r"(cs_test_[A-Za-z0-9]+)", response.headers["Location"]).group(1)
    session = requests.get(
        f"{stack.env['STRIPE_API_BASE']}/v1/checkout/sessions/{session_id}",
        headers={"Authorization": f"Bearer {stack.env['STRIPE_SECRET_KEY']}"},
        timeout=10,
    )
    session.raise_for_status()
    return session.json()


def completed_event(session: dict) -> bytes:
    """The event of that session paid (as tests/donations/conftest.py's OneTimePayment builds it)."""
    paid = so.checkout_session(
        id=session["id"],
        amount_subtotal=session["amount_total"],
        amount_total=session["amount_total"],
        client_reference_id=session.get("client_reference_id"),
        metadata=session.get("metadata") or {},
        mode="payment",
        payment_intent=so.new_id("pi"),
        payment_status="paid",
        status="complete",
        submit_type="donate",
    )
    return json.dumps(so.event("checkout.session.completed", paid)).encode()


def post_webhook(stack, client: requests.Session, body: bytes) -> tuple[int, float]:
    """POSTs a signed webhook through nginx; returns the status and the seconds it took."""
    started = time.perf_counter()
    response = client.post(
        stack.origin + "/stripe/webhook/",
        data=body,
        headers=http_headers(body, stack.env["STRIPE_WEBHOOK_SECRET"]),
        timeout=60,
    )
    return response.status_code, time.perf_counter() - started


RECEIPT_SUBJECT = "Your receipt"


def pending_gifts(stack, emails: list[str], block: int) -> list[dict]:
    """One pending gift per address, each from a client of its own (127.<block>.<n>.<m>: the donation
    form limits attempts per client)."""
    return [
        pending_gift(stack, stack.client(f"127.{block}.{number // 200}.{number % 200 + 1}"), email)
        for number, email in enumerate(emails)
    ]


def mail_subjects(stack, emails: list[str]) -> dict[str, list[str]]:
    """The subjects of the mail each address received, oldest first."""
    return {email: [str(m["Subject"]) for m in stack.mail(email)] for email in emails}


def receipts_mailed_once_within(stack, emails: list[str], since: float, seconds: float, what: str) -> float:
    """Waits until every address has its receipt, at most `seconds` after `since` (a monotonic
    instant); then checks that each got exactly one mail, a receipt. Returns the seconds it took."""

    def all_mailed():
        return all(mail_subjects(stack, emails).values())

    stack.wait_until(what, all_mailed, seconds - (time.monotonic() - since))
    took = time.monotonic() - since
    # and none twice, once every sweeper had its turn with them
    time.sleep(5)
    for email, subjects in mail_subjects(stack, emails).items():
        assert len(subjects) == 1 and subjects[0].startswith(RECEIPT_SUBJECT), (email, subjects)
    return took
