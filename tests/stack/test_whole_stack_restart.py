"""Through nginx, with real processes: the whole stack stopped (as a deploy or a reboot stops it) while
messages wait, and started again: nothing is lost, nothing is sent twice. Waiting are receipts of
two kinds: some whose publish failed (the broker refused: only their rows know of them) and some
handed to the broker but held by a worker that hung (SIGSTOP) and was killed by the stop.

Runs last (the file's name): the stack it leaves is the restarted one."""

from __future__ import annotations

import contextlib
import os
import signal
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

DELIVERY_SECONDS = 120


@NEEDS_ONE_OUTBOX
def test_messages_waiting_when_the_stack_stops_are_sent_once_after_it_starts(stack):
    run = uuid.uuid4().hex[:6]
    unpublished = [f"restart-refused-{run}-{n}@example.org" for n in range(4)]
    held = [f"restart-held-{run}-{n}@example.org" for n in range(4)]
    sessions = pending_gifts(stack, unpublished + held, block=90)
    client = stack.client("127.90.9.1")

    # given receipts whose publish the broker refused
    stack.redis.refuse()
    try:
        for session in sessions[: len(unpublished)]:
            assert post_webhook(stack, client, completed_event(session))[0] == 200
    finally:
        stack.redis.passthrough()
    # and receipts queued while the worker hangs
    worker = stack.child_pid("worker")
    os.killpg(worker, signal.SIGSTOP)
    try:
        for session in sessions[len(unpublished) :]:
            assert post_webhook(stack, client, completed_event(session))[0] == 200
        assert not any(mail_subjects(stack, unpublished + held).values())

        # when the whole stack is stopped (the hung worker is killed after the grace period)
        stack.stop()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker, signal.SIGCONT)
    # and started again
    stack.start()
    started_at = time.monotonic()

    # then every receipt goes out, once, within 2 minutes
    took = receipts_mailed_once_within(
        stack, unpublished + held, started_at, DELIVERY_SECONDS, "every receipt after the restart"
    )
    print(f"\nreceipts waiting over a restart: all mailed {took:.0f} s after it")  # noqa: T201
