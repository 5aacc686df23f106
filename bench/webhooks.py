"""Benchmark: the Stripe webhook endpoint with real signed `checkout.session.completed` events.

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench.webhooks

Each event is built with `devstripe.objects` in the shape our pinned API version has (the same
payload the tests use for a paid Checkout session of a pending gift), signed with
`devstripe.signing` exactly as Stripe signs, and POSTed to /stripe/webhook/ through Django's test
Client: signature check, event row, donation pending -> succeeded under its row lock, receipt
numbered, then after commit the campaign and fund totals refresh (synchronously, as in production)
and the receipt email task is published. Tasks go to an in-memory broker (bench._common.setup): the
publish is real, nobody runs the task, so the figures are the webhook's own and the PDF and mail are
not in them.

Pending gifts are seeded with bulk_create (what `donation_start` leaves behind before Stripe answers).
Sizes scale with BENCH_EVENTS (default 500) and BENCH_CAMPAIGN_GIFTS (default 10000: counted gifts
already on a second campaign, to show what the after-commit totals refresh adds)."""

from __future__ import annotations

import datetime
import json
import os
import time

from bench._common import RUNS, Result, median_ms, pg_version, queries, setup

EVENTS = int(os.environ.get("BENCH_EVENTS", "500"))
CAMPAIGN_GIFTS = int(os.environ.get("BENCH_CAMPAIGN_GIFTS", "10000"))
URL = "/stripe/webhook/"
SLUGS = ("bench-webhooks", "bench-webhooks-big")


def _clean() -> None:
    from campaigns.models import Campaign, Fund
    from donations.models import Donation, Receipt

    for slug in SLUGS:
        Receipt.objects.filter(donation__fund__slug=f"{slug}-fund").delete()
        Donation.objects.filter(fund__slug=f"{slug}-fund").delete()
        Campaign.objects.filter(slug=slug).delete()
        Fund.objects.filter(slug=f"{slug}-fund").delete()


def _campaign(slug: str):
    from django.utils import timezone

    from campaigns.models import Fund
    from campaigns.services import campaign_create

    fund = Fund.objects.create(slug=f"{slug}-fund", name=f"Fund {slug}", is_restricted=True)
    today = timezone.localdate()
    return campaign_create(
        title=f"Campaign {slug}",
        slug=slug,
        summary="Benchmark data.",
        story="Benchmark.\n\nData.",
        fund=fund,
        goal_amount=500_000_000,
        starts_on=today - datetime.timedelta(days=365),
        ends_on=today + datetime.timedelta(days=30),
        is_published=False,  # stays off /campaigns/ and /transparency/ (bench.campaign_page)
    )


def _pending(campaign, count: int, start: int = 0) -> list:
    from devstripe import objects as so
    from donations.models import Donation

    gifts = [
        Donation(
            campaign=campaign,
            fund=campaign.fund,
            donor_email=f"webhook{start + i}@example.org",
            donor_name=f"Webhook Donor {start + i}",
            amount=2500 + (i % 40) * 100,
            fee_covered=105 if i % 3 == 0 else 0,
            status=Donation.Status.PENDING,
            stripe_checkout_session_id=so.new_id("cs_test"),
        )
        for i in range(count)
    ]
    return Donation.objects.bulk_create(gifts)


def _completed(donation) -> bytes:
    """The `checkout.session.completed` event of a paid one-time Checkout session for `donation`, as
    tests/donations/conftest.py's OneTimePayment builds it."""
    from devstripe import objects as so

    amount = donation.charged_amount
    metadata = {"donation_id": str(donation.public_id)}
    session = so.checkout_session(
        id=donation.stripe_checkout_session_id,
        amount_subtotal=amount,
        amount_total=amount,
        client_reference_id=str(donation.public_id),
        metadata=metadata,
        mode="payment",
        payment_intent=so.new_id("pi"),
        payment_status="paid",
        status="complete",
        submit_type="donate",
    )
    return json.dumps(so.event("checkout.session.completed", session)).encode()


def _post(client, body: bytes):
    from django.conf import settings

    from devstripe.signing import signed_headers

    response = client.post(URL, body, **signed_headers(body, settings.STRIPE_WEBHOOK_SECRET))
    assert response.status_code == 200, (response.status_code, response.content[:200])
    return response.json()["outcome"]


def _seed_counted(campaign, count: int) -> None:
    from django.utils import timezone

    from donations.models import Donation

    now = timezone.now()
    for start in range(0, count, 5000):
        Donation.objects.bulk_create(
            [
                Donation(
                    campaign=campaign,
                    fund=campaign.fund,
                    donor_email=f"counted{i % (count // 3 or 1)}@example.org",
                    donor_name=f"Counted Donor {i}",
                    amount=1000 + (i * 37) % 20000,
                    status=Donation.Status.SUCCEEDED,
                    succeeded_at=now - datetime.timedelta(minutes=50 * i),
                )
                for i in range(start, min(start + 5000, count))
            ]
        )


def main() -> list[Result]:
    setup()
    from django.db import connection
    from django.test import Client

    from campaigns.services import totals_refresh
    from donations.models import Donation, Receipt

    _clean()
    campaign = _campaign(SLUGS[0])
    client = Client(HTTP_HOST="localhost")

    # One new event at a time: each run is a fresh pending gift.
    singles = iter(_pending(campaign, RUNS + 2, start=0))
    assert _post(client, _completed(next(singles))) == "succeeded"  # warm up
    body = _completed(next(singles))
    with queries() as executed:
        assert _post(client, body) == "succeeded"
    new_queries = len(executed)
    bodies = [_completed(gift) for gift in singles]
    new_ms, _ = median_ms(lambda: _post(client, bodies.pop()))
    with queries() as executed:
        assert _post(client, body) == "duplicate"
    dup_queries = len(executed)
    dup_ms, _ = median_ms(lambda: _post(client, body))

    # Throughput: EVENTS deliveries in a row, payloads built and signed beforehand.
    print(f"Delivering {EVENTS} checkout.session.completed events ...", flush=True)
    batch = [_completed(gift) for gift in _pending(campaign, EVENTS, start=1000)]
    start = time.perf_counter()
    outcomes = [_post(client, b) for b in batch]
    seconds = time.perf_counter() - start
    assert outcomes.count("succeeded") == EVENTS, {o: outcomes.count(o) for o in set(outcomes)}
    succeeded = Donation.objects.filter(campaign=campaign, status=Donation.Status.SUCCEEDED).count()
    receipts = Receipt.objects.filter(donation__campaign=campaign).count()
    assert succeeded == receipts == EVENTS + RUNS + 2, (succeeded, receipts)
    campaign.totals.refresh_from_db()
    assert campaign.totals.gift_count == succeeded, (campaign.totals.gift_count, succeeded)

    # The same new event on a campaign that already counts CAMPAIGN_GIFTS gifts.
    print(f"Seeding {CAMPAIGN_GIFTS:,} counted gifts on a second campaign ...", flush=True)
    big = _campaign(SLUGS[1])
    _seed_counted(big, CAMPAIGN_GIFTS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_donation")
    totals_refresh(campaign_id=big.pk, fund_id=big.fund_id)
    big_bodies = [_completed(gift) for gift in _pending(big, RUNS + 1, start=5000)]
    _post(client, big_bodies.pop())  # warm up
    big_ms, _ = median_ms(lambda: _post(client, big_bodies.pop()))
    refresh_ms, _ = median_ms(lambda: totals_refresh(campaign_id=big.pk, fund_id=big.fund_id))

    per_second = EVENTS / seconds
    print(f"\n{pg_version()}, median of {RUNS}:")
    print(f"  new checkout.session.completed (pending -> succeeded) {new_ms:8.1f} ms  {new_queries} queries")
    print(f"  duplicate delivery of the same event                 {dup_ms:8.1f} ms  {dup_queries} queries")
    print(f"  {EVENTS} new events in a row: {seconds:.2f} s = {per_second:.0f} events/s")
    print(f"  new event, campaign with {CAMPAIGN_GIFTS:,} counted gifts  {big_ms:8.1f} ms")
    print(f"    of which the after-commit totals_refresh alone        {refresh_ms:8.1f} ms")
    return [
        Result(
            "webhook: new checkout.session.completed",
            "fresh campaign",
            f"{new_ms:.1f} ms",
            f"{new_queries} queries",
        ),
        Result("webhook: duplicate delivery", "same event", f"{dup_ms:.1f} ms", f"{dup_queries} queries"),
        Result(
            "webhook: new events in a row",
            f"{EVENTS} events",
            f"{per_second:.0f} events/s",
            f"{seconds:.1f} s",
        ),
        Result(
            "webhook: new event, big campaign",
            f"{CAMPAIGN_GIFTS:,} gifts",
            f"{big_ms:.1f} ms",
            f"totals_refresh {refresh_ms:.0f} ms",
        ),
    ]


if __name__ == "__main__":
    main()
