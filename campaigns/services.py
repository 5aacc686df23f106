"""Every write to campaigns, funds, plans and spending goes through a function here."""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce, Lower, TruncMonth
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.i18n import in_default_language
from core.public_cache import content_changed

from .gift_source import counted_gifts
from .matching import match_offers_publish
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
    TotalsRefreshMark,
)
from .subscriptions import campaign_update_announce
from .supporter_totals import supporter_pages_publish, supporter_pages_refresh

SUPPORTER_NAMES_SHOWN = 12
logger = logging.getLogger(__name__)

# --- Totals ------------------------------------------------------------------------------------


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
    # SELECT COUNT(*) FROM (SELECT DISTINCT LOWER(email) ...): PostgreSQL hashes the distinct
    # emails instead of sorting them as COUNT(DISTINCT ...) does (about a third faster at 100k).
    return queryset.order_by().values(email=Lower("donor_email")).distinct().count()


def _supporter_names(gifts) -> list[str]:
    # Only donors who opted in, and never an anonymous gift, whatever else its flags say. The name is
    # the one the donor typed for this purpose, shown exactly: never cut out of their full name.
    raw = (
        gifts.filter(show_name_publicly=True, is_anonymous=False)
        .exclude(public_name="")
        .order_by("-succeeded_at", "-pk")
        .values_list("public_name", flat=True)[: SUPPORTER_NAMES_SHOWN * 4]
    )
    names: list[str] = []
    for public_name in raw:
        name = " ".join(public_name.split())
        if name and name not in names:
            names.append(name)
        if len(names) == SUPPORTER_NAMES_SHOWN:
            break
    # Alphabetical, not by recency: the order must not hint at when someone gave.
    return sorted(names, key=str.casefold)


def _refresh_campaign(campaign_id: int, now: datetime.datetime) -> None:
    currency = Campaign.objects.values_list("currency", flat=True).get(pk=campaign_id)
    # The lock serialises refreshes of this campaign: a refresh that waited reads the donations
    # table only after the previous one committed, so it can never write older numbers over newer.
    # (The first refresh creates the row; a concurrent creator gets IntegrityError inside
    # get_or_create, which then re-reads with the lock.)
    totals, _ = CampaignTotals.objects.select_for_update().get_or_create(
        campaign_id=campaign_id, defaults={"currency": currency}
    )
    gifts = counted_gifts().filter(campaign_id=campaign_id, currency=currency)
    months = _monthly(gifts)
    totals.currency = currency
    totals.raised = sum(net for _, net, _ in months)
    totals.gift_count = sum(count for _, _, count in months)
    totals.donor_count = _donor_count(gifts) if totals.gift_count else 0
    totals.supporter_names = _supporter_names(gifts) if totals.gift_count else []
    totals.refreshed_at = now
    before = _public_figures(totals)
    _keep_published_names_current(totals)
    if _publishes_live():
        _copy_to_published(totals, months, now)
    totals.save()
    if _public_figures(totals) != before:
        content_changed("campaigns")
    if supporter_pages_refresh(campaign_id=campaign_id, gifts=gifts, live=_publishes_live(), now=now):
        content_changed("campaigns")
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
    gifts = counted_gifts().filter(fund_id=fund_id, currency=currency)
    months = _monthly(gifts)
    totals.currency = currency
    totals.raised = sum(net for _, net, _ in months)
    totals.gift_count = sum(count for _, _, count in months)
    totals.donor_count = _donor_count(gifts) if totals.gift_count else 0
    totals.refreshed_at = now
    before = _public_figures(totals)
    if _publishes_live():
        _copy_to_published(totals, months, now)
    totals.save()
    if _public_figures(totals) != before:
        content_changed("campaigns")
    FundMonthTotals.objects.filter(fund_id=fund_id).delete()
    FundMonthTotals.objects.bulk_create(
        FundMonthTotals(fund_id=fund_id, month=m, currency=currency, raised=net, gift_count=n)
        for m, net, n in months
    )


def totals_refresh(*, campaign_id: int | None, fund_id: int) -> None:
    """Recompute the cached totals (raised net of refunds, donor and gift counts, and per-month
    figures) of one campaign (if any) and one fund from the counted gifts (campaigns.gift_source).

    Called by donations via ``transaction.on_commit`` after every change of a gift's status or
    refunded amount; safe to call any number of times, concurrently. Locks the campaign's totals row
    before the fund's (a fixed order, so two refreshes cannot deadlock)."""
    now = timezone.now()
    with transaction.atomic():
        if campaign_id is not None:
            _refresh_campaign(campaign_id, now)
        _refresh_fund(fund_id, now)
        version = _publication_record(now, changed=True) if _publishes_live() else None
    if version is not None:
        _announce(version)


_SCHEDULED_KEY = "campaigns:totals-refresh-scheduled"


def totals_refresh_soon(*, campaign_id: int | None, fund_id: int) -> None:
    """The totals of this campaign and fund are out of date: refresh them within
    HAVEN_TOTALS_REFRESH_SECONDS, once however many gifts change meanwhile.

    Call it inside the transaction that changed the gift: it writes a mark row there (one INSERT,
    which never waits for another webhook), and after commit queues one delayed refresh per window,
    de-duplicated through the cache (`add`, atomic). With the broker or the cache down nothing is
    lost: the mark stays and the beat sweep (`totals_refresh_due` every minute) refreshes it."""
    TotalsRefreshMark.objects.create(campaign_id=campaign_id, fund_id=fund_id)
    transaction.on_commit(_schedule_refresh, robust=True)


def _schedule_refresh() -> None:
    window = settings.HAVEN_TOTALS_REFRESH_SECONDS
    if not cache.add(_SCHEDULED_KEY, 1, window):
        return  # a refresh is already queued for this window: it will see this mark
    try:
        current_app.tasks["campaigns.tasks.totals_refresh_due_task"].apply_async(countdown=window)
    except Exception:  # noqa: BLE001 - refused or timed out: the beat sweep finds the mark
        cache.delete(_SCHEDULED_KEY)
        logger.warning("Could not queue the totals refresh; the beat sweep will do it.", exc_info=True)


def totals_refresh_due() -> int:
    """Refresh every campaign and fund with a mark, once each, then remove the marks it covered.
    Safe to run concurrently (each refresh locks its totals rows). Returns the refreshes made."""
    cache.delete(_SCHEDULED_KEY)  # gifts changed from now on queue a refresh of their own
    due = list(
        TotalsRefreshMark.objects.values("campaign_id", "fund_id").annotate(last=models.Max("pk")).order_by()
    )
    for pair in due:
        # A mark exists only once its gift's change committed, so this refresh, which reads the gifts
        # after the marks, covers every mark up to `last`. Later marks stay for the next run.
        totals_refresh(campaign_id=pair["campaign_id"], fund_id=pair["fund_id"])
        TotalsRefreshMark.objects.filter(
            campaign_id=pair["campaign_id"], fund_id=pair["fund_id"], pk__lte=pair["last"]
        ).delete()
    return len(due)


def totals_recompute_all() -> int:
    """Refresh every campaign and fund (the `recompute_totals` command). Returns rows refreshed."""
    count = 0
    funds_done: set[int] = set()
    for campaign_id, fund_id in Campaign.objects.order_by("pk").values_list("pk", "fund_id"):
        # A fund is refreshed with its first campaign; the campaign's gifts may still sit in older
        # funds (a campaign that moved), which the loop below covers.
        totals_refresh(campaign_id=campaign_id, fund_id=fund_id)
        funds_done.add(fund_id)
        count += 1
    for fund_id in Fund.objects.order_by("pk").values_list("pk", flat=True):
        if fund_id not in funds_done:
            totals_refresh(campaign_id=None, fund_id=fund_id)
        count += 1
    return count


# --- Public totals: published in batches ------------------------------------------------------
# The rows above are live (staff pages read them). The public (pages, /api/v1/, CSVs, feeds) reads
# the published_* copy, refreshed at most every HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES, so nobody can
# tell when one gift arrived (an anonymous $37 gift moving `raised` by 3700 a second later). With
# the setting at 0 the copy is made inside every refresh: the figures are live.


def _publishes_live() -> bool:
    return settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES <= 0


def _copy_to_published(totals, months: list[tuple[datetime.date, int, int]], now: datetime.datetime) -> None:
    totals.published_raised = totals.raised
    totals.published_donor_count = totals.donor_count
    totals.published_gift_count = totals.gift_count
    totals.published_months = {month.isoformat(): net for month, net, _ in months}
    if isinstance(totals, CampaignTotals):
        totals.published_supporter_names = list(totals.supporter_names)
    totals.published_at = now


def _public_figures(totals) -> tuple:
    """What public pages show of a totals row: a refresh that leaves it alone keeps their copies."""
    return (
        totals.published_raised,
        totals.published_donor_count,
        totals.published_gift_count,
        totals.published_months,
        getattr(totals, "published_supporter_names", None),
    )


def _keep_published_names_current(totals: CampaignTotals) -> None:
    # A name leaves the public list at once when its donor is erased or stops showing it (waiting
    # for the next batch would publish an erased name for half an hour); names are only added in
    # batches.
    live = set(totals.supporter_names)
    totals.published_supporter_names = [n for n in totals.published_supporter_names or [] if n in live]


def _publication_record(now: datetime.datetime, *, changed: bool) -> int | None:
    """Marks a publication; returns the new version when the figures changed."""
    publication, _ = TotalsPublication.objects.select_for_update().get_or_create(pk=1)
    publication.published_at = now
    if changed:
        publication.version += 1
        # The copy is written with bulk_update (no post_save, so the public page cache's model
        # watch does not see it): the pages showing campaigns are rendered again from now on.
        content_changed("campaigns")
    publication.save()
    return publication.version if changed else None


def _announce(version: int) -> None:
    # Outside our own atomic block: runs at once after a commit, or after the caller's commit.
    transaction.on_commit(lambda: public_totals_published(version))


def public_totals_published(version: int) -> None:
    """Called after commit each time the public figures changed, with the new version, for
    anything beyond the public page cache (core.public_cache, told by content_changed inside the
    publishing transaction) that keeps copies of public figures; their keys can also include
    `selectors.public_totals_version()`. Nothing else needs it yet."""


def public_totals_publish(*, now: datetime.datetime | None = None, force: bool = False) -> bool:
    """Copy the live campaign and fund totals to what the public sees, unless the last publication
    is less than HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES old (`force` publishes anyway). Beat calls it
    every minute; two calls at once are serialised by the publication row's lock, and the second
    finds the interval not yet passed. Locks totals rows campaigns first, then funds, each in pk
    order, as totals_refresh does. Returns whether it published."""
    now = now or timezone.now()
    interval = datetime.timedelta(minutes=max(settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES, 0))
    with transaction.atomic():
        publication, _ = TotalsPublication.objects.select_for_update().get_or_create(pk=1)
        if not force and publication.published_at and now < publication.published_at + interval:
            return False
        changed = False
        for model, months_model, key in (
            (CampaignTotals, CampaignMonthTotals, "campaign_id"),
            (FundTotals, FundMonthTotals, "fund_id"),
        ):
            # Every row, compared by value rather than by time: clocks of different servers may
            # disagree, and a handful of campaigns and funds is cheap to read.
            rows = list(model.objects.select_for_update().order_by("pk"))
            months: dict[int, list] = {}
            for owner, month, raised in months_model.objects.order_by("month").values_list(
                key, "month", "raised"
            ):
                months.setdefault(owner, []).append((month, raised, 0))
            fields = ["published_raised", "published_donor_count", "published_gift_count", "published_months"]
            if model is CampaignTotals:
                fields.append("published_supporter_names")
            moved = []
            for row in rows:
                before = [getattr(row, name) for name in fields]
                _copy_to_published(row, months.get(row.pk, []), now)
                if [getattr(row, name) for name in fields] != before:
                    moved.append(row)
            model.objects.bulk_update(moved, [*fields, "published_at"])
            changed = changed or bool(moved)
        changed = match_offers_publish() or changed
        # Supporter pages' figures move in the same batch (their rows are locked after the totals').
        changed = supporter_pages_publish(now=now) or changed
        version = _publication_record(now, changed=changed)
    if version is not None:
        _announce(version)
    return True


# --- Campaigns ---------------------------------------------------------------------------------

CAMPAIGN_EDITABLE_FIELDS = (
    "title",
    "slug",
    "summary",
    "story",
    "title_es",
    "summary_es",
    "story_es",
    "goal_amount",
    "fund",
    "starts_on",
    "ends_on",
    "suggested_amounts",
    "is_published",
)


# Paths under /campaigns/ that a campaign's slug must not shadow.
RESERVED_SLUGS = {"finished", "new", "feed"}


def _check_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": _("“%(slug)s” is reserved for another page; choose another.") % {"slug": slug}}
        )


@transaction.atomic
def campaign_create(
    *,
    title: str,
    slug: str,
    summary: str,
    fund: Fund,
    goal_amount: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    story: str = "",
    suggested_amounts: list[int] | None = None,
    is_published: bool = False,
    currency: str | None = None,
    title_es: str = "",
    summary_es: str = "",
    story_es: str = "",
) -> Campaign:
    """Create a campaign and its (zero) totals row. `title`, `summary` and `story` are English; the
    `_es` ones are the optional Spanish (empty: English is shown)."""
    _check_slug(slug)
    campaign = Campaign(
        **in_default_language(Campaign, {"title": title, "summary": summary, "story": story}),
        title_es=title_es,
        summary_es=summary_es,
        story_es=story_es,
        slug=slug,
        fund=fund,
        goal_amount=goal_amount,
        currency=(currency or settings.HAVEN_CURRENCY).lower(),
        starts_on=starts_on,
        ends_on=ends_on,
        suggested_amounts=list(suggested_amounts or []),
        is_published=is_published,
    )
    campaign.full_clean()
    campaign.save()
    CampaignTotals.objects.create(campaign=campaign, currency=campaign.currency)
    return campaign


@transaction.atomic
def campaign_edit(*, campaign: Campaign, data: dict) -> Campaign:
    """Change a campaign's editable fields (others in `data` are refused). Moving a campaign to
    another fund refreshes both funds' totals after commit."""
    unknown = set(data) - set(CAMPAIGN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "slug" in data:
        _check_slug(data["slug"])
    old_fund_id = campaign.fund_id
    for field, value in in_default_language(Campaign, data).items():
        setattr(campaign, field, value)
    campaign.full_clean()
    campaign.save()
    if campaign.fund_id != old_fund_id:
        campaign_id, new_fund_id = campaign.pk, campaign.fund_id
        transaction.on_commit(lambda: totals_refresh(campaign_id=campaign_id, fund_id=new_fund_id))
        transaction.on_commit(lambda: totals_refresh(campaign_id=None, fund_id=old_fund_id))
    return campaign


def _lock_campaign(campaign: Campaign) -> Campaign:
    # Plan and impact-unit replacement delete then insert; the lock keeps two staff saves from
    # interleaving (which would break the one-line-per-category constraint or mix two plans).
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def allocation_plan_set(
    *, campaign: Campaign, lines: list[tuple[SpendingCategory, int]]
) -> list[AllocationPlan]:
    """Replace a campaign's planned split. `lines` are (category, basis points); every share must
    be positive, each category at most once, and the shares must add up to exactly 100% (10,000
    basis points). Raises ValidationError with a message a person can act on."""
    errors = []
    seen: set[int] = set()
    for category, share in lines:
        if share is None or share <= 0:
            errors.append(_("The share for %(category)s must be more than 0%%.") % {"category": category})
        if category.pk in seen:
            errors.append(
                _("%(category)s appears more than once; combine it into one line.") % {"category": category}
            )
        seen.add(category.pk)
    total = sum(share or 0 for _, share in lines)
    if not lines:
        errors.append(_("Add at least one category to the plan."))
    elif total != 10000:
        errors.append(
            _("The split must add up to exactly 100%%; these lines add up to %(total)s%%.")
            % {"total": number_format(Decimal(total) / 100)}
        )
    if errors:
        raise ValidationError(errors)
    _lock_campaign(campaign)
    AllocationPlan.objects.filter(campaign=campaign).delete()
    return AllocationPlan.objects.bulk_create(
        AllocationPlan(campaign=campaign, category=category, share_bps=share) for category, share in lines
    )


@transaction.atomic
def impact_units_set(*, campaign: Campaign, units: list[tuple]) -> list[ImpactUnit]:
    """Replace a campaign's impact units: (amount in minor units, description) pairs, or (amount,
    description, Spanish description) triples."""
    units = [(unit[0], unit[1], unit[2] if len(unit) > 2 else "") for unit in units]
    errors = []
    for amount, description, _spanish in units:
        if amount is None or amount <= 0:
            errors.append(
                _("The amount for “%(description)s” must be more than zero.") % {"description": description}
            )
        if not (description or "").strip():
            errors.append(_("Every impact unit needs a description."))
    if errors:
        raise ValidationError(errors)
    _lock_campaign(campaign)
    ImpactUnit.objects.filter(campaign=campaign).delete()
    return ImpactUnit.objects.bulk_create(
        ImpactUnit(
            campaign=campaign,
            amount=amount,
            currency=campaign.currency,
            description_en=description.strip(),
            description_es=(spanish or "").strip(),
            position=index,
        )
        for index, (amount, description, spanish) in enumerate(units)
    )


@transaction.atomic
def campaign_update_post(
    *,
    campaign: Campaign,
    title: str,
    body: str,
    author=None,
    is_published: bool = True,
    published_at: datetime.datetime | None = None,
    title_es: str = "",
    body_es: str = "",
) -> CampaignUpdate:
    """Post news on a campaign page (English `title` and `body`, optional Spanish)."""
    update = CampaignUpdate(
        campaign=campaign,
        **in_default_language(CampaignUpdate, {"title": title, "body": body}),
        title_es=title_es,
        body_es=body_es,
        author=author,
        is_published=is_published,
        published_at=published_at or timezone.now(),
    )
    update.full_clean()
    update.save()
    # Subscribers get it by email (once each, however often it is saved): campaigns/subscriptions.py.
    campaign_update_announce(update=update)
    return update


@transaction.atomic
def campaign_update_edit(
    *,
    update: CampaignUpdate,
    title: str,
    body: str,
    is_published: bool,
    title_es: str = "",
    body_es: str = "",
) -> CampaignUpdate:
    update.title_en, update.body_en, update.is_published = title, body, is_published
    update.title_es, update.body_es = title_es, body_es
    update.full_clean()
    update.save()
    # Subscribers get it by email (once each, however often it is saved): campaigns/subscriptions.py.
    campaign_update_announce(update=update)
    return update


# --- Funds and categories -------------------------------------------------------------------------


@transaction.atomic
def fund_save(
    *,
    fund: Fund | None = None,
    name: str,
    slug: str,
    description: str = "",
    is_restricted: bool = False,
    is_active: bool = True,
    allowed_categories: list[SpendingCategory] | None = None,
    name_es: str = "",
    description_es: str = "",
) -> Fund:
    """Create (fund=None) or change a fund (English `name` and `description`, optional Spanish)."""
    fund = fund or Fund()
    fund.name_en, fund.slug, fund.description_en = name, slug, description
    fund.name_es, fund.description_es = name_es or None, description_es
    fund.is_restricted, fund.is_active = is_restricted, is_active
    if fund.is_general and is_restricted:
        raise ValidationError({"is_restricted": _("The general fund cannot be restricted.")})
    fund.full_clean()
    fund.save()
    fund.allowed_categories.set((allowed_categories or []) if is_restricted else [])
    return fund


@transaction.atomic
def spending_category_save(
    *,
    category: SpendingCategory | None = None,
    name: str,
    slug: str,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
    name_es: str = "",
    description_es: str = "",
) -> SpendingCategory:
    """Create (category=None) or change a spending category (English, optional Spanish)."""
    category = category or SpendingCategory()
    category.name_en, category.slug, category.description_en = name, slug, description
    category.name_es, category.description_es = name_es or None, description_es
    category.position, category.is_active = position, is_active
    category.full_clean()
    category.save()
    return category


# --- Expenditures ---------------------------------------------------------------------------------


def _expenditure_check(expenditure: Expenditure) -> None:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if expenditure.amount is None or expenditure.amount <= 0:
        add("amount", _("The amount must be more than zero."))
    currency = (expenditure.currency or "").lower()
    if currency != settings.HAVEN_CURRENCY.lower():
        add(
            "currency",
            _("The books are kept in %(currency)s; record the converted amount.")
            % {"currency": settings.HAVEN_CURRENCY.upper()},
        )
    if expenditure.spent_on and expenditure.spent_on > timezone.localdate():
        add("spent_on", _("The date cannot be in the future."))
    fund = expenditure.fund
    if expenditure.campaign_id and fund and expenditure.campaign.fund_id != fund.pk:
        add(
            "fund",
            _("This campaign's money is in the fund “%(fund)s”.") % {"fund": expenditure.campaign.fund},
        )
    if fund and fund.is_restricted and expenditure.category_id:
        allowed = set(fund.allowed_categories.values_list("pk", flat=True))
        if allowed and expenditure.category_id not in allowed:
            add(
                "category",
                _("The restricted fund “%(fund)s” may not be spent on %(category)s.")
                % {"fund": fund, "category": expenditure.category},
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def expenditure_record(
    *,
    spent_on: datetime.date,
    amount: int,
    category: SpendingCategory,
    fund: Fund,
    payee: str,
    recorded_by=None,
    campaign: Campaign | None = None,
    currency: str | None = None,
    document=None,
    note: str = "",
) -> Expenditure:
    """Record money spent. It appears publicly only inside its category's total for its month,
    once that month is published (see selectors.spending_published_before)."""
    expenditure = Expenditure(
        spent_on=spent_on,
        amount=amount,
        currency=(currency or settings.HAVEN_CURRENCY).lower(),
        category=category,
        fund=fund,
        campaign=campaign,
        payee=payee,
        note=note,
        recorded_by=recorded_by,
    )
    if document:
        expenditure.document = document
    _expenditure_check(expenditure)
    expenditure.full_clean()
    expenditure.save()
    return expenditure


EXPENDITURE_EDITABLE_FIELDS = (
    "spent_on",
    "amount",
    "currency",
    "category",
    "fund",
    "campaign",
    "payee",
    "document",
    "note",
)


@transaction.atomic
def expenditure_edit(*, expenditure: Expenditure, data: dict) -> Expenditure:
    unknown = set(data) - set(EXPENDITURE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for field, value in data.items():
        setattr(expenditure, field, value)
    if expenditure.currency:
        expenditure.currency = expenditure.currency.lower()
    _expenditure_check(expenditure)
    expenditure.full_clean()
    expenditure.save()
    return expenditure


@transaction.atomic
def expenditure_delete(*, expenditure: Expenditure) -> None:
    """Remove a wrongly recorded expenditure and its document."""
    document = expenditure.document.name if expenditure.document else ""
    storage = expenditure.document.storage if document else None
    expenditure.delete()
    if document:
        transaction.on_commit(lambda: storage.delete(document))
