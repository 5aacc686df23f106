"""Brokers that misbehave, for real: a port nobody listens on, a listener that never answers, one
whose accept queue is full (connects hang), and a TCP proxy in front of Redis that can go silent on a
connection already established. Plus: pointing Celery at one of them, and an embedded worker."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from urllib.parse import urlsplit

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from kombu import pools

from config.celery import app


def closed_port() -> int:
    """A local port with nothing listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def silent_listener():
    """Accepts TCP connections (the kernel completes the handshake) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextlib.contextmanager
def full_backlog_listener():
    """A listener whose accept queue is full, so the kernel drops new connection attempts: a connect
    hangs as it does towards a host behind a firewall that drops packets."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    port = sock.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)  # let the fillers' handshakes fill the queue
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        sock.close()


class RedisProxy:
    """Forwards TCP to Redis; `blackhole()` keeps every connection open but drops all bytes (a broker
    behind a dead link), `forward()` heals it."""

    def __init__(self, redis_url: str):
        parts = urlsplit(redis_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.db = (parts.path or "/0").lstrip("/") or "0"
        self.silent = False
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self.db}"

    def blackhole(self) -> None:
        self.silent = True

    def forward(self) -> None:
        self.silent = False

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self.silent:
                continue  # accepted, never answered
            upstream = socket.create_connection(self.target)
            self._sockets.append(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while not self._closed:
            try:
                readable, _, _ = select.select(list(peers), [], [], 0.1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if not self.silent:
                        peers[sock].sendall(data)
            except OSError:
                return


def _reset_pools() -> None:
    # Kombu keeps pools in a process-wide registry keyed by broker URL: close and forget them all, or
    # the next pool for the same URL would be the closed one.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Publish to `url` instead of running tasks eagerly (the test settings' default)."""
    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options)
    _reset_pools()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    # The same socket timeouts as in production; the worker polls the in-memory broker often.
    app.conf.broker_transport_options = {**saved[2], "polling_interval": 0.05}
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = saved


class FinishedDeliveries:
    """Collects the outcomes of message_deliver tasks run by the embedded worker, so a test can wait
    for them without reading the database while the worker writes (SQLite's shared in-memory test
    database would refuse one of the two)."""

    def __init__(self) -> None:
        self.outcomes: dict[int, str] = {}
        self._changed = threading.Condition()

    def record(self, sender=None, args=None, retval=None, **kwargs) -> None:
        if sender is not None and sender.name == "messaging.tasks.message_deliver":
            with self._changed:
                self.outcomes[args[0]] = retval
                self._changed.notify_all()

    def wait_sent(self, message_ids, timeout: float = 15.0) -> None:
        def done():
            return all(self.outcomes.get(pk) == "sent" for pk in message_ids)

        with self._changed:
            if not self._changed.wait_for(done, timeout=timeout):
                raise AssertionError(f"not delivered within {timeout}s: {self.outcomes}")


@contextlib.contextmanager
def running_worker():
    """A real Celery worker (solo pool) in a thread, consuming from the current broker. Yields a
    FinishedDeliveries to wait on."""
    finished = FinishedDeliveries()
    task_postrun.connect(finished.record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield finished
    finally:
        task_postrun.disconnect(finished.record)
