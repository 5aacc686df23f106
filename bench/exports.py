"""Benchmark: memory and time of the staff CSV export of gifts at 10,000 and 100,000 rows.

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench.exports

GET /staff/donations/export.csv?campaign=<id> as a signed-in staff member (MFA enrolled) through
Django's test Client; the StreamingHttpResponse is consumed chunk by chunk as a WSGI server would
send it. For each size: the peak of Python allocations (tracemalloc, started just before the
request) while the whole body is consumed, and the median wall time of the same download without
tracemalloc (which slows allocation-heavy code down). The goal: memory that does not grow with the
number of rows. tracemalloc does not see libpq's C buffers; the export reads through a server-side
cursor in chunks of 500 rows, so those hold one chunk at a time.

Each size has its own campaign ("bench-export-<rows>"), seeded with bulk_create; sizes come from
BENCH_EXPORT_ROWS (default "10000,100000")."""

from __future__ import annotations

import datetime
import os
import statistics
import time
import tracemalloc

from bench._common import RUNS, Result, enrol_mfa, pg_version, queries, setup

SIZES = [int(n) for n in os.environ.get("BENCH_EXPORT_ROWS", "10000,100000").split(",")]
DOMAIN = "bench.haven.example"


def _clean() -> None:
    from accounts.models import User
    from campaigns.models import Campaign, Fund
    from donations.models import Donation, Receipt

    funds = Fund.objects.filter(slug__startswith="bench-export-")
    Receipt.objects.filter(donation__fund__in=funds).delete()
    Donation.objects.filter(fund__in=funds).delete()
    Campaign.objects.filter(slug__startswith="bench-export-").delete()
    funds.delete()
    User.objects.filter(email=f"export-staff@{DOMAIN}").delete()


def _seed(rows: int):
    from django.utils import timezone

    from campaigns.models import Fund
    from campaigns.services import campaign_create
    from donations.models import Donation

    fund = Fund.objects.create(slug=f"bench-export-{rows}", name=f"Export fund {rows}", is_restricted=True)
    today = timezone.localdate()
    campaign = campaign_create(
        title=f"Export campaign {rows:,}",
        slug=f"bench-export-{rows}",
        summary="Benchmark data.",
        story="Benchmark.\n\nData.",
        fund=fund,
        goal_amount=500_000_000,
        starts_on=today - datetime.timedelta(days=730),
        ends_on=today + datetime.timedelta(days=30),
        is_published=False,  # stays off /campaigns/ and /transparency/ (bench.campaign_page)
    )
    now = timezone.now()
    for start in range(0, rows, 5000):
        Donation.objects.bulk_create(
            [
                Donation(
                    campaign=campaign,
                    fund=fund,
                    donor_email=f"export{i}@example.org",
                    # Every 100th name starts with "=": the export's formula guard runs too.
                    donor_name=f"=Export Donor {i}" if i % 100 == 0 else f"Export Donor {i}",
                    amount=1000 + (i * 37) % 20000,
                    fee_covered=59 if i % 3 == 0 else 0,
                    amount_refunded=500 if i % 50 == 0 else 0,
                    status=Donation.Status.SUCCEEDED if i % 20 else Donation.Status.FAILED,
                    succeeded_at=now - datetime.timedelta(minutes=7 * i) if i % 20 else None,
                    is_anonymous=i % 9 == 0,
                    tribute_type=Donation.Tribute.values[i % len(Donation.Tribute.values)]
                    if i % 25 == 0
                    else "",
                    tribute_name="Grandma Export" if i % 25 == 0 else "",
                )
                for i in range(start, min(start + 5000, rows))
            ]
        )
    return campaign


def _download(client, url: str) -> tuple[int, int]:
    """GET the export and consume it as a server would; returns (bytes, lines)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.streaming, "the export is expected to stream"
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return size, lines


def main() -> list[Result]:
    setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import Role as AccountRole
    from accounts.models import User
    from accounts.roles import user_grant_role

    _clean()
    staff = User.objects.create_user(email=f"export-staff@{DOMAIN}", name="Bench Staff")
    user_grant_role(user=staff, role=AccountRole.STAFF)
    enrol_mfa(staff)
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)

    measured = []
    for rows in SIZES:
        print(f"Seeding {rows:,} gifts ...", flush=True)
        campaign = _seed(rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE donations_donation")
        url = f"/staff/donations/export.csv?campaign={campaign.pk}"
        _download(client, url)  # warm up

        with queries() as executed:
            size, lines = _download(client, url)
        assert lines == rows + 1, (lines, rows)

        tracemalloc.start()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        _download(client, url)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        runs = RUNS if rows <= 20_000 else min(RUNS, 3)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            _download(client, url)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        measured.append((rows, size, len(executed), (peak - base) / 2**20, seconds, runs))

    print(f"\n{pg_version()}, staff CSV export of one campaign's gifts:")
    rows_out = []
    for rows, size, n, peak_mb, seconds, runs in measured:
        print(
            f"  {rows:>7,} rows  {size / 2**20:6.1f} MiB CSV  {n} queries  "
            f"Python peak {peak_mb:5.2f} MiB  "
            f"{seconds:6.2f} s (median of {runs}) = {rows / seconds:,.0f} rows/s"
        )
        rows_out.append(
            Result(
                "GET /staff/donations/export.csv",
                f"{rows:,} gifts",
                f"{seconds:.2f} s",
                f"Python peak {peak_mb:.2f} MiB, {n} queries",
            )
        )
    return rows_out


if __name__ == "__main__":
    main()
