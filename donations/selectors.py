"""Reads for pages and exports: annotated querysets, no per-row queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from messaging.models import Message

from .models import Donation, Receipt, RecurringAmountChange, RecurringGift, Refund


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


def donations_for_statement(*, emails: list[str], year: int) -> QuerySet[Donation]:
    """Every counted gift (succeeded, net of refunds) made in `year`, in the organisation's zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    return (
        Donation.objects.counted()
        .filter(donor_email__in=[e.lower() for e in emails], succeeded_at__gte=start, succeeded_at__lt=end)
        .select_related("campaign", "fund", "receipt")
        .order_by("succeeded_at")
    )


def statement_emails(*, year: int) -> list[str]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
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
