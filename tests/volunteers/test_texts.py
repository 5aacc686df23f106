"""Texts for volunteers who opted in: consent recorded with its time and wording, numbers in E.164,
reminders and shift-message notes by text (never the address, never the coordinator's words), quiet
hours, STOP and START replies through the signed webhook, and each text exactly once."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from messaging import sms
from messaging.models import Message
from tests.factories import ShiftFactory, UserFactory, ready_volunteer
from tests.messaging.sms_standin import TwilioStandIn
from volunteers import services
from volunteers.models import SmsConsentRecord, VolunteerProfile
from volunteers.services.texts import KIND_REMINDER_TEXT, KIND_SHIFT_MESSAGE_TEXT

pytestmark = pytest.mark.django_db

NUMBER = "+12015550123"


@pytest.fixture(autouse=True)
def no_texts_left():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def ada(agreement):
    return ready_volunteer(name="Ada Lovelace", email="ada@example.org")


@pytest.fixture
def texting_ada(ada):
    services.sms_opt_in(volunteer=ada, number=NUMBER, wording=services.consent_wording())
    return ada


def _local(*args):
    return timezone.make_aware(datetime.datetime(*args))


# --- consent ---------------------------------------------------------------------------------------


def test_opting_in_records_the_number_in_e164_the_time_and_the_words_shown(client, ada):
    client.force_login(ada)
    page = client.get(reverse("volunteers:texts")).content.decode()

    response = client.post(
        reverse("volunteers:texts"), {"action": "opt_in", "mobile": "(201) 555-0123", "agree": "on"}
    )

    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=ada)
    assert str(profile.mobile) == NUMBER and profile.sms_opted_in_at is not None
    record = SmsConsentRecord.objects.get(volunteer=ada)
    assert record.action == "opt_in" and record.source == "web" and str(record.number) == NUMBER
    assert record.wording == services.consent_wording() and "Reply STOP" in record.wording
    assert record.wording in page.replace("&#x27;", "'")  # what was recorded is what was shown


def test_an_invalid_number_or_no_agreement_turns_nothing_on(client, ada):
    client.force_login(ada)

    bad_number = client.post(
        reverse("volunteers:texts"), {"action": "opt_in", "mobile": "12345", "agree": "on"}
    )
    no_tick = client.post(reverse("volunteers:texts"), {"action": "opt_in", "mobile": NUMBER})

    assert bad_number.status_code == 400 and no_tick.status_code == 400
    assert not SmsConsentRecord.objects.exists()
    assert VolunteerProfile.objects.get(user=ada).sms_opted_in_at is None


def test_stopping_on_the_site_is_recorded(client, texting_ada):
    client.force_login(texting_ada)

    client.post(reverse("volunteers:texts"), {"action": "opt_out"})

    assert VolunteerProfile.objects.get(user=texting_ada).sms_opted_in_at is None
    assert SmsConsentRecord.objects.filter(volunteer=texting_ada, action="opt_out", source="web").exists()


# --- reminders and shift messages ---------------------------------------------------------------------


def test_a_booking_queues_reminder_texts_only_for_someone_who_opted_in(texting_ada, agreement):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    other = ready_volunteer()

    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        services.shift_book(shift=shift, volunteer=texting_ada)
        services.shift_book(shift=shift, volunteer=other)

    texts = Message.objects.filter(kind=KIND_REMINDER_TEXT)
    assert {m.recipient for m in texts} == {NUMBER}
    assert texts.count() == 2 and {m.channel for m in texts} == {"sms"}  # one per offset (48 h, 3 h)


def test_the_reminder_text_names_the_shift_and_never_its_address(
    texting_ada, django_capture_on_commit_callbacks
):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        booking = services.shift_book(shift=shift, volunteer=texting_ada)

    with (
        time_machine.travel(_local(2026, 12, 10, 11, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        from messaging.services import messages_sweep

        messages_sweep()

    (text,) = [t for t in sms.outbox if "reminder" in t["body"]][:1] or [None]
    assert text is not None and text["to"] == NUMBER
    assert shift.display_title in text["body"] and f"/shifts/{shift.pk}/" in text["body"]
    assert shift.address not in text["body"] and "Hidden Lane" not in text["body"]
    assert "Reply STOP" in text["body"]
    assert Message.objects.filter(kind=KIND_REMINDER_TEXT, about_id=booking.pk, status="sent").count() == 2


def test_scheduling_twice_queues_each_text_once(texting_ada):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        booking = services.shift_book(shift=shift, volunteer=texting_ada)
        services.reminders_schedule(booking=booking)
        services.reminders_schedule(booking=booking)

    assert Message.objects.filter(kind=KIND_REMINDER_TEXT).count() == 2


def test_a_cancelled_booking_sends_no_reminder_text(texting_ada, django_capture_on_commit_callbacks):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        booking = services.shift_book(shift=shift, volunteer=texting_ada)
        services.booking_cancel(booking=booking, volunteer=texting_ada)

    with (
        time_machine.travel(_local(2026, 12, 10, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        from messaging.services import messages_sweep

        messages_sweep()

    assert sms.outbox == []
    assert set(Message.objects.filter(kind=KIND_REMINDER_TEXT).values_list("status", flat=True)) == {
        "skipped"
    }


def test_a_shift_message_sends_a_note_by_text_without_the_coordinators_words(
    texting_ada, django_capture_on_commit_callbacks
):
    coordinator = UserFactory(roles=["coordinator"])
    shift = ShiftFactory()
    services.shift_book(shift=shift, volunteer=texting_ada)

    with django_capture_on_commit_callbacks(execute=True):
        services.shift_message_send(
            shift=shift,
            sender=coordinator,
            subject="Door code",
            body="Use the side door at 12 Hidden Lane, code 4471",
        )

    (note,) = [t for t in sms.outbox if "new message" in t["body"]]
    assert note["to"] == NUMBER and shift.display_title in note["body"]
    for secret in ("Door code", "4471", "Hidden Lane"):
        assert secret not in note["body"]
    assert Message.objects.filter(kind=KIND_SHIFT_MESSAGE_TEXT).count() == 1


# --- quiet hours ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "sent"),
    [
        (_local(2026, 12, 1, 23, 30), _local(2026, 12, 2, 8, 0)),  # late evening: next morning
        (_local(2026, 12, 2, 6, 15), _local(2026, 12, 2, 8, 0)),  # early morning: the same morning
        (_local(2026, 12, 2, 12, 0), _local(2026, 12, 2, 12, 0)),  # daytime: as it is
        (_local(2026, 12, 2, 21, 0), _local(2026, 12, 3, 8, 0)),  # the quiet hours' first minute
        (_local(2026, 12, 2, 8, 0), _local(2026, 12, 2, 8, 0)),  # their end
    ],
)
def test_quiet_hours_push_a_text_to_their_end(due, sent):
    assert services.sms_due_at(due) == sent


def test_a_reminder_due_in_the_quiet_hours_waits_for_the_morning(texting_ada):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 9, 0), ends_at=_local(2026, 12, 10, 12, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        services.shift_book(shift=shift, volunteer=texting_ada)

    # 3 h before 09:00 is 06:00, inside the quiet hours: the text is due at 08:00
    due = sorted(Message.objects.filter(kind=KIND_REMINDER_TEXT).values_list("due_at", flat=True))
    assert due == [_local(2026, 12, 8, 9, 0), _local(2026, 12, 10, 8, 0)]


# --- STOP and START through the signed webhook --------------------------------------------------------


@pytest.fixture
def provider(settings):
    settings.HAVEN_SMS_AUTH_TOKEN = "stand-in-auth-token"
    return TwilioStandIn(account_sid="AC1", auth_token="stand-in-auth-token")


def _reply(client, provider, body, sender=NUMBER):
    url = "http://testserver" + reverse("sms:inbound")
    form, signature = provider.signed_inbound(url, sender=sender, body=body)
    return client.post(reverse("sms:inbound"), form, HTTP_X_TWILIO_SIGNATURE=signature)


def test_stop_stops_texts_and_queued_ones_are_skipped_then_start_restarts(
    client, provider, texting_ada, django_capture_on_commit_callbacks
):
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        services.shift_book(shift=shift, volunteer=texting_ada)

    assert _reply(client, provider, "STOP").status_code == 200
    profile = VolunteerProfile.objects.get(user=texting_ada)
    assert profile.sms_opted_in_at is None
    assert SmsConsentRecord.objects.filter(volunteer=texting_ada, action="opt_out", source="reply").exists()
    with (
        time_machine.travel(_local(2026, 12, 10, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        from messaging.services import messages_sweep

        messages_sweep()
    assert sms.outbox == []  # the reminders queued before STOP were skipped at send time

    assert _reply(client, provider, "START").status_code == 200
    profile.refresh_from_db()
    assert profile.sms_opted_in_at is not None
    restart = SmsConsentRecord.objects.filter(volunteer=texting_ada, source="reply", action="opt_in").get()
    assert "Replied START" in restart.wording


def test_start_from_a_number_that_never_agreed_turns_nothing_on(client, provider, ada):
    VolunteerProfile.objects.filter(user=ada).update(mobile=NUMBER)

    _reply(client, provider, "START")

    assert VolunteerProfile.objects.get(user=ada).sms_opted_in_at is None
    assert not SmsConsentRecord.objects.exists()


# --- the provider says the number replied STOP (Twilio error 21610) ------------------------------------


@pytest.fixture
def twilio(settings):
    """The real provider backend, against the local stand-in of Twilio's API."""
    server = TwilioStandIn(account_sid="AC1", auth_token="stand-in-auth-token").start()
    settings.HAVEN_MESSAGE_CHANNELS = {
        **settings.HAVEN_MESSAGE_CHANNELS,
        "sms": "messaging.sms.TwilioSmsChannel",
    }
    settings.HAVEN_SMS_API_BASE = server.base_url
    settings.HAVEN_SMS_ACCOUNT_SID = "AC1"
    settings.HAVEN_SMS_AUTH_TOKEN = "stand-in-auth-token"
    settings.HAVEN_SMS_FROM = "+15005550006"
    settings.HAVEN_SMS_MESSAGING_SERVICE = ""
    yield server
    server.stop()


def test_a_text_refused_as_unsubscribed_fails_at_once_and_stops_the_consent(
    twilio, texting_ada, django_capture_on_commit_callbacks
):
    # given a volunteer who agreed to texts on the site, but whose STOP reply never reached Haven
    twilio.unsubscribed.add(NUMBER)
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        services.shift_book(shift=shift, volunteer=texting_ada)
    first, second = Message.objects.filter(kind=KIND_REMINDER_TEXT).order_by("due_at")

    # when the first reminder text falls due and the provider refuses it with 21610
    refused_at = _local(2026, 12, 9, 14, 0)
    with time_machine.travel(refused_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        from messaging.services import message_deliver, messages_sweep

        assert message_deliver(message_id=first.pk) == "failed"
        messages_sweep()  # the sweeper finds nothing to retry

    # then the text is failed and not retried, and the consent is stopped, recorded with its time
    first.refresh_from_db()
    assert first.status == Message.Status.FAILED and first.attempts == 1
    assert "21610" in first.last_error and "not retried" in first.status_reason
    profile = VolunteerProfile.objects.get(user=texting_ada)
    assert profile.sms_opted_in_at is None
    stop = SmsConsentRecord.objects.get(volunteer=texting_ada, action="opt_out")
    assert stop.source == "provider" and stop.at == refused_at and str(stop.number) == NUMBER
    # and the later reminder is skipped, never sent to the provider
    with (
        time_machine.travel(_local(2026, 12, 10, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        messages_sweep()
    second.refresh_from_db()
    assert second.status == Message.Status.SKIPPED and twilio.received == []


def test_another_refusal_is_still_retried_and_the_consent_kept(
    twilio, texting_ada, django_capture_on_commit_callbacks
):
    twilio.fail_next_with = 503
    shift = ShiftFactory(starts_at=_local(2026, 12, 10, 14, 0), ends_at=_local(2026, 12, 10, 17, 0))
    with time_machine.travel(_local(2026, 12, 1, 12, 0), tick=False):
        services.shift_book(shift=shift, volunteer=texting_ada)
    first = Message.objects.filter(kind=KIND_REMINDER_TEXT).order_by("due_at").first()

    with time_machine.travel(_local(2026, 12, 9, 14, 0), tick=False):
        from messaging.services import message_deliver

        assert message_deliver(message_id=first.pk) == "retrying"

    first.refresh_from_db()
    assert first.status == Message.Status.PENDING and "HTTP 503" in first.last_error
    assert VolunteerProfile.objects.get(user=texting_ada).sms_opted_in_at is not None
    assert not SmsConsentRecord.objects.filter(action="opt_out").exists()
