"""Benchmark: bookings and new webhook events over HTTP, through gunicorn with production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python -m bench writes_http

One gunicorn (config/gunicorn.py: preloaded sync workers, BENCH_WRITE_WORKERS of them, default 4)
serves Haven with production settings, as bench.sidebyside starts it. Then, as on a giving day:

- bookings: BENCH_BOOKING_CLIENTS (32) clients at once, each a signed-in, onboarded volunteer with
  their own session and CSRF token, POST /shifts/<id>/book/ for each of BENCH_BOOKING_SHIFTS (40)
  shifts that do not overlap, in an order of their own; each shift has places for three quarters of
  the clients, so every shift fills and the rest are refused. Reported: bookings made per second,
  attempts per second, p50/p99 of a POST, and the places taken per shift, checked against capacity
  (none overbooked, every place taken);
- webhooks: BENCH_WEBHOOK_CLIENTS (8) clients POST BENCH_WEBHOOK_EVENTS (800) signed
  `checkout.session.completed` events for pending gifts (signed as Stripe signs, devstripe.signing):
  new events per second, p50/p99, every gift succeeded once with one receipt.

The clients are Python threads in this process (requests, one connection each), on the same machine:
their CPU is part of the load, as it would be for any load generator here. Celery tasks go to the
in-memory broker of bench._common (published for real, run by nobody)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench._common import Result, setup

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_WRITE_PORT", "18172"))
WORKERS = os.environ.get("BENCH_WRITE_WORKERS", "4")
BOOKING_CLIENTS = int(os.environ.get("BENCH_BOOKING_CLIENTS", "32"))
BOOKING_SHIFTS = int(os.environ.get("BENCH_BOOKING_SHIFTS", "40"))
WEBHOOK_CLIENTS = int(os.environ.get("BENCH_WEBHOOK_CLIENTS", "8"))
WEBHOOK_EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "800"))
SECRET_KEY = "bench-writes-http-secret-key-not-for-production-0123456789"
WEBHOOK_SECRET = "whsec_bench_writes_http"
DOMAIN = "writes.bench.haven.example"
ROLE = "bench-writes-http"
CAMPAIGN = "bench-writes-http"


def _seed_bookings() -> tuple[list, list[tuple[str, str]], int]:
    """The shifts, and for each client a volunteer's (session cookie, CSRF token)."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from accounts.models import User
    from bench.shifts import _agreement, _onboarded, shift_series
    from volunteers.models import Role, Shift

    Shift.objects.filter(role__slug=ROLE).delete()
    Role.objects.filter(slug=ROLE).delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    User.objects.filter(email__startswith="writer", email__endswith="@bench.haven.example").delete()
    role = Role.objects.create(slug=ROLE, name="Giving-day desk (bench)")
    places = BOOKING_CLIENTS * 3 // 4
    shifts = shift_series(role, count=BOOKING_SHIFTS, capacity=places, days_ahead=3)
    people = _onboarded(BOOKING_CLIENTS, "writer", _agreement())
    clients = []
    for i, person in enumerate(people):
        person.email = f"writer{i}@{DOMAIN}"
        person.save(update_fields=["email"])
        browser = Client()
        browser.force_login(person)
        clients.append((browser.cookies[settings.SESSION_COOKIE_NAME].value, _get_new_csrf_string()))
    return shifts, clients, places


def _seed_gifts() -> list[bytes]:
    from bench.webhooks import _campaign, _completed, _pending
    from campaigns.models import Campaign, Fund
    from donations.models import Donation, Receipt

    Receipt.objects.filter(donation__fund__slug=f"{CAMPAIGN}-fund").delete()
    Donation.objects.filter(fund__slug=f"{CAMPAIGN}-fund").delete()
    Campaign.objects.filter(slug=CAMPAIGN).delete()
    Fund.objects.filter(slug=f"{CAMPAIGN}-fund").delete()
    campaign = _campaign(CAMPAIGN)
    return [_completed(gift) for gift in _pending(campaign, WEBHOOK_EVENTS)]


def _run_clients(count: int, work) -> tuple[float, list[float], list[str]]:
    """Run `work(index, latencies, errors)` in `count` threads started together; wall seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(count + 1)

    def run(index: int) -> None:
        barrier.wait()
        work(index, latencies, errors)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, errors


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def _bookings(base: str, shifts: list, clients: list[tuple[str, str]]) -> dict:
    import requests
    from django.conf import settings

    def work(index: int, latencies: list[float], errors: list[str]) -> None:
        session_id, token = clients[index]
        http = requests.Session()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_id}; {settings.CSRF_COOKIE_NAME}={token}"
        order = [shift.pk for shift in shifts]
        random.Random(index).shuffle(order)
        for shift_id in order:
            began = time.perf_counter()
            response = http.post(
                f"{base}/shifts/{shift_id}/book/",
                data={"csrfmiddlewaretoken": token},
                headers={"Cookie": cookie},
                allow_redirects=False,
                timeout=60,
            )
            latencies.append(time.perf_counter() - began)
            if response.status_code != 302:
                errors.append(f"{response.status_code} {response.text[:200]}")

    seconds, latencies, errors = _run_clients(len(clients), work)
    return {"seconds": seconds, "latencies": latencies, "errors": errors}


def _webhooks(base: str, events: list[bytes]) -> dict:
    import requests

    from devstripe.signing import http_headers

    def work(index: int, latencies: list[float], errors: list[str]) -> None:
        http = requests.Session()
        for body in events[index::WEBHOOK_CLIENTS]:
            began = time.perf_counter()
            response = http.post(
                f"{base}/stripe/webhook/", data=body, headers=http_headers(body, WEBHOOK_SECRET), timeout=60
            )
            latencies.append(time.perf_counter() - began)
            if response.status_code != 200 or response.json().get("outcome") != "succeeded":
                errors.append(f"{response.status_code} {response.text[:200]}")

    seconds, latencies, errors = _run_clients(WEBHOOK_CLIENTS, work)
    return {"seconds": seconds, "latencies": latencies, "errors": errors}


def main() -> list[Result]:
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY  # sessions made here must verify in gunicorn's Haven
    setup()
    from django.conf import settings

    from donations.models import Donation, Receipt
    from volunteers.models import Booking

    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL (a Redis database of your own): production settings need it.")
    print("Seeding shifts, volunteers and pending gifts ...", flush=True)
    shifts, clients, places = _seed_bookings()
    events = _seed_gifts()

    var = Path(tempfile.mkdtemp(prefix="haven-writes-http-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        # The key the sessions made here were signed with (settings are read once per run).
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "HAVEN_VAR_DIR": str(var),
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CELERY_BROKER_URL": "memory://localhost/",
        "DATABASE_URL": settings.DATABASES["default"].get("URL") or os.environ["DATABASE_URL"],
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": WORKERS,
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    from bench.sidebyside import _wait_for

    log = (var / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        _wait_for(PORT)
        print(f"Booking: {len(clients)} clients x {len(shifts)} shifts of {places} places ...", flush=True)
        booked = _bookings(base, shifts, clients)
        print(f"Webhooks: {WEBHOOK_CLIENTS} clients, {len(events)} new events ...", flush=True)
        hooked = _webhooks(base, events)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    counts = [
        Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count() for shift in shifts
    ]
    overbooked = [n for n in counts if n > places]
    made = sum(counts)
    attempts = len(booked["latencies"])
    per_second = made / booked["seconds"]
    gifts = Donation.objects.filter(fund__slug=f"{CAMPAIGN}-fund")
    succeeded = gifts.filter(status=Donation.Status.SUCCEEDED).count()
    receipts = Receipt.objects.filter(donation__in=gifts).count()
    events_per_second = len(hooked["latencies"]) / hooked["seconds"]
    load = os.getloadavg()

    print(f"\nOver HTTP, gunicorn with {WORKERS} sync workers, load average {load[0]:.1f} {load[1]:.1f}:")
    print(
        f"  bookings: {made} made ({attempts - made} refused: full) by {len(clients)} clients in "
        f"{booked['seconds']:.2f} s = {per_second:.0f} bookings/s, {attempts / booked['seconds']:.0f} "
        f"attempts/s; POST p50 {_p(booked['latencies'], 0.5):.0f} ms, "
        f"p99 {_p(booked['latencies'], 0.99):.0f} ms"
    )
    print(
        f"  places taken per shift (capacity {places}): {sorted(set(counts))}; overbooked: {len(overbooked)}"
    )
    print(
        f"  webhooks: {len(hooked['latencies'])} new events by {WEBHOOK_CLIENTS} clients in "
        f"{hooked['seconds']:.2f} s = {events_per_second:.0f} events/s; p50 "
        f"{_p(hooked['latencies'], 0.5):.0f} ms, p99 {_p(hooked['latencies'], 0.99):.0f} ms; "
        f"{succeeded} gifts succeeded, {receipts} receipts"
    )
    for kind, outcome in (("booking", booked), ("webhook", hooked)):
        if outcome["errors"]:
            print(f"  {len(outcome['errors'])} {kind} errors, first: {outcome['errors'][0]}")
    assert not overbooked, f"overbooked shifts: {overbooked}"
    assert made == places * len(shifts), (made, counts)
    assert succeeded == receipts == len(events), (succeeded, receipts)
    assert not booked["errors"] and not hooked["errors"]
    p99 = _p(booked["latencies"], 0.99)
    met_b = "met" if per_second >= 200 else "NOT met"
    met_w = "met" if events_per_second >= 150 else "NOT met"
    return [
        Result(
            f"bookings over HTTP, {WORKERS} workers, {len(clients)} clients",
            f"{attempts} attempts, {made} places",
            f"{per_second:.0f} bookings/s",
            f"p99 {p99:.0f} ms, none overbooked; goal ≥ 200/s: {met_b}; load {load[0]:.1f}",
        ),
        Result(
            f"new webhook events over HTTP, {WEBHOOK_CLIENTS} clients",
            f"{len(events)} events",
            f"{events_per_second:.0f} events/s",
            f"p99 {_p(hooked['latencies'], 0.99):.0f} ms; goal ≥ 150/s: {met_w}; load {load[0]:.1f}",
        ),
    ]


if __name__ == "__main__":
    main()
