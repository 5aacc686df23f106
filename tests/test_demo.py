"""`manage.py demo` for real, as `make demo` runs it: migrate, seed, web + worker + beat (+ the
Stripe stand-in), a task travelling through the filesystem broker, and Ctrl-C stopping it all."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _demo(tmp_path, *args):
    """`manage.py demo` with its own SQLite database and broker folders under tmp_path; no Redis, no
    CI database. Yields once it says it is running."""
    web_port, stripe_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        HAVEN_VAR_DIR=str(tmp_path / "var"),
        HAVEN_DEMO_PORT=str(web_port),
        HAVEN_DEMO_STRIPE_PORT=str(stripe_port),
    )
    log = (tmp_path / "demo.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "demo", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    state = {
        "process": process,
        "base": f"http://127.0.0.1:{web_port}",
        "var": tmp_path / "var",
        "log": tmp_path / "demo.log",
        "ports": (web_port, stripe_port),
    }
    try:
        _wait_for(
            lambda: "Haven is running." in state["log"].read_text() or process.poll() is not None,
            180,
            "the demo to start",
        )
        assert process.poll() is None, state["log"].read_text()[-3000:]
        yield state
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture
def demo(tmp_path):
    yield from _demo(tmp_path)


@pytest.fixture
def unseeded_demo(tmp_path):
    """The demo without its demo data (`--no-seed`): the same processes, started sooner."""
    yield from _demo(tmp_path, "--no-seed")


def test_the_demo_runs_everything_and_ctrl_c_stops_it(demo):
    base = demo["base"]
    output = demo["log"].read_text()

    # The banner gives the addresses and logins
    assert f"{base}/dev/outbox/" in output
    assert "staff@haven.example" in output and "haven-demo-2026" in output

    # The site answers, with a healthy database and filesystem broker
    assert requests.get(base + "/", timeout=10).status_code == 200
    health = requests.get(base + "/healthz", timeout=10)
    assert health.json() == {"status": "ok", "database": "ok", "broker": "ok"}

    # A demo person can sign in
    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": "donor@haven.example", "password": "haven-demo-2026"},
        headers={"Referer": base + "/accounts/login/"},
        timeout=10,
    )
    assert signed_in.url == base + "/me/"

    # The seeded monthly gift was registered in the fresh Stripe stand-in, so the donor can change it
    assert "Registered 1 monthly gift(s) in the Stripe stand-in." in output
    giving = session.get(base + "/me/giving/", timeout=10).text
    monthly = base + re.search(r'href="(/me/giving/monthly/[0-9a-f-]+/)"', giving).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(monthly, timeout=10).text)
    changed = session.post(
        monthly,
        data={"csrfmiddlewaretoken": token.group(1), "amount": "40"},
        headers={"Referer": monthly},
        timeout=10,
    )
    assert "Your monthly gift is changed from the next payment on." in changed.text

    # A password reset queues a task; the worker process takes it off the filesystem broker and the
    # mail lands in the outbox
    outbox = demo["var"] / "outbox"
    before = set(outbox.glob("*.eml"))  # the seeds may have queued mail of their own
    page = session.get(base + "/accounts/password/reset/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(
        base + "/accounts/password/reset/",
        data={"csrfmiddlewaretoken": token, "email": "volunteer1@haven.example"},
        headers={"Referer": base + "/accounts/password/reset/"},
        timeout=10,
    )

    def reset_mail():
        return [
            p
            for p in set(outbox.glob("*.eml")) - before
            if "Subject: [Haven] Password Reset" in p.read_text()
        ]

    new_mail = _wait_for(reset_mail, 30, "the worker to send the password reset mail")
    assert "To: volunteer1@haven.example" in new_mail[0].read_text()

    # The caught mail holds that reset link: a visitor cannot read it, the key printed at start opens it
    mail_page = f"{base}/dev/outbox/{new_mail[0].stem}/"
    visitor = requests.Session()
    locked = visitor.get(mail_page, timeout=10)
    assert locked.status_code == 403 and "/accounts/password/reset/key/" not in locked.text
    key = re.search(r"outbox key (\S+)", output).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', locked.text).group(1)
    opened = visitor.post(
        mail_page,
        data={"csrfmiddlewaretoken": token, "outbox_key": key},
        headers={"Referer": mail_page},
        timeout=10,
    )
    assert opened.status_code == 200 and "/accounts/password/reset/key/" in opened.text
    # the worker logs success just after the mail is written: wait for the line rather than race it
    _wait_for(
        lambda: re.search(
            r"\[worker *\].*messaging\.tasks\.message_deliver\[.*succeeded", demo["log"].read_text()
        ),
        10,
        "the worker to log the task's success",
    )

    # Ctrl-C stops every process and the ports are free again
    os.killpg(demo["process"].pid, signal.SIGINT)
    assert demo["process"].wait(timeout=30) == 0
    assert "Stopped." in demo["log"].read_text()
    for port in demo["ports"]:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0


def _processes_with(var_dir: Path) -> list[int]:
    """Pids of processes started for this demo (their environment names its var folder)."""
    marker = f"HAVEN_VAR_DIR={var_dir}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return pids


def test_a_demo_killed_by_sigkill_leaves_no_process_behind(unseeded_demo):
    demo = unseeded_demo
    # given the running demo: web, worker, beat and the Stripe stand-in
    assert len(_processes_with(demo["var"])) >= 5  # the supervisor and its four children at least

    # when its supervisor is killed without a chance to clean up
    os.kill(demo["process"].pid, signal.SIGKILL)
    demo["process"].wait()

    # then its children and theirs are gone within seconds, and the ports are free
    _wait_for(lambda: not _processes_with(demo["var"]), 20, "every demo process to exit")
    for port in demo["ports"]:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0
