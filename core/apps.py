from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Small helpers every app may use (CSV safety, money, client addresses, PDF documents) and the demo
    command. It imports no domain app."""

    name = "core"
    verbose_name = "Shared helpers"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
