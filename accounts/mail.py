"""Account mail (sign-in codes, password resets, address confirmations) leaves through the outbox.

`accounts` is the base layer and imports no other app, so the outbox plugs itself in here from
`messaging`'s `AppConfig.ready()` with `account_mail_sender_register(fn)`. The allauth adapter hands
every rendered account email to `account_mail_queue(...)`, which writes it to the outbox in the
current transaction: the content (reset link, code) stays on the message row, and the delivery task
only ever carries the row's id. There is no fallback that sends mail directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import User


@dataclass(frozen=True)
class AccountMail:
    recipient: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    user: User | None = None
    language: str | None = None


_sender: Callable[[AccountMail], object] | None = None


def account_mail_sender_register(sender: Callable[[AccountMail], object]) -> None:
    global _sender  # noqa: PLW0603 - one process-wide hook, set once at start-up
    _sender = sender


def account_mail_queue(mail: AccountMail) -> object:
    if _sender is None:
        raise RuntimeError("No outbox is installed to send account mail (messaging registers it).")
    return _sender(mail)
