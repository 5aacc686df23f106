"""The "sms" channel: the provider backend's contract against a local stand-in of Twilio's API, the
inbound webhook's signature (Twilio's published vectors) and STOP/START, the demo's caught texts, and
exactly-once delivery through the outbox."""

import pytest
from django.urls import reverse

from messaging import sms
from messaging.channels import ChannelError, channel_for
from messaging.models import Message
from messaging.registry import Rendered
from messaging.services import message_deliver, message_queue
from tests.factories import UserFactory
from tests.messaging.sms_standin import TwilioStandIn

pytestmark = pytest.mark.django_db

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "stand-in-auth-token"


@pytest.fixture
def standin(settings):
    server = TwilioStandIn(account_sid=SID, auth_token=TOKEN).start()
    settings.HAVEN_MESSAGE_CHANNELS = {
        **settings.HAVEN_MESSAGE_CHANNELS,
        "sms": "messaging.sms.TwilioSmsChannel",
    }
    settings.HAVEN_SMS_API_BASE = server.base_url
    settings.HAVEN_SMS_ACCOUNT_SID = SID
    settings.HAVEN_SMS_AUTH_TOKEN = TOKEN
    settings.HAVEN_SMS_FROM = "+15005550006"
    settings.HAVEN_SMS_MESSAGING_SERVICE = ""
    yield server
    server.stop()


def _text(number="+12015550123", key="1"):
    return message_queue(
        kind="tests.greeting", channel="sms", recipient=number, about=UserFactory(), dedupe_key=f"sms:{key}"
    )


# --- the signature scheme -------------------------------------------------------------------------


def test_the_signature_matches_twilios_published_vectors():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    repeated = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234", "1234"]}

    assert sms.twilio_signature(url=url, params=params, auth_token="12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert (
        sms.twilio_signature(url=url, params=repeated, auth_token="12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    )
    assert not sms.twilio_signature_valid(
        url=url + "&extra=1", params=params, auth_token="12345", signature="RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    assert not sms.twilio_signature_valid(url=url, params=params, auth_token="", signature="anything")


# --- the provider backend against the stand-in ----------------------------------------------------


def test_the_backend_sends_to_from_and_body_with_the_accounts_credentials(standin):
    message = _text()

    channel = channel_for("sms")
    channel.open()
    channel.send(message=message, content=Rendered(subject="", text="  Your shift is tomorrow.\n"))
    channel.close()

    assert standin.received == [
        {
            "sid": standin.received[0]["sid"],
            "To": "+12015550123",
            "From": "+15005550006",
            "Body": "Your shift is tomorrow.",
        }
    ]


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda s: s.unsubscribed.add("+12015550123"), "21610"),
        (lambda s: setattr(s, "fail_next_with", 503), "HTTP 503"),
        (lambda s: setattr(s, "auth_token", "rotated"), "20003"),
    ],
)
def test_a_refusal_by_the_provider_raises_with_its_code(standin, setup, code):
    setup(standin)
    channel = channel_for("sms")

    with pytest.raises(ChannelError, match=code):
        channel.send(message=_text(), content=Rendered(subject="", text="Hello"))
    assert standin.received == []


def test_a_provider_that_does_not_answer_raises(standin, settings):
    settings.HAVEN_SMS_API_BASE = "http://127.0.0.1:18189"  # nothing listens there
    standin.stop()

    with pytest.raises(ChannelError, match="did not answer"):
        channel_for("sms").send(message=_text(), content=Rendered(subject="", text="Hello"))


def test_without_credentials_the_backend_refuses_to_start(settings):
    settings.HAVEN_SMS_ACCOUNT_SID = ""
    settings.HAVEN_MESSAGE_CHANNELS = {
        **settings.HAVEN_MESSAGE_CHANNELS,
        "sms": "messaging.sms.TwilioSmsChannel",
    }

    with pytest.raises(ChannelError, match="not configured"):
        channel_for("sms")


def test_through_the_outbox_a_text_goes_out_exactly_once(standin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _text(key="once")
        again = _text(key="once")  # the same fact announced twice

    assert again.pk == message.pk
    assert message_deliver(message_id=message.pk) == "not claimed"  # already sent by the task
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.channel == "sms"
    assert len(standin.received) == 1


def test_a_failed_text_is_retried_by_the_outbox(standin, django_capture_on_commit_callbacks):
    standin.fail_next_with = 500

    with django_capture_on_commit_callbacks(execute=True):
        message = _text(key="retry")
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and "HTTP 500" in message.last_error

    Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert message_deliver(message_id=message.pk) == "sent"
    assert len(standin.received) == 1


def test_a_text_to_an_unsubscribed_number_fails_at_once_and_announces_a_stop(
    standin, keywords, django_capture_on_commit_callbacks
):
    standin.unsubscribed.add("+12015550123")

    with django_capture_on_commit_callbacks(execute=True):
        message = _text(key="unsubscribed")

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1
    assert "21610" in message.last_error and "not retried" in message.status_reason
    assert keywords == [("+12015550123", "stop", "provider")]
    # failed is final: neither the sweeper nor another delivery sends it again
    Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert message_deliver(message_id=message.pk) == "not claimed"
    assert standin.received == []


# --- the inbound webhook --------------------------------------------------------------------------


@pytest.fixture
def keywords():
    heard = []

    def listen(sender, *, number, keyword, source, **kwargs):
        heard.append((number, keyword) if source == "reply" else (number, keyword, source))

    sms.sms_keyword.connect(listen, dispatch_uid="tests.keywords")
    yield heard
    sms.sms_keyword.disconnect(dispatch_uid="tests.keywords")


def _inbound(client, standin, body, *, signature=None):
    url = "http://testserver" + reverse("sms:inbound")
    form, good = standin.signed_inbound(url, sender="+12015550123", body=body)
    return client.post(reverse("sms:inbound"), form, HTTP_X_TWILIO_SIGNATURE=signature or good)


@pytest.mark.parametrize(
    ("body", "keyword"),
    [("STOP", "stop"), (" stop ", "stop"), ("Unsubscribe", "stop"), ("START", "start"), ("yes", "start")],
)
def test_stop_and_start_replies_are_announced(client, standin, keywords, body, keyword):
    response = _inbound(client, standin, body)

    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert b"<Response></Response>" in response.content
    assert keywords == [("+12015550123", keyword)]


def test_any_other_reply_is_ignored_and_not_stored(client, standin, keywords):
    response = _inbound(client, standin, "Please stop by the shelter later")

    assert response.status_code == 200 and keywords == []
    assert not Message.objects.exists()


def test_a_wrong_or_missing_signature_is_refused(client, standin, keywords):
    forged = _inbound(client, standin, "STOP", signature="bm90IHRoZSBzaWduYXR1cmU=")
    unsigned = client.post(reverse("sms:inbound"), {"From": "+12015550123", "Body": "STOP"})

    assert forged.status_code == 403 and unsigned.status_code == 403
    assert keywords == []


def test_without_an_auth_token_the_webhook_answers_500(client, settings, keywords):
    settings.HAVEN_SMS_AUTH_TOKEN = ""

    response = client.post(reverse("sms:inbound"), {"From": "+12015550123", "Body": "STOP"})

    assert response.status_code == 500 and keywords == []


def test_the_webhook_takes_only_posts(client):
    assert client.get(reverse("sms:inbound")).status_code == 405


# --- the demo's caught texts ----------------------------------------------------------------------


def test_the_demo_backend_puts_texts_into_the_caught_mail(settings, tmp_path):
    settings.HAVEN_OUTBOX_DIR = tmp_path
    settings.HAVEN_MESSAGE_CHANNELS = {
        **settings.HAVEN_MESSAGE_CHANNELS,
        "sms": "messaging.sms.FileSmsChannel",
    }

    channel_for("sms").send(message=_text(), content=Rendered(subject="", text="Reminder: shift at 9"))

    (caught,) = tmp_path.glob("*-sms.eml")
    raw = caught.read_text()
    assert "To: +12015550123" in raw and "Subject: [SMS] Reminder: shift at 9" in raw
