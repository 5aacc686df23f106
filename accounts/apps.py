from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # The account's own retention rule (expired sessions and keys) registers on import.
        from . import retention  # noqa: F401, PLC0415
