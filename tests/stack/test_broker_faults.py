"""Through nginx, with real processes: the broker (Redis, behind the fault proxy) refused, then
blackholed, during a burst of Stripe webhooks, shift bookings and sign-ups. Every response is the
normal one, webhooks fast enough for Stripe (p99 < 3 s), every gift and booking is committed, and once
the broker is back every message (receipts, booking confirmations, sign-up confirmations) is mailed
exactly once within 2 minutes: the outbox's promise, checked from outside (the mail relay's Maildir)."""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from tests.stack.payments import (
    completed_event,
    mail_subjects,
    pending_gifts,
    post_webhook,
    receipts_mailed_once_within,
)

pytestmark = pytest.mark.stack

GIFTS = 10
BOOKINGS = 4
SIGN_UPS = 4
# Stripe waits 10 s for an answer; we promise well under that even with the broker gone.
WEBHOOK_P99_SECONDS = 3.0
DELIVERY_SECONDS = 120
PASSWORD = "stack tests correct horse"
BOOKED_SUBJECT = "You are booked"
CONFIRM_SUBJECT = "Please Confirm Your Email Address"

# Receipts still go through the donations' own outbox, whose sweeper (every 10 minutes, for receipts
# unsent after 5) delivers one whose publish failed 5–15 minutes late. Issue 8 (branch `outbox`) moves
# them onto the one messaging outbox, swept every 30 s with a 2-minute promise: flip this then.
NEEDS_ONE_OUTBOX = pytest.mark.xfail(
    reason="needs receipts on the messaging outbox (issue 8, branch outbox): the donations outbox "
    "sweeps every 10 min, for receipts unsent after 5 min",
    run=False,
)
# Booking confirmations are published after commit with no row to sweep (a refused publish answers 500
# and loses the confirmation) and account mail is published in the request with no record (a sign-up
# answers 500): issue 8 (branch `outbox`) moves both onto the messaging outbox. Flip these then.
NEEDS_OUTBOX_FOR_ANSWERS = pytest.mark.xfail(
    reason="needs booking confirmations and account mail on the messaging outbox (issue 8, branch "
    "outbox): today a booking or a sign-up with the broker down answers 500",
    strict=False,
)
NEEDS_OUTBOX_FOR_MAIL = pytest.mark.xfail(
    reason="needs booking confirmations and account mail on the messaging outbox (issue 8, branch "
    "outbox): today they are lost when the publish fails",
    run=False,
)

VOLUNTEERS = """
import datetime, json
from allauth.account.models import EmailAddress
from django.utils import timezone
from accounts.models import User
from volunteers.models import Role, Shift, VolunteerProfile

run, count = {run!r}, {count}
now = timezone.now()
role = Role.objects.create(
    name=f"Outage {{run}}", slug=f"outage-{{run}}", requires_agreement=False, requires_approval=False
)
starts = now + datetime.timedelta(days=3)
shift = Shift.objects.create(
    role=role, title=f"Outage {{run}}", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
    capacity=count, address="1 Stack Street",
)
emails = []
for number in range(count):
    user = User.objects.create_user(email=f"volunteer-{{run}}-{{number}}@example.org", password={password!r})
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    VolunteerProfile.objects.create(
        user=user, emergency_contact_name="Kim", emergency_contact_phone="555-0100", onboarded_at=now
    )
    emails.append(user.email)
print(json.dumps({{"shift": shift.pk, "emails": emails}}))
"""


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@dataclass
class Outage:
    fault: str
    emails: list[str]
    sessions: list[str]
    volunteers: list[str]
    sign_ups: list[str]
    shift: int
    responses: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    recovered_at: float = 0.0

    def statuses(self, kind: str) -> list[int]:
        return [status for status, _ in self.responses[kind]]

    def seconds(self, kind: str) -> list[float]:
        return [seconds for _, seconds in self.responses[kind]]


def _timed(call) -> tuple[int, float]:
    started = time.perf_counter()
    response = call()
    return response.status_code, time.perf_counter() - started


def _burst(stack, fault: str, block: int) -> Outage:
    run = uuid.uuid4().hex[:6]
    emails = [f"{fault}-{run}-{number}@example.org" for number in range(GIFTS)]
    sessions = pending_gifts(stack, emails, block)
    seeded = stack.shell_json(VOLUNTEERS.format(run=run, count=BOOKINGS, password=PASSWORD))
    volunteers = []
    for number, email in enumerate(seeded["emails"]):
        client = stack.client(f"127.{block}.10.{number + 1}")
        signed_in = stack.csrf_post(client, "/accounts/login/", {"login": email, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.text[-2000:]
        volunteers.append(client)
    outage = Outage(
        fault=fault,
        emails=emails,
        sessions=[s["id"] for s in sessions],
        volunteers=seeded["emails"],
        sign_ups=[f"signup-{fault}-{run}-{number}@example.org" for number in range(SIGN_UPS)],
        shift=seeded["shift"],
    )
    shift_path = f"/shifts/{outage.shift}/"
    webhook_client = stack.client(f"127.{block}.9.1")

    def webhook(session):
        return "webhook", post_webhook(stack, webhook_client, completed_event(session))

    def booking(client):
        return "booking", _timed(lambda: stack.csrf_post(client, shift_path + "book/", {}, page=shift_path))

    def sign_up(number_email):
        number, email = number_email
        client = stack.client(f"127.{block}.11.{number + 1}")
        data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        return "sign-up", _timed(lambda: stack.csrf_post(client, "/accounts/signup/", data))

    # webhooks, with a booking after every second one and the sign-ups at the end
    jobs = [(webhook, session) for session in sessions]
    for number, client in enumerate(volunteers):
        jobs.insert(2 + 3 * number, (booking, client))
    jobs += [(sign_up, item) for item in enumerate(outage.sign_ups)]

    getattr(stack.redis, fault)()
    try:
        # Stripe delivers events concurrently while people book and sign up: one more request at a
        # time than gunicorn has workers.
        with ThreadPoolExecutor(max_workers=int(stack.env["WEB_CONCURRENCY"]) + 1) as pool:
            for kind, result in pool.map(lambda job: job[0](job[1]), jobs):
                outage.responses.setdefault(kind, []).append(result)
    finally:
        stack.redis.passthrough()
        outage.recovered_at = time.monotonic()
    return outage


@pytest.fixture(scope="module", params=["refuse", "blackhole"])
def outage(request, stack) -> Outage:
    """One burst per fault, shared by the tests below (it is the expensive part)."""
    block = {"refuse": 50, "blackhole": 60}[request.param]
    return _burst(stack, request.param, block)


def test_every_webhook_answers_normally_and_fast_while_the_broker_is_down(stack, outage):
    # then every webhook got Stripe's normal answer, each well within Stripe's patience
    assert outage.statuses("webhook") == [200] * GIFTS
    seconds = outage.seconds("webhook")
    print(  # noqa: T201 - the figures the README quotes
        f"\nwebhooks, broker {outage.fault}d: p50 {statistics.median(seconds):.2f} s, "
        f"p99 {p99(seconds):.2f} s, max {max(seconds):.2f} s"
    )
    assert p99(seconds) < WEBHOOK_P99_SECONDS


def test_every_gift_is_committed_while_the_broker_is_down(stack, outage):
    rows = stack.sql(
        "SELECT status, COUNT(*) FROM donations_donation WHERE stripe_checkout_session_id = ANY(%s) "
        "GROUP BY status",
        (outage.sessions,),
    )
    assert dict(rows) == {"succeeded": GIFTS}
    receipts = stack.sql(
        "SELECT COUNT(*) FROM donations_receipt r JOIN donations_donation d ON d.id = r.donation_id "
        "WHERE d.stripe_checkout_session_id = ANY(%s)",
        (outage.sessions,),
    )
    assert receipts == [(GIFTS,)]


@NEEDS_ONE_OUTBOX
def test_every_receipt_is_mailed_exactly_once_within_two_minutes_of_the_broker_return(stack, outage):
    took = receipts_mailed_once_within(
        stack, outage.emails, outage.recovered_at, DELIVERY_SECONDS, f"every receipt after {outage.fault}"
    )
    print(f"\nreceipts, broker {outage.fault}d: all mailed {took:.0f} s after its return")  # noqa: T201


@NEEDS_OUTBOX_FOR_ANSWERS
def test_every_sign_up_answers_normally_while_the_broker_is_down(stack, outage):
    # the form sends the person on to "confirm your address"
    assert outage.statuses("sign-up") == [302] * SIGN_UPS


@NEEDS_OUTBOX_FOR_ANSWERS
def test_every_booking_answers_normally_while_the_broker_is_down(stack, outage):
    # the shift page again, saying "You are booked"
    assert outage.statuses("booking") == [302] * BOOKINGS


def test_every_booking_and_sign_up_is_committed_while_the_broker_is_down(stack, outage):
    booked = stack.sql(
        "SELECT u.email FROM volunteers_booking b JOIN accounts_user u ON u.id = b.volunteer_id "
        "WHERE b.shift_id = %s AND b.status = 'booked'",
        (outage.shift,),
    )
    assert sorted(email for (email,) in booked) == sorted(outage.volunteers)
    signed_up = stack.sql("SELECT email FROM accounts_user WHERE email = ANY(%s)", (outage.sign_ups,))
    assert sorted(email for (email,) in signed_up) == sorted(outage.sign_ups)


@NEEDS_OUTBOX_FOR_MAIL
def test_every_booking_and_sign_up_mail_goes_out_once_within_two_minutes_of_the_broker_return(stack, outage):
    expected = dict.fromkeys(outage.volunteers, BOOKED_SUBJECT) | dict.fromkeys(
        outage.sign_ups, CONFIRM_SUBJECT
    )

    def all_mailed():
        return all(mail_subjects(stack, list(expected)).values())

    remaining = DELIVERY_SECONDS - (time.monotonic() - outage.recovered_at)
    stack.wait_until("every booking and sign-up mail", all_mailed, remaining)
    took = time.monotonic() - outage.recovered_at
    assert took < DELIVERY_SECONDS
    time.sleep(5)
    for email, subjects in mail_subjects(stack, list(expected)).items():
        assert len(subjects) == 1 and expected[email] in subjects[0], (email, subjects)
