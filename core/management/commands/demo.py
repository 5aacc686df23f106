"""`manage.py demo` (what `make demo` runs): migrate, seed demo data, then run the web server, a
Celery worker, Celery beat and the Stripe stand-in as child processes until Ctrl-C.

Without REDIS_URL the broker is Kombu's filesystem transport under var/ (see settings/local.py), so
the worker and beat are real processes exchanging real messages; with REDIS_URL they use Redis."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import secrets
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import PIPE, STDOUT, Popen, TimeoutExpired

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

SEED_APPS = ["accounts", "campaigns", "volunteers", "donations"]
DEMO_WEBHOOK_SECRET = "whsec_demo_haven_local_only"  # noqa: S105 - a demo value, printed on screen
TEST_CARD = "4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined"


@dataclass
class Child:
    name: str
    argv: list[str]
    process: Popen | None = None
    log_path: Path | None = None
    _reader: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Starts children in their own process groups, streams their output with a name prefix (and
    into var/log/demo-<name>.log), and stops all of them together: on request, or as soon as any
    one of them exits by itself."""

    def __init__(self, env: dict[str, str], log_dir: Path, out=sys.stdout, grace_seconds: float = 10.0):
        self.env = env
        self.log_dir = log_dir
        self.out = out
        self.grace_seconds = grace_seconds
        self.children: list[Child] = []
        self._stop = threading.Event()
        self._print_lock = threading.Lock()

    def start(self, name: str, argv: list[str]) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        child = Child(name=name, argv=argv, log_path=self.log_dir / f"demo-{name}.log")
        child.process = Popen(  # noqa: S603 - our own argv, no shell
            argv, env=self.env, stdout=PIPE, stderr=STDOUT, start_new_session=True, bufsize=1, text=True
        )
        child._reader = threading.Thread(target=self._pump, args=(child,), daemon=True)
        child._reader.start()
        self.children.append(child)
        return child

    def _pump(self, child: Child) -> None:
        with child.log_path.open("a", encoding="utf-8") as log:
            for line in child.process.stdout:
                log.write(line)
                log.flush()
                with self._print_lock:
                    self.out.write(f"[{child.name:7}] {line}")
                    self.out.flush()

    def request_stop(self, *_args) -> None:
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def wait(self, poll_seconds: float = 0.3) -> int:
        """Blocks until stop is requested (→ 0) or a child exits by itself (→ non-zero)."""
        while not self._stop.is_set():
            dead = self.dead_child()
            if dead is not None:
                self.say(f"{dead.name} exited with code {dead.process.returncode}; stopping everything.")
                self.stop_all()
                return dead.process.returncode or 1
            self._stop.wait(poll_seconds)
        self.stop_all()
        return 0

    def stop_all(self) -> None:
        for child in reversed(self.children):
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for child in reversed(self.children):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except TimeoutExpired:  # it would not stop politely
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            if child._reader is not None:
                child._reader.join(timeout=2)

    def say(self, text: str) -> None:
        with self._print_lock:
            self.out.write(f"[demo   ] {text}\n")
            self.out.flush()


def _signal_group(process: Popen, sig: int) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, timeout: float, alive=lambda: True) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def demo_environment(*, host: str, web_port: int, stripe_port: int) -> dict[str, str]:
    """What the children (and this process) run with. The Stripe keys are demo values that only the
    local stand-in accepts."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "HAVEN_SITE_URL": f"http://{host}:{web_port}",
        "STRIPE_API_BASE": f"http://{host}:{stripe_port}",
        "STRIPE_SECRET_KEY": "sk_test_demo",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_demo",
        "STRIPE_WEBHOOK_SECRET": DEMO_WEBHOOK_SECRET,
        # Opens the caught mail at /dev/outbox/ (printed in the banner; new at every start).
        "HAVEN_DEV_OUTBOX_KEY": secrets.token_urlsafe(12),
        "PYTHONUNBUFFERED": "1",
    }
    # Two-factor enrolment would stop every demo visitor at staff pages; opt in with the variable.
    env["HAVEN_MFA_REQUIRED_ROLES"] = os.environ.get("HAVEN_MFA_REQUIRED_ROLES", "")
    return env


def devstripe_available() -> bool:
    try:
        return importlib.util.find_spec("devstripe.__main__") is not None
    except ModuleNotFoundError:
        return False


class Command(BaseCommand):
    help = "Run the whole of Haven locally: migrate, seed demo data, web + worker + beat + Stripe stand-in."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HAVEN_DEMO_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HAVEN_DEMO_PORT", "8000")))
        parser.add_argument(
            "--stripe-port", type=int, default=int(os.environ.get("HAVEN_DEMO_STRIPE_PORT", "12111"))
        )
        parser.add_argument("--no-seed", action="store_true", help="skip loading demo data")

    def handle(self, *args, host, port, stripe_port, no_seed, **options):
        if settings.SETTINGS_MODULE != "config.settings.local":
            raise CommandError(f"The demo runs with config.settings.local, not {settings.SETTINGS_MODULE}.")
        with_stripe = devstripe_available()
        for needed, what in [(port, "web server")] + (
            [(stripe_port, "Stripe stand-in")] if with_stripe else []
        ):
            if not port_is_free(host, needed):
                raise CommandError(
                    f"Port {needed} ({what}) is in use. Stop what uses it, or set HAVEN_DEMO_PORT."
                )

        env = demo_environment(host=host, web_port=port, stripe_port=stripe_port)
        os.environ.update(env)
        for name in ("HAVEN_SITE_URL", "STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"):
            setattr(settings, name.replace("HAVEN_", ""), env[name])
        settings.STRIPE_WEBHOOK_SECRET = env["STRIPE_WEBHOOK_SECRET"]
        settings.HAVEN_MFA_REQUIRED_ROLES = [r for r in env["HAVEN_MFA_REQUIRED_ROLES"].split(",") if r]

        var_dir = Path(settings.VAR_DIR)
        for folder in ("broker", "broker-processed", "outbox", "log"):
            (var_dir / folder).mkdir(parents=True, exist_ok=True)

        supervisor = Supervisor(env={**os.environ, **env}, log_dir=var_dir / "log", out=self.stdout._out)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        python = sys.executable
        if os.environ.get("REDIS_URL"):
            broker = f"Redis ({settings.CELERY_BROKER_URL})"
        else:
            broker = f"Kombu filesystem transport in {var_dir / 'broker'} (set REDIS_URL to use Redis)"

        try:
            if with_stripe:
                # First, because the donations seed may create its Stripe objects through it.
                webhook = f"http://{host}:{port}/stripe/webhook/"
                supervisor.start(
                    "stripe",
                    [
                        python,
                        "-m",
                        "devstripe",
                        "--port",
                        str(stripe_port),
                        "--webhook-url",
                        webhook,
                        "--webhook-secret",
                        DEMO_WEBHOOK_SECRET,
                    ],
                )
                stripe_child = supervisor.children[-1]
                if not wait_for_port(
                    host, stripe_port, 20, alive=lambda: stripe_child.process.poll() is None
                ):
                    raise CommandError("The Stripe stand-in did not start; see var/log/demo-stripe.log.")
            else:
                supervisor.say("devstripe is not installed: donations cannot reach a Stripe stand-in.")

            supervisor.say("Migrating the database…")
            call_command("migrate", interactive=False, verbosity=0)
            if not no_seed:
                self._seed(supervisor)
            if with_stripe:
                self._standin_sync(supervisor, env["STRIPE_API_BASE"])
            if supervisor.stop_requested:
                supervisor.stop_all()
                return

            supervisor.start("web", [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"])
            supervisor.start(
                "worker",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-P",
                    "threads",
                    "-c",
                    "2",
                    "--loglevel=INFO",
                    "-n",
                    "demo@%h",
                ],
            )
            supervisor.start(
                "beat",
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "beat",
                    "--loglevel=INFO",
                    "-s",
                    str(var_dir / "celerybeat-schedule"),
                ],
            )
            web = supervisor.children[-3]
            if not wait_for_port(host, port, 30, alive=lambda: web.process.poll() is None):
                raise CommandError("The web server did not start; see var/log/demo-web.log.")
            self._banner(
                supervisor,
                host=host,
                port=port,
                stripe_port=stripe_port if with_stripe else None,
                broker=broker,
            )
            code = supervisor.wait()
        except BaseException:
            supervisor.stop_all()
            raise
        supervisor.say("Stopped.")
        if code:
            sys.exit(code)

    def _seed(self, supervisor: Supervisor) -> None:
        for app in SEED_APPS:
            module_name = f"{app}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            supervisor.say(f"Seeding {module_name}…")
            importlib.import_module(module_name).seed()

    def _standin_sync(self, supervisor: Supervisor, base_url: str) -> None:
        """The stand-in starts empty on every run: give it back the monthly gifts the database knows
        (the seeded one and those made in earlier runs), so changing or cancelling them works."""
        from donations.demo import StandInSyncError, standin_sync

        try:
            count = standin_sync(base_url)
        except StandInSyncError as exc:
            supervisor.say(f"Could not register monthly gifts in the Stripe stand-in: {exc}")
            return
        supervisor.say(f"Registered {count} monthly gift(s) in the Stripe stand-in.")

    def _banner(self, supervisor: Supervisor, *, host, port, stripe_port, broker) -> None:
        from accounts.demo import DEMO_ADMIN, DEMO_PASSWORD, DEMO_PEOPLE

        base = f"http://{host}:{port}"
        people = "\n".join(f"      {email:28} {', '.join(roles)}" for email, _name, roles in DEMO_PEOPLE)
        stripe = (
            f"  Stripe stand-in  http://{host}:{stripe_port}/   test card {TEST_CARD}"
            if stripe_port
            else "  Stripe stand-in  not running (devstripe is not installed)"
        )
        text = f"""
  Haven is running.
  Site             {base}/
  Mail outbox      {base}/dev/outbox/   (every email the demo sends lands here)
                   outbox key {os.environ.get("HAVEN_DEV_OUTBOX_KEY", "")}   (or sign in as {DEMO_ADMIN})
  Admin            {base}/admin/
  Health           {base}/healthz
{stripe}
  Broker           {broker}
  Logs             {Path(settings.VAR_DIR) / "log"}/demo-*.log

  Sign in with password {DEMO_PASSWORD}:
{people}
      {DEMO_ADMIN:28} superuser (admin)

  Press Ctrl-C to stop everything.
"""
        for line in text.splitlines():
            supervisor.say(line)
