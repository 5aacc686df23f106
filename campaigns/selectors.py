"""Reads for campaign pages, the open books and the public data API. Public reads never touch a
donor's name, email, amount or time, nor a payee, note or document: they read cached totals
(campaigns.services.totals_refresh) and per-category monthly sums of published months."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import (
    AllocationPlan,
    Campaign,
    CampaignMonthTotals,
    CampaignTotals,
    CampaignUpdate,
    Expenditure,
    Fund,
    FundMonthTotals,
    FundTotals,
    ImpactUnit,
    SpendingCategory,
    TotalsPublication,
)

# --- Dates ---------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def months_back(count: int, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month `count - 1` months before this one (count=12: the last 12 months)."""
    month = month_start(today or timezone.localdate())
    for _ in range(count - 1):
        month = previous_month(month)
    return month


def spending_published_before(today: datetime.date | None = None) -> datetime.date:
    """The first day of the first month whose spending is not public yet. A month is published once
    it has ended and HAVEN_SPENDING_PUBLISH_DELAY_DAYS more days have passed."""
    today = today or timezone.localdate()
    delay = datetime.timedelta(days=settings.HAVEN_SPENDING_PUBLISH_DELAY_DAYS)
    month = month_start(today)
    # Walk back from the current month until a month whose end + delay is not after today.
    while next_month(month) - datetime.timedelta(days=1) + delay >= today:
        month = previous_month(month)
    return next_month(month)


def published_expenditures(today: datetime.date | None = None) -> QuerySet[Expenditure]:
    return Expenditure.objects.filter(spent_on__lt=spending_published_before(today))


# --- Campaign cards and pages ----------------------------------------------------------------------


@dataclass
class Progress:
    raised: int
    goal: int
    currency: str
    donor_count: int

    @property
    def percent(self) -> int:
        """Whole percent of the goal, capped at 100 for the bar (the text shows the real amount)."""
        if not self.goal:
            return 0
        return min(100, self.raised * 100 // self.goal) if self.raised > 0 else 0


def _totals(campaign: Campaign) -> CampaignTotals:
    try:
        return campaign.totals
    except CampaignTotals.DoesNotExist:
        return CampaignTotals(campaign=campaign, currency=campaign.currency)


def campaign_progress(campaign: Campaign, *, live: bool = False) -> Progress:
    """The published figures (what the public sees, moved in batches by
    services.public_totals_publish), or with `live` the current ones (staff pages)."""
    totals = _totals(campaign)
    return Progress(
        raised=max(totals.raised if live else totals.published_raised, 0),
        goal=campaign.goal_amount,
        currency=campaign.currency,
        donor_count=totals.donor_count if live else totals.published_donor_count,
    )


def public_totals_version() -> int:
    """Grows each time the published figures change (services.public_totals_publish): a key part
    for caches of public pages that show them."""
    return TotalsPublication.objects.values_list("version", flat=True).filter(pk=1).first() or 0


def days_left(campaign: Campaign, today: datetime.date | None = None) -> int | None:
    if campaign.ends_on is None:
        return None
    today = today or timezone.localdate()
    # 0 on the last day ("ends today") and after it; the page says which.
    return max((campaign.ends_on - today).days, 0)


def is_finished(campaign: Campaign, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return campaign.ends_on is not None and campaign.ends_on < today


@dataclass
class CampaignCard:
    campaign: Campaign
    progress: Progress
    days_left: int | None


def _published_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_published=True).select_related("totals", "fund")


def campaigns_active(today: datetime.date | None = None) -> list[CampaignCard]:
    """Published campaigns that have not ended (one query)."""
    today = today or timezone.localdate()
    campaigns = _published_campaigns().filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return [CampaignCard(c, campaign_progress(c), days_left(c, today)) for c in campaigns]


def campaigns_finished(today: datetime.date | None = None) -> list[CampaignCard]:
    today = today or timezone.localdate()
    campaigns = _published_campaigns().filter(ends_on__lt=today).order_by("-ends_on", "title")
    return [CampaignCard(c, campaign_progress(c), 0) for c in campaigns]


def impact_units_for(campaign: Campaign) -> list[ImpactUnit]:
    """A campaign's impact units, smallest amount first, e.g. for the donation form to show next to
    the suggested amounts ("$40 = one night of safe housing")."""
    return list(ImpactUnit.objects.filter(campaign=campaign).order_by("amount", "position"))


def suggested_amounts_with_impact(
    campaign: Campaign, units: list[ImpactUnit] | None = None
) -> list[tuple[int, str | None]]:
    """Each suggested amount with the impact unit of exactly that amount, if staff defined one:
    [(4000, "one night of safe housing"), (10000, None)]. Pass `units` to save the query."""
    units = impact_units_for(campaign) if units is None else units
    by_amount = {unit.amount: unit.description for unit in units}
    amounts = [a for a in campaign.suggested_amounts or [] if isinstance(a, int) and a > 0]
    return [(amount, by_amount.get(amount)) for amount in amounts]


@dataclass
class CategoryUse:
    category: SpendingCategory
    planned_bps: int = 0
    spent: int = 0
    spent_share_bps: int = 0

    @property
    def planned_percent(self) -> float:
        return self.planned_bps / 100

    @property
    def spent_percent(self) -> float:
        return self.spent_share_bps / 100


@dataclass
class CampaignPage:
    campaign: Campaign
    progress: Progress
    days_left: int | None
    finished: bool
    uses: list[CategoryUse]
    spent_total: int
    impact_units: list[ImpactUnit]
    suggested: list[tuple[int, str | None]]
    updates: list[CampaignUpdate]
    months: list[tuple[datetime.date, int]]  # (month, cumulative net raised)
    supporter_names: list[str]
    published_before: datetime.date
    has_plan: bool = field(default=False)


def campaign_for_page(slug: str, *, include_unpublished: bool = False) -> Campaign | None:
    queryset = Campaign.objects.select_related("totals", "fund")
    if not include_unpublished:
        queryset = queryset.filter(is_published=True)
    return queryset.filter(slug=slug).first()


def _uses(
    plan: list[AllocationPlan], spent_rows: list[dict], categories: dict
) -> tuple[list[CategoryUse], int]:
    uses: dict[int, CategoryUse] = {}
    for line in plan:
        uses[line.category_id] = CategoryUse(category=line.category, planned_bps=line.share_bps)
    spent_total = sum(row["total"] for row in spent_rows)
    for row in spent_rows:
        use = uses.get(row["category_id"])
        if use is None:
            use = uses[row["category_id"]] = CategoryUse(category=categories[row["category_id"]])
        use.spent = row["total"]
        use.spent_share_bps = row["total"] * 10000 // spent_total if spent_total else 0
    ordered = sorted(uses.values(), key=lambda u: (-u.planned_bps, u.category.position, u.category.name))
    return ordered, spent_total


def campaign_page(campaign: Campaign, today: datetime.date | None = None) -> CampaignPage:
    """Everything the public campaign page shows, in a fixed number of queries whatever the number
    of gifts (totals and monthly sums are cached rows)."""
    today = today or timezone.localdate()
    published_before = spending_published_before(today)
    plan = list(AllocationPlan.objects.filter(campaign=campaign).select_related("category"))
    spent_rows = list(
        Expenditure.objects.filter(campaign=campaign, spent_on__lt=published_before)
        .values("category_id")
        .annotate(total=Sum("amount"))
        .order_by("category_id")
    )
    known = {line.category_id: line.category for line in plan}
    missing = {row["category_id"] for row in spent_rows} - set(known)
    if missing:  # spending outside the plan is shown too, never hidden
        known.update(SpendingCategory.objects.in_bulk(missing))
    uses, spent_total = _uses(plan, spent_rows, known)
    updates = list(
        CampaignUpdate.objects.filter(campaign=campaign, is_published=True, published_at__lte=timezone.now())[
            :10
        ]
    )
    totals = _totals(campaign)
    units = impact_units_for(campaign)
    return CampaignPage(
        campaign=campaign,
        progress=campaign_progress(campaign),
        days_left=days_left(campaign, today),
        finished=is_finished(campaign, today),
        uses=uses,
        spent_total=spent_total,
        impact_units=units,
        suggested=suggested_amounts_with_impact(campaign, units),
        updates=updates,
        months=raised_by_month(campaign, today),
        supporter_names=list(totals.published_supporter_names or []),
        published_before=published_before,
        has_plan=bool(plan),
    )


MAX_CHART_MONTHS = 36


def _published_months(months: dict | None) -> dict[datetime.date, int]:
    return {datetime.date.fromisoformat(month): raised for month, raised in (months or {}).items()}


def raised_by_month(
    campaign: Campaign, today: datetime.date | None = None, *, live: bool = False
) -> list[tuple[datetime.date, int]]:
    """Cumulative net raised at the end of each month from the campaign's start to now (or its end),
    from the published monthly figures (no query), or with `live` from the cached monthly rows."""
    today = today or timezone.localdate()
    if live:
        rows = dict(CampaignMonthTotals.objects.filter(campaign=campaign).values_list("month", "raised"))
    else:
        rows = _published_months(_totals(campaign).published_months)
    first = month_start(min([campaign.starts_on, *rows.keys()]) if rows else campaign.starts_on)
    last_day = min(today, campaign.ends_on) if campaign.ends_on else today
    last = month_start(max([last_day, *rows.keys()]) if rows else last_day)
    series: list[tuple[datetime.date, int]] = []
    running = 0
    month = first
    while month <= last:
        running += rows.get(month, 0)
        series.append((month, running))
        month = next_month(month)
    return series[-MAX_CHART_MONTHS:]


# --- The open books ----------------------------------------------------------------------------------


def spending_by_category_month(today: datetime.date | None = None) -> list[dict]:
    """Published spending: one row per (month, category) with its total, oldest first."""
    rows = (
        published_expenditures(today)
        .annotate(month=TruncMonth("spent_on"))
        .values("month", "category_id", "category__name", "category__slug", "currency")
        .annotate(total=Sum("amount"))
        .order_by("month", "category__position", "category__name")
    )
    return [
        {
            "month": _as_date(row["month"]),
            "category": row["category__name"],
            "category_slug": row["category__slug"],
            "currency": row["currency"],
            "amount": row["total"],
        }
        for row in rows
    ]


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def income_by_fund_month(*, live: bool = False) -> list[dict]:
    """Net income per active fund per month, oldest first: published figures, or `live` ones."""
    if live:
        rows = (
            FundMonthTotals.objects.select_related("fund")
            .filter(fund__is_active=True)
            .order_by("month", "fund__name")
        )
        return [
            {
                "month": row.month,
                "fund": row.fund.name,
                "fund_slug": row.fund.slug,
                "currency": row.currency,
                "amount": row.raised,
            }
            for row in rows
        ]
    published = [
        {
            "month": month,
            "fund": totals.fund.name,
            "fund_slug": totals.fund.slug,
            "currency": totals.currency,
            "amount": raised,
        }
        for totals in FundTotals.objects.select_related("fund").filter(fund__is_active=True)
        for month, raised in _published_months(totals.published_months).items()
    ]
    return sorted(published, key=lambda row: (row["month"], row["fund"]))


@dataclass
class FundBooks:
    fund: Fund
    raised: int
    donor_count: int
    spent: int
    currency: str

    @property
    def balance(self) -> int:
        return self.raised - self.spent

    @property
    def overspent(self) -> int:
        """What was spent beyond the fund's gifts so far (covered from other income), or 0."""
        return max(self.spent - self.raised, 0)


def fund_books(today: datetime.date | None = None, *, live: bool = False) -> list[FundBooks]:
    """Every active fund's income (published figures, or `live` ones) against its published
    spending: two queries."""
    spent = dict(
        published_expenditures(today)
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .values_list("fund_id", "total")
    )
    books = []
    for fund in Fund.objects.filter(is_active=True).select_related("totals"):
        totals = getattr(fund, "totals", None) if _has_totals(fund) else None
        books.append(
            FundBooks(
                fund=fund,
                raised=(totals.raised if live else totals.published_raised) if totals else 0,
                donor_count=(totals.donor_count if live else totals.published_donor_count) if totals else 0,
                spent=spent.get(fund.pk, 0),
                currency=totals.currency if totals else settings.HAVEN_CURRENCY,
            )
        )
    return books


def _has_totals(fund: Fund) -> bool:
    try:
        fund.totals  # noqa: B018 - cached by select_related; raises when there is no row
    except Fund.totals.RelatedObjectDoesNotExist:
        return False
    return True


def campaign_open_data(campaign: Campaign, today: datetime.date | None = None) -> dict:
    progress = campaign_progress(campaign)
    return {
        "slug": campaign.slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "fund": campaign.fund.slug,
        "currency": campaign.currency,
        "goal": campaign.goal_amount,
        "raised": progress.raised,
        "donor_count": progress.donor_count,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "is_finished": is_finished(campaign, today),
    }


def campaigns_open_data() -> list[dict]:
    """Published campaigns with goal, raised and donor count (one query)."""
    today = timezone.localdate()
    return [campaign_open_data(c, today) for c in _published_campaigns().order_by("-starts_on", "slug")]


def allocation_open_data() -> list[dict]:
    rows = (
        AllocationPlan.objects.filter(campaign__is_published=True)
        .select_related("campaign", "category")
        .order_by("campaign__slug", "-share_bps", "category__position")
    )
    return [
        {
            "campaign": line.campaign.slug,
            "category": line.category.name,
            "category_slug": line.category.slug,
            "share_basis_points": line.share_bps,
        }
        for line in rows
    ]


# --- Where a donor's gift went (giving statements) -------------------------------------------------


@dataclass(frozen=True)
class PublishedSpending:
    """Published spending over a span of months, per category: only months the open books have
    published (spending_published_before), summed per category, as the campaign page and the open
    data show them. Never a payee, note, document or single payment."""

    months_from: datetime.date | None  # the first published month in the span (None: none is)
    months_to: datetime.date | None  # the last published month in the span
    by_campaign: dict[int, dict[int, int]]  # campaign id -> category id -> amount
    by_fund: dict[int, dict[int, int]]  # fund id -> category id -> amount
    categories: dict[int, SpendingCategory]


def published_spending_between(
    *,
    start: datetime.date,
    end: datetime.date,
    campaign_ids: set[int],
    fund_ids: set[int],
    currency: str,
    today: datetime.date | None = None,
) -> PublishedSpending:
    """The published spending of these campaigns and funds in the months from `start` (a month's
    first day) to before `end`, per category, in one currency (three queries at most). A campaign's
    spending is what was spent for it (and only while the campaign is published); a fund's is
    everything spent from it, its campaigns' spending included."""
    published_before = spending_published_before(today)
    last = min(end, published_before)
    if last <= start:
        return PublishedSpending(None, None, {}, {}, {})
    spent = Expenditure.objects.filter(spent_on__gte=start, spent_on__lt=last, currency=currency)
    by_campaign: dict[int, dict[int, int]] = {}
    by_fund: dict[int, dict[int, int]] = {}
    if campaign_ids:
        rows = (
            spent.filter(campaign_id__in=campaign_ids, campaign__is_published=True)
            .values("campaign_id", "category_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            by_campaign.setdefault(row["campaign_id"], {})[row["category_id"]] = row["total"]
    if fund_ids:
        rows = (
            spent.filter(fund_id__in=fund_ids)
            .values("fund_id", "category_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for row in rows:
            by_fund.setdefault(row["fund_id"], {})[row["category_id"]] = row["total"]
    used = {c for split in (*by_campaign.values(), *by_fund.values()) for c in split}
    categories = {c.pk: c for c in SpendingCategory.objects.filter(pk__in=used)} if used else {}
    return PublishedSpending(start, previous_month(last), by_campaign, by_fund, categories)
