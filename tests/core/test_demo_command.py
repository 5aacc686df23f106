"""The demo's process supervisor, with real child processes: one dying stops all; a stop request
stops all; a child that ignores SIGTERM is killed after the grace period."""

import io
import socket
import sys
import threading
import time

import pytest

from core.management.commands.demo import (
    DEMO_WEBHOOK_SECRET,
    Supervisor,
    demo_environment,
    port_is_free,
)

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('up', flush=True); time.sleep(120)",
]


def _supervisor(tmp_path, grace=5.0):
    return Supervisor(env={"PATH": "/usr/bin:/bin"}, log_dir=tmp_path, out=io.StringIO(), grace_seconds=grace)


def test_when_one_child_dies_all_are_stopped_and_the_exit_code_is_non_zero(tmp_path):
    supervisor = _supervisor(tmp_path)
    sleeper = supervisor.start("sleeper", SLEEPER)
    supervisor.start("crasher", [sys.executable, "-c", "import time; time.sleep(0.5); raise SystemExit(3)"])

    started = time.monotonic()
    code = supervisor.wait(poll_seconds=0.05)

    assert code == 3
    assert sleeper.process.poll() is not None  # the healthy child was stopped too
    assert time.monotonic() - started < 5
    assert "crasher exited with code 3" in supervisor.out.getvalue()


def test_a_stop_request_stops_every_child_and_exits_zero(tmp_path):
    supervisor = _supervisor(tmp_path)
    children = [supervisor.start(f"child{i}", SLEEPER) for i in range(3)]
    threading.Timer(0.5, supervisor.request_stop).start()

    code = supervisor.wait(poll_seconds=0.05)

    assert code == 0
    assert all(child.process.poll() is not None for child in children)
    # Output was streamed with the child's name, and kept in a log file per child
    assert "[child0 ] up" in supervisor.out.getvalue()
    assert (tmp_path / "demo-child0.log").read_text() == "up\n"


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    supervisor = _supervisor(tmp_path, grace=0.5)
    stubborn = supervisor.start("stubborn", STUBBORN)
    deadline = time.monotonic() + 5
    while "up" not in supervisor.out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)

    started = time.monotonic()
    supervisor.stop_all()

    assert stubborn.process.returncode == -9
    assert time.monotonic() - started < 3


def test_the_demo_environment_points_stripe_at_the_local_stand_in():
    env = demo_environment(host="127.0.0.1", web_port=8000, stripe_port=12111)

    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert env["STRIPE_API_BASE"] == "http://127.0.0.1:12111"
    assert env["STRIPE_SECRET_KEY"] == "sk_test_demo"
    assert env["STRIPE_PUBLISHABLE_KEY"] == "pk_test_demo"
    assert env["STRIPE_WEBHOOK_SECRET"] == DEMO_WEBHOOK_SECRET
    assert env["HAVEN_SITE_URL"] == "http://127.0.0.1:8000"


def test_a_port_in_use_is_reported_busy():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)


@pytest.mark.django_db
def test_the_demo_registers_live_monthly_gifts_in_the_stand_in_and_says_how_many(tmp_path):
    from core.management.commands.demo import Command
    from devstripe import running_standin
    from donations.models import RecurringGift
    from tests.factories import RecurringGiftFactory

    RecurringGiftFactory(
        status=RecurringGift.Status.ACTIVE, stripe_subscription_id="sub_a", stripe_customer_id="cus_a"
    )
    supervisor = _supervisor(tmp_path)

    with running_standin(webhook_secret="whsec_demo_command") as standin:
        Command()._standin_sync(supervisor, standin.base_url)
        assert standin.get("sub_a")["status"] == "active"
    Command()._standin_sync(supervisor, "http://127.0.0.1:9")  # a stand-in that is gone

    out = supervisor.out.getvalue()
    assert "Registered 1 monthly gift(s) in the Stripe stand-in." in out
    assert "Could not register monthly gifts in the Stripe stand-in" in out
