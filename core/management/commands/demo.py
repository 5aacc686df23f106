"""`manage.py demo` (what `make demo` runs): migrate, seed demo data, then run the web server, a
Celery worker, Celery beat and the Stripe stand-in as child processes until Ctrl-C.

Without REDIS_URL the broker is Kombu's filesystem transport under var/ (see settings/local.py), so
the worker and beat are real processes exchanging real messages; with REDIS_URL they use Redis."""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core import demo as demo_registry
from core.processes import Supervisor, port_is_free, wait_for_port

DEMO_WEBHOOK_SECRET = "whsec_demo_haven_local_only"  # noqa: S105 - a demo value, printed on screen
TEST_CARD = "4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined"


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
        demo_registry.discover()
        for part in demo_registry.parts():
            if part.seed is not None:
                supervisor.say(f"Seeding {part.app_label}…")
                part.seed()

    def _standin_sync(self, supervisor: Supervisor, base_url: str) -> None:
        """Steps that fill the fresh (in-memory) Stripe stand-in from the database, e.g. the monthly
        gifts of donations, so changing or cancelling them works."""
        demo_registry.discover()
        for part in demo_registry.parts():
            if part.standin_sync is None:
                continue
            try:
                supervisor.say(part.standin_sync(base_url))
            except demo_registry.DemoStepError as exc:
                supervisor.say(str(exc))

    def _banner(self, supervisor: Supervisor, *, host, port, stripe_port, broker) -> None:
        demo_registry.discover()
        logins, password = [], None
        for part in demo_registry.parts():
            logins += part.logins() if part.logins else []
            password = password or part.password
        base = f"http://{host}:{port}"
        people = "\n".join(f"      {email:28} {roles}" for email, roles in logins)
        stripe = (
            f"  Stripe stand-in  http://{host}:{stripe_port}/   test card {TEST_CARD}"
            if stripe_port
            else "  Stripe stand-in  not running (devstripe is not installed)"
        )
        text = f"""
  Haven is running.
  Site             {base}/
  Mail outbox      {base}/dev/outbox/   (every email the demo sends lands here)
                   outbox key {os.environ.get("HAVEN_DEV_OUTBOX_KEY", "")}   (or sign in as the superuser)
  Admin            {base}/admin/
  Health           {base}/healthz
{stripe}
  Broker           {broker}
  Logs             {Path(settings.VAR_DIR) / "log"}/demo-*.log

  Sign in with password {password}:
{people}

  Press Ctrl-C to stop everything.
"""
        for line in text.splitlines():
            supervisor.say(line)
