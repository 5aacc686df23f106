"""The donation state machine.

A gift's status is never set by hand: each transition records a fact under the gift's row lock and
then derives the status from every fact on record, in one place (`donation_status`):

- the payment: not yet confirmed (pending), declined (failed), or confirmed (`succeeded_at`);
- the refunds that count (`amount_refunded`, the sum of the gift's pending and succeeded refunds);
- the disputes and their statuses.

So the same facts give the same status whatever order Stripe's events brought them in: a refund that
arrives before the dispute's events, or after them, leaves a fully refunded gift `refunded`.

Every transition takes its own row lock (locks.lock_donation, pretix's `OrderPayment.confirm()` shape)
and returns early when the fact is already on record, so a replayed or concurrent webhook finds the
work done, and no caller can forget the lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.services import totals_refresh_soon

from ..models import Dispute, Donation
from .errors import DonationError
from .locks import lock_donation, refresh_from_locked
from .matching import match_follow, match_grant
from .receipts import receipt_issue, tribute_notify
from .supporter_gifts import supporter_gift_notify

Status = Donation.Status

PAID_STATUSES = frozenset({Status.SUCCEEDED, Status.REFUNDED, Status.DISPUTED, Status.DISPUTE_LOST})


def donation_status(
    *, paid: bool, failed: bool, amount: int, amount_refunded: int, dispute_statuses: Iterable[str]
) -> str:
    """The status that the recorded facts give: the one rule, whatever order the facts came in.

    A confirmed payment refunded in full is refunded, whatever its disputes did (the money went back
    through the refund); otherwise a lost dispute loses the gift, an open one holds it, and won
    disputes give it back. An unconfirmed payment is pending, or failed once a card was declined (a
    later confirmation still wins: the donor may try another card on the same Checkout page)."""
    if not paid:
        return Status.FAILED if failed else Status.PENDING
    if amount_refunded >= amount:
        return Status.REFUNDED
    statuses = set(dispute_statuses)
    if statuses & set(Dispute.LOST_STATUSES):
        return Status.DISPUTE_LOST
    if statuses - set(Dispute.WON_STATUSES):
        return Status.DISPUTED
    return Status.SUCCEEDED


def is_paid(donation: Donation) -> bool:
    return donation.succeeded_at is not None or donation.status in PAID_STATUSES


def refresh_totals_after_commit(donation: Donation) -> None:
    # Out of the request: a mark in this transaction, one refresh per campaign and fund a few seconds
    # later however many gifts change (campaigns.services.totals_refresh_soon), so a webhook's cost
    # does not grow with the campaign.
    totals_refresh_soon(campaign_id=donation.campaign_id, fund_id=donation.fund_id)


def settle(donation: Donation, *, changed: Iterable[str] = ()) -> None:
    """Derive a locked gift's status from its facts and save it, with the fields the caller just
    `changed`, in one UPDATE. Called by every transition after it recorded its fact."""
    paid = is_paid(donation)
    status = donation_status(
        paid=paid,
        failed=donation.status == Status.FAILED,
        amount=donation.amount,
        amount_refunded=donation.amount_refunded,
        dispute_statuses=donation.disputes.values_list("status", flat=True) if paid else (),
    )
    fields = list(changed)
    if status != donation.status:
        donation.status = status
        fields.append("status")
        refresh_totals_after_commit(donation)
    if fields:
        donation.save(update_fields=[*fields, "updated_at"])
    if "succeeded_at" in fields:
        # Just confirmed: an offer may match it (the offer locked after the gift, before the receipt).
        match_grant(donation=donation)
    elif paid and donation.campaign_id and ("status" in fields or "amount_refunded" in fields):
        # A refund or a dispute: the gift's match, if any, follows (scaled, undone, held).
        match_follow(donation=donation)


def donation_link_stripe_ids(
    *,
    donation: Donation,
    checkout_session_id: str = "",
    payment_intent_id: str = "",
    charge_id: str = "",
    invoice_id: str = "",
) -> None:
    """Remember Stripe's ids for a gift; an id once set never changes."""
    with transaction.atomic():
        locked = lock_donation(donation.pk)
        changed = []
        for field, value in (
            ("stripe_checkout_session_id", checkout_session_id),
            ("stripe_payment_intent_id", payment_intent_id),
            ("stripe_charge_id", charge_id),
            ("stripe_invoice_id", invoice_id),
        ):
            if value and not getattr(locked, field):
                setattr(locked, field, value[:255])
                changed.append(field)
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    refresh_from_locked(donation, locked)


def _payment_problem(donation: Donation, *, amount_paid: int | None, currency: str | None) -> str:
    """Why a payment report cannot confirm this gift ('' if it can): it must state the amount and
    the currency, and both must be what we asked Stripe to charge."""
    asked = f"we asked for {donation.charged_amount} {donation.currency.upper()}"
    if amount_paid is None or not currency:
        missing = " and ".join(
            name for name, absent in (("amount", amount_paid is None), ("currency", not currency)) if absent
        )
        return f"Stripe's payment event did not say the {missing}; {asked}."
    if amount_paid != donation.charged_amount or currency.lower() != donation.currency.lower():
        return f"Stripe reported {amount_paid} {currency.upper()} but {asked}."
    return ""


def _confirm(donation: Donation, *, paid_at: datetime.datetime | None, changed: Iterable[str] = ()) -> None:
    """Record the payment of a locked, unpaid gift, derive its status, number its receipt."""
    donation.succeeded_at = paid_at or timezone.now()
    settle(donation, changed=[*changed, "succeeded_at"])
    receipt_issue(donation=donation)
    if donation.tribute_notify_email and donation.tribute_type:
        tribute_notify(donation)
    if donation.supporter_page_id:
        supporter_gift_notify(donation)


def donation_mark_succeeded(
    *,
    donation: Donation,
    amount_paid: int | None,
    currency: str | None,
    paid_at: datetime.datetime | None = None,
) -> bool:
    """Stripe reports the gift paid: pending/failed -> paid, once. The report must state the amount
    and currency we asked for; one that differs or leaves either out holds the gift for staff review
    (needs_review) instead, and a held gift waits for staff. Returns True if this call confirmed it."""
    with transaction.atomic():
        locked = lock_donation(donation.pk)
        moved = False
        if not is_paid(locked) and not locked.needs_review:
            problem = _payment_problem(locked, amount_paid=amount_paid, currency=currency)
            if problem:
                locked.needs_review = True
                locked.review_reason = problem[:300]
                locked.save(update_fields=["needs_review", "review_reason", "updated_at"])
            else:
                _confirm(locked, paid_at=paid_at)
                moved = True
    refresh_from_locked(donation, locked)
    return moved


def donation_mark_failed(*, donation: Donation, reason: str) -> bool:
    """pending -> failed, once (a later confirmation may still make it paid). Returns True if it moved."""
    with transaction.atomic():
        locked = lock_donation(donation.pk)
        moved = locked.status == Status.PENDING and not is_paid(locked)
        if moved:
            locked.status = Status.FAILED
            locked.failure_reason = reason[:300]
            locked.save(update_fields=["status", "failure_reason", "updated_at"])
    refresh_from_locked(donation, locked)
    return moved


def donation_review_release(*, donation_id: int, released_by) -> Donation:
    """Staff checked a held gift in Stripe and accept the payment Stripe reported."""
    with transaction.atomic():
        donation = lock_donation(donation_id)
        if not donation.needs_review:
            raise DonationError(_("This gift is not held for review."))
        donation.needs_review = False
        donation.review_reason = ""
        if is_paid(donation):
            donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
        else:
            _confirm(donation, paid_at=None, changed=["needs_review", "review_reason"])
    return donation
