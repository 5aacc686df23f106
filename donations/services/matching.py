"""Matching gifts: a sponsor's offer (campaigns.MatchOffer) matches the gifts that qualify, from the
moment Stripe's webhook confirms them, and the match follows the gift's facts afterwards.

- A gift qualifies when it is an online gift to the offer's campaign, in its currency, confirmed
  (`succeeded_at`) inside the offer's window and before staff ended it, and of a kind the offer
  names: a one-time gift, or the first payment of a monthly gift (renewals never are).
- It is matched `ratio` times its amount (the gift, never the processing fee the donor covered), up
  to what is left of the cap: the last gift under the cap gets the rest, the next one nothing.
- A refund scales the match down in proportion (a half refund keeps half the match), a full refund
  or a lost dispute undoes it, and what it gave back is left for later gifts. While a dispute is
  open the match is held: kept from the cap, not owed; a won dispute makes it owed again.

Both functions run inside the gift's transition, with the gift locked (donations/services/locks.py),
and lock the offer next: the offer's counters are read and written only under its lock, so two
gifts confirmed at the same moment cannot both take the cap's last dollars (the race test in
tests/donations/test_matching.py; the CheckConstraint `match_never_above_cap` is the backstop). A
duplicate webhook never reaches here: a gift is confirmed once (payments.donation_mark_succeeded).

The match is the sponsor's money, not the donor's: receipts and statements leave it out.
"""

from __future__ import annotations

from django.db.models import Q

from campaigns.matching import match_publishes_live
from campaigns.models import MatchOffer
from core.public_cache import content_changed

from ..models import Donation, MatchAllocation
from .locks import lock_match_offer

Status = Donation.Status

# The race test's control turns this off to show what the lock prevents; nothing else may.
LOCK_OFFERS = True


def _offer_for_update(offer_id: int) -> MatchOffer:
    if LOCK_OFFERS:
        return lock_match_offer(offer_id)
    return MatchOffer.objects.get(pk=offer_id)


def match_share(*, granted: int, donation: Donation) -> tuple[int, bool]:
    """What of a granted match stands, given the gift's facts, and whether it is held (an open
    dispute): the granted match in proportion to what the donor did not get back, rounded down."""
    if donation.status in (Status.REFUNDED, Status.DISPUTE_LOST, Status.PENDING, Status.FAILED):
        return 0, False
    kept = max(donation.amount - donation.amount_refunded, 0)
    return granted * kept // donation.amount, donation.status == Status.DISPUTED


def _kinds(donation: Donation) -> tuple[str, ...]:
    if donation.frequency == Donation.Frequency.MONTHLY:
        return (MatchOffer.Qualifies.BOTH, MatchOffer.Qualifies.FIRST_MONTHLY)
    return (MatchOffer.Qualifies.BOTH, MatchOffer.Qualifies.ONE_TIME)


def _is_first_monthly_payment(donation: Donation) -> bool:
    return not Donation.objects.filter(
        recurring_gift_id=donation.recurring_gift_id, pk__lt=donation.pk
    ).exists()


def qualifying_offer_id(donation: Donation) -> int | None:
    """The offer that matches this confirmed gift, if any (one query; none for gifts that cannot)."""
    if (
        donation.campaign_id is None
        or donation.method != Donation.Method.CARD
        or donation.succeeded_at is None
    ):
        return None
    at = donation.succeeded_at
    offer_id = (
        MatchOffer.objects.filter(
            campaign_id=donation.campaign_id,
            currency__iexact=donation.currency,
            qualifies__in=_kinds(donation),
            starts_at__lte=at,
            ends_at__gt=at,
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if offer_id is None:
        return None
    if donation.frequency == Donation.Frequency.MONTHLY and (
        donation.recurring_gift_id is None or not _is_first_monthly_payment(donation)
    ):
        return None
    return offer_id


def _offer_move(offer: MatchOffer, *, before: tuple[int, bool], after: tuple[int, bool]) -> None:
    """Move one gift's match on the locked offer's counters from `before` to `after` ((amount, held))."""
    for (amount, held), sign in ((before, -1), (after, 1)):
        if held:
            offer.held += sign * amount
        else:
            offer.matched += sign * amount
    fields = ["matched", "held", "updated_at"]
    if match_publishes_live() and offer.published_matched != offer.matched:
        offer.published_matched = offer.matched
        fields.append("published_matched")
        # The public pages showing campaigns are rendered again (otherwise the published figure
        # moves with the next publication: campaigns.matching.match_offers_publish).
        content_changed("campaigns")
    offer.save(update_fields=fields)


def match_grant(*, donation: Donation) -> MatchAllocation | None:
    """Match a gift that was just confirmed, if an offer takes it (the gift locked by the caller)."""
    # Called once per gift (a gift is confirmed once); the allocation's one-to-one key is the backstop.
    offer_id = qualifying_offer_id(donation)
    if offer_id is None:
        return None
    offer = _offer_for_update(offer_id)
    granted = min(donation.amount * offer.ratio, offer.remaining)
    if granted <= 0:
        return None  # the cap is reached
    amount, held = match_share(granted=granted, donation=donation)
    allocation = MatchAllocation.objects.create(
        offer=offer, donation=donation, granted=granted, amount=amount, is_held=held
    )
    _offer_move(offer, before=(0, False), after=(amount, held))
    return allocation


def match_follow(*, donation: Donation) -> MatchAllocation | None:
    """After a refund or a dispute changed a locked gift's facts: bring its match in line (scaled by
    refunds, undone, held, owed again). Returns the allocation, if the gift has one."""
    allocation = MatchAllocation.objects.filter(donation_id=donation.pk).first()
    if allocation is None:
        return None
    offer = _offer_for_update(allocation.offer_id)
    amount, held = match_share(granted=allocation.granted, donation=donation)
    # A refund that failed after counting gives the gift's match back only as far as the cap allows.
    amount = min(amount, offer.remaining + allocation.amount)
    if (amount, held) == (allocation.amount, allocation.is_held):
        return allocation
    before = (allocation.amount, allocation.is_held)
    allocation.amount, allocation.is_held = amount, held
    allocation.save(update_fields=["amount", "is_held", "updated_at"])
    _offer_move(offer, before=before, after=(amount, held))
    return allocation
