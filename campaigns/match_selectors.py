"""Reads about sponsors' matches (campaigns.models.MatchOffer) for the campaign and donate pages and
for staff. The public reads the published figure (`published_matched`, moved with the other public
totals); staff read the live counters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import Campaign, MatchOffer
from .selectors import campaign_progress


@dataclass
class MatchNow:
    """The offer matching gifts made now, as the public sees it."""

    sponsor_name: str
    ratio: int
    cap: int
    matched: int
    currency: str
    closes_at: datetime.datetime
    qualifies: str

    @property
    def remaining(self) -> int:
        return max(self.cap - self.matched, 0)

    @property
    def reached(self) -> bool:
        return self.remaining == 0

    @property
    def one_time_only(self) -> bool:
        return self.qualifies == MatchOffer.Qualifies.ONE_TIME

    @property
    def first_monthly_only(self) -> bool:
        return self.qualifies == MatchOffer.Qualifies.FIRST_MONTHLY


@dataclass
class MatchProgress:
    """A campaign's money apart and together: what donors gave (net of refunds) and what sponsors
    matched, as published. `offer` is the match open now, if any."""

    raised: int
    matched: int
    goal: int
    currency: str
    sponsors: list[str]
    offer: MatchNow | None

    @property
    def together(self) -> int:
        return self.raised + self.matched

    @property
    def raised_percent(self) -> int:
        """Whole percent of the goal given by donors (for the bar; capped at 100)."""
        return min(100, max(self.raised, 0) * 100 // self.goal) if self.goal else 0

    @property
    def matched_percent(self) -> int:
        """Whole percent of the goal matched, after the donors' part (the two add up to 100 at most)."""
        if not self.goal:
            return 0
        return min(100 - self.raised_percent, self.matched * 100 // self.goal)

    @property
    def together_percent(self) -> int:
        return self.raised_percent + self.matched_percent

    @property
    def shown(self) -> bool:
        return self.offer is not None or self.matched > 0


def campaign_match(campaign: Campaign, *, now: datetime.datetime | None = None) -> MatchProgress:
    """What the campaign and donate pages show of matching (one query for the offers; the raised
    figure is the campaign's published total, as on its progress bar)."""
    now = now or timezone.now()
    offers = list(MatchOffer.objects.filter(campaign=campaign).order_by("starts_at", "pk"))
    current = next((o for o in offers if o.is_open_at(now) and o.currency == campaign.currency), None)
    counted = [o for o in offers if o.currency == campaign.currency and o.starts_at <= now]
    sponsors = []
    for offer in counted:
        if offer.sponsor_name not in sponsors:
            sponsors.append(offer.sponsor_name)
    return MatchProgress(
        raised=campaign_progress(campaign).raised if offers else 0,
        matched=sum(o.published_matched for o in counted),
        goal=campaign.goal_amount,
        currency=campaign.currency,
        sponsors=sponsors,
        offer=MatchNow(
            sponsor_name=current.sponsor_name,
            ratio=current.ratio,
            cap=current.cap,
            matched=current.published_matched,
            currency=current.currency,
            closes_at=current.closes_at,
            qualifies=current.qualifies,
        )
        if current
        else None,
    )


def match_offers_for_staff(campaign: Campaign) -> list[MatchOffer]:
    """Every offer of a campaign, newest first, with the live counters (what the sponsor owes)."""
    return list(
        MatchOffer.objects.filter(campaign=campaign).select_related("created_by").order_by("-starts_at")
    )


def match_pledges_public(now: datetime.datetime | None = None) -> list[MatchOffer]:
    """Sponsors' matches of published campaigns that have started, for the open books (one query):
    shown apart from the donors' income, which never includes them."""
    now = now or timezone.now()
    return list(
        MatchOffer.objects.filter(campaign__is_published=True, starts_at__lte=now)
        .select_related("campaign")
        .order_by("campaign__title", "starts_at", "pk")
    )
