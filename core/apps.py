from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Small helpers every app may use (CSV safety, money, client addresses, PDF documents, the views'
    access markers), the demo command and, for the demo, the mail catcher and its DEBUG-only pages.
    It imports no other app of the project."""

    name = "core"
    verbose_name = "Shared helpers"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
