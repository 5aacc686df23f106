"""Delivery: claim, send outside any lock, mark; retry with backoff; a dead worker's message is
sent by the sweeper; two workers on one row send one email."""

import datetime
import os
import signal
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from messaging.models import Message
from messaging.services import message_backoff, message_claim, message_deliver, message_queue, messages_sweep
from tests.factories import MessageFactory, UserFactory

pytestmark = pytest.mark.django_db


def _greet(person, key="1"):
    return message_queue(
        kind="tests.greeting", recipient=person.email, about=person, dedupe_key=f"tests.greeting:{key}"
    )


def test_the_mail_server_fails_then_recovers_and_exactly_one_email_goes_out(
    user, flaky_mail, time_machine, django_capture_on_commit_callbacks
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    flaky_mail.failures_left = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = _greet(user)

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == start + datetime.timedelta(seconds=30)
    assert "SMTPServerDisconnected" in message.last_error

    # Before the backoff has passed: neither a stray task nor the sweeper tries again.
    time_machine.move_to(start + datetime.timedelta(seconds=29), tick=False)
    assert message_deliver(message_id=message.pk) == "not claimed"
    assert messages_sweep() == 0
    assert flaky_mail.attempts == 1

    time_machine.move_to(start + datetime.timedelta(seconds=30), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == start + datetime.timedelta(seconds=30 + 60)  # doubled

    time_machine.move_to(start + datetime.timedelta(seconds=90), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_sweep() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(mail.outbox) == 1
    assert flaky_mail.attempts == 3

    time_machine.move_to(start + datetime.timedelta(hours=1), tick=False)
    assert messages_sweep() == 0
    assert message_deliver(message_id=message.pk) == "not claimed"
    assert len(mail.outbox) == 1


def test_backoff_doubles_up_to_its_cap(settings):
    settings.HAVEN_MESSAGE_RETRY_BASE_SECONDS = 30
    settings.HAVEN_MESSAGE_RETRY_MAX_SECONDS = 3600

    waits = [message_backoff(attempts=n).total_seconds() for n in range(1, 10)]

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_after_the_last_attempt_the_message_is_failed_with_its_error(
    user, flaky_mail, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.HAVEN_MESSAGE_MAX_ATTEMPTS = 3
    flaky_mail.failures_left = 10
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = _greet(user)
    for wait in (30, 60):
        start += datetime.timedelta(seconds=wait)
        time_machine.move_to(start, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            messages_sweep()

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 3
    assert "Connection unexpectedly closed" in message.last_error
    assert mail.outbox == []
    time_machine.move_to(start + datetime.timedelta(days=1), tick=False)
    assert messages_sweep() == 0  # failed messages wait for staff


def test_a_worker_that_died_after_claiming_leaves_the_message_to_the_sweeper(
    user, time_machine, django_capture_on_commit_callbacks
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        message = _greet(user)
    assert message_claim(message_id=message.pk) is not None  # …and the worker is gone

    time_machine.move_to(start + datetime.timedelta(seconds=59), tick=False)
    assert message_deliver(message_id=message.pk) == "not claimed"  # the claim is still fresh
    assert messages_sweep() == 0

    time_machine.move_to(start + datetime.timedelta(seconds=61), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_sweep() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_a_message_that_kills_its_worker_every_time_ends_failed(user, settings, time_machine):
    settings.HAVEN_MESSAGE_MAX_ATTEMPTS = 2
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    message = _greet(user)
    for _ in range(2):
        assert message_claim(message_id=message.pk) is not None
        start += datetime.timedelta(seconds=61)
        time_machine.move_to(start, tick=False)

    assert messages_sweep() == 0

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "worker was lost" in message.last_error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_between_claim_and_send_is_made_good_by_the_sweeper(
    requires_postgres, settings, time_machine
):
    person = UserFactory()
    # As queued (outside a transaction, queueing here would deliver it at once in eager mode).
    message = MessageFactory(kind="tests.greeting", recipient=person.email, about=person)
    settings.EMAIL_BACKEND = "tests.messaging.mail_backends.DyingBackend"
    connections.close_all()  # the child opens its own connection

    pid = os.fork()
    if pid == 0:  # the worker: claims, renders, and is killed before the mail server has the message
        try:
            message_deliver(message_id=message.pk)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    message.refresh_from_db()
    assert message.status == Message.Status.SENDING
    assert message.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert messages_sweep() == 0  # the claim is fresh: maybe the worker is only slow

    time_machine.move_to(message.claimed_at + datetime.timedelta(seconds=61), tick=False)
    assert messages_sweep() == 1  # eager: delivered on the spot (no transaction: published at once)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_messages_at_once_send_each_once(requires_postgres):
    people = UserFactory.create_batch(20)
    messages = [MessageFactory(kind="tests.greeting", recipient=p.email, about=p) for p in people]
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(barrier, message_id):
        try:
            barrier.wait(timeout=10)
            outcomes.append(message_deliver(message_id=message_id))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    for message in messages:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=worker, args=(barrier, message.pk)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert sorted(set(outcomes)) == ["not claimed", "sent"]
    assert outcomes.count("sent") == 20
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Message.objects.values_list("status", "attempts")) == {(Message.Status.SENT, 1)}
