"""The demo's process supervisor (core/processes.py), with real child processes: one dying stops
all; a stop request stops all; a child that ignores SIGTERM is killed after the grace period; a
supervisor killed by SIGKILL takes its children and their children with it. And the demo's steps
come from each app's registered part, not from core."""

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core import demo as demo_registry
from core.management.commands.demo import DEMO_WEBHOOK_SECRET, demo_environment
from core.processes import RESTART_LIMIT, Supervisor, port_is_free

ROOT = Path(__file__).resolve().parents[2]

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


def test_a_child_marked_restart_is_started_again_when_it_dies(tmp_path):
    # given a worker-like child that crashes on its first run only
    marker = tmp_path / "crashed-once"
    script = (
        f"import pathlib, sys, time\nm = pathlib.Path({str(marker)!r})\n"
        "if not m.exists():\n    m.touch(); sys.exit(3)\nprint('up', flush=True); time.sleep(120)\n"
    )
    supervisor = _supervisor(tmp_path)
    worker = supervisor.start("worker", [sys.executable, "-c", script], restart=True)
    first_pid = worker.process.pid

    def stop_once_restarted():
        deadline = time.monotonic() + 10
        while "[worker ] up" not in supervisor.out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        supervisor.request_stop()

    threading.Thread(target=stop_once_restarted).start()
    code = supervisor.wait(poll_seconds=0.05)

    # then it was started again instead of everything stopping
    assert "worker exited with code 3; starting it again." in supervisor.out.getvalue()
    assert worker.process.pid != first_pid
    assert code == 0


def test_a_child_that_keeps_dying_is_given_up_on(tmp_path):
    supervisor = _supervisor(tmp_path)
    supervisor.start("crasher", [sys.executable, "-c", "raise SystemExit(4)"], restart=True)

    code = supervisor.wait(poll_seconds=0.05)

    assert code == 4
    assert supervisor.out.getvalue().count("starting it again") == RESTART_LIMIT
    assert "crasher exited with code 4; stopping everything." in supervisor.out.getvalue()


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


def _listener(port: int, *, ignore_sigterm: bool = False) -> str:
    return (
        "import signal, socket, time\n"
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_sigterm else "")
        + f"s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        f"s.bind(('127.0.0.1', {port})); s.listen()\n"
        "time.sleep(300)\n"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_supervisor_killed_by_sigkill_takes_its_children_and_their_children_with_it(tmp_path):
    # given a supervisor with a child holding a port, and a child whose own child (which ignores
    # SIGTERM, as a stuck worker might) holds another port
    child_port, grandchild_port = _free_port(), _free_port()
    spawner = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {_listener(grandchild_port, ignore_sigterm=True)!r}])\n"
        "time.sleep(300)\n"
    )
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from core.processes import Supervisor\n"
        "s = Supervisor(env=dict(os.environ), log_dir=Path(sys.argv[1]), grace_seconds=1.0)\n"
        f"s.start('listener', [sys.executable, '-c', {_listener(child_port)!r}])\n"
        f"s.start('spawner', [sys.executable, '-c', {spawner!r}])\n"
        "s.wait()\n"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT)
    deadline = time.monotonic() + 20
    while not (_listening(child_port) and _listening(grandchild_port)):
        assert time.monotonic() < deadline and supervisor.poll() is None, "the children did not start"
        time.sleep(0.1)

    # when the supervisor is killed without a chance to clean up
    os.kill(supervisor.pid, signal.SIGKILL)
    supervisor.wait()

    # then within a few seconds nothing holds either port
    deadline = time.monotonic() + 10
    while _listening(child_port) or _listening(grandchild_port):
        assert time.monotonic() < deadline, "a child or grandchild outlived the supervisor"
        time.sleep(0.1)


def test_a_normal_stop_leaves_no_reaper_behind(tmp_path):
    supervisor = _supervisor(tmp_path, grace=1.0)
    supervisor.start("child", SLEEPER)
    reaper = supervisor._reaper

    supervisor.stop_all()

    assert reaper.poll() == 0


@pytest.mark.django_db
def test_the_demo_runs_the_seed_steps_that_apps_register_in_installed_apps_order(tmp_path):
    demo_registry.discover()
    labels = [part.app_label for part in demo_registry.parts() if part.seed]

    # every app with demo data registered its seed, dependencies first
    assert labels == ["accounts", "pages", "campaigns", "donations", "volunteers"]
    assert [p.app_label for p in demo_registry.parts() if p.standin_sync] == ["donations"]


def test_core_imports_no_project_app():
    # core is the bottom layer: nothing in it may import accounts, campaigns, donations, ...
    project_apps = ("accounts", "messaging", "pages", "campaigns", "donations", "volunteers", "config")
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.strip().split()
            if len(words) >= 2 and words[0] in {"import", "from"}:
                top = words[1].split(".")[0]
                if top in project_apps:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
