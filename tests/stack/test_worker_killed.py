"""Through nginx, with real processes: the Celery worker SIGKILLed (its whole process group: the
main process and its pool, as the kernel's OOM killer or a lost machine would) in the middle of a
burst of 20 receipts. The supervisor starts it again, as a process manager would; every receipt is
then mailed exactly once within 2 minutes of that restart."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid

import pytest

from tests.stack.payments import (
    completed_event,
    mail_subjects,
    pending_gifts,
    post_webhook,
    receipts_mailed_once_within,
)
from tests.stack.test_broker_faults import NEEDS_ONE_OUTBOX

pytestmark = pytest.mark.stack

RECEIPTS = 20
DELIVERY_SECONDS = 120


@NEEDS_ONE_OUTBOX
def test_a_worker_killed_mid_burst_sends_each_receipt_exactly_once_after_its_restart(stack):
    # given 20 gifts waiting for Stripe's word that they are paid
    run = uuid.uuid4().hex[:6]
    emails = [f"killed-{run}-{number}@example.org" for number in range(RECEIPTS)]
    sessions = pending_gifts(stack, emails, block=80)
    worker = stack.child_pid("worker")
    assert worker is not None

    # when their webhooks arrive one after another, and the worker is killed once it is busy with them
    statuses: list[int] = []
    client = stack.client("127.80.9.1")

    def deliver_all() -> None:
        for session in sessions:
            statuses.append(post_webhook(stack, client, completed_event(session))[0])

    burst = threading.Thread(target=deliver_all)
    burst.start()
    stack.wait_until(
        "the worker mailing its first receipts",
        lambda: sum(map(bool, mail_subjects(stack, emails).values())) >= 3,
        timeout=60,
        interval=0.1,
    )
    os.killpg(worker, signal.SIGKILL)
    restarted = stack.wait_until(
        "the supervisor starting the worker again",
        lambda: (pid := stack.child_pid("worker")) not in (None, worker) and pid,
        timeout=30,
        interval=0.1,
    )
    restarted_at = time.monotonic()
    burst.join(timeout=120)

    # then every webhook was answered as usual, and every receipt went out exactly once
    assert statuses == [200] * RECEIPTS
    assert restarted != worker
    took = receipts_mailed_once_within(
        stack, emails, restarted_at, DELIVERY_SECONDS, "every receipt after the worker's restart"
    )
    print(f"\nreceipts, worker killed: all mailed {took:.0f} s after its restart")  # noqa: T201
