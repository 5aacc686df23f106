"""How the outbox is wired: the publish budget, the sweeper's beat entry, the claim timeout against
the task's time limit, and channel backends chosen by settings."""

import threading

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from config.celery import app
from messaging.channels import EmailChannel, channel_for
from messaging.models import Message
from messaging.services import messages_sweep
from tests.factories import MessageFactory


def test_a_publish_gives_up_within_two_seconds():
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] + options["socket_timeout"] <= 2
    assert app.conf.broker_connection_timeout <= 1
    assert app.conf.task_publish_retry_policy["max_retries"] == 0


def test_the_sweeper_runs_every_half_minute_and_requeues_after_two_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["messaging-sweep"]
    assert entry["task"] == "messaging.tasks.messages_sweep"
    assert entry["task"] in app.tasks
    assert 0 < entry["schedule"] <= 60
    assert settings.HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS == 120


def test_a_live_worker_is_stopped_before_its_claim_counts_as_abandoned():
    deliver = app.tasks["messaging.tasks.message_deliver"]
    assert deliver.time_limit < settings.HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS <= 120
    assert deliver.soft_time_limit < deliver.time_limit
    assert deliver.soft_time_limit > settings.EMAIL_TIMEOUT * 3


def test_each_channel_has_a_backend_from_settings(settings):
    channel = channel_for("email")
    assert isinstance(channel, EmailChannel)
    assert isinstance(channel.connection, LocmemBackend)  # settings.EMAIL_BACKEND of the tests

    settings.HAVEN_MESSAGE_CHANNELS = {**settings.HAVEN_MESSAGE_CHANNELS, "sms": "messaging.channels.Channel"}
    assert type(channel_for("sms")).__name__ == "Channel"
    with pytest.raises(LookupError):
        channel_for("pigeon")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_publish_each_message_once(requires_postgres, monkeypatch):
    messages = MessageFactory.create_batch(60, queued_at=None)
    published: list[int] = []
    lock = threading.Lock()

    def record(args=None, kwargs=None, **options):
        with lock:
            published.append(args[0])

    monkeypatch.setattr(app.tasks["messaging.tasks.message_deliver"], "apply_async", record)
    barrier = threading.Barrier(2)

    def sweeper():
        try:
            barrier.wait(timeout=10)
            messages_sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(published) == sorted(m.pk for m in messages)
    assert not Message.objects.filter(queued_at__isnull=True).exists()
