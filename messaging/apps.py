from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The one outbox: every message Haven sends is a row here, delivered by one task."""

    name = "messaging"
    verbose_name = "Messages"
