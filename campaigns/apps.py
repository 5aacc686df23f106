from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns and open books"

    def ready(self):
        from core.public_cache import watch  # noqa: PLC0415

        from . import models  # noqa: PLC0415

        # Every public page showing campaigns, totals or the books is rendered again after any write here.
        for model in (
            models.Fund,
            models.Campaign,
            models.CampaignTotals,
            models.FundTotals,
            models.SpendingCategory,
            models.AllocationPlan,
            models.ImpactUnit,
            models.CampaignUpdate,
            models.Expenditure,
        ):
            watch(model, "campaigns")
