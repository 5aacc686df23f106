"""Message kinds and their renderers. Domain apps register theirs from `AppConfig.ready()`:

    from messaging.registry import Rendered, Skip, kind_register

    def render_reminder(message):
        booking = Booking.objects.select_related("shift").filter(pk=message.about_id).first()
        if booking is None or booking.status != Booking.Status.BOOKED:
            return Skip("the booking was cancelled")
        return Rendered(subject=..., text=render_to_string(...), html=...)

    kind_register("volunteers.reminder", render=render_reminder)

A renderer runs at send time, in the message's language (`translation.override` is already active),
outside any transaction or business row lock. It loads what the message is about by id and returns the
content, or `Skip(reason)` when the message is no longer relevant. It must not send anything itself.

Kinds whose content only exists during the request (allauth's account mail) register with
`render=None`: `message_queue(content=...)` stores the rendered content on the row instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Message


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Rendered:
    """What a message says. `text` is the plain body (and an SMS's whole content); `html` is optional."""

    subject: str
    text: str
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """A renderer's answer when the message should no longer go out (a reminder for a cancelled booking)."""

    reason: str


Renderer = Callable[["Message"], "Rendered | Skip"]


@dataclass(frozen=True)
class Kind:
    name: str
    render: Renderer | None
    # Bodies hold a secret (a reset link, a sign-in code): never shown to staff, wiped once final.
    sensitive: bool = False
    description: str = ""

    @property
    def prerendered(self) -> bool:
        return self.render is None


KINDS: dict[str, Kind] = {}


def kind_register(
    name: str, *, render: Renderer | None, sensitive: bool = False, description: str = ""
) -> Kind:
    """Declare a message kind. Call from `AppConfig.ready()`; registering a name twice with another
    renderer is a mistake and raises."""
    if "." not in name or len(name) > 64:
        raise ValueError(f"A message kind is '<app>.<what>', at most 64 characters: {name!r}")
    kind = Kind(name=name, render=render, sensitive=sensitive, description=description)
    existing = KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"The message kind {name!r} is already registered with another renderer.")
    KINDS[name] = kind
    return kind


def kind_get(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"No message kind {name!r} is registered (see messaging.registry).") from None
