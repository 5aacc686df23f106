"""Handing tasks to the broker: the one idiom for "run this task after the transaction commits".

A broker that refuses connections or swallows packets must never break a page whose work has already
committed. Publishing is bounded by the broker settings in config/settings/base.py (1 s to connect,
1 s per socket operation, no publish retries: about a second in the worst case, measured by
tests/messaging/test_broker_down.py), and a failed publish is logged and left to the sweeper, which
finds the row in the database. Tasks are looked up by name, so services never import their tasks
module (no services ↔ tasks import circle)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_publish(name: str, *args: object) -> bool:
    """Send the task `name` with `args` (ids, never secrets) to the broker now. Returns whether the
    broker took it; never raises for a broker problem."""
    task = current_app.tasks[name]  # an unknown name is a programming error: let it raise
    try:
        task.apply_async(args=args)
    except Exception:  # noqa: BLE001 - refused, timed out, or the eager task itself failed
        logger.warning(
            "Could not publish %s%r; it stays in the database for the sweeper.", name, args, exc_info=True
        )
        return False
    return True


def task_publish_on_commit(name: str, *args: object, on_failure: Callable[[], None] | None = None) -> None:
    """Publish the task once the current transaction commits (at once outside a transaction; never
    if it rolls back). `on_failure` runs when the broker did not take it."""

    def publish() -> None:
        if task_publish(name, *args) or on_failure is None:
            return
        try:
            on_failure()
        except Exception:  # noqa: BLE001 - the page's work is committed; the sweeper still finds the row
            logger.exception("Recording the failed publish of %s%r failed.", name, args)

    transaction.on_commit(publish)
