"""Funds and campaigns. Money is integer minor units plus a currency code."""

import pathlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import Cents, format_money


class Fund(models.Model):
    """Where money is designated. Exactly one fund is the general fund; restricted funds may only be
    spent on their purpose."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    is_general = models.BooleanField(default=False)
    is_restricted = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # For a restricted fund: the spending categories its money may go to (none chosen = any).
    allowed_categories = models.ManyToManyField(
        "SpendingCategory", blank=True, related_name="funds", help_text="Restricted funds only; empty = any."
    )

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
            raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})
        amounts = self.suggested_amounts or []
        if not isinstance(amounts, list) or not all(isinstance(a, int) and a > 0 for a in amounts):
            raise ValidationError({"suggested_amounts": _("Suggested amounts must be positive whole cents.")})


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
    # First name and initial of recent counted gifts whose donors opted in and are not anonymous;
    # cached here so the page never sorts the donations table. Names only: no amounts, no times.
    supporter_names = models.JSONField(default=list, blank=True)
    # What the public sees: the figures above as copied by campaigns.services.public_totals_publish
    # at most every HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES, so one gift cannot be timed from them.
    published_raised = models.BigIntegerField(default=0)
    published_donor_count = models.PositiveIntegerField(default=0)
    published_gift_count = models.PositiveIntegerField(default=0)
    published_supporter_names = models.JSONField(default=list, blank=True)
    published_months = models.JSONField(
        default=dict, blank=True, help_text='Net raised per month: {"2026-11-01": 3700}.'
    )
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Totals for {self.campaign_id}"


class FundTotals(models.Model):
    fund = models.OneToOneField(Fund, on_delete=models.CASCADE, primary_key=True, related_name="totals")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    raised = models.BigIntegerField(default=0, help_text="Net of refunds, minor units.")
    donor_count = models.PositiveIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # What the public sees (see CampaignTotals).
    published_raised = models.BigIntegerField(default=0)
    published_donor_count = models.PositiveIntegerField(default=0)
    published_gift_count = models.PositiveIntegerField(default=0)
    published_months = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Totals for fund {self.fund_id}"


class TotalsRefreshMark(models.Model):
    """ "These totals are out of date": written in the transaction that changed a gift, removed by the
    refresh that covered it (campaigns.services.totals_refresh_due). Insert-only on the hot path, so
    no two webhooks for the same campaign ever wait for each other; a lost task is caught by beat."""

    campaign_id = models.BigIntegerField(null=True, blank=True)
    fund_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Totals of campaign {self.campaign_id}, fund {self.fund_id} to refresh"


class TotalsPublication(models.Model):
    """One row: when the public figures were last published and a version that grows with every
    publication that changed them (for caches of public pages to key on)."""

    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Public totals v{self.version}"


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


# --- How money is planned and spent ---------------------------------------------------------------


class SpendingCategory(models.Model):
    """What money is spent on, as published (emergency housing, medical care, ...)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on public pages.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "spending categories"

    def __str__(self):
        return self.name


class AllocationPlan(models.Model):
    """One line of a campaign's planned split: a share of the money, in basis points (1/100 of a
    percent), for one category. A campaign's lines add up to exactly 10,000 (enforced by
    campaigns.services.allocation_plan_set, which replaces the whole plan at once)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="allocation_lines")
    category = models.ForeignKey(SpendingCategory, on_delete=models.PROTECT, related_name="allocation_lines")
    share_bps = models.PositiveIntegerField(help_text="Basis points: 2500 = 25%.")

    class Meta:
        ordering = ["campaign", "-share_bps", "category__position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "category"], name="one_plan_line_per_category"),
            models.CheckConstraint(
                condition=Q(share_bps__gt=0) & Q(share_bps__lte=10000), name="plan_share_between_0_and_100"
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.share_bps / 100:g}%"

    @property
    def percent(self) -> float:
        return self.share_bps / 100


class ImpactUnit(models.Model):
    """What a gift buys, in words: "$40 = one night of safe housing"."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="impact_units")
    amount = models.PositiveBigIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    description = models.CharField(max_length=160, help_text='e.g. "one night of safe housing"')
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "amount", "position"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="impact_unit_amount_positive")]

    def __str__(self):
        return f"{format_money(self.amount, self.currency, cents=Cents.IF_ANY)} = {self.description}"


class CampaignUpdate(models.Model):
    """News posted by staff on a campaign page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(max_length=160)
    body = models.TextField(help_text="Plain text with blank lines between paragraphs.")
    is_published = models.BooleanField(default=True)
    published_at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "is_published", "-published_at"], name="update_campaign_pub")
        ]

    def __str__(self):
        return self.title


def _receipt_upload_to(instance, filename: str) -> str:
    # A random name: the original file name can carry a payee's name.
    suffix = pathlib.Path(filename).suffix.lower()[:10]
    return f"expenditure-documents/{uuid.uuid4().hex}{suffix}"


class Expenditure(models.Model):
    """Money spent. Public pages only ever show sums per category per closed, published month;
    payee, document and note are for staff only (a landlord or clinic can reveal where someone is)."""

    spent_on = models.DateField()
    amount = models.PositiveBigIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    category = models.ForeignKey(SpendingCategory, on_delete=models.PROTECT, related_name="expenditures")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="expenditures")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="expenditures"
    )
    payee = models.CharField(max_length=200, help_text="Staff only. Never published.")
    document = models.FileField(upload_to=_receipt_upload_to, blank=True, help_text="Staff only.")
    note = models.TextField(blank=True, help_text="Staff only.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive")]
        indexes = [
            models.Index(fields=["spent_on", "category"], name="expenditure_month_category"),
            models.Index(fields=["campaign", "spent_on"], name="expenditure_campaign_date"),
        ]

    def __str__(self):
        return f"Expenditure {self.pk} ({self.category_id}, {self.spent_on})"


# --- Matching gifts ---------------------------------------------------------------------------------


class MatchOffer(models.Model):
    """A sponsor's promise to match gifts to a campaign: `ratio` of the sponsor's money for each unit
    a donor gives (2 = 2:1), up to `cap`, for gifts that succeed between `starts_at` and `ends_at`
    (or until staff end it early: `ended_at`), of the kinds `qualifies` names.

    The counters are written only by donations.services.matching, under this row's lock (the lock
    order of donations/services/locks.py): `matched` is what the sponsor owes for counted gifts,
    `held` what gifts under an open dispute keep reserved. The public sees `published_matched`, copied
    from `matched` with the other public totals (at once when they publish live), so one gift cannot
    be timed from it. The constraint keeps the last dollars of the cap from being matched twice."""

    class Qualifies(models.TextChoices):
        ONE_TIME = "one_time", _("One-time gifts")
        FIRST_MONTHLY = "first_monthly", _("The first payment of monthly gifts")
        BOTH = "both", _("One-time gifts and the first payment of monthly gifts")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="match_offers")
    sponsor_name = models.CharField(max_length=120)
    ratio = models.PositiveSmallIntegerField(
        default=1, help_text="Sponsor's units per donor's unit: 2 = 2:1."
    )
    cap = models.PositiveBigIntegerField(help_text="The most the sponsor gives, minor units.")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Ended early by staff.")
    qualifies = models.CharField(max_length=20, choices=Qualifies.choices, default=Qualifies.BOTH)
    matched = models.PositiveBigIntegerField(default=0)
    held = models.PositiveBigIntegerField(default=0)
    published_matched = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    RATIO_MAX = 10

    class Meta:
        ordering = ["campaign", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="match_cap_positive"),
            models.CheckConstraint(condition=Q(ratio__gte=1) & Q(ratio__lte=10), name="match_ratio_1_to_10"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="match_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(matched__lte=models.F("cap") - models.F("held")), name="match_never_above_cap"
            ),
            models.CheckConstraint(
                condition=Q(published_matched__lte=models.F("cap")), name="match_published_never_above_cap"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "starts_at"], name="match_offer_campaign_start")]

    def __str__(self):
        return f"{self.sponsor_name} {self.ratio}:1 on {self.campaign_id}"

    @property
    def closes_at(self):
        """When gifts stop qualifying: the end of the window, or the moment staff ended it."""
        if self.ended_at is not None and self.ended_at < self.ends_at:
            return self.ended_at
        return self.ends_at

    def is_open_at(self, moment) -> bool:
        return self.starts_at <= moment < self.closes_at

    @property
    def remaining(self) -> int:
        """What is left of the cap for gifts still to come (gifts under open dispute keep theirs)."""
        return max(self.cap - self.matched - self.held, 0)


# --- Updates by email, with consent ---------------------------------------------------------------


class UpdateSubscription(models.Model):
    """A person who asked for a campaign's updates by email (`campaign` empty: every campaign's). Active
    while `unsubscribed_at` is empty. Each opt-in and opt-out is kept as an UpdateConsent, with the
    words the person saw."""

    email = models.EmailField(_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="update_subscriptions"
    )
    # The language the updates are sent in: the one the person opted in with.
    language = models.CharField(max_length=16)
    subscribed_at = models.DateTimeField(_("subscribed"))
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["email", "campaign_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "campaign"], nulls_distinct=False, name="one_update_subscription"
            )
        ]
        indexes = [models.Index(fields=["campaign", "unsubscribed_at"], name="update_sub_campaign_active")]

    def __str__(self):
        # Audit log: no address.
        return f"Update subscription #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None


class UpdateConsent(models.Model):
    """The record of one opt-in or opt-out: when, how, and (for an opt-in) the exact words shown, in
    the language they were shown in. Never edited."""

    class Action(models.TextChoices):
        OPT_IN = "opt_in", _("Opted in")
        OPT_OUT = "opt_out", _("Opted out")

    class Source(models.TextChoices):
        DONATE_FORM = "donate_form", _("Donation form")
        ACCOUNT = "account", _("Account page")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
        ONE_CLICK = "one_click", _("One-click unsubscribe (mail program)")

    subscription = models.ForeignKey(UpdateSubscription, on_delete=models.CASCADE, related_name="consents")
    action = models.CharField(max_length=8, choices=Action.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    wording = models.TextField(blank=True)
    language = models.CharField(max_length=16)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="opt_in") | ~Q(wording=""), name="update_opt_in_has_wording"
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} #{self.pk}"


# --- Supporter fundraising pages (peer-to-peer) -------------------------------------------------------
# A signed-in supporter's own page under a campaign. Public only once staff approved it; gifts made
# through it (donations.Donation.supporter_page) count for it and, once, for its campaign. Its totals
# are written only by campaigns.supporter_totals (from the campaign's totals refresh), and the public
# reads the published_* copy, moved in the same batches as the campaign's (HAVEN_PUBLIC_TOTALS_...).

SUPPORTER_STORY_MAX_LENGTH = 2000
SUPPORTER_DISPLAY_NAME_MAX_LENGTH = 60


class SupporterPage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="supporter_pages")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Fixed when the page is made (a shared link keeps working after edits); a random tail, so one
    # page's address says nothing about another's.
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=120)
    # What the page says about who runs it, typed for this purpose: never the account's name or email.
    display_name = models.CharField(max_length=SUPPORTER_DISPLAY_NAME_MAX_LENGTH)
    story = models.TextField(max_length=SUPPORTER_STORY_MAX_LENGTH)
    goal_amount = models.PositiveBigIntegerField(help_text="Minor units (cents).")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    # Only ever a file re-encoded by campaigns.supporter_photos (no metadata), under a random name.
    photo = models.FileField(upload_to="supporter-pages/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Closed by its owner (or staff): no more gifts through it; an approved page stays visible, closed.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Totals: live (owner and staff pages) and published (the public).
    raised = models.BigIntegerField(default=0, help_text="Net of refunds, minor units.")
    gift_count = models.PositiveIntegerField(default=0)
    donor_count = models.PositiveIntegerField(default=0)
    supporter_names = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    published_raised = models.BigIntegerField(default=0)
    published_gift_count = models.PositiveIntegerField(default=0)
    published_donor_count = models.PositiveIntegerField(default=0)
    published_supporter_names = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    TOTALS_FIELDS = ("raised", "gift_count", "donor_count", "supporter_names", "refreshed_at")
    PUBLISHED_FIELDS = (
        "published_raised",
        "published_gift_count",
        "published_donor_count",
        "published_supporter_names",
        "published_at",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(goal_amount__gt=0), name="supporter_page_goal_positive"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="supporter_page_declined_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="supporter_page_campaign_status")]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def takes_gifts(self) -> bool:
        return self.is_public and not self.is_closed
