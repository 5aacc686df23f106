"""Events and their delivery: every operation runs in `_transaction()` under the one lock; the events
it emits are recorded in order and delivered (in the caller's thread, or by a background sender with
retries for HTTP-caused events)."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from devstripe import objects as o
from devstripe.signing import http_headers, post

logger = logging.getLogger("devstripe")

WEBHOOK_ATTEMPTS = 4
WEBHOOK_BACKOFF = (0.5, 1.0, 2.0)


class WebhookDeliveryMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Run an operation under the lock. Its events are recorded (and queued, when an HTTP request
        caused them) before the lock is released, so `events` keeps their true order; synchronous
        deliveries happen after releasing it, so a webhook handler that calls back into the API
        cannot deadlock."""
        direct: list[dict] = []
        with self._lock:
            outer = self._batch is None
            if outer:
                self._batch = []
            try:
                yield
                if outer and self._batch:
                    self.events.extend(self._batch)
                    direct = self._route(self._batch)
            finally:
                if outer:
                    self._batch = None
        if direct:
            self._send_now(direct)

    def _emit(self, event_type: str, obj: dict, previous_attributes: dict | None = None) -> dict:
        assert self._batch is not None, "events are emitted inside a transaction"
        event = o.event(event_type, obj, previous_attributes=previous_attributes)
        request = getattr(self._local, "request", None)
        if request:
            event["request"] = dict(request)
        self._batch.append(event)
        return event

    def signed_payload(self, event: dict, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and HTTP headers of a delivery of `event`, signed now (or at `timestamp`)."""
        payload = json.dumps(event, indent=2).encode()
        return payload, http_headers(payload, self.webhook_secret, timestamp)

    def _route(self, events: list[dict]) -> list[dict]:
        """Queue the events an HTTP request caused; return those to deliver now, in this thread."""
        if self.deliver is None and not self.webhook_url:
            return []
        if not getattr(self._local, "in_http", False):
            return list(events)
        if self.deliver is not None:
            self.pending.extend(events)
        else:
            for event in events:
                self._enqueue(event)
        return []

    def _send_now(self, events: list[dict]) -> None:
        """Deliver in order; if the endpoint raises (a test's webhook view), the rest are still
        delivered and the first error is raised afterwards."""
        first_error: BaseException | None = None
        for event in events:
            try:
                if self.deliver is not None:
                    self._deliver_now(event)
                else:
                    self._deliver_with_retries(event)
            except Exception as exc:
                first_error = first_error or exc
        if first_error is not None:
            raise first_error

    def _deliver_now(self, event: dict) -> Any:
        payload, headers = self.signed_payload(event)
        result = self.deliver(payload, headers)  # type: ignore[misc]
        status = getattr(result, "status_code", result if isinstance(result, int) else None)
        self.deliveries.append({"event": event["id"], "type": event["type"], "attempt": 1, "status": status})
        return result

    def _deliver_with_retries(self, event: dict) -> int | None:
        status: int | None = None
        for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
            payload, headers = self.signed_payload(event)
            error = None
            try:
                status = post(self.webhook_url, payload, headers)  # type: ignore[arg-type]
            except OSError as exc:
                status, error = None, str(exc)
            self.deliveries.append(
                {
                    "event": event["id"],
                    "type": event["type"],
                    "attempt": attempt,
                    "status": status,
                    "error": error,
                }
            )
            logger.info(
                "webhook %s %s -> %s (attempt %d)", event["type"], event["id"], status or error, attempt
            )
            if status is not None and 200 <= status < 300:
                return status
            if attempt < WEBHOOK_ATTEMPTS:
                time.sleep(WEBHOOK_BACKOFF[min(attempt - 1, len(WEBHOOK_BACKOFF) - 1)])
        logger.warning(
            "webhook %s %s gave up after %d attempts", event["type"], event["id"], WEBHOOK_ATTEMPTS
        )
        return status

    def _enqueue(self, event: dict) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="devstripe-webhooks", daemon=True)
                self._worker.start()
        self._queue.put(event)

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            try:
                if event is None:
                    return
                self._deliver_with_retries(event)
            except Exception:  # a delivery bug must not kill the worker
                logger.exception("webhook delivery failed")
            finally:
                self._queue.task_done()

    def flush(self, timeout: float = 15.0) -> list[dict]:
        """Deliver the events HTTP requests caused: with a `deliver` callable, now, in this thread
        (returns them); with a webhook_url, wait until the background sender is idle."""
        if self.deliver is not None:
            with self._lock:
                sent, self.pending[:] = list(self.pending), []
            self._send_now(sent)
            return sent
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        return []

    def redeliver(self, event: dict | str) -> Any:
        """Send a recorded event again (fresh signature), e.g. to test duplicate deliveries."""
        if isinstance(event, str):
            event = next(e for e in self.events if e["id"] == event)
        if self.deliver is not None:
            return self._deliver_now(event)
        if self.webhook_url:
            return self._deliver_with_retries(event)
        raise RuntimeError("no webhook destination: pass deliver= or webhook_url=")

    def close(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self.flush(timeout=5)
            self._queue.put(None)
