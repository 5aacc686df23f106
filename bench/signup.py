"""Benchmark: does the sign-up page take as long for an address that already has an account as for a
new one? (If not, the time tells an attacker who has an account.)

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench.signup

POST /accounts/signup/ through Django's test Client with config.settings.local, whose password
hashing is production's (Django's default PBKDF2, 1,000,000 iterations; the tests use MD5). Each run
signs up one new address and one address that has an account (each existing address is tried once:
allauth holds back a second mail to the same address for three minutes, and an attacker probes each
address once), alternating which goes first; the whole request is timed, mail queued after commit
included (to an in-memory broker: nothing is sent). Rate limits are lifted for the run. Reports the
median, the fastest and the slowest of BENCH_SIGNUP_RUNS (default 15) per path."""

from __future__ import annotations

import os
import statistics
import time

from bench._common import Result, pg_version, setup

RUNS = int(os.environ.get("BENCH_SIGNUP_RUNS", "15"))
DOMAIN = "signup-bench.haven.example"
PASSWORD = "a long enough benchmark passphrase"


def _clean() -> None:
    from allauth.account.models import EmailAddress

    from accounts.models import User

    EmailAddress.objects.filter(email__endswith="@" + DOMAIN).delete()
    User.objects.filter(email__endswith="@" + DOMAIN).delete()


def _sign_up(email: str) -> tuple[float, int]:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    start = time.perf_counter()
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    return (time.perf_counter() - start) * 1000, response.status_code


def _summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.0f} ms (fastest {min(times):.0f}, slowest {max(times):.0f})"


def main() -> list[Result]:
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher

    from tests.factories import UserFactory

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "100000/m/ip"}
    _clean()
    existing = [UserFactory(email=f"existing{i}@{DOMAIN}").email for i in range(RUNS)]
    _sign_up(f"warm-up@{DOMAIN}")  # imports, template loading, first connection
    new_times, existing_times = [], []
    for i in range(RUNS):
        pair = [("new", f"new{i}@{DOMAIN}"), ("existing", existing[i])]
        if i % 2:
            pair.reverse()
        for kind, email in pair:
            elapsed, status = _sign_up(email)
            assert status == 302, (kind, status)
            (new_times if kind == "new" else existing_times).append(elapsed)
    _clean()
    hasher = get_hasher()
    print(f"{pg_version()}, hasher {hasher.algorithm} ({getattr(hasher, 'iterations', '?')} iterations)")
    print(f"new address:      {_summary(new_times)}")
    print(f"existing address: {_summary(existing_times)}")
    gap = statistics.median(new_times) - statistics.median(existing_times)
    print(f"median difference (new - existing): {gap:+.0f} ms")
    return [
        Result("POST /accounts/signup/, new address", f"{RUNS} runs", _summary(new_times)),
        Result("POST /accounts/signup/, existing address", f"{RUNS} runs", _summary(existing_times)),
        Result("difference of the medians", "", f"{gap:+.0f} ms"),
    ]


if __name__ == "__main__":
    setup()
    main()
