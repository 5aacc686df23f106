"""Matching gifts, the campaigns side: staff record, change and end a sponsor's offer
(models.MatchOffer), and its public figure is published with the other public totals.

Matching itself (which gift is matched by how much, undone by refunds and lost disputes) is written
by donations.services.matching, the only writer of an offer's counters. These services lock the
offer row too, so a change of the cap is checked against counters no gift is moving at that moment.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import Cents, format_money
from core.public_cache import content_changed

from .models import Campaign, MatchOffer

EDITABLE_FIELDS = ("sponsor_name", "ratio", "cap", "starts_at", "ends_at", "qualifies")


def match_publishes_live() -> bool:
    """Public totals publish at once (HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 0, as
    campaigns.services does): the public match figure then moves with each gift too."""
    return settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES <= 0


def _check(offer: MatchOffer) -> None:
    errors: dict[str, str] = {}
    if not (offer.sponsor_name or "").strip():
        errors["sponsor_name"] = _("Enter the sponsor's name.")
    if not 1 <= (offer.ratio or 0) <= MatchOffer.RATIO_MAX:
        errors["ratio"] = _("The ratio is a whole number from 1 (1:1) to %(max)s (%(max)s:1).") % {
            "max": MatchOffer.RATIO_MAX
        }
    if not offer.cap or offer.cap <= 0:
        errors["cap"] = _("The cap must be more than zero.")
    elif offer.cap < offer.matched + offer.held:
        errors["cap"] = _("The cap cannot be less than what is already matched (%(amount)s).") % {
            "amount": format_money(offer.matched + offer.held, offer.currency, cents=Cents.ALWAYS)
        }
    if offer.starts_at and offer.ends_at and offer.ends_at <= offer.starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    if offer.qualifies not in MatchOffer.Qualifies.values:
        errors["qualifies"] = _("Choose which gifts qualify.")
    if errors:
        raise ValidationError(errors)
    overlapping = (
        MatchOffer.objects.filter(
            campaign_id=offer.campaign_id, starts_at__lt=offer.closes_at, ends_at__gt=offer.starts_at
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=offer.starts_at))
        .exclude(pk=offer.pk)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            _("%(sponsor)s's match on this campaign already covers part of this time. One match at a time.")
            % {"sponsor": overlapping.sponsor_name}
        )


@transaction.atomic
def match_offer_create(
    *,
    campaign: Campaign,
    sponsor_name: str,
    ratio: int,
    cap: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    qualifies: str,
    created_by=None,
) -> MatchOffer:
    """Record a sponsor's match for a campaign. Raises ValidationError (by field) on bad input."""
    # The campaign's row serialises staff saves of its offers (the overlap check).
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    offer = MatchOffer(
        campaign=campaign,
        sponsor_name=" ".join((sponsor_name or "").split()),
        ratio=ratio,
        cap=cap,
        currency=campaign.currency,
        starts_at=starts_at,
        ends_at=ends_at,
        qualifies=qualifies,
        created_by=created_by,
    )
    _check(offer)
    offer.save()
    content_changed("campaigns")
    return offer


@transaction.atomic
def match_offer_edit(*, offer: MatchOffer, data: dict) -> MatchOffer:
    """Change an offer's terms (for gifts to come: gifts matched already keep their match). The cap
    cannot go below what is matched already; an ended offer is not changed."""
    Campaign.objects.select_for_update().get(pk=offer.campaign_id)
    locked = MatchOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.ended_at is not None:
        raise ValidationError(_("This match has ended; it cannot be changed."))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    locked.sponsor_name = " ".join((locked.sponsor_name or "").split())
    _check(locked)
    locked.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    content_changed("campaigns")
    return locked


@transaction.atomic
def match_offer_end(*, offer: MatchOffer, now: datetime.datetime | None = None) -> MatchOffer:
    """End an offer now: gifts confirmed from now on are not matched; matched gifts keep their match
    (and refunds still undo it). Ending twice changes nothing."""
    now = now or timezone.now()
    locked = MatchOffer.objects.select_for_update().get(pk=offer.pk)
    if locked.ended_at is None and now < locked.ends_at:
        locked.ended_at = max(now, locked.starts_at)
        locked.save(update_fields=["ended_at", "updated_at"])
        content_changed("campaigns")
    return locked


def match_offers_publish() -> bool:
    """Copy every offer's matched amount to what the public sees (called by
    services.public_totals_publish, in its transaction). Returns whether a figure changed."""
    moved = MatchOffer.objects.exclude(published_matched=F("matched")).update(
        published_matched=F("matched"), updated_at=timezone.now()
    )
    if moved:
        content_changed("campaigns")
    return bool(moved)
