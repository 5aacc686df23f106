from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers and shifts")

    def ready(self):
        # Imported here: app configs load before models.
        from accounts.privacy import privacy_part_register  # noqa: PLC0415
        from accounts.retention import retention_rule_register  # noqa: PLC0415

        from . import bulk_notices, hours_notices, notices, privacy, retention, swap_notices, texts  # noqa: PLC0415

        privacy_part_register(privacy.PART)
        for rule in retention.RULES:
            retention_rule_register(rule)
        notices.register()
        hours_notices.register()
        texts.register()
        swap_notices.register()
        bulk_notices.register()

        from core.public_cache import watch  # noqa: PLC0415

        from . import models  # noqa: PLC0415

        # Public shift pages show roles, times and free places: rendered again after any write to them
        # (a series' bulk-created shifts come with a save of the series).
        for model in (models.Role, models.ShiftSeries, models.Shift, models.Booking, models.WaitlistEntry):
            watch(model, "shifts")
