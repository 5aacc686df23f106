"""The Celery app carries the settings every task relies on (JSON only, time limits, late acks,
redelivery when a worker dies, broker timeouts so a dead broker cannot hang a page)."""

from django.conf import settings

from config.celery import app


def test_tasks_and_results_are_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_tasks_have_hard_and_soft_time_limits():
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT > 0
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_tasks_are_acknowledged_late_and_redelivered_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_broker_connection_is_bounded_by_timeouts():
    assert 0 < app.conf.broker_connection_timeout <= 5
    options = app.conf.broker_transport_options
    # With the filesystem broker (local settings) these options describe folders instead; the base
    # settings, used with Redis, carry the socket timeouts.
    from config.settings import base

    assert 0 < base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 5
    assert 0 < base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 5
    assert options == settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert app.conf.task_publish_retry_policy["max_retries"] <= 3


def test_tasks_are_discovered_from_the_apps():
    app.loader.import_default_modules()

    assert "accounts.tasks.retention_apply" in app.tasks
    assert "messaging.tasks.message_deliver" in app.tasks


def test_time_is_utc_for_the_scheduler():
    assert app.conf.timezone == "UTC"
    assert app.conf.enable_utc is True
