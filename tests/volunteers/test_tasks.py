import datetime

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from tests.factories import ShiftFactory, WaitlistEntryFactory
from volunteers import tasks
from volunteers.models import WaitlistEntry

pytestmark = pytest.mark.django_db


def test_beat_schedule_points_at_registered_tasks():
    entries = [settings.CELERY_BEAT_SCHEDULE[k] for k in ("messaging-sweep", "volunteers-waitlist-offers")]

    # reminders are outbox messages with a due time: the outbox sweeper sends them
    assert [e["task"] for e in entries] == [
        "messaging.tasks.messages_sweep",
        "volunteers.tasks.waitlist_offers_expire",
    ]
    assert entries[0]["schedule"] <= 60.0 and entries[1]["schedule"] == 60.0
    assert not any("reminder" in e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values())
    app.loader.import_default_modules()
    assert all(e["task"] in app.tasks for e in entries)


def test_waitlists_of_started_or_cancelled_shifts_are_closed():
    start = datetime.datetime(2027, 6, 1, 13, 0, tzinfo=datetime.UTC)
    started = ShiftFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    cancelled = ShiftFactory(
        starts_at=start + datetime.timedelta(days=5),
        ends_at=start + datetime.timedelta(days=5, hours=2),
        is_cancelled=True,
        cancelled_at=start,
    )
    upcoming = ShiftFactory(
        starts_at=start + datetime.timedelta(days=6), ends_at=start + datetime.timedelta(days=6, hours=1)
    )
    for shift in (started, cancelled, upcoming):
        WaitlistEntryFactory(shift=shift)

    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        tasks.waitlist_offers_expire.delay()

    statuses = dict(WaitlistEntry.objects.values_list("shift_id", "status"))
    assert statuses == {started.pk: "closed", cancelled.pk: "closed", upcoming.pk: "waiting"}
