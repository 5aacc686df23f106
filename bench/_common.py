"""What every benchmark shares: PostgreSQL only, local settings with DEBUG off, medians, query counts,
and the rows each benchmark hands to `python -m bench` for its summary table."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


@dataclass
class Result:
    """One line of the summary: what was measured, on how much data, and the figures."""

    what: str
    size: str
    result: str
    detail: str = ""


def setup() -> None:
    """Django on PostgreSQL with config.settings.local and DEBUG off. Celery tasks are published to
    an in-memory broker unless CELERY_BROKER_URL says otherwise: the code paths that queue a task run
    for real (serialise, publish after commit), nothing executes them and nothing lands in a queue a
    worker of the demo would consume."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    # The webhook benchmark signs its events with this secret (local settings have none by default).
    os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_bench_local_only")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the benchmark measures PostgreSQL.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, object]:
    """The median wall time of `runs` calls of `fn`, in milliseconds, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


@contextmanager
def queries() -> Iterator[list[str]]:
    """Collects the SQL run inside the block. An execute wrapper survives the reconnects each request
    does (CONN_MAX_AGE=0), unlike connection.queries, and needs no DEBUG."""
    from django.db import connection

    executed: list[str] = []

    def log(run, sql, params, many, context):
        executed.append(sql)
        return run(sql, params, many, context)

    with connection.execute_wrapper(log):
        yield executed


def enrol_mfa(user) -> None:
    """Staff and coordinators must have TOTP enrolled before their pages open (RequireMFAMiddleware);
    enrol the bench user the way allauth does, so the middleware's check runs as in production."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


def pg_version() -> str:
    from django.db import connection

    connection.ensure_connection()
    return f"PostgreSQL {connection.pg_version // 10000}"
