import factory
from django.utils import timezone

from messaging.models import Message


class MessageFactory(factory.django.DjangoModelFactory):
    """An outbox row as a service would leave it; pass status, attempts, last_error… to shape it."""

    class Meta:
        model = Message

    kind = "tests.greeting"
    channel = "email"
    recipient = factory.Sequence(lambda n: f"reader{n}@example.org")
    language = "en-us"
    dedupe_key = factory.Sequence(lambda n: f"tests.greeting:{n}")
    due_at = factory.LazyFunction(timezone.now)
    next_attempt_at = factory.SelfAttribute("due_at")
    created_at = factory.SelfAttribute("due_at")
