"""The production-like stack (`python -m deploy.stack`, what `make stack` runs), started once per test
session for the tests marked `stack`: nginx with TLS in front of gunicorn, Celery worker and beat,
PostgreSQL, and Redis behind a fault-injecting proxy (tests/stack/faultproxy.py), so a test can
refuse or blackhole the broker and cache.

- Database: HAVEN_STACK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/haven_stack_tests),
  dropped and created afresh for the session.
- Redis: HAVEN_STACK_REDIS_URL (default redis://127.0.0.1:6379/14), emptied for the session.
- Ports: free ones picked by the kernel.

Skipped with the reason when nginx, PostgreSQL or Redis is missing, unless HAVEN_REQUIRE_STACK=1
(CI), where that fails instead."""

from __future__ import annotations

import json
import mailbox
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.stack.faultproxy import FaultProxy

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get(
    "HAVEN_STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haven_stack_tests"
)
REDIS_URL = os.environ.get("HAVEN_STACK_REDIS_URL", "redis://127.0.0.1:6379/14")
START_TIMEOUT = 180


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and "stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.stack)


def _unavailable(reason: str):
    if os.environ.get("HAVEN_REQUIRE_STACK") == "1":
        pytest.fail(f"HAVEN_REQUIRE_STACK=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SourceAddressAdapter(HTTPAdapter):
    """Connects from a given loopback address (127.0.0.0/8 is all ours on Linux), so nginx sees each
    test client as a different machine."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


@dataclass
class Stack:
    directory: Path
    origin: str
    ca: str
    maildir: Path
    http_port: int
    https_port: int
    env: dict[str, str]
    redis: FaultProxy
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    ready: dict = field(default_factory=dict)

    def client(self, source: str = "127.0.0.1") -> requests.Session:
        """A browser-like HTTP client (cookies, CSRF headers) that connects from `source`."""
        session = requests.Session()
        # Not the machine's REQUESTS_CA_BUNDLE (which would win over session.verify) nor its proxies.
        session.trust_env = False
        session.verify = self.ca
        session.mount("https://", SourceAddressAdapter(source))
        session.mount("http://", SourceAddressAdapter(source))
        return session

    def csrf_post(
        self, session: requests.Session, path: str, data: dict, page: str | None = None, **kwargs
    ) -> requests.Response:
        """GET the form at `page` (default: `path`), then POST `data` to `path` with its CSRF token, as
        a browser would (same origin: Origin and Referer are the site's https address)."""
        page = page or path
        form = session.get(self.origin + page, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token, f"no CSRF token on {page} ({form.status_code})"
        headers = {"Origin": self.origin, "Referer": self.origin + page, **kwargs.pop("headers", {})}
        return session.post(
            self.origin + path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers=headers,
            timeout=30,
            allow_redirects=False,
            **kwargs,
        )

    def sign_up(self, email: str, password: str, source: str = "127.200.0.1") -> None:
        """Signs up through the site and confirms the address by the link the worker mailed."""
        client = self.client(source)
        response = self.csrf_post(
            client, "/accounts/signup/", {"email": email, "password1": password, "password2": password}
        )
        assert response.status_code == 302, response.text[-2000:]
        message = self.wait_for_mail(email, "Please Confirm Your Email Address")[0]
        body = message.get_body(("plain",)).get_content()
        path = re.search(r"https://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
        assert self.csrf_post(client, path, {}).status_code == 302

    def mail(self, to: str) -> list:
        """Messages the relay received for the address `to` exactly, oldest first (parsed, with headers
        and body)."""
        found = []
        box = mailbox.Maildir(self.maildir, create=False)
        for key in list(box.iterkeys()):
            raw = box.get_bytes(key)
            message = BytesParser(policy=policy.default).parsebytes(raw)
            if to.lower() in {address.lower() for _, address in getaddresses([str(message.get("To", ""))])}:
                found.append(message)
        return sorted(found, key=lambda m: m.get("Date", ""))

    def wait_for_mail(self, to: str, subject: str, count: int = 1, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [m for m in self.mail(to) if subject in str(m.get("Subject", ""))]
            if len(matching) >= count:
                return matching
            time.sleep(0.3)
        raise AssertionError(f"no mail {subject!r} to {to} within {timeout:.0f}s")

    def manage(self, *args: str) -> str:
        """Runs manage.py with the stack's environment (production settings, its database)."""
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell_json(self, script: str):
        """Runs `script` in `manage.py shell` with the stack's environment; returns the JSON it printed
        last (the shell may print lines of its own first)."""
        return json.loads(self.manage("shell", "-c", script).strip().splitlines()[-1])

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path else ""

    def sql(self, query: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of a read-only query against the stack's database (what the app committed)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True, connect_timeout=5) as connection:
            return connection.execute(query, params).fetchall()

    def wait_until(self, what: str, check, timeout: float, interval: float = 0.5):
        """Polls `check()` until it returns something truthy (returned); fails naming `what`."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout:.0f} s")
            time.sleep(interval)

    def child_pid(self, argv_part: str) -> int | None:
        """The pid of the stack's process (a direct child of its supervisor) whose command line holds
        `argv_part`, e.g. "worker" (the supervisor starts it again under a new pid when it dies)."""
        if self.process is None:
            return None
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
                argv = (status.parent / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and argv_part.encode() in argv:
                return int(status.parent.name)
        return None

    def start(self) -> None:
        env = {**self.env}
        self.log_path = self.directory / "stack.log"
        log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "deploy.stack"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        ready = self.directory / "ready.json"
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the stack did not start:\n{self.log()[-5000:]}")
            time.sleep(0.3)
        self.ready = json.loads(ready.read_text())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _prepare_database() -> None:
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        _unavailable("psycopg is not installed")
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(
            urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=5
        ) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        _unavailable(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port}: {exc}")


def _prepare_redis() -> tuple[str, int, int]:
    parts = urlsplit(REDIS_URL)
    host, port, db = parts.hostname or "127.0.0.1", parts.port or 6379, int(parts.path.lstrip("/") or 0)
    try:
        import redis

        redis.Redis(host=host, port=port, db=db, socket_connect_timeout=3).flushdb()
    except Exception as exc:  # noqa: BLE001 - any failure means no Redis here
        _unavailable(f"Redis is not reachable at {host}:{port}: {exc}")
    return host, port, db


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    from deploy.stack import nginx_binary

    if nginx_binary() is None:
        _unavailable("nginx is not installed (deploy/install-nginx.sh installs Debian's)")
    _prepare_database()
    redis_host, redis_port, redis_db = _prepare_redis()
    proxy = FaultProxy(upstream=(redis_host, redis_port)).start()

    directory = tmp_path_factory.mktemp("stack")
    https_port, http_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL"}}
    env.update(
        HAVEN_STACK_DIR=str(directory),
        HAVEN_STACK_HTTPS_PORT=str(https_port),
        HAVEN_STACK_HTTP_PORT=str(http_port),
        HAVEN_STACK_APP_PORT=str(_free_port()),
        HAVEN_STACK_STRIPE_PORT=str(_free_port()),
        HAVEN_STACK_SMTP_PORT=str(_free_port()),
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{redis_db}",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        # Coordinators' digests from midnight on, checked every 10 s (still one a day per coordinator),
        # so that the two-beats test runs at any hour and in seconds.
        HAVEN_COORDINATOR_DIGEST_HOUR="0",
        HAVEN_COORDINATOR_DIGEST_CHECK_SECONDS="10",
        # The outbox swept every 5 s instead of 30: a wait for "the next sweep" takes seconds. The
        # deliveries are still checked against the production promise (within two minutes).
        HAVEN_MESSAGE_SWEEP_SECONDS="5",
    )
    from deploy.stack import StackConfig, app_environment

    config = StackConfig.from_environment(env)
    stack = Stack(
        directory=directory,
        origin=config.origin,
        ca=str(config.tls_dir / "ca.pem"),
        maildir=config.maildir,
        http_port=http_port,
        https_port=https_port,
        env={**env, **app_environment(config)},
        redis=proxy,
    )
    stack.start()
    yield stack
    stack.stop()
    proxy.close()
