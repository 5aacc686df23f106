"""Through nginx, with real processes: the broker (Redis, behind the fault proxy) refused, then
blackholed, during a burst of Stripe webhooks. Every webhook answers as it normally does, fast enough
for Stripe (p99 < 3 s), every gift is committed, and once the broker is back every receipt is mailed
exactly once within 2 minutes (the outbox's promise, checked from outside: the mail relay's Maildir)."""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from tests.stack.payments import completed_event, pending_gift, post_webhook

pytestmark = pytest.mark.stack

GIFTS = 10
# Stripe waits 10 s for an answer; we promise well under that even with the broker gone.
WEBHOOK_P99_SECONDS = 3.0
DELIVERY_SECONDS = 120
RECEIPT_SUBJECT = "Your receipt"
# Receipts still go through the donations' own outbox, whose sweeper (every 10 minutes, for receipts
# unsent after 5) delivers one whose publish failed 5–15 minutes late. Issue 8 (branch `outbox`) moves
# them onto the one messaging outbox, swept every 30 s with a 2-minute promise: flip this then.
NEEDS_ONE_OUTBOX = pytest.mark.xfail(
    reason="needs receipts on the messaging outbox (issue 8, branch outbox): the donations outbox "
    "sweeps every 10 min, for receipts unsent after 5 min",
    run=False,
)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@dataclass
class Outage:
    fault: str
    emails: list[str]
    sessions: list[str]
    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    recovered_at: float = 0.0


def _burst(stack, fault: str, block: int) -> Outage:
    # Each gift from a client of its own (the donation form limits attempts per client).
    run = uuid.uuid4().hex[:6]
    emails = [f"{fault}-{run}-{number}@example.org" for number in range(GIFTS)]
    sessions = [
        pending_gift(stack, stack.client(f"127.{block}.0.{number + 1}"), email)
        for number, email in enumerate(emails)
    ]
    outage = Outage(fault=fault, emails=emails, sessions=[s["id"] for s in sessions])
    getattr(stack.redis, fault)()
    try:
        webhook_client = stack.client(f"127.{block}.1.1")

        def deliver(session: dict) -> tuple[int, float]:
            return post_webhook(stack, webhook_client, completed_event(session))

        # Stripe delivers events concurrently; as many at once as gunicorn has workers.
        with ThreadPoolExecutor(max_workers=int(stack.env["WEB_CONCURRENCY"])) as pool:
            for status, seconds in pool.map(deliver, sessions):
                outage.statuses.append(status)
                outage.seconds.append(seconds)
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
    assert outage.statuses == [200] * GIFTS
    print(  # noqa: T201 - the figures the README quotes
        f"\nwebhooks, broker {outage.fault}d: p50 {statistics.median(outage.seconds):.2f} s, "
        f"p99 {p99(outage.seconds):.2f} s, max {max(outage.seconds):.2f} s"
    )
    assert p99(outage.seconds) < WEBHOOK_P99_SECONDS


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
    def all_mailed():
        counts = {e: len(stack.mail(e)) for e in outage.emails}
        return counts if all(counts.values()) else None

    remaining = DELIVERY_SECONDS - (time.monotonic() - outage.recovered_at)
    stack.wait_until(f"every receipt after the broker was {outage.fault}d", all_mailed, remaining)
    print(  # noqa: T201
        f"\nreceipts, broker {outage.fault}d: all mailed "
        f"{time.monotonic() - outage.recovered_at:.0f} s after its return"
    )
    # and none twice, even once every sweeper has had its turn
    time.sleep(5)
    for email in outage.emails:
        subjects = [str(m["Subject"]) for m in stack.mail(email)]
        assert len(subjects) == 1 and subjects[0].startswith(RECEIPT_SUBJECT), (email, subjects)
