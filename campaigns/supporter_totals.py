"""Supporter pages' totals: raised, gifts, donors and the names shown, per page.

Refreshed with their campaign (campaigns.services._refresh_campaign calls `supporter_pages_refresh`
under the campaign's totals row lock, so refreshes of one campaign never interleave), from the same
counted gifts: a gift through a page is one Donation with both `campaign` and `supporter_page` set, so
it is counted once in the campaign's total and once in its page's, never twice in the campaign's.
The public reads the published_* copy, moved in the same batches as the campaign figures
(`supporter_pages_publish`, from services.public_totals_publish), or at once when those are live.

Only the totals columns are written (bulk_update of named fields), so an owner editing the page's
text at the same moment loses nothing. Three queries per refresh, whatever the number of pages
(sums, donor counts, names), plus one UPDATE.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Lower, RowNumber

from .models import SupporterPage

NAMES_SHOWN = 12


def _names_by_page(gifts) -> dict[int, list[str]]:
    # Only donors who opted in, never an anonymous gift; the name exactly as the donor typed it for
    # this purpose; the latest few per page (one query: a window numbering each page's gifts).
    rows = (
        gifts.filter(show_name_publicly=True, is_anonymous=False)
        .exclude(public_name="")
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("supporter_page_id")], order_by=[F("succeeded_at").desc(), "-pk"]
            )
        )
        .filter(rank__lte=NAMES_SHOWN * 4)
        .values_list("supporter_page_id", "public_name", "rank")
    )
    found: dict[int, list[str]] = {}
    for page_id, public_name, _rank in sorted(rows, key=lambda row: (row[0], row[2])):
        names = found.setdefault(page_id, [])
        name = " ".join(public_name.split())
        if name and name not in names and len(names) < NAMES_SHOWN:
            names.append(name)
    # Alphabetical, not by recency: the order must not hint at when someone gave.
    return {page_id: sorted(names, key=str.casefold) for page_id, names in found.items()}


def _copy_to_published(page: SupporterPage, now: datetime.datetime) -> None:
    page.published_raised = page.raised
    page.published_gift_count = page.gift_count
    page.published_donor_count = page.donor_count
    page.published_supporter_names = list(page.supporter_names)
    page.published_at = now


def _public(page: SupporterPage) -> tuple:
    return (
        page.published_raised,
        page.published_gift_count,
        page.published_donor_count,
        page.published_supporter_names,
    )


def supporter_pages_refresh(*, campaign_id: int, gifts, live: bool, now: datetime.datetime) -> bool:
    """Recompute the totals of every page of one campaign from `gifts` (the campaign's counted gifts).
    With `live` the public copy moves too. Returns whether anything the public sees changed."""
    pages = list(SupporterPage.objects.filter(campaign_id=campaign_id).order_by("pk"))
    if not pages:
        return False
    through_pages = gifts.filter(supporter_page_id__isnull=False).order_by()
    sums = {
        row["supporter_page_id"]: row
        for row in through_pages.values("supporter_page_id").annotate(
            net=Sum(F("amount") - F("amount_refunded")),
            gifts=Count("pk"),
            donors=Count(Lower("donor_email"), distinct=True),
        )
    }
    names = _names_by_page(through_pages) if sums else {}
    changed = False
    for page in pages:
        row = sums.get(page.pk)
        page.raised = int(row["net"] or 0) if row else 0
        page.gift_count = int(row["gifts"]) if row else 0
        page.donor_count = int(row["donors"]) if row else 0
        page.supporter_names = names.get(page.pk, [])
        page.refreshed_at = now
        before = _public(page)
        # A name leaves the public list at once when its donor is erased or stops showing it.
        live_names = set(page.supporter_names)
        page.published_supporter_names = [n for n in page.published_supporter_names or [] if n in live_names]
        if live:
            _copy_to_published(page, now)
        changed = changed or _public(page) != before
    SupporterPage.objects.bulk_update(pages, [*SupporterPage.TOTALS_FIELDS, *SupporterPage.PUBLISHED_FIELDS])
    return changed


def supporter_pages_publish(*, now: datetime.datetime) -> bool:
    """Copy every page's live totals to what the public sees (the batch publication). Returns
    whether any public figure moved. Locks the rows it changes, in pk order."""
    moved = []
    differs = (
        ~Q(published_raised=F("raised"))
        | ~Q(published_gift_count=F("gift_count"))
        | ~Q(published_donor_count=F("donor_count"))
        | ~Q(published_supporter_names=F("supporter_names"))
    )
    for page in SupporterPage.objects.select_for_update().filter(differs).order_by("pk"):
        _copy_to_published(page, now)
        moved.append(page)
    SupporterPage.objects.bulk_update(moved, list(SupporterPage.PUBLISHED_FIELDS))
    return bool(moved)
