"""Benchmark: Haven's pages as a ratio to a bare Django view, served side by side in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python -m bench sidebyside

Two gunicorn servers start on 127.0.0.1 with the same settings (config/gunicorn.py: preloaded,
WEB_CONCURRENCY sync workers, default 2): a bare Django project with one view and no middleware
(bench/bare/), and Haven with production settings (config.settings.production; the bench's own
secret key, no HTTPS redirect since nothing here speaks TLS, Redis as cache). Debian's `wrk`
(scripts/debian-packages.sh) then loads them in turn, bare view, page, bare view, page, ... for
BENCH_SECONDS (default 3) each with `-t2 -c16`, and each page's requests per second are divided by
the mean of the bare runs just before and after it, so a machine busy with other work moves both
sides alike. With BENCH_ROUNDS (default 1) above one, every page is measured that many times, in turn
with the others, and the median ratio (the lower middle one) is the figure, with the range beside it.
BENCH_RESEED=0 keeps the bench campaign of an earlier run when it has its gifts. The ratio is the
figure; absolute requests per second on a shared machine are not.

Data, as in the issue's comparison: one role, 50 shifts over 10 days with capacity 50, 500 volunteers,
2,000 bookings, and a campaign with BENCH_CAMPAIGN_GIFTS (default 100,000) gifts (bench.campaign_page
seeds it). The signed-in rows send a volunteer's session cookie. helfertool's sign-up page, the other
yardstick of the issue, cannot run here (not installed, no network to fetch it): its goals (≥ 10×
helfertool) are stated as the bare-view ratio they imply from the issue's own measurements (helfertool
9.8 req/s where the bare view did 3,347: a ratio of 0.0029, so ≥ 10× helfertool is ≥ 0.029)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import Result, setup

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
# Each page measured this many times (bare, page, bare each time), in turn with the others; its ratio
# is the median. More rounds hold up better on a machine whose load swings.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
BARE_PORT = int(os.environ.get("BENCH_BARE_PORT", "18170"))
HAVEN_PORT = int(os.environ.get("BENCH_HAVEN_PORT", "18171"))
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
SECRET_KEY = "bench-sidebyside-secret-key-not-for-production-0123456789"
DOMAIN = "sidebyside.bench.haven.example"
# helfertool's sign-up page over a bare view in the run (9.8 / 3,347 req/s); 10× that.
HELFERTOOL_RATIO = 9.8 / 3347
PAGES = [
    # (label, path, signed in, goal as a ratio to the bare view, where the goal comes from)
    ("/shifts/ anonymous", "/shifts/", False, 10 * HELFERTOOL_RATIO, "≥ 10× helfertool"),
    ("campaign page", "/campaigns/bench-campaign/", False, 0.40, "≥ 0.40"),
    ("/transparency/", "/transparency/", False, 0.40, "≥ 0.40"),
    ("home", "/", False, 0.40, "≥ 0.40 (as the campaign page)"),
    ("campaigns list", "/campaigns/", False, 0.40, "≥ 0.40 (as the campaign page)"),
    ("open-data API", "/api/v1/campaigns/bench-campaign/", False, 0.40, "≥ 0.40 (as the campaign page)"),
    ("/shifts/ signed in", "/shifts/", True, 10 * HELFERTOOL_RATIO, "≥ 10× helfertool"),
]


def _seed_shifts() -> str:
    """The issue's shape; returns the session cookie of one onboarded volunteer."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from accounts.models import User
    from bench.shifts import _agreement, _onboarded, shift_series
    from volunteers.models import Booking, Role, Shift

    Shift.objects.filter(role__slug="bench-sidebyside").delete()
    Role.objects.filter(slug="bench-sidebyside").delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    role = Role.objects.create(slug="bench-sidebyside", name="Sorting donations (bench)")
    password = make_password(None)
    people = User.objects.bulk_create(
        [User(email=f"v{i}@{DOMAIN}", name=f"Bench Volunteer {i}", password=password) for i in range(499)]
    )
    (me,) = _onboarded(1, "me", _agreement())
    me.email = f"me@{DOMAIN}"
    me.save(update_fields=["email"])
    people.append(me)
    shifts = shift_series(role, count=50, capacity=50, days_ahead=1)  # 5 hours apart: 50 shifts over ten days
    Booking.objects.bulk_create(
        [
            Booking(shift=shift, volunteer=people[(i * 40 + j) % 499])
            for i, shift in enumerate(shifts)
            for j in range(40)
        ]
    )
    client = Client()
    client.force_login(me)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _campaign_seeded() -> bool:
    """Whether an earlier run left the bench campaign with its gifts (BENCH_RESEED=0 then keeps it)."""
    from bench.campaign_page import GIFTS
    from donations.models import Donation

    return Donation.objects.filter(campaign__slug="bench-campaign").count() >= GIFTS


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"Nothing answers on 127.0.0.1:{port} after {timeout:.0f} s.")


def _gunicorn(app: str, port: int, env: dict, log) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": WORKERS}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", app],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _drain(url: str, deadline: float = 120) -> None:
    """Wait until Haven answers a small request within half a second (its workers are free)."""
    import urllib.request

    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        began = time.monotonic()
        with contextlib.suppress(OSError):  # a 404 or a timeout: what counts is how long it took
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 - our own local server
        if time.monotonic() - began < 0.5:
            return
        time.sleep(0.5)


def _wrk(url: str, cookie: str | None = None, seconds: int = SECONDS) -> float:
    """Requests per second over `seconds` with `-t2 -c16`; fails on any non-2xx answer."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> list[Result]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run scripts/debian-packages.sh (make install does).")
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY  # sessions made here must verify in gunicorn's Haven
    setup()
    from django.conf import settings
    from django.core.cache import cache

    from bench.campaign_page import _seed_campaign

    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL (a Redis database of your own): production settings need it.")
    if os.environ.get("BENCH_RESEED", "1") != "0" or not _campaign_seeded():
        _seed_campaign()
    cookie = _seed_shifts()
    cache.clear()  # our own Redis database: no copy from an earlier run

    var = Path(tempfile.mkdtemp(prefix="haven-sidebyside-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # The key the sessions made here were signed with (settings are read once per run).
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "HAVEN_VAR_DIR": str(var),
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "DATABASE_URL": settings.DATABASES["default"].get("URL") or os.environ["DATABASE_URL"],
    }
    print("Collecting static files for production settings ...", flush=True)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    servers = []
    log = (var / "gunicorn.log").open("w")
    try:
        servers.append(
            _gunicorn(
                "bench.bare.wsgi:application",
                BARE_PORT,
                {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"},
                log,
            )
        )
        servers.append(_gunicorn("config.wsgi:application", HAVEN_PORT, env, log))
        _wait_for(BARE_PORT)
        _wait_for(HAVEN_PORT)
        bare_url = f"http://127.0.0.1:{BARE_PORT}/"
        measured: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in PAGES}
        for round_ in range(ROUNDS):
            for label, path, signed_in, *_ in PAGES:
                url = f"http://127.0.0.1:{HAVEN_PORT}{path}"
                # Let the workers finish what the page before left queued (wrk reconnects after each
                # 2 s timeout, so a slow page leaves a backlog that would be counted against the next
                # one), then warm (the first copy into the cache).
                _drain(f"http://127.0.0.1:{HAVEN_PORT}/robots.txt")
                _wrk(url, cookie if signed_in else None, seconds=1)
                before = _wrk(bare_url)
                page = _wrk(url, cookie if signed_in else None)
                after = _wrk(bare_url)
                bare = (before + after) / 2
                measured[label].append((page, bare))
                print(
                    f"  [{round_ + 1}/{ROUNDS}] {label:<22} {page:8.0f} req/s   bare {bare:7.0f} req/s   "
                    f"ratio {page / bare:.3f}",
                    flush=True,
                )
        rows = []
        for label, _path, _signed_in, goal, goal_text in PAGES:
            runs = measured[label]
            ratios = [page / bare for page, bare in runs]
            middle = statistics.median_low(ratios)
            page, bare = runs[ratios.index(middle)]
            rows.append((label, page, bare, middle, goal, goal_text, min(ratios), max(ratios)))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        log.close()
        shutil.rmtree(var, ignore_errors=True)

    load = os.getloadavg()
    print(
        f"\nSide by side, {WORKERS} sync workers each, wrk -t2 -c16, {SECONDS} s per run, median of "
        f"{ROUNDS} round(s), load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}:"
    )
    print(f"  {'page':<22} {'req/s':>8} {'bare':>8} {'ratio':>7} {'range':>13}  goal")
    results = []
    for label, page, bare, ratio, goal, goal_text, low, high in rows:
        met = "met" if ratio >= goal else "NOT met"
        print(
            f"  {label:<22} {page:8.0f} {bare:8.0f} {ratio:7.3f} {low:6.3f}-{high:.3f}  "
            f"{goal_text} (ratio {goal:.3f}): {met}"
        )
        results.append(
            Result(
                f"side by side: {label}",
                "ratio to a bare view",
                f"{ratio:.3f}",
                f"{low:.3f}-{high:.3f} over {ROUNDS} round(s); goal {goal_text}: {met}",
            )
        )
    print("  (helfertool itself cannot run here; its goal is the bare-view ratio the issue's figures imply.)")
    return results


if __name__ == "__main__":
    setup()
    main()
