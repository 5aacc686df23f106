"""Every write to campaigns, funds, plans and spending goes through a function here."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, Lower, TruncMonth
from django.utils import timezone

from .models import CampaignMonthTotals, CampaignTotals, FundMonthTotals, FundTotals

# --- Totals ------------------------------------------------------------------------------------


def _counted_gifts():
    # Imported here: donations depends on campaigns, not the other way round.
    from donations.models import Donation

    return Donation.objects.counted()


def _monthly(queryset) -> list[tuple[datetime.date, int, int]]:
    """One grouped aggregate: (first day of month in the organisation's zone, net, gifts)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    rows = (
        queryset.annotate(
            month=TruncMonth(Coalesce("succeeded_at", "created_at"), tzinfo=zone),
        )
        .values("month")
        .annotate(net=Sum(F("amount") - F("amount_refunded")), gifts=Count("pk"))
        .order_by("month")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.astimezone(zone).date() if timezone.is_aware(month) else month.date()
        result.append((month.replace(day=1), int(row["net"] or 0), int(row["gifts"])))
    return result


def _donor_count(queryset) -> int:
    return queryset.aggregate(n=Count(Lower("donor_email"), distinct=True))["n"] or 0


def _refresh_campaign(campaign_id: int, now: datetime.datetime) -> None:
    from .models import Campaign

    currency = Campaign.objects.values_list("currency", flat=True).get(pk=campaign_id)
    # The lock serialises refreshes of this campaign: a refresh that waited reads the donations
    # table only after the previous one committed, so it can never write older numbers over newer.
    # (The first refresh creates the row; a concurrent creator gets IntegrityError inside
    # get_or_create, which then re-reads with the lock.)
    totals, _ = CampaignTotals.objects.select_for_update().get_or_create(
        campaign_id=campaign_id, defaults={"currency": currency}
    )
    gifts = _counted_gifts().filter(campaign_id=campaign_id, currency=currency)
    months = _monthly(gifts)
    totals.currency = currency
    totals.raised = sum(net for _, net, _ in months)
    totals.gift_count = sum(count for _, _, count in months)
    totals.donor_count = _donor_count(gifts) if totals.gift_count else 0
    totals.refreshed_at = now
    totals.save()
    CampaignMonthTotals.objects.filter(campaign_id=campaign_id).delete()
    CampaignMonthTotals.objects.bulk_create(
        CampaignMonthTotals(campaign_id=campaign_id, month=m, currency=currency, raised=net, gift_count=n)
        for m, net, n in months
    )


def _refresh_fund(fund_id: int, now: datetime.datetime) -> None:
    currency = settings.HAVEN_CURRENCY
    totals, _ = FundTotals.objects.select_for_update().get_or_create(
        fund_id=fund_id, defaults={"currency": currency}
    )
    gifts = _counted_gifts().filter(fund_id=fund_id, currency=currency)
    months = _monthly(gifts)
    totals.currency = currency
    totals.raised = sum(net for _, net, _ in months)
    totals.gift_count = sum(count for _, _, count in months)
    totals.donor_count = _donor_count(gifts) if totals.gift_count else 0
    totals.refreshed_at = now
    totals.save()
    FundMonthTotals.objects.filter(fund_id=fund_id).delete()
    FundMonthTotals.objects.bulk_create(
        FundMonthTotals(fund_id=fund_id, month=m, currency=currency, raised=net, gift_count=n)
        for m, net, n in months
    )


def totals_refresh(*, campaign_id: int | None, fund_id: int) -> None:
    """Recompute the cached totals (raised net of refunds, donor and gift counts, and per-month
    figures) of one campaign (if any) and one fund from the counted donations.

    Called by donations via ``transaction.on_commit`` after every change of a gift's status or
    refunded amount; safe to call any number of times, concurrently. Locks the campaign's totals row
    before the fund's (a fixed order, so two refreshes cannot deadlock)."""
    now = timezone.now()
    with transaction.atomic():
        if campaign_id is not None:
            _refresh_campaign(campaign_id, now)
        _refresh_fund(fund_id, now)


def totals_recompute_all() -> int:
    """Refresh every campaign and fund (the `recompute_totals` command). Returns rows refreshed."""
    from .models import Campaign, Fund

    count = 0
    for campaign in Campaign.objects.only("pk", "fund_id").order_by("pk"):
        totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
        count += 1
    for fund_id in Fund.objects.order_by("pk").values_list("pk", flat=True):
        totals_refresh(campaign_id=None, fund_id=fund_id)
        count += 1
    return count
