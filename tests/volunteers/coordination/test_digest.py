"""The coordinators' daily digest of shifts with open places."""

import datetime

import pytest
import time_machine
from django.conf import settings

from messaging.models import Message
from tests.factories import BookingFactory, RoleFactory, ShiftFactory, UserFactory
from volunteers import tasks

pytestmark = pytest.mark.django_db

# 08:00 in New York on a Tuesday, after the digest hour (7:00 local by default)
MORNING = datetime.datetime(2027, 4, 6, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def shifts(role, other_role):
    """Shifts of the coordinator's role: one empty, one full, one beyond 7 days; and one of another role."""
    at = MORNING + datetime.timedelta(days=2)
    empty = ShiftFactory(
        role=role, starts_at=at, ends_at=at + datetime.timedelta(hours=3), capacity=4, title="Empty"
    )
    full = ShiftFactory(
        role=role, starts_at=at, ends_at=at + datetime.timedelta(hours=3), capacity=1, title="Full one"
    )
    BookingFactory(shift=full)
    later = at + datetime.timedelta(days=8)
    ShiftFactory(role=role, starts_at=later, ends_at=later + datetime.timedelta(hours=1), title="Far off")
    ShiftFactory(role=other_role, starts_at=at, ends_at=at + datetime.timedelta(hours=1), title="Not mine")
    return empty


def test_digest_is_sent_once_a_day_per_coordinator(
    coordinator, shifts, mailoutbox, django_capture_on_commit_callbacks
):
    # given it is morning in the organisation's zone
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
        # when beat runs the task twice
        first = tasks.coordinator_digests_send()
        second = tasks.coordinator_digests_send()

    # then our coordinator got exactly one digest (the other role's coordinator got theirs), listing only
    # their shifts of the next 7 days that still have open places
    mine = [m for m in mailoutbox if m.to == [coordinator.email]]
    assert len(mine) == 1 and first == 2 and second == 0
    body = mine[0].body
    assert "Empty" in body and "0 of 4 booked" in body
    assert "Full one" not in body and "Far off" not in body and "Not mine" not in body
    digest = Message.objects.get(kind="volunteers.coordinator_digest", user=coordinator)
    assert digest.dedupe_key == f"volunteers.coordinator_digest:{coordinator.pk}:2027-04-06"
    assert digest.status == Message.Status.SENT and digest.data == {"date": "2027-04-06"}


def test_next_day_sends_again_and_nothing_before_the_digest_hour(
    coordinator, shifts, mailoutbox, django_capture_on_commit_callbacks
):
    early = MORNING.replace(
        hour=settings.HAVEN_COORDINATOR_DIGEST_HOUR + 4 - 1
    )  # 06:00 New York (EDT, UTC-4)
    with time_machine.travel(early, tick=False):
        assert tasks.coordinator_digests_send() == 0
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.coordinator_digests_send()
    with (
        time_machine.travel(MORNING + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.coordinator_digests_send()
    assert len([m for m in mailoutbox if m.to == [coordinator.email]]) == 2
    assert Message.objects.filter(kind="volunteers.coordinator_digest", user=coordinator).count() == 2


def test_no_digest_when_everything_is_full(mailoutbox):
    coordinator = UserFactory(roles=["coordinator"])
    role = RoleFactory(coordinators=[coordinator])
    at = MORNING + datetime.timedelta(days=1)
    full = ShiftFactory(role=role, starts_at=at, ends_at=at + datetime.timedelta(hours=2), capacity=1)
    BookingFactory(shift=full)
    with time_machine.travel(MORNING, tick=False):
        assert tasks.coordinator_digests_send() == 0
    assert mailoutbox == [] and not Message.objects.filter(kind="volunteers.coordinator_digest").exists()


def test_digest_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["volunteers-coordinator-digest"]
    assert entry["task"] == "volunteers.tasks.coordinator_digests_send"
