"""Reads for pages and exports: annotated querysets, no per-row queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.money import format_basis_points
from messaging.models import Message

from .models import Donation, Receipt, RecurringAmountChange, RecurringGift, Refund
from .periods import StatementPeriod, calendar_year, offered_kinds, period_of


def verified_emails(*, user) -> list[str]:
    """The addresses this person proved they own; gifts made with them (even before the account
    existed) are theirs."""
    emails = {
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }
    return sorted(emails)


def _owner_q(user) -> Q:
    return Q(donor=user) | Q(donor_email__in=verified_emails(user=user))


def donations_for_user(*, user) -> QuerySet[Donation]:
    """Every gift of this person except attempts that never went through (abandoned or declined),
    newest first by the date the page shows (`shown_at`: when it was paid, else when it was made)."""
    return (
        Donation.objects.filter(_owner_q(user))
        .exclude(status=Donation.Status.FAILED)
        .select_related("campaign", "fund", "receipt", "recurring_gift")
        .annotate(shown_at=Coalesce("succeeded_at", "created_at"))
        .order_by("-shown_at", "-pk")
    )


def recurring_gifts_for_user(*, user) -> QuerySet[RecurringGift]:
    return (
        RecurringGift.objects.filter(_owner_q(user))
        .select_related("campaign", "fund")
        .order_by("-created_at")
    )


def recurring_pending_change(*, recurring: RecurringGift) -> RecurringAmountChange | None:
    """A change of amount that Stripe has not answered yet (the page says it is not made yet)."""
    return recurring.amount_changes.filter(status=RecurringAmountChange.Status.REQUESTED).first()


def receipt_for_user(*, user, number: str) -> Receipt | None:
    return (
        Receipt.objects.filter(number=number)
        .filter(Q(donation__donor=user) | Q(donation__donor_email__in=verified_emails(user=user)))
        .select_related("donation", "donation__campaign", "donation__fund")
        .first()
    )


def donations_for_statement(
    *, emails: list[str], year: int | None = None, period: StatementPeriod | None = None
) -> QuerySet[Donation]:
    """Every counted gift (succeeded, net of refunds) made in the period (the calendar `year`, or a
    fiscal year), in the organisation's zone."""
    start, end = (period or calendar_year(year)).bounds()
    return (
        Donation.objects.counted()
        .filter(donor_email__in=[e.lower() for e in emails], succeeded_at__gte=start, succeeded_at__lt=end)
        .select_related("campaign", "fund", "receipt")
        .order_by("succeeded_at")
    )


def statement_emails(*, year: int | None = None, period: StatementPeriod | None = None) -> list[str]:
    start, end = (period or calendar_year(year)).bounds()
    return list(
        Donation.objects.counted()
        .filter(succeeded_at__gte=start, succeeded_at__lt=end)
        .exclude(donor_email="")
        # Erased donors' placeholders (accounts/privacy.py) end in the reserved .invalid name.
        .exclude(donor_email__endswith="@invalid")
        .values_list("donor_email", flat=True)
        .distinct()
        .order_by("donor_email")
    )


def giving_years(*, user) -> list[int]:
    years = {d.year for d in donations_for_user(user=user).counted().dates("succeeded_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def giving_periods(*, user, emails: list[str] | None = None) -> dict[str, list[StatementPeriod]]:
    """The statements a donor can download, newest first, per kind ("fiscal" only when fiscal
    years differ from calendar years): every period with a counted gift, and the current one.
    (`emails`: their verified addresses, if the caller has them already.)"""
    if emails is None:
        emails = verified_emails(user=user)
    months = (
        Donation.objects.filter(Q(donor=user) | Q(donor_email__in=emails))
        .counted()
        .dates("succeeded_at", "month")
    )
    today = timezone.localdate()
    offered = {}
    for kind in offered_kinds():
        periods = {period_of(month, kind) for month in months} | {period_of(today, kind)}
        offered[kind] = sorted(periods, key=lambda p: p.year, reverse=True)
    return offered


# --- staff -----------------------------------------------------------------------------------------

NET = F("amount") - F("amount_refunded")


@dataclass(frozen=True)
class Totals:
    by_campaign: list[dict]
    by_fund: list[dict]
    by_month: list[dict]
    overall: dict


def staff_totals(*, months: int = 12) -> Totals:
    """Counted money (succeeded, net of refunds) per campaign, fund and month, in a few queries."""
    counted = Donation.objects.counted()
    by_campaign = list(
        counted.exclude(campaign=None)
        .values("campaign__title", "campaign__slug", "currency")
        .annotate(net=Sum(NET), gifts=Count("pk"))
        .order_by("-net")
    )
    by_fund = list(
        counted.values("fund__name", "currency").annotate(net=Sum(NET), gifts=Count("pk")).order_by("-net")
    )
    since = timezone.now() - datetime.timedelta(days=31 * months)
    by_month = list(
        counted.filter(succeeded_at__gte=since)
        .annotate(month=TruncMonth("succeeded_at"))
        .values("month", "currency")
        .annotate(net=Sum(NET), gifts=Count("pk"))
        .order_by("-month")
    )
    overall = counted.aggregate(net=Coalesce(Sum(NET), Value(0)), gifts=Count("pk"))
    overall["pending_review"] = Donation.objects.filter(needs_review=True).count()
    overall["refunds_requested"] = Refund.objects.filter(status=Refund.Status.REQUESTED).count()
    return Totals(by_campaign=by_campaign, by_fund=by_fund, by_month=by_month, overall=overall)


@dataclass(frozen=True)
class GiftFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    campaign_id: int | None = None
    fund_id: int | None = None
    status: str = ""
    method: str = ""
    needs_review: bool = False


def staff_gifts(*, filters: GiftFilters) -> QuerySet[Donation]:
    qs = Donation.objects.select_related("campaign", "fund", "receipt").order_by("-created_at", "-pk")
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(
            created_at__gte=datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz)
        )
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        qs = qs.filter(created_at__lt=end)
    if filters.campaign_id:
        qs = qs.filter(campaign_id=filters.campaign_id)
    if filters.fund_id:
        qs = qs.filter(fund_id=filters.fund_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.needs_review:
        qs = qs.filter(needs_review=True)
    return qs


def staff_gift(*, public_id) -> Donation | None:
    return (
        Donation.objects.select_related("campaign", "fund", "receipt", "recurring_gift", "recorded_by")
        .prefetch_related("refunds", "disputes")
        .filter(public_id=public_id)
        .first()
    )


def receipt_message(*, donation: Donation) -> Message | None:
    """The outbox message of a gift's receipt email (whether and when it went out), if it has one."""
    receipt = getattr(donation, "receipt", None) if hasattr(donation, "receipt") else None
    if receipt is None:
        return None
    return Message.objects.filter(dedupe_key=receipt.message_dedupe_key).first()


# --- Where a donor's gifts went -------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryShare:
    name: str
    percent: int  # whole percent; a designation's shares add up to exactly 100
    amount: int  # the published spending in the category (minor units)

    @property
    def percent_text(self) -> str:
        """ "70%": the whole percent as core.money.format_basis_points writes rates."""
        return format_basis_points(self.percent * 100)


@dataclass(frozen=True)
class GiftDestination:
    """What a donor gave to one campaign or fund in a period, and how its published spending in that
    period was split by category."""

    name: str
    is_campaign: bool
    is_restricted: bool
    given: int  # net of refunds
    currency: str
    shares: tuple[CategoryShare, ...]

    @property
    def spent(self) -> int:
        return sum(share.amount for share in self.shares)


@dataclass(frozen=True)
class WhereGiftsWent:
    period: StatementPeriod
    destinations: tuple[GiftDestination, ...]
    # The published months the split covers (None: nothing of the period is published yet).
    months_from: datetime.date | None
    months_to: datetime.date | None

    @property
    def published(self) -> bool:
        return self.months_from is not None

    @property
    def whole_period(self) -> bool:
        """Whether every month of the period is published (else the split covers part of it)."""
        return self.months_to is not None and self.months_to >= self.period.last_day.replace(day=1)


def whole_percents(amounts: list[int]) -> list[int]:
    """Whole percentages of `amounts` that add up to exactly 100 (largest remainder): each gets the
    floor of its exact share, and the points left go one each to the largest remainders (ties: the
    larger amount, then the earlier one). All zero in, all zero out."""
    total = sum(amounts)
    if total <= 0:
        return [0] * len(amounts)
    floors = [amount * 100 // total for amount in amounts]
    remainders = [amount * 100 % total for amount in amounts]
    order = sorted(range(len(amounts)), key=lambda i: (-remainders[i], -amounts[i], i))
    for i in order[: 100 - sum(floors)]:
        floors[i] += 1
    return floors


def where_gifts_went(*, gifts: list[Donation], period: StatementPeriod) -> WhereGiftsWent:
    """For each campaign or fund the donor gave to in `period` (the counted gifts of
    donations_for_statement: net of refunds), the published spending of that campaign or fund in the
    period's published months, split by category (campaigns.selectors.published_spending_between:
    sums per category of published months only, never a payee or an unpublished month). A gift to a
    campaign counts for the campaign; a gift to a fund with no campaign for the fund."""
    from campaigns.selectors import published_spending_between

    given: dict[tuple[bool, int], list] = {}
    for gift in gifts:
        net = gift.amount - gift.amount_refunded
        if net <= 0:
            continue
        key = (True, gift.campaign_id) if gift.campaign_id else (False, gift.fund_id)
        entry = given.setdefault(key, [gift, 0])
        entry[1] += net
    currency = gifts[0].currency if gifts else settings.HAVEN_CURRENCY
    spending = published_spending_between(
        start=period.start,
        end=period.end,
        campaign_ids={pk for is_campaign, pk in given if is_campaign},
        fund_ids={pk for is_campaign, pk in given if not is_campaign},
        currency=currency,
    )
    destinations = []
    for (is_campaign, pk), (gift, amount) in given.items():
        split = (spending.by_campaign if is_campaign else spending.by_fund).get(pk, {})
        categories = sorted(
            split.items(),
            key=lambda item: (
                -item[1],
                spending.categories[item[0]].position,
                spending.categories[item[0]].name,
            ),
        )
        percents = whole_percents([spent for _, spent in categories])
        shares = tuple(
            CategoryShare(name=spending.categories[cat].name, percent=percent, amount=spent)
            for (cat, spent), percent in zip(categories, percents, strict=True)
        )
        destinations.append(
            GiftDestination(
                name=gift.campaign.title if is_campaign else gift.fund.name,
                is_campaign=is_campaign,
                is_restricted=not is_campaign and gift.fund.is_restricted,
                given=amount,
                currency=gift.currency,
                shares=shares,
            )
        )
    destinations.sort(key=lambda d: (-d.given, d.name))
    return WhereGiftsWent(
        period=period,
        destinations=tuple(destinations),
        months_from=spending.months_from,
        months_to=spending.months_to,
    )
