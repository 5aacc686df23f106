"""Benchmark: the first 50 requests after gunicorn (re)starts, cold workers against warmed ones.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench restart

Each run starts gunicorn on a free port with production settings and BENCH_WEB_WORKERS (2) workers,
waits until the port accepts connections, then sends 50 GET requests, 4 at a time, cycling over five
public pages (home, donate, sign-in, campaigns, shifts), with the headers nginx adds
(X-Forwarded-Proto: https, X-Forwarded-For). Two ways of starting it:

- cold: what docker-compose ran before: `gunicorn config.wsgi:application` (no preload, no warm-up,
  HAVEN_WARM_UP=0): each worker imports the URLconfs and views and compiles templates on its first
  request;
- warm: `gunicorn -c config/gunicorn.py` (preload_app, config/warmup.py in the master before fork).

Reported: p50, p99 and max latency of those 50 requests, and the time from start until the port
accepted connections (longer when warmed: the master loads everything before it listens; a proxy in
front answers 502 until then, which a rolling restart hides). BENCH_RUNS (7) restarts per way."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench._common import RUNS, Result

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
REQUESTS = 50
PARALLEL = 4
PAGES = ("/", "/donate/", "/accounts/login/", "/campaigns/", "/shifts/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port: int, *, warm: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-restart-not-secret",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "HAVEN_TRUSTED_PROXY_COUNT": "1",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "HAVEN_WARM_UP": "1" if warm else "0",
        "HAVEN_VAR_DIR": str(ROOT / "var" / "bench-restart"),
    }
    env.pop("CELERY_BROKER_URL", None)
    return env


def _argv(port: int, *, warm: bool) -> list[str]:
    gunicorn = [sys.executable, "-m", "gunicorn"]
    if warm:
        return [*gunicorn, "-c", "config/gunicorn.py", "config.wsgi:application"]
    return [*gunicorn, "config.wsgi:application", f"--bind=127.0.0.1:{port}", f"--workers={WORKERS}"]


def _one_restart(*, warm: bool) -> tuple[list[float], float]:
    port = _free_port()
    started = time.perf_counter()
    server = subprocess.Popen(  # noqa: S603
        _argv(port, warm=warm),
        cwd=ROOT,
        env=_environment(port, warm=warm),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 120:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.02)
        listening = time.perf_counter() - started
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7", "Host": "localhost"}

        def get(number: int) -> float:
            begin = time.perf_counter()
            response = requests.get(
                f"http://127.0.0.1:{port}{PAGES[number % len(PAGES)]}", headers=headers, timeout=60
            )
            response.raise_for_status()
            return (time.perf_counter() - begin) * 1000

        with ThreadPoolExecutor(PARALLEL) as pool:
            latencies = list(pool.map(get, range(REQUESTS)))
        return latencies, listening
    finally:
        server.terminate()
        server.wait(timeout=30)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> list[Result]:
    # Production settings serve hashed static names from collectstatic's manifest.
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_environment(0, warm=False),
        check=True,
    )
    results = []
    for warm in (False, True):
        p50s, p99s, maxima, listening = [], [], [], []
        for _ in range(RUNS):
            latencies, ready = _one_restart(warm=warm)
            p50s.append(statistics.median(latencies))
            p99s.append(_p99(latencies))
            maxima.append(max(latencies))
            listening.append(ready)
        name = "warm (preload + warm-up)" if warm else "cold (no preload)"
        line = (
            f"p50 {statistics.median(p50s):.0f} ms, p99 {statistics.median(p99s):.0f} ms, "
            f"max {statistics.median(maxima):.0f} ms"
        )
        detail = f"port open after {statistics.median(listening):.1f} s; medians of {RUNS} restarts"
        print(f"{name:26} first {REQUESTS} requests: {line}; {detail}", flush=True)
        results.append(
            Result(f"first {REQUESTS} requests after a restart, {name}", f"{WORKERS} workers", line, detail)
        )
    return results


if __name__ == "__main__":
    from bench._common import setup

    setup()
    main()
