"""Through nginx, with real processes: gunicorn restarted (SIGTERM to its group, as a deploy does; the
supervisor starts it again) answers its first requests warm. Measured: the first 50 requests once
/healthz answers again through nginx, 4 at a time over five public pages."""

from __future__ import annotations

import os
import signal
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.stack

PAGES = ("/", "/donate/", "/accounts/login/", "/campaigns/", "/shifts/")
REQUESTS = 50
PARALLEL = 4
# Warm workers answer these pages in tens of milliseconds; cold ones took ~0.8 s each on their first,
# and the first 50 had a p99 of 5.8 s at a load average of 5 (bench/restart.py). Measured through the
# stack at a load average of 9 to 10 on 2 cores: p99 2.2 to 3.1 s, always the very first request
# (README). The bound catches workers going cold again, not the shared machine's load.
P99_SECONDS = 5.0


def test_the_first_requests_after_a_web_restart_are_answered_warm(stack):
    web = stack.child_pid("gunicorn")
    assert web is not None
    client = stack.client("127.100.0.1")

    # when gunicorn is stopped and started again, and answers through nginx once more
    os.killpg(web, signal.SIGTERM)
    stack.wait_until(
        "gunicorn started again",
        lambda: stack.child_pid("gunicorn") not in (None, web),
        timeout=60,
        interval=0.1,
    )

    def healthy():
        try:
            return client.get(stack.origin + "/healthz", timeout=5).status_code == 200
        except OSError:
            return False

    stack.wait_until("the site answering again", healthy, timeout=60, interval=0.1)

    # then its first 50 requests are fast
    def timed(path: str) -> tuple[int, float]:
        started = time.perf_counter()
        status = client.get(stack.origin + path, timeout=30).status_code
        return status, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(timed, [PAGES[n % len(PAGES)] for n in range(REQUESTS)]))
    assert [status for status, _ in results] == [200] * REQUESTS
    seconds = sorted(s for _, s in results)
    p99 = seconds[round(0.99 * (len(seconds) - 1))]
    print(  # noqa: T201 - the figures the README quotes
        f"\nfirst {REQUESTS} requests after a web restart, through nginx: "
        f"p50 {statistics.median(seconds) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; in order: "
        + " ".join(f"{s * 1000:.0f}" for _, s in results)
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    assert p99 < P99_SECONDS
