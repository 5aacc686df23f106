from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and open books"

    def ready(self):
        from accounts.privacy import privacy_part_register  # noqa: PLC0415
        from core.public_cache import watch  # noqa: PLC0415

        from . import (  # noqa: PLC0415, F401 (tasks: registered before the first gift queues one)
            models,
            subscriptions,
            supporter_privacy,
            tasks,
        )

        subscriptions.register()

        # Every public page showing campaigns or the books is rendered again after any write here. The
        # totals rows are not watched: public pages show their published figures, which change only
        # when published (services.public_totals_published) or when a refresh changes them.
        for model in (
            models.Fund,
            models.Campaign,
            models.SpendingCategory,
            models.AllocationPlan,
            models.ImpactUnit,
            models.CampaignUpdate,
            models.Expenditure,
            models.SupporterPage,  # an approval, edit or closing (its totals: see supporter_totals)
        ):
            watch(model, "campaigns")
        privacy_part_register(supporter_privacy.PART)
        # Match offers are not watched either: their counters move with every matched gift, and the
        # public sees only their published figure and terms, whose writers say so (campaigns.matching,
        # donations.services.matching).
