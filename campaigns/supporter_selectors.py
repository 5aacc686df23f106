"""Reads about supporter fundraising pages. The public sees approved pages of published campaigns,
with their published figures; their owner and staff also see pages waiting for review or declined,
with the live figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Campaign, SupporterPage
from .selectors import Progress

CAMPAIGN_PAGE_LISTED = 24


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role("staff")))


def supporter_page_progress(page: SupporterPage, *, live: bool = False) -> Progress:
    return Progress(
        raised=max(page.raised if live else page.published_raised, 0),
        goal=page.goal_amount,
        currency=page.currency,
        donor_count=page.donor_count if live else page.published_donor_count,
    )


def _public() -> QuerySet[SupporterPage]:
    return SupporterPage.objects.filter(
        status=SupporterPage.Status.APPROVED, campaign__is_published=True
    ).select_related("campaign")


def supporter_page_for_viewer(slug: str, user) -> SupporterPage | None:
    """The page at this address for this visitor: approved (of a published campaign) for everyone,
    any state for its owner and for staff; None otherwise (the view answers 404)."""
    page = SupporterPage.objects.select_related("campaign").filter(slug=slug).first()
    if page is None:
        return None
    if page.is_public and page.campaign.is_published:
        return page
    if user is not None and user.is_authenticated and (page.owner_id == user.pk or _is_staff(user)):
        return page
    return None


def supporter_page_for_gift(campaign: Campaign | None, slug: str | None) -> SupporterPage | None:
    """The page a donate link names, if a gift to `campaign` may go through it now (approved, open,
    under this campaign)."""
    if campaign is None or not slug:
        return None
    return (
        SupporterPage.objects.filter(
            slug=slug, campaign=campaign, status=SupporterPage.Status.APPROVED, closed_at__isnull=True
        )
        .select_related("campaign")
        .first()
    )


@dataclass
class SupporterCard:
    page: SupporterPage
    progress: Progress


def supporter_pages_for_campaign(
    campaign: Campaign, *, limit: int = CAMPAIGN_PAGE_LISTED
) -> list[SupporterCard]:
    """The campaign page's list: approved pages, most raised (published figures) first. One query."""
    pages = (
        SupporterPage.objects.filter(campaign=campaign, status=SupporterPage.Status.APPROVED)
        .order_by("-published_raised", "closed_at", "pk")
        .only(
            "slug", "title", "display_name", "goal_amount", "currency", "photo", "closed_at", "status",
            "published_raised", "published_donor_count", "campaign_id",
        )[:limit]
    )  # fmt: skip
    return [SupporterCard(page, supporter_page_progress(page)) for page in pages]


def supporter_pages_of(user) -> list[SupporterCard]:
    """The owner's own pages, newest first, with live figures (for /me/fundraisers/)."""
    pages = SupporterPage.objects.filter(owner=user).select_related("campaign").order_by("-created_at")
    return [SupporterCard(page, supporter_page_progress(page, live=True)) for page in pages]


def supporter_pages_queue() -> QuerySet[SupporterPage]:
    """Staff's review queue: pages waiting for a decision, oldest submission first."""
    return (
        SupporterPage.objects.filter(status=SupporterPage.Status.PENDING, closed_at__isnull=True)
        .select_related("campaign", "owner")
        .order_by("submitted_at", "pk")
    )


def supporter_pages_recently_reviewed(limit: int = 20) -> QuerySet[SupporterPage]:
    return (
        SupporterPage.objects.exclude(status=SupporterPage.Status.PENDING)
        .select_related("campaign", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
