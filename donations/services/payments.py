"""The donation state machine: a status only moves along ALLOWED_TRANSITIONS, on a row locked with
select_for_update, so a replayed or concurrent webhook finds the work done and does nothing (pretix's
`confirm()` shape)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.services import totals_refresh

from ..models import Donation
from .errors import DonationError, InvalidTransition
from .receipts import _tribute_notify, receipt_issue

Status = Donation.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
    # A declined first card, then a second card that worked on the same Checkout session: money wins.
    Status.FAILED: {Status.SUCCEEDED},
    Status.SUCCEEDED: {Status.REFUNDED, Status.DISPUTED, Status.DISPUTE_LOST},
    Status.DISPUTED: {Status.SUCCEEDED, Status.DISPUTE_LOST},
    Status.REFUNDED: set(),
    Status.DISPUTE_LOST: set(),
}
PAID_STATUSES = {Status.SUCCEEDED, Status.REFUNDED, Status.DISPUTED, Status.DISPUTE_LOST}


def _lock(donation_id: int) -> Donation:
    return Donation.objects.select_for_update().get(pk=donation_id)


def _refresh_totals_after_commit(donation: Donation) -> None:
    campaign_id, fund_id = donation.campaign_id, donation.fund_id
    # robust: the gift is committed; a failing refresh is logged (the next change or the 6-hourly
    # recompute fixes the cache) rather than turning Stripe's delivery into a 500 after the fact.
    transaction.on_commit(lambda: totals_refresh(campaign_id=campaign_id, fund_id=fund_id), robust=True)


def _transition(donation: Donation, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[donation.status]:
        raise InvalidTransition(f"A {donation.status} gift cannot become {to}.")
    donation.status = to
    donation.save(update_fields=["status", "succeeded_at", "needs_review", "review_reason", "updated_at"])
    _refresh_totals_after_commit(donation)


def donation_link_stripe_ids(
    *,
    donation: Donation,
    checkout_session_id: str = "",
    payment_intent_id: str = "",
    charge_id: str = "",
    invoice_id: str = "",
) -> None:
    """Remember Stripe's ids for a (locked) gift; an id once set never changes."""
    changed = []
    for field, value in (
        ("stripe_checkout_session_id", checkout_session_id),
        ("stripe_payment_intent_id", payment_intent_id),
        ("stripe_charge_id", charge_id),
        ("stripe_invoice_id", invoice_id),
    ):
        if value and not getattr(donation, field):
            setattr(donation, field, value[:255])
            changed.append(field)
    if changed:
        donation.save(update_fields=[*changed, "updated_at"])


def donation_mark_succeeded(
    *,
    donation: Donation,
    amount_paid: int | None,
    currency: str | None,
    paid_at: datetime.datetime | None = None,
) -> bool:
    """pending/failed -> succeeded, for a locked gift, once. Checks the amount against the gift we
    created: a mismatch holds it for staff review (needs_review) instead. Returns True if it moved."""
    if donation.status in PAID_STATUSES:
        return False
    if donation.needs_review:
        return False
    expected = donation.charged_amount
    if amount_paid is not None and (
        amount_paid != expected or (currency and currency.lower() != donation.currency.lower())
    ):
        donation.needs_review = True
        donation.review_reason = (
            f"Stripe reported {amount_paid} {currency or ''} but we asked for {expected} {donation.currency}."
        )[:300]
        donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
        return False
    donation.succeeded_at = paid_at or timezone.now()
    _transition(donation, Status.SUCCEEDED)
    _after_success(donation)
    return True


def _after_success(donation: Donation) -> None:
    receipt_issue(donation=donation)
    if donation.tribute_notify_email and donation.tribute_type:
        _tribute_notify(donation)


def donation_mark_failed(*, donation: Donation, reason: str) -> bool:
    """pending -> failed (a later success may still move it to succeeded)."""
    if donation.status != Status.PENDING:
        return False
    donation.failure_reason = reason[:300]
    donation.save(update_fields=["failure_reason", "updated_at"])
    _transition(donation, Status.FAILED)
    return True


def donation_review_release(*, donation_id: int, released_by) -> Donation:
    """Staff checked a held gift in Stripe and accept the amount Stripe reported."""
    with transaction.atomic():
        donation = _lock(donation_id)
        if not donation.needs_review:
            raise DonationError("This gift is not held for review.")
        donation.needs_review = False
        donation.review_reason = ""
        if donation.status in (Status.PENDING, Status.FAILED):
            donation.succeeded_at = timezone.now()
            _transition(donation, Status.SUCCEEDED)
            _after_success(donation)
        else:
            donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
    return donation
