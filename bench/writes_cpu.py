"""Benchmark: the Django CPU of one booking POST and of one new webhook event, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench writes_cpu

`bench.writes_http` measures throughput through gunicorn, where every process waits for a share of
the CPU; this one measures what a request costs the Django process itself, one request after
another through Django's test Client (config.settings.local, DEBUG off, the connection kept as
DATABASE_CONN_MAX_AGE says: set it to 60 to reuse it as production does):

- bookings: after BENCH_CPU_WARMUP (3) warm-up bookings, BENCH_CPU_BOOKINGS (30) onboarded volunteers
  each POST /shifts/<id>/book/ for a shift of their own (distinct shifts that do not overlap), signed
  in beforehand, so the figure is the request: session, CSRF, locks, booking facts, overlap check,
  INSERTs, reminders and confirmation;
- webhooks: after the warm-up, BENCH_CPU_EVENTS (30) signed `checkout.session.completed` events for
  pending gifts (built and signed beforehand with devstripe, as bench.webhooks does).

Reported per request: CPU milliseconds of this process (time.process_time: PostgreSQL's work is in
another process and not counted) as median and mean, and wall milliseconds. BENCH_PROFILE=<dir>
also runs each timed loop under cProfile, writes <dir>/bookings.prof and <dir>/webhooks.prof and
prints the top functions by cumulative time."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time
from pathlib import Path

from bench._common import Result, setup

BOOKINGS = int(os.environ.get("BENCH_CPU_BOOKINGS", "30"))
EVENTS = int(os.environ.get("BENCH_CPU_EVENTS", "30"))
WARMUP = int(os.environ.get("BENCH_CPU_WARMUP", "3"))
PROFILE = os.environ.get("BENCH_PROFILE", "")
ROLE = "bench-writes-cpu"
PREFIX = "cpuwriter"
CAMPAIGN = "bench-writes-cpu"


def _seed_bookings(count: int) -> list[tuple[object, int]]:
    """`count` (signed-in client, shift id) pairs: one onboarded volunteer and one shift each."""
    from django.test import Client

    from accounts.models import User
    from bench.shifts import DOMAIN, _agreement, _onboarded, shift_series
    from volunteers.models import Role, Shift

    Shift.objects.filter(role__slug=ROLE).delete()
    Role.objects.filter(slug=ROLE).delete()
    User.objects.filter(email__startswith=PREFIX, email__endswith=f"@{DOMAIN}").delete()
    role = Role.objects.create(slug=ROLE, name="Writes CPU desk (bench)")
    shifts = shift_series(role, count=count, capacity=4, days_ahead=3)
    pairs = []
    for person, shift in zip(_onboarded(count, PREFIX, _agreement()), shifts, strict=True):
        client = Client(HTTP_HOST="localhost")
        client.force_login(person)
        pairs.append((client, shift.pk))
    return pairs


def _seed_events(count: int) -> list[bytes]:
    from bench.webhooks import _campaign, _completed, _pending
    from campaigns.models import Campaign, Fund
    from donations.models import Donation, Receipt

    Receipt.objects.filter(donation__fund__slug=f"{CAMPAIGN}-fund").delete()
    Donation.objects.filter(fund__slug=f"{CAMPAIGN}-fund").delete()
    Campaign.objects.filter(slug=CAMPAIGN).delete()
    Fund.objects.filter(slug=f"{CAMPAIGN}-fund").delete()
    return [_completed(gift) for gift in _pending(_campaign(CAMPAIGN), count)]


def _book(pair) -> None:
    client, shift_id = pair
    response = client.post(f"/shifts/{shift_id}/book/")
    assert response.status_code == 302, (response.status_code, response.content[:200])
    assert response["Location"].endswith("#your-place"), response["Location"]


def _deliver(client, body: bytes) -> None:
    from bench.webhooks import _post

    assert _post(client, body) == "succeeded"


def _timed(calls: list, name: str) -> tuple[list[float], list[float]]:
    """Run every call in turn; the CPU and wall milliseconds of each (under cProfile if asked)."""
    cpu, wall = [], []
    profiler = cProfile.Profile(time.process_time) if PROFILE else None
    for call in calls:
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.runcall(call)
        else:
            call()
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began_wall) * 1000)
    if profiler is not None:
        Path(PROFILE).mkdir(parents=True, exist_ok=True)
        path = Path(PROFILE) / f"{name}.prof"
        profiler.dump_stats(path)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"\ncProfile of {len(calls)} {name} (CPU time), written to {path}:\n{out.getvalue()}")
    return cpu, wall


def main() -> list[Result]:
    setup()
    from django.conf import settings
    from django.test import Client

    from volunteers.models import Booking

    print(
        f"Seeding {WARMUP + BOOKINGS} volunteers and shifts, {WARMUP + EVENTS} pending gifts ...", flush=True
    )
    pairs = _seed_bookings(WARMUP + BOOKINGS)
    events = _seed_events(WARMUP + EVENTS)
    hook_client = Client(HTTP_HOST="localhost")

    for pair in pairs[:WARMUP]:
        _book(pair)
    for body in events[:WARMUP]:
        _deliver(hook_client, body)
    book_cpu, book_wall = _timed([lambda p=p: _book(p) for p in pairs[WARMUP:]], "bookings")
    hook_cpu, hook_wall = _timed([lambda b=b: _deliver(hook_client, b) for b in events[WARMUP:]], "webhooks")

    booked = Booking.objects.filter(shift__role__slug=ROLE, status__in=Booking.ACTIVE_STATUSES).count()
    assert booked == WARMUP + BOOKINGS, booked
    load = os.getloadavg()
    conn_max_age = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    profiled = " (under cProfile)" if PROFILE else ""
    print(
        f"\nIn one process{profiled}, test Client, CONN_MAX_AGE={conn_max_age}, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}:"
    )
    rows = []
    for what, size, cpu, wall in (
        ("booking POST", f"{BOOKINGS} bookings", book_cpu, book_wall),
        ("new webhook event", f"{EVENTS} events", hook_cpu, hook_wall),
    ):
        median, mean = statistics.median(cpu), statistics.fmean(cpu)
        print(
            f"  {what:18} CPU median {median:6.1f} ms, mean {mean:6.1f} ms; "
            f"wall median {statistics.median(wall):6.1f} ms ({size})"
        )
        rows.append(
            Result(
                f"{what}, CPU in one process",
                size,
                f"{median:.1f} ms CPU",
                f"mean {mean:.1f} ms, wall {statistics.median(wall):.1f} ms; load {load[0]:.1f}",
            )
        )
    return rows


if __name__ == "__main__":
    main()
