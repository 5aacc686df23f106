"""Account mail through the outbox: allauth's emails (sign-in codes, password resets, address
confirmations) are rendered in the request by accounts.adapters and stored on the message row as a
prerendered, sensitive kind. The delivery task carries the row id only; the body (with its secret)
is wiped as soon as the message is final."""

from __future__ import annotations

import uuid

from accounts.mail import AccountMail, account_mail_sender_register

from .models import Message
from .registry import Rendered, kind_register
from .services import message_queue

KIND_ACCOUNT_MAIL = "accounts.mail"


def account_mail_write(mail: AccountMail) -> Message:
    # Every account email is its own fact (each code, each reset link): a fresh dedupe key.
    return message_queue(
        kind=KIND_ACCOUNT_MAIL,
        recipient=mail.recipient,
        user=mail.user,
        language=mail.language,
        dedupe_key=f"{KIND_ACCOUNT_MAIL}:{uuid.uuid4().hex}",
        content=Rendered(subject=mail.subject, text=mail.text, html=mail.html, headers=mail.headers),
    )


def register() -> None:
    kind_register(
        KIND_ACCOUNT_MAIL,
        render=None,
        sensitive=True,
        description="Account mail (sign-in code, password reset, address check), rendered in the request.",
    )
    account_mail_sender_register(account_mail_write)
