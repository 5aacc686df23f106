"""Benchmark: the CPU one signed-in `/shifts/` costs in process, and its query count.

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python -m bench shifts_cpu

The data is `bench.sidebyside`'s (the issue's shape): one role, 50 shifts over 10 days with capacity
50, 500 volunteers, 2,000 bookings, and one onboarded volunteer signed in through Django's test
client. After BENCH_WARMUP (default 5) requests, BENCH_ROUNDS (default 5) rounds of BENCH_REQUESTS
(default 30) requests are timed with `time.process_time` (this process's CPU, so a busy machine's
other work counts less than in wall time; the database's own CPU is in another process and not
counted); the figure is the median round's mean, with the range beside it. BENCH_PROFILE=1 then runs the
same requests under cProfile and prints the 30 costliest functions by their own time and by
cumulative time."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time

from bench._common import Result, pg_version, queries, setup

WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PROFILE = os.environ.get("BENCH_PROFILE", "0") == "1"


def _cpu_ms(client, url: str) -> list[float]:
    """Mean CPU milliseconds per request of each of ROUNDS rounds of REQUESTS requests, after WARMUP."""
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200
    rounds = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(REQUESTS):
            client.get(url)
        rounds.append((time.process_time() - start) * 1000 / REQUESTS)
    return sorted(rounds)


def main() -> list[Result]:
    setup()
    from django.test import Client

    from accounts.models import User
    from bench.sidebyside import DOMAIN, _seed_shifts

    print("Seeding 50 shifts, 500 volunteers, 2,000 bookings ...", flush=True)
    _seed_shifts()
    me = User.objects.get(email=f"me@{DOMAIN}")
    client = Client(HTTP_HOST="localhost")
    client.force_login(me)
    url = "/shifts/"

    client.get(url)
    with queries() as executed:
        response = client.get(url)
    assert response.status_code == 200
    rows = response.content.decode().count('<th scope="row">')
    rounds = _cpu_ms(client, url)
    ms = statistics.median_low(rounds)

    print(f"\n{pg_version()}, {ROUNDS} rounds of {REQUESTS} requests after {WARMUP} to warm up:")
    print(
        f"  GET /shifts/ signed in: {ms:.1f} ms CPU per request (rounds {rounds[0]:.1f}-{rounds[-1]:.1f}), "
        f"{len(executed)} queries, {rows} rows"
    )

    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(REQUESTS):
            client.get(url)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(30)
            print(out.getvalue())

    return [
        Result(
            "GET /shifts/ signed in (CPU in process)",
            f"{rows} rows, 2,000 bookings",
            f"{ms:.1f} ms CPU",
            f"{len(executed)} queries",
        )
    ]


if __name__ == "__main__":
    main()
