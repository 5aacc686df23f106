from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """The one outbox: every message Haven sends is a row here, delivered by one task."""

    name = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # Registers the delivery task by name: services publish it by name (messaging.publish), so they
        # need not import this module, and the web process must know the task too.
        from accounts.privacy import privacy_part_register  # noqa: PLC0415
        from accounts.retention import retention_rule_register  # noqa: PLC0415

        from . import (  # noqa: PLC0415
            account_mail,
            privacy,
            retention,
            tasks,  # noqa: F401
        )

        for rule in retention.RULES:
            retention_rule_register(rule)
        account_mail.register()
        privacy_part_register(privacy.PART)
