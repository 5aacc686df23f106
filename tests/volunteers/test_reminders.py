"""Reminders: outbox messages due at UTC instants, sent once by the outbox sweeper, right across DST
changes."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from messaging.models import Message
from messaging.services import message_deliver, messages_sweep
from tests.factories import AgreementFactory, RoleFactory, ShiftFactory, ready_volunteer
from volunteers import services
from volunteers.models import Booking

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
UTC = datetime.UTC

# The day after each daylight-saving change in New York, 2026-2028 (starts in March, ends in November).
DAYS_AFTER_DST_CHANGE = [
    datetime.date(2026, 3, 9),
    datetime.date(2026, 11, 2),
    datetime.date(2027, 3, 15),
    datetime.date(2027, 11, 8),
    datetime.date(2028, 3, 13),
    datetime.date(2028, 11, 6),
]


def _book_shift_at_nine_local(day: datetime.date) -> Booking:
    starts = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=NEW_YORK)
    booked_at = starts - datetime.timedelta(days=10)
    with time_machine.travel(booked_at, tick=False):
        AgreementFactory(version=1, published_at=booked_at - datetime.timedelta(days=1))
        volunteer = ready_volunteer()
        shift = ShiftFactory(
            role=RoleFactory(name="Shelter meal prep"),
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
            address="77 Secret Street",
            neighbourhood="Riverside",
        )
        booking = services.shift_book(shift=shift, volunteer=volunteer)
        _confirmations_delivered()
    mail.outbox.clear()
    return booking


def _confirmations_delivered() -> None:
    # What the delivery task queued after the booking's commit does (tests run in one transaction).
    for message in Message.objects.exclude(kind="volunteers.reminder").filter(status=Message.Status.PENDING):
        message_deliver(message_id=message.pk)


def _run_beat_at(instant: datetime.datetime) -> int:
    """The outbox sweeper's beat run at `instant` (it publishes what is due; tasks run eagerly here).
    Returns how many emails went out."""
    before = len(mail.outbox)
    with time_machine.travel(instant, tick=False):
        messages_sweep()
    return len(mail.outbox) - before


def _reminders(booking: Booking) -> dict[int, Message]:
    return {m.data["offset_hours"]: m for m in services.booking_reminders(booking)}


@pytest.mark.parametrize("day", DAYS_AFTER_DST_CHANGE, ids=str)
def test_reminders_fire_exactly_once_at_48h_and_3h_in_utc_across_dst(day, settings):
    settings.TIME_ZONE = "America/New_York"
    booking = _book_shift_at_nine_local(day)
    starts_utc = booking.shift.starts_at.astimezone(UTC)
    due_48 = starts_utc - datetime.timedelta(hours=48)
    due_3 = starts_utc - datetime.timedelta(hours=3)
    # the local clock moved between the reminder and the shift: 48 h is not "same time two days before"
    assert due_48.astimezone(NEW_YORK).hour != 9
    assert _reminders(booking)[48].due_at == due_48

    # when the beat task runs every minute around each due instant (and several times at the instant)
    sent = []
    for instant in [
        due_48 - datetime.timedelta(minutes=2),
        due_48 - datetime.timedelta(seconds=1),
        due_48,
        due_48,
        due_48 + datetime.timedelta(minutes=1),
        due_48 + datetime.timedelta(hours=5),
        due_3 - datetime.timedelta(seconds=1),
        due_3,
        due_3 + datetime.timedelta(seconds=30),
        due_3 + datetime.timedelta(minutes=1),
        starts_utc - datetime.timedelta(minutes=1),
    ]:
        sent.append((instant, _run_beat_at(instant)))

    # then each reminder went out once, at its instant, never before
    assert [instant for instant, count in sent if count] == [due_48, due_3]
    assert len(mail.outbox) == 2
    assert "in 48 hours" in mail.outbox[0].subject and "in 3 hours" in mail.outbox[1].subject
    reminders = _reminders(booking)
    assert reminders[48].sent_at == due_48 and reminders[3].sent_at == due_3
    assert reminders[48].attempts == 1 and reminders[3].attempts == 1


def test_reminder_says_when_and_which_role_links_to_the_site_and_never_the_address(settings):
    settings.TIME_ZONE = "America/New_York"
    booking = _book_shift_at_nine_local(datetime.date(2026, 3, 9))

    _run_beat_at(booking.shift.starts_at - datetime.timedelta(hours=47))

    (message,) = mail.outbox
    assert "Shelter meal prep" in message.body
    assert "Monday, March 9, 2026" in message.body and "9:00 AM" in message.body
    assert f"http://testserver/shifts/{booking.shift.pk}/" in message.body
    assert "77 Secret Street" not in message.body + message.subject
    assert "Riverside" not in message.body + message.subject


def test_no_reminder_for_a_cancelled_booking(settings):
    booking = _book_shift_at_nine_local(datetime.date(2027, 11, 8))
    with time_machine.travel(booking.shift.starts_at - datetime.timedelta(days=5), tick=False):
        services.booking_cancel(booking=booking, volunteer=booking.volunteer)

    for hours in (48, 3):
        _run_beat_at(booking.shift.starts_at - datetime.timedelta(hours=hours))

    assert mail.outbox == []


def test_no_reminder_for_a_shift_cancelled_by_coordinators_and_the_row_is_skipped():
    booking = _book_shift_at_nine_local(datetime.date(2028, 3, 13))
    shift = booking.shift
    shift.is_cancelled = True
    shift.cancelled_at = shift.starts_at - datetime.timedelta(days=5)
    shift.save()

    _run_beat_at(shift.starts_at - datetime.timedelta(hours=3))

    assert mail.outbox == []
    assert [m.status for m in _reminders(booking).values()] == [Message.Status.SKIPPED] * 2


def test_moving_a_shift_recomputes_due_instants():
    booking = _book_shift_at_nine_local(datetime.date(2026, 11, 2))
    shift = booking.shift
    with time_machine.travel(shift.starts_at - datetime.timedelta(days=7), tick=False):
        shift.starts_at += datetime.timedelta(days=1)
        shift.ends_at += datetime.timedelta(days=1)
        shift.save()
        services.reminders_reschedule_for_shift(shift=shift)

    assert _run_beat_at(shift.starts_at - datetime.timedelta(hours=72)) == 0
    assert _run_beat_at(shift.starts_at - datetime.timedelta(hours=48)) == 1


def test_booking_close_to_the_start_skips_reminders_already_past():
    day = datetime.date(2026, 3, 9)
    starts = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=NEW_YORK)
    with time_machine.travel(starts - datetime.timedelta(hours=10), tick=False):
        AgreementFactory(version=1)
        shift = ShiftFactory(starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
        booking = services.shift_book(shift=shift, volunteer=ready_volunteer())

    assert list(_reminders(booking)) == [3]


@pytest.mark.django_db(transaction=True)
def test_two_beat_workers_at_once_send_each_reminder_once(requires_postgres):
    # given 20 bookings whose 48 h reminders are all due
    AgreementFactory(version=1)
    shift = ShiftFactory(capacity=20)
    for _ in range(20):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    mail.outbox.clear()
    due = shift.starts_at - datetime.timedelta(hours=48)

    # when two workers run the task at the same moment
    start = threading.Barrier(2)
    counts = []

    def beat():
        try:
            start.wait(timeout=30)
            counts.append(messages_sweep(batch_size=3))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    with time_machine.travel(due, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # (each run takes a batch; what is left goes at the next beat)
        while messages_sweep():
            pass

    # then every reminder went out exactly once between them
    assert Message.objects.filter(kind="volunteers.reminder", status=Message.Status.SENT).count() == 20
    assert len(mail.outbox) == 20
    assert len({m.to[0] for m in mail.outbox}) == 20


def test_rescheduling_without_a_time_change_does_not_resend():
    booking = _book_shift_at_nine_local(datetime.date(2027, 3, 15))
    due_48 = booking.shift.starts_at - datetime.timedelta(hours=48)
    assert _run_beat_at(due_48) == 1

    with time_machine.travel(due_48 + datetime.timedelta(hours=1), tick=False):
        services.reminders_reschedule_for_shift(shift=booking.shift)

    assert _run_beat_at(due_48 + datetime.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down: the real reminder code runs up to the SMTP call."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_send_is_retried_after_its_backoff_and_given_up_after_max_attempts(settings):
    booking = _book_shift_at_nine_local(datetime.date(2028, 11, 6))
    due_48 = booking.shift.starts_at - datetime.timedelta(hours=48)
    settings.EMAIL_BACKEND = "tests.volunteers.test_reminders.FailingEmailBackend"
    settings.HAVEN_MESSAGE_MAX_ATTEMPTS = 3

    assert _run_beat_at(due_48) == 0
    reminder = _reminders(booking)[48]
    assert reminder.attempts == 1 and reminder.sent_at is None and "mail server down" in reminder.last_error
    assert reminder.status == Message.Status.PENDING and reminder.next_attempt_at > due_48

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert _run_beat_at(reminder.next_attempt_at - datetime.timedelta(seconds=1)) == 0  # not before its time
    assert _run_beat_at(reminder.next_attempt_at) == 1
    reminder.refresh_from_db()
    assert reminder.attempts == 2 and reminder.status == Message.Status.SENT

    # a reminder that keeps failing is given up (failed, shown to staff) after the maximum
    settings.EMAIL_BACKEND = "tests.volunteers.test_reminders.FailingEmailBackend"
    due_3 = booking.shift.starts_at - datetime.timedelta(hours=3)
    for minute in range(10):
        _run_beat_at(due_3 + datetime.timedelta(minutes=minute))
    late = _reminders(booking)[3]
    assert late.attempts == 3 and late.status == Message.Status.FAILED and late.sent_at is None
