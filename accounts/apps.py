from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self):
        # The account's own retention rule (expired sessions and keys) registers on import.
        from . import retention  # noqa: F401, PLC0415
