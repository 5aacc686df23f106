"""Through the stack, with real processes: beat running twice over (a deploy that starts the new beat
before the old one stops, or a second host configured by mistake). Two more beat processes start at
once beside the stack's own, each with its own schedule file, so all three fire the coordinators'
digest (every 10 s in the stack tests, HAVEN_COORDINATOR_DIGEST_CHECK_SECONDS) and the outbox sweep
that publishes a due reminder (every 5 s there, HAVEN_MESSAGE_SWEEP_SECONDS) at about the same
instants: still no reminder and no digest is sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.stack.conftest import ROOT

pytestmark = pytest.mark.stack

# A shift that starts in 3 hours and 20 seconds: its 3-hour reminder falls due 20 s from now, once
# both extra beats are up.
SEED = """
import datetime, json
from django.utils import timezone
from accounts.models import User
from volunteers import services
from volunteers.models import Role, Shift, VolunteerProfile

run = {run!r}
now = timezone.now()
coordinator = User.objects.create_user(email=f"coordinator-{{run}}@example.org")
role = Role.objects.create(
    name=f"Two beats {{run}}", slug=f"two-beats-{{run}}", requires_agreement=False, requires_approval=False
)
role.coordinators.add(coordinator)
starts = now + datetime.timedelta(hours=3, seconds=20)
shift = Shift.objects.create(
    role=role, title=f"Two beats {{run}}", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
    capacity=5, address="1 Stack Street",
)
volunteer = User.objects.create_user(email=f"volunteer-{{run}}@example.org")
VolunteerProfile.objects.create(
    user=volunteer, emergency_contact_name="Kim", emergency_contact_phone="555-0100", onboarded_at=now
)
services.shift_book(shift=shift, volunteer=volunteer)
print(json.dumps({{"coordinator": coordinator.email, "volunteer": volunteer.email}}))
"""
REMINDER = "Reminder:"
DIGEST = "in the next 7 days need"  # "1 shift … needs people", "2 shifts … need people"


def _beat(stack, number: int) -> subprocess.Popen:
    log = (stack.directory / "log" / f"extra-beat{number}.log").open("a")
    return subprocess.Popen(  # noqa: S603 - our own argv
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
        + ["-s", str(stack.directory / f"extra-beat{number}-schedule")],
        cwd=ROOT,
        env=stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _subjects(stack, email: str, part: str) -> list[str]:
    return [str(m["Subject"]) for m in stack.mail(email) if part in str(m["Subject"])]


def test_two_more_beats_at_once_send_no_reminder_or_digest_twice(stack):
    # given a coordinator whose role has a shift that needs people, and a volunteer booked on it
    # whose reminder falls due in 20 seconds
    people = stack.shell_json(SEED.format(run=uuid.uuid4().hex[:8]))

    # when two more beats start at once, beside the stack's own
    beats = [_beat(stack, number) for number in (1, 2)]
    try:
        # then the digest and the reminder each go out
        stack.wait_until("the digest", lambda: _subjects(stack, people["coordinator"], DIGEST), 90)
        stack.wait_until("the reminder", lambda: _subjects(stack, people["volunteer"], REMINDER), 150)
        # and, after every beat has fired the digest again (every 10 s) and swept again, only once
        time.sleep(12)
        assert all(beat.poll() is None for beat in beats), "a beat exited"
    finally:
        for beat in beats:
            os.killpg(beat.pid, signal.SIGTERM)
        for beat in beats:
            beat.wait(timeout=30)
    assert len(_subjects(stack, people["coordinator"], DIGEST)) == 1
    assert len(_subjects(stack, people["volunteer"], REMINDER)) == 1
