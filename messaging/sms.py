"""Text messages: the "sms" channel of the outbox, its pluggable backends, and the provider's inbound
webhook (STOP and START).

A text goes out exactly like an email: a `Message` row with `channel="sms"` and the E.164 number as
its recipient, queued by `message_queue` inside the business transaction and delivered by the same
task. `settings.HAVEN_MESSAGE_CHANNELS["sms"]` names the backend:

- `messaging.sms.FileSmsChannel` (the demo): writes each text into the demo's caught mail
  (HAVEN_OUTBOX_DIR, as an .eml file whose subject starts "[SMS]"), so /dev/outbox/ shows it;
- `messaging.sms.LocmemSmsChannel` (tests): keeps texts in `messaging.sms.outbox`;
- `messaging.sms.TwilioSmsChannel` (production): Twilio's REST API ("Messages.json") through
  `requests`. `HAVEN_SMS_API_BASE` points it at another host of the same shape (the tests' stand-in).

The inbound webhook (`/sms/inbound/`) is signed by the provider: X-Twilio-Signature is the base64
HMAC-SHA1, keyed with the auth token, of the full URL followed by every POST parameter sorted by name
(name then value, a repeated name's distinct values sorted). Only a valid signature is read. A
STOP-type keyword (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) or START-type one (START, YES,
UNSTOP) is announced with the `sms_keyword` signal; the apps that text people (volunteers) record
the opt-out or opt-in. The provider also blocks texts to a number that replied STOP, so a stale
opt-in never reaches anyone: it refuses them with error 21610 ("Attempt to send to unsubscribed
recipient"). That refusal is permanent (`RecipientUnsubscribed`): the outbox marks the text failed
without retrying it, and announces a STOP for the number (`sms_keyword`, source="provider"), so the
opt-in is stopped even when the STOP reply itself never reached our webhook.

Hand-written rather than the `twilio` package: the two calls Haven needs (send, verify) are a few
lines over `requests` and `hmac`, pinned by Twilio's published signature vectors in the tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone

from .channels import Channel, ChannelError, PermanentChannelError

if TYPE_CHECKING:
    from .models import Message
    from .registry import Rendered

logger = logging.getLogger(__name__)

# A text is at most this long (10 segments of 153 GSM characters); longer renderings are cut.
MAX_LENGTH = 1530

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})

# Twilio's error code for a text to a number that replied STOP (retrying never helps).
UNSUBSCRIBED_CODE = 21610

# Sent with number= (E.164), keyword= ("stop" or "start") and source= ("reply": the person's own
# reply to the webhook; "provider": the provider refused a text because the number replied STOP).
# Receivers record it; they must not raise.
sms_keyword = Signal()


class RecipientUnsubscribed(PermanentChannelError):
    """The provider refused the text because its recipient replied STOP (Twilio error 21610)."""

    def __init__(self, message: str, *, number: str):
        super().__init__(message)
        self.number = number

    def settle(self, message: Message) -> None:
        for receiver, result in sms_keyword.send_robust(
            sender=RecipientUnsubscribed, number=self.number, keyword="stop", source="provider"
        ):
            if isinstance(result, Exception):
                logger.error(
                    "Recording the STOP of message %s failed in %r: %r", message.pk, receiver, result
                )


def sms_text(content: Rendered) -> str:
    """The text a rendered message sends: its plain body, whitespace tidied, at most MAX_LENGTH."""
    text = "\n".join(line.rstrip() for line in content.text.strip().splitlines())
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


class LocmemSmsChannel(Channel):
    """Tests: texts are kept in `messaging.sms.outbox` (a list of dicts), like Django's locmem mail."""

    def send(self, *, message: Message, content: Rendered) -> None:
        outbox.append({"to": message.recipient, "body": sms_text(content), "message_id": message.pk})


outbox: list[dict] = []


class FileSmsChannel(Channel):
    """The demo: each text is written into the caught mail (HAVEN_OUTBOX_DIR), as an .eml file whose
    To is the number and whose subject starts "[SMS]", so the caught-mail pages list it."""

    _lock = threading.Lock()

    def send(self, *, message: Message, content: Rendered) -> None:
        directory = Path(settings.HAVEN_OUTBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        body = sms_text(content)
        eml = EmailMessage()
        eml["Subject"] = "[SMS] " + " ".join(body.split())[:70]
        eml["To"] = message.recipient
        eml["From"] = settings.HAVEN_SMS_FROM or "Haven (text message)"
        eml["Date"] = timezone.now()
        eml["X-Haven-Channel"] = "sms"
        eml.set_content(body)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-sms.eml"
        with self._lock:
            (directory / name).write_bytes(eml.as_bytes())


class TwilioSmsChannel(Channel):
    """Twilio's Programmable Messaging REST API: POST /2010-04-01/Accounts/{sid}/Messages.json with
    To, From (or MessagingServiceSid) and Body, HTTP basic auth with the account SID and auth token.
    A 2xx answer carrying a message "sid" is accepted; anything else raises (the outbox retries
    with backoff, then marks the message failed)."""

    def __init__(self) -> None:
        self.sid = settings.HAVEN_SMS_ACCOUNT_SID
        self.token = settings.HAVEN_SMS_AUTH_TOKEN
        if not (
            self.sid and self.token and (settings.HAVEN_SMS_FROM or settings.HAVEN_SMS_MESSAGING_SERVICE)
        ):
            raise ChannelError(
                "The SMS provider is not configured (HAVEN_SMS_ACCOUNT_SID, _AUTH_TOKEN, _FROM)."
            )
        self.session: requests.Session | None = None

    def open(self) -> None:
        self.session = requests.Session()
        self.session.auth = (self.sid, self.token)

    def send(self, *, message: Message, content: Rendered) -> None:
        session = self.session or requests.Session()
        session.auth = (self.sid, self.token)
        url = f"{settings.HAVEN_SMS_API_BASE.rstrip('/')}/2010-04-01/Accounts/{self.sid}/Messages.json"
        data = {"To": message.recipient, "Body": sms_text(content)}
        if settings.HAVEN_SMS_MESSAGING_SERVICE:
            data["MessagingServiceSid"] = settings.HAVEN_SMS_MESSAGING_SERVICE
        else:
            data["From"] = settings.HAVEN_SMS_FROM
        try:
            response = session.post(url, data=data, timeout=settings.HAVEN_SMS_TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise ChannelError(f"The SMS provider did not answer: {type(exc).__name__}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code >= 300 or not payload.get("sid"):
            # Twilio's error body: {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}
            refusal = (
                f"The SMS provider refused the text: HTTP {response.status_code}, "
                f"code {payload.get('code')}, {str(payload.get('message', ''))[:200]}"
            )
            if payload.get("code") == UNSUBSCRIBED_CODE:
                raise RecipientUnsubscribed(
                    refusal + " (the recipient replied STOP; not retried)", number=message.recipient
                )
            raise ChannelError(refusal)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


# --- the inbound webhook's signature ---------------------------------------------------------------


def twilio_signature(*, url: str, params: dict[str, list[str]], auth_token: str) -> str:
    """X-Twilio-Signature of a form POST: base64(HMAC-SHA1(token, url + sorted name+value pairs)); a
    repeated parameter counts each distinct value once, sorted (as Twilio's own validators do)."""
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    *, url: str, params: dict[str, list[str]], auth_token: str, signature: str
) -> bool:
    if not (auth_token and signature):
        return False
    expected = twilio_signature(url=url, params=params, auth_token=auth_token)
    return hmac.compare_digest(expected.encode(), signature.encode())


def keyword_of(body: str) -> str | None:
    """ "stop" or "start" when the whole text is one of the provider's keywords, else None."""
    word = (body or "").strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None
