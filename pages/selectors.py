"""Reads for the public face: staff-written pages, the "Find help" directory, the live parts of
"How you can help" and the site-wide news feed. Each page makes the same few queries however many
campaigns, shifts or entries there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CampaignUpdate
from campaigns.selectors import CampaignCard, campaigns_active
from volunteers.models import Shift
from volunteers.selectors import shifts_with_counts

from .languages import language_name
from .models import Page, PartnerService

# --- Pages -------------------------------------------------------------------------------------------


def page_for_purpose(purpose: str) -> Page | None:
    """The page with this purpose (home, learn the signs, ...): seeded by a migration, so present
    unless someone removed it from the database by hand, in which case the site shows its live
    parts without the staff text."""
    return Page.objects.filter(purpose=purpose).first()


def pages_for_purposes(*purposes: str) -> dict[str, Page]:
    """The pages with these purposes, by purpose, in one query."""
    return {page.purpose: page for page in Page.objects.filter(purpose__in=purposes)}


def page_published(*, slug: str) -> Page:
    page = Page.objects.filter(slug=slug, is_published=True).first()
    if page is None:
        raise Http404("No such page.")
    return page


def pages_for_staff() -> QuerySet[Page]:
    return Page.objects.order_by("nav_position", "id")


# --- How you can help: the live parts ------------------------------------------------------------------


def campaigns_needing_money(*, limit: int = 3, today: datetime.date | None = None) -> list[CampaignCard]:
    """Open campaigns short of their goal, the ones ending soonest first (then the furthest from
    their goal). One query."""
    cards = [card for card in campaigns_active(today) if card.progress.raised < card.progress.goal]
    cards.sort(
        key=lambda card: (
            card.days_left is None,
            card.days_left if card.days_left is not None else 0,
            card.progress.percent,
        )
    )
    return cards[:limit]


def shifts_needing_people(*, limit: int = 5, within_days: int = 30) -> list[Shift]:
    """Upcoming shifts of active roles with free places, soonest first, with `places_left`; only
    what the public shift list shows (role, time, places), never where. One query."""
    now = timezone.now()
    queryset = Shift.objects.filter(
        is_cancelled=False,
        role__is_active=True,
        starts_at__gt=now,
        starts_at__lt=now + datetime.timedelta(days=within_days),
    )
    return list(
        shifts_with_counts(queryset)
        .filter(places_left__gt=0)
        .select_related("role")
        .order_by("starts_at", "id")[:limit]
    )


# --- Find help: the directory ----------------------------------------------------------------------------


@dataclass
class DirectoryGroup:
    need: str
    label: str
    services: list[PartnerService]


@dataclass
class Directory:
    groups: list[DirectoryGroup]
    languages: list[tuple[str, str]]  # (code, name) of every language some listed entry offers
    count: int


def directory(*, need: str = "", language: str = "") -> Directory:
    """Listed entries grouped by kind of need (in the order of PartnerService.Need), filtered by
    need and by language. One query: the directory is a few dozen entries, so the language filter
    (a list in each entry) runs here rather than as a JSON query that SQLite cannot make."""
    listed = list(PartnerService.objects.filter(is_listed=True).order_by("need", "position", "id"))
    codes = {code for service in listed for code in service.languages}
    languages = sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])
    chosen = [
        service
        for service in listed
        if (not need or service.need == need) and (not language or language in service.languages)
    ]
    for service in chosen:
        service.language_names = [language_name(code) for code in service.languages]
    groups = []
    for value, label in PartnerService.Need.choices:
        in_group = [service for service in chosen if service.need == value]
        if in_group:
            groups.append(DirectoryGroup(need=value, label=label, services=in_group))
    return Directory(groups=groups, languages=languages, count=len(chosen))


def partner_services_for_staff() -> list[DirectoryGroup]:
    """Every entry, listed or not, grouped by kind of need (empty groups included)."""
    entries = list(PartnerService.objects.order_by("need", "position", "id"))
    return [
        DirectoryGroup(need=value, label=label, services=[s for s in entries if s.need == value])
        for value, label in PartnerService.Need.choices
    ]


# --- The site-wide news feed -----------------------------------------------------------------------------


@dataclass
class NewsItem:
    kind: str  # "page" or "update"
    key: str  # unique within the feed
    title: str
    summary: str
    url: str
    published: datetime.datetime
    updated: datetime.datetime


def news_items(*, limit: int = 30) -> list[NewsItem]:
    """Published pages and the published updates of published campaigns, newest first. Two
    queries. Nothing about donors: titles, summaries, bodies and dates only."""
    now = timezone.now()
    pages = Page.objects.filter(is_published=True).order_by("-published_at")[:limit]
    updates = (
        CampaignUpdate.objects.filter(is_published=True, published_at__lte=now, campaign__is_published=True)
        .select_related("campaign")
        .order_by("-published_at")[:limit]
    )
    items = [
        NewsItem(
            kind="page",
            key=f"page-{page.pk}",
            title=page.title,
            summary=page.summary,
            url=page.get_absolute_url(),
            published=page.published_at,
            updated=max(page.updated_at, page.published_at),
        )
        for page in pages
    ]
    items += [
        NewsItem(
            kind="update",
            key=f"update-{update.pk}",
            title=f"{update.campaign.title}: {update.title}",
            summary=update.body,
            url=reverse("campaigns:detail", args=[update.campaign.slug]) + f"#update-{update.pk}",
            published=update.published_at,
            updated=update.published_at,
        )
        for update in updates
    ]
    items.sort(key=lambda item: (item.published, item.key), reverse=True)
    return items[:limit]
