"""A message to everyone booked on a shift: one email per person, nobody sees anyone else."""

import datetime
import smtplib

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.urls import reverse

from messaging.models import Message
from messaging.services import message_deliver, messages_sweep
from tests.factories import BookingFactory, UserFactory
from volunteers import services
from volunteers.models import Booking, ShiftMessage

pytestmark = pytest.mark.django_db


def _copies(message: ShiftMessage):
    """Each person's copy of a shift message: an outbox message about it."""
    return Message.objects.filter(kind=ShiftMessage.MESSAGE_KIND, about_id=message.pk)


def test_message_goes_to_each_booked_person_alone(
    coordinator_client, own_shift, mailoutbox, django_capture_on_commit_callbacks
):
    # given four people booked and one who cancelled
    booked = [
        BookingFactory(shift=own_shift, volunteer=UserFactory(roles=["volunteer"], email=f"v{i}@example.org"))
        for i in range(4)
    ]
    cancelled = BookingFactory(
        shift=own_shift, status=Booking.Status.CANCELLED, cancelled_at=own_shift.starts_at
    )

    # when the coordinator writes to the shift through the page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = coordinator_client.post(
            reverse("volunteers:coordinate:shift_message", args=[own_shift.pk]),
            {"subject": "Bring an apron", "body": "We start with bread at 9 sharp."},
        )

    # then one email per booked person (queued after commit), To: only them, no CC/BCC
    assert response.status_code == 302
    assert len(callbacks) == 4
    message = ShiftMessage.objects.get(shift=own_shift)
    copies = _copies(message)
    assert copies.count() == 4 and copies.filter(status=Message.Status.SENT).count() == 4
    addresses = {b.volunteer.email for b in booked}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(addresses)
    for email in mailoutbox:
        assert len(email.to) == 1 and email.cc == [] and email.bcc == []
        assert "Bring an apron" in email.subject and "bread at 9 sharp" in email.body
        others = addresses - set(email.to)
        text = email.subject + email.body + str(email.extra_headers) + str(email.reply_to)
        assert not any(address in text for address in others)
        assert own_shift.address not in email.body
    assert cancelled.volunteer.email not in {m.to[0] for m in mailoutbox}


def test_running_the_task_again_sends_nothing(
    own_shift, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    BookingFactory.create_batch(3, shift=own_shift)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.shift_message_send(
            shift=own_shift, sender=coordinator, subject="Hi", body="See you"
        )
    assert len(mailoutbox) == 3

    for copy in _copies(message):
        assert message_deliver(message_id=copy.pk) == "not claimed"

    assert len(mailoutbox) == 3
    assert set(_copies(message).values_list("attempts", flat=True)) == {1}


class RefusingBackend(locmem.EmailBackend):
    """A mail backend that refuses one address, as an SMTP server would."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("refused") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such mailbox")})
        return super().send_messages(messages)


def test_a_failed_send_is_retried_after_its_backoff_only_for_that_person(
    own_shift, coordinator, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.volunteers.coordination.test_messages.RefusingBackend"
    refused = BookingFactory(shift=own_shift, volunteer=UserFactory(email="refused@example.org"))
    BookingFactory(shift=own_shift)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.shift_message_send(
            shift=own_shift, sender=coordinator, subject="Hi", body="See you"
        )

    # the first run sends to the good address and leaves the refused one for a retry
    assert len(mailoutbox) == 1
    failed = _copies(message).get(user=refused.volunteer)
    assert failed.status == Message.Status.PENDING and failed.attempts == 1
    # the sweeper retries only that one, once its backoff has passed
    with time_machine.travel(failed.next_attempt_at + datetime.timedelta(seconds=1)):
        assert messages_sweep() == 1
    failed.refresh_from_db()
    assert failed.attempts == 2
    assert len(mailoutbox) == 1


def test_nobody_booked_means_no_message(own_shift, coordinator):
    with pytest.raises(services.CoordinationError, match="Nobody is booked"):
        services.shift_message_send(shift=own_shift, sender=coordinator, subject="Hi", body="x")
    assert not ShiftMessage.objects.exists()
