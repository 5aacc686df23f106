"""Channel backends: how a rendered message leaves. One backend per channel, chosen by
settings.HAVEN_MESSAGE_CHANNELS ({"email": "messaging.channels.EmailChannel"}); an SMS provider is
one more class with the same three methods and one more entry in that setting.

This module is the only place in Haven that hands mail to Django's email backends
(settings.EMAIL_BACKEND: SMTP in production, the catcher in the demo, locmem in tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Message
    from .registry import Rendered


class ChannelError(Exception):
    """The channel did not take the message (and said so without raising its own error)."""


class PermanentChannelError(ChannelError):
    """The provider refused the message in a way no retry can change (the recipient has unsubscribed
    from texts): the outbox marks it failed at once, without retrying, then calls `settle(message)`
    so the refusal's consequence is recorded (e.g. the person's consent to texts is stopped)."""

    def settle(self, message: Message) -> None:
        pass


class Channel:
    """`open()` once, `send()` the message, `close()`. `send` returns only once the provider has
    accepted the message and raises otherwise; `close` is called after the message is marked sent, so
    the window in which a crash could send it twice does not include hanging up."""

    def open(self) -> None:
        pass

    def send(self, *, message: Message, content: Rendered) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmailChannel(Channel):
    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)

    def open(self) -> None:
        # Opened here, so send_messages() does not close it: closing (SMTP QUIT) waits until the row
        # is marked sent.
        self.connection.open()

    def send(self, *, message: Message, content: Rendered) -> None:
        email = EmailMultiAlternatives(
            # A header cannot hold a line break (Django refuses it); a subject never needs one.
            subject=" ".join(content.subject.split()),
            body=content.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers=dict(content.headers),
            connection=self.connection,
        )
        if content.html:
            email.attach_alternative(content.html, "text/html")
        for attachment in content.attachments:
            email.attach(attachment.filename, attachment.content, attachment.mimetype)
        if self.connection.send_messages([email]) != 1:
            raise ChannelError("The mail backend accepted no message.")

    def close(self) -> None:
        self.connection.close()


def channel_for(name: str) -> Channel:
    """A fresh backend instance for the channel (one per delivery)."""
    try:
        path = settings.HAVEN_MESSAGE_CHANNELS[name]
    except KeyError:
        raise LookupError(f"No backend is configured for the message channel {name!r}.") from None
    return import_string(path)()
