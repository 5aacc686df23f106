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
        _inkind_ready()
        supporter_messages.register()


def _inkind_ready() -> None:
    """In-kind needs: their emails, their section of "How you can help", and the public pages' cache."""
    from core import ways_to_help  # noqa: PLC0415
    from core.public_cache import watch  # noqa: PLC0415

    from . import inkind_messages, inkind_selectors  # noqa: PLC0415
    from .models import InKindNeed, InKindPledge  # noqa: PLC0415

    inkind_messages.register()
    ways_to_help.register("in_kind", inkind_selectors.help_section)
    # A need's progress changes with every pledge and receipt.
    watch(InKindNeed, "inkind")
    watch(InKindPledge, "inkind")
