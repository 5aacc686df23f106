from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = "Donations"

    def ready(self):
        # Imported here: app configs load before models.
        from accounts.privacy import privacy_part_register  # noqa: PLC0415
        from accounts.retention import retention_rule_register  # noqa: PLC0415
        from campaigns.gift_source import counted_gifts_source_set  # noqa: PLC0415

        from . import messages, privacy, retention, supporter_messages  # noqa: PLC0415
        from .models import Donation  # noqa: PLC0415

        privacy_part_register(privacy.PART)
        for rule in retention.RULES:
            retention_rule_register(rule)
        # Campaign and fund totals are computed from these gifts (campaigns cannot import donations).
        counted_gifts_source_set(Donation.objects.counted)
        messages.register()
        supporter_messages.register()
