"""Benchmark: a campaign page with 100,000 gifts behind it, and totals_refresh over them.

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench.campaign_page

It migrates that database, replaces its own bench campaign (slug "bench-campaign") and 100,000
succeeded gifts spread over 24 months (bulk_create), then prints the median of several timings for
totals_refresh, the campaign page, the campaign list and the open books page, with their query
counts, next to what a live aggregate over the donations table would cost per page view."""

from __future__ import annotations

import datetime
import os
import statistics
import time

from bench._common import Result, setup

GIFTS = int(os.environ.get("BENCH_GIFTS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def _setup() -> None:
    setup()


def _median_ms(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _seed_campaign():
    """The bench campaign with GIFTS succeeded gifts over two years, a plan and published spending
    (replacing an earlier run's). Returns (campaign, fund); its totals are refreshed."""
    from django.db import connection
    from django.utils import timezone

    from campaigns.models import Campaign, Expenditure, Fund, SpendingCategory
    from campaigns.services import allocation_plan_set, campaign_create, expenditure_record, totals_refresh
    from donations.models import Donation

    old = Campaign.objects.filter(slug="bench-campaign").first()
    if old:
        Donation.objects.filter(campaign=old).delete()
        Expenditure.objects.filter(campaign=old).delete()
        old.delete()
    fund, _ = Fund.objects.get_or_create(
        slug="bench-fund", defaults={"name": "Bench fund", "is_restricted": True}
    )
    Donation.objects.filter(fund=fund).delete()
    housing, _ = SpendingCategory.objects.get_or_create(
        slug="emergency-housing", defaults={"name": "Emergency housing"}
    )
    medical, _ = SpendingCategory.objects.get_or_create(
        slug="medical-care", defaults={"name": "Medical care"}
    )
    today = timezone.localdate()
    campaign = campaign_create(
        title="Bench campaign",
        slug="bench-campaign",
        summary="Benchmark data.",
        story="Benchmark.\n\nData.",
        fund=fund,
        goal_amount=500_000_000,
        starts_on=today - datetime.timedelta(days=730),
        ends_on=today + datetime.timedelta(days=30),
        is_published=True,
    )
    allocation_plan_set(campaign=campaign, lines=[(housing, 7000), (medical, 3000)])
    for months_back in range(2, 14):
        expenditure_record(
            spent_on=today - datetime.timedelta(days=30 * months_back),
            amount=100_000 + months_back,
            category=housing if months_back % 2 else medical,
            fund=fund,
            campaign=campaign,
            payee="Bench payee",
        )

    print(f"Seeding {GIFTS:,} succeeded gifts ...", flush=True)
    start = time.perf_counter()
    now = timezone.now()
    step = datetime.timedelta(minutes=(730 * 24 * 60) // GIFTS or 1)
    batch = []
    for i in range(GIFTS):
        batch.append(
            Donation(
                campaign=campaign,
                fund=fund,
                donor_email=f"bench{i % (GIFTS // 3 or 1)}@example.org",
                donor_name=f"Bench Donor{i}",
                amount=1000 + (i * 37) % 20000,
                amount_refunded=500 if i % 50 == 0 else 0,
                status=Donation.Status.SUCCEEDED if i % 20 else Donation.Status.FAILED,
                succeeded_at=now - step * i,
                show_name_publicly=i % 4 == 0,
            )
        )
        if len(batch) == 5000:
            Donation.objects.bulk_create(batch)
            batch = []
    if batch:
        Donation.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_donation")
    print(f"  seeded in {time.perf_counter() - start:.1f} s")
    totals_refresh(campaign_id=campaign.pk, fund_id=fund.pk)
    return campaign, fund


def main() -> list[Result]:
    _setup()
    from django.db import connection
    from django.test import Client

    from campaigns.services import totals_refresh
    from donations.models import Donation

    campaign, fund = _seed_campaign()

    refresh_ms, _ = _median_ms(lambda: totals_refresh(campaign_id=campaign.pk, fund_id=fund.pk))
    live_ms, live_total = _median_ms(lambda: Donation.objects.filter(campaign=campaign).net_total())

    client = Client(HTTP_HOST="localhost")
    results = []
    for label, url in (
        ("campaign page", "/campaigns/bench-campaign/"),
        ("campaign list", "/campaigns/"),
        ("open books", "/transparency/"),
        ("campaign API", "/api/v1/campaigns/bench-campaign/"),
    ):
        client.get(url)  # warm templates and connections
        executed = []
        # An execute wrapper survives the reconnects that each request does (CONN_MAX_AGE=0).
        with connection.execute_wrapper(
            lambda run, sql, params, many, ctx, log=executed: log.append(sql) or run(sql, params, many, ctx)
        ):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        ms, _ = _median_ms(lambda url=url: client.get(url))
        results.append((label, ms, len(executed)))

    totals = campaign.totals
    totals.refresh_from_db()
    assert totals.raised == live_total, "cached total differs from the live aggregate"
    print(
        f"\nPostgreSQL {connection.pg_version // 10000}, {GIFTS:,} gifts "
        f"({totals.gift_count:,} counted), median of {RUNS}:"
    )
    print(f"  totals_refresh (campaign + fund, monthly rows, names)  {refresh_ms:8.1f} ms")
    print(f"  one live SUM over the campaign's gifts (avoided per view) {live_ms:8.1f} ms")
    for label, ms, queries in results:
        print(f"  GET {label:<14} {ms:8.1f} ms  {queries} queries")
    size = f"{GIFTS:,} gifts"
    return [
        Result("totals_refresh (campaign + fund)", size, f"{refresh_ms:.1f} ms"),
        Result("live SUM over the campaign's gifts", size, f"{live_ms:.1f} ms", "1 query"),
        *(
            Result(f"GET {label}", size, f"{ms:.1f} ms", f"{queries} queries")
            for label, ms, queries in results
        ),
    ]


if __name__ == "__main__":
    main()
