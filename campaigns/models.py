"""Funds and campaigns. Money is integer minor units plus a currency code."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Fund(models.Model):
    """Where money is designated. Exactly one fund is the general fund; restricted funds may only be
    spent on their purpose."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    is_general = models.BooleanField(default=False)
    is_restricted = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_general", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_general"], condition=Q(is_general=True), name="one_general_fund"
            ),
            models.CheckConstraint(
                condition=~(Q(is_general=True) & Q(is_restricted=True)), name="general_fund_not_restricted"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def general(cls) -> "Fund":
        fund, _ = cls.objects.get_or_create(
            is_general=True, defaults={"name": "General fund", "slug": "general"}
        )
        return fund


class Campaign(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=160)
    summary = models.CharField(
        max_length=300, help_text="One or two sentences shown on cards and share previews."
    )
    story = models.TextField(blank=True, help_text="Plain text with blank lines between paragraphs.")
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="campaigns", help_text="Where gifts to this campaign go."
    )
    goal_amount = models.PositiveBigIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    # Suggested gift amounts in minor units, e.g. [2500, 4000, 10000].
    suggested_amounts = models.JSONField(default=list, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(goal_amount__gt=0), name="campaign_goal_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})
        amounts = self.suggested_amounts or []
        if not isinstance(amounts, list) or not all(isinstance(a, int) and a > 0 for a in amounts):
            raise ValidationError({"suggested_amounts": "Suggested amounts must be positive whole cents."})


# --- Cached running totals ---------------------------------------------------------------------
# Written only by campaigns.services.totals_refresh (under a row lock), read by every public page, so
# a page with 100,000 gifts behind it reads one row instead of aggregating them.


class CampaignTotals(models.Model):
    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, primary_key=True, related_name="totals"
    )
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    raised = models.BigIntegerField(default=0, help_text="Net of refunds, minor units.")
    donor_count = models.PositiveIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Totals for {self.campaign_id}"


class FundTotals(models.Model):
    fund = models.OneToOneField(Fund, on_delete=models.CASCADE, primary_key=True, related_name="totals")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    raised = models.BigIntegerField(default=0, help_text="Net of refunds, minor units.")
    donor_count = models.PositiveIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Totals for fund {self.fund_id}"


class CampaignMonthTotals(models.Model):
    """Net raised per calendar month (organisation's zone) of the gift's success; feeds the
    raised-over-time chart without touching the donations table."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="month_totals")
    month = models.DateField(help_text="First day of the month.")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    raised = models.BigIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "month"]
        constraints = [models.UniqueConstraint(fields=["campaign", "month"], name="one_campaign_month_total")]

    def __str__(self):
        return f"{self.campaign_id} {self.month:%Y-%m}"


class FundMonthTotals(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="month_totals")
    month = models.DateField(help_text="First day of the month.")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    raised = models.BigIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["fund", "month"]
        constraints = [models.UniqueConstraint(fields=["fund", "month"], name="one_fund_month_total")]

    def __str__(self):
        return f"fund {self.fund_id} {self.month:%Y-%m}"
