"""Tasks queued after the current transaction commits, so a worker never sees a row that is not
there yet (or that a rollback took back)."""

from collections.abc import Callable

from django.db import transaction


def after_commit(callback: Callable[[], object]) -> None:
    transaction.on_commit(callback)


def tasks():
    """The app's Celery tasks module. Imported when a task is queued, not at import time: the tasks
    import these services (a known circle, listed in tests/test_architecture.py until the outbox
    replaces these sends)."""
    from .. import tasks  # noqa: PLC0415

    return tasks
