"""Refunds: staff ask Stripe, Stripe's webhook tells us; each refund is its own row, and the gift's
`amount_refunded` is the sum of the ones that count."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from .. import stripe_gateway
from ..models import Donation, Refund
from . import notices
from .errors import DonationError
from .locks import lock_donation, lock_refund, refresh_from_locked
from .payments import is_paid, refresh_totals_after_commit, settle

Status = Donation.Status

_REFUND_STATUS = {
    "pending": Refund.Status.PENDING,
    "requires_action": Refund.Status.PENDING,
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.CANCELED,
}
# A refund only moves forward (Stripe's events about it may arrive in any order); failed and
# cancelled are final.
_REFUND_RANK = {
    Refund.Status.REQUESTED: 0,
    Refund.Status.PENDING: 1,
    Refund.Status.SUCCEEDED: 2,
    Refund.Status.FAILED: 3,
    Refund.Status.CANCELED: 3,
}


def refund_record(*, donation: Donation, stripe_refund_id: str, amount: int, stripe_status: str) -> Refund:
    """Upsert a refund Stripe told us about, recount the gift's refunds and derive its status."""
    status = _REFUND_STATUS.get(stripe_status, Refund.Status.PENDING)
    with transaction.atomic():
        locked = lock_donation(donation.pk)
        refund = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
        if refund is None:
            refund = Refund.objects.create(
                donation=locked, stripe_refund_id=stripe_refund_id, amount=amount, status=status
            )
        elif _REFUND_RANK[status] > _REFUND_RANK[refund.status]:
            refund.status = status
            refund.save(update_fields=["status", "updated_at"])
        settle(locked, changed=_refunds_recount(locked))
        if refund.status in Refund.COUNTED:
            # The donor is told once (the dedupe key), whether staff asked here or at Stripe.
            refund.donation = locked
            notices.refunded_queue(refund=refund)
    refresh_from_locked(donation, locked)
    return refund


def _refunds_recount(donation: Donation) -> list[str]:
    """Set the gift's refunded amount to the sum of its counted refunds; the fields it changed."""
    total = donation.refunds.filter(status__in=Refund.COUNTED).aggregate(t=Sum("amount"))["t"] or 0
    total = min(total, donation.charged_amount)
    if total == donation.amount_refunded:
        return []
    donation.amount_refunded = total
    refresh_totals_after_commit(donation)
    return ["amount_refunded"]


def refund_request(*, donation_id: int, amount: int, requested_by, reason: str = "") -> Refund:
    """Staff ask Stripe to refund (part of) a gift. The `charge.refunded` webhook confirms it; until
    then the refund shows as requested and the gift's refunded amount is unchanged. The refund row is
    written first: its idempotency key goes with the Stripe call, so a retry never refunds twice.

    When Stripe did not answer (a connection error, a timeout, a 5xx), nobody knows whether the refund
    was made: the row stays requested, and asking again for the same amount sends the same key, so
    Stripe makes it once (or answers with the refund it already made). Only a refusal (the request is
    invalid) marks it failed. While such an unanswered refund is open, a refund of another amount is
    refused: it might refund twice."""
    with transaction.atomic():
        donation = lock_donation(donation_id)
        if donation.method != Donation.Method.CARD:
            raise DonationError(_("Offline gifts are refunded outside Haven; record a correction instead."))
        if not is_paid(donation) or donation.status != Status.SUCCEEDED:
            raise DonationError(_("Only a succeeded gift can be refunded."))
        if not (donation.stripe_payment_intent_id or donation.stripe_charge_id):
            raise DonationError(_("This gift has no Stripe payment to refund yet."))
        unanswered = donation.refunds.filter(
            status=Refund.Status.REQUESTED, stripe_refund_id__isnull=True
        ).first()
        if unanswered is not None and unanswered.amount != amount:
            raise DonationError(
                _(
                    "A refund of this gift is still waiting for Stripe's answer. Retry that refund (same "
                    "amount) first: it is made once."
                )
            )
        refund = unanswered
        if refund is None:
            outstanding = (
                donation.refunds.filter(status__in=(Refund.Status.REQUESTED, *Refund.COUNTED)).aggregate(
                    t=Sum("amount")
                )["t"]
                or 0
            )
            if amount <= 0 or amount > donation.charged_amount - outstanding:
                raise DonationError(_("The refund is more than what is left of the gift."))
            refund = Refund.objects.create(
                donation=donation, amount=amount, requested_by=requested_by, reason=reason[:200]
            )
    try:
        result = stripe_gateway.refund_create(
            charge_id=donation.stripe_charge_id,
            payment_intent_id=donation.stripe_payment_intent_id,
            amount=amount,
            idempotency_key=str(refund.idempotency_key),
        )
    except stripe_gateway.GatewayRefused as exc:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
            status=Refund.Status.FAILED, reason=str(exc)[:200]
        )
        raise DonationError(_("Stripe refused the refund: %(reason)s") % {"reason": exc}) from exc
    except stripe_gateway.GatewayError as exc:
        raise DonationError(
            _(
                "Stripe did not answer, so we cannot tell whether the refund was made. Ask again for the "
                "same amount: it is refunded once."
            )
        ) from exc
    with transaction.atomic():
        lock_donation(donation_id)
        refund = lock_refund(refund.pk)
        # The webhook may have come first and recorded this refund id already.
        already = Refund.objects.filter(stripe_refund_id=result["id"]).exclude(pk=refund.pk).first()
        if already is not None:
            refund.delete()
            return already
        refund.stripe_refund_id = result["id"]
        refund.save(update_fields=["stripe_refund_id", "updated_at"])
    return refund
