"""A broker that refuses connections or swallows packets never reaches the page: the write commits,
publishing gives up within 2 seconds, and the sweeper delivers the message once the broker is back.
Real sockets, a real Celery worker (in a thread), no mocks."""

import os
import time

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import AuditEntry
from messaging.models import Message
from messaging.services import message_queue, messages_sweep
from tests.factories import MessageFactory, UserFactory
from tests.messaging.brokers import (
    RedisProxy,
    celery_broker,
    closed_port,
    full_backlog_listener,
    running_worker,
    silent_listener,
)

pytestmark = pytest.mark.django_db(transaction=True)

# What "gives up within 2 seconds" means here: one publish, measured around the committing block.
PUBLISH_BUDGET_SECONDS = 2.0
WORKING_BROKER = "memory://"


def _book_and_greet(person) -> tuple[Message, float]:
    """A business transaction that queues a message; returns it and how long the commit took."""
    start = time.monotonic()
    with transaction.atomic():
        person.preferred_name = "Sam"
        person.save(update_fields=["preferred_name"])
        message = message_queue(
            kind="tests.greeting",
            recipient=person.email,
            about=person,
            dedupe_key=f"tests.greeting:{person.pk}",
        )
    return message, time.monotonic() - start


def _recover_and_deliver(message_ids):
    """The broker is back: beat runs the sweeper, a worker picks up what it publishes."""
    with celery_broker(WORKING_BROKER), running_worker() as finished:
        assert messages_sweep() == len(message_ids)
        finished.wait_sent(message_ids)


def _then_delivered_once(message, person):
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [[person.email]]


@pytest.mark.parametrize(
    "broker",
    [
        pytest.param(lambda: _port_context(closed_port()), id="refused"),
        pytest.param(silent_listener, id="accepts-and-never-answers"),
        pytest.param(full_backlog_listener, id="connect-hangs"),
    ],
)
def test_with_the_broker_down_the_write_commits_and_the_sweeper_delivers_after_recovery(broker):
    person = UserFactory()
    with broker() as port, celery_broker(f"redis://127.0.0.1:{port}/0"):
        message, took = _book_and_greet(person)

    assert took < PUBLISH_BUDGET_SECONDS
    person.refresh_from_db()
    assert person.preferred_name == "Sam"  # the business change committed
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.queued_at is None  # the failed publish is left to the sweeper's next run
    assert mail.outbox == []

    _recover_and_deliver([message.pk])

    _then_delivered_once(message, person)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL) behind the proxy")
def test_a_broker_connection_that_goes_silent_costs_the_page_under_2_seconds():
    proxy = RedisProxy(os.environ["REDIS_URL"])
    try:
        with celery_broker(proxy.url):
            warm = MessageFactory(kind="tests.greeting", recipient="warm@example.org")
            # A publish through the proxy opens the pooled connection that is about to die.
            from messaging.publish import task_publish

            assert task_publish("messaging.tasks.message_deliver", warm.pk)
            warm.delete()

            proxy.blackhole()
            person = UserFactory()
            message, took = _book_and_greet(person)
            assert took < PUBLISH_BUDGET_SECONDS
            message.refresh_from_db()
            assert message.status == Message.Status.PENDING and message.queued_at is None

            proxy.forward()
            with running_worker() as finished:  # also runs the stale warm-up task: no row, nothing sent
                assert messages_sweep() == 1
                finished.wait_sent([message.pk])
    finally:
        proxy.close()

    _then_delivered_once(message, person)


def test_a_lost_publish_is_published_again_two_minutes_later(time_machine):
    """The broker took the task and lost it (a Redis restart without persistence): the row says it was
    queued, so the sweeper leaves it alone for two minutes, then hands it over again."""
    person = UserFactory()
    with celery_broker(WORKING_BROKER):
        message, _ = _book_and_greet(person)  # published into a broker nobody consumes…
        from config.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")  # …and lost
        message.refresh_from_db()
        queued = message.queued_at
        assert queued is not None

        time_machine.move_to(queued.replace(microsecond=0) + _seconds(119), tick=False)
        assert messages_sweep() == 0
        time_machine.move_to(queued + _seconds(121), tick=False)
        with running_worker() as finished:
            assert messages_sweep() == 1
            finished.wait_sent([message.pk])

    _then_delivered_once(message, person)


def test_staff_retry_with_the_broker_down_answers_as_usual(client, staff_user):
    failed = MessageFactory(status=Message.Status.FAILED, attempts=8, last_error="SMTPServerDisconnected")
    client.force_login(staff_user)

    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        start = time.monotonic()
        response = client.post(f"/staff/messages/{failed.pk}/retry/")
        took = time.monotonic() - start

    assert response.status_code == 302
    assert took < PUBLISH_BUDGET_SECONDS + 1  # the page's own work on top of the publish
    failed.refresh_from_db()
    assert failed.status == Message.Status.PENDING and failed.queued_at is None
    assert AuditEntry.objects.filter(action="message.retry", target_id=str(failed.pk)).exists()


def _seconds(n):
    import datetime

    return datetime.timedelta(seconds=n)


class _port_context:
    def __init__(self, port):
        self.port = port

    def __enter__(self):
        return self.port

    def __exit__(self, *exc):
        return False
