"""Message kinds of the outbox tests, registered as a domain app would (messaging.registry)."""

import pytest
from django.utils import translation

from accounts.models import User
from messaging import registry
from messaging.registry import Rendered, Skip


def render_greeting(message):
    """About a person: greets them in the message's language; skips once their account is closed."""
    person = User.objects.filter(pk=message.about_id).first()
    if person is None or not person.is_active:
        return Skip("the account is closed")
    return Rendered(
        subject=f"Hello {person.get_short_name()}",
        text=f"Hello in {translation.get_language()}, {message.data.get('note', '')}",
        html=f"<p>Hello in {translation.get_language()}</p>",
    )


@pytest.fixture(autouse=True)
def message_kinds(monkeypatch):
    monkeypatch.setitem(
        registry.KINDS, "tests.greeting", registry.Kind("tests.greeting", render=render_greeting)
    )
    monkeypatch.setitem(
        registry.KINDS, "tests.secret", registry.Kind("tests.secret", render=None, sensitive=True)
    )


@pytest.fixture
def flaky_mail(settings):
    """The mail server refuses the next `failures_left` messages: set it on the returned class."""
    from tests.messaging.mail_backends import FlakyBackend

    settings.EMAIL_BACKEND = "tests.messaging.mail_backends.FlakyBackend"
    FlakyBackend.failures_left = 0
    FlakyBackend.attempts = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0
