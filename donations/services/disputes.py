"""Chargebacks: an open dispute takes the gift out of the counts; won gives it back, lost loses it."""

from __future__ import annotations

from django.db import transaction

from ..models import Dispute, Donation
from .locks import held_or_lock, refresh_from_locked
from .payments import settle


def dispute_record(
    *, donation: Donation, stripe_dispute_id: str, amount: int, status: str, reason: str
) -> Dispute:
    """Upsert a dispute Stripe told us about and derive the gift's status. A closed dispute never
    reopens, so a late `charge.dispute.created` after `closed` changes nothing. A dispute on a gift
    whose payment is not confirmed yet is kept, and counts once the payment is."""
    with transaction.atomic(savepoint=False):
        locked = held_or_lock(donation)
        dispute = Dispute.objects.filter(stripe_dispute_id=stripe_dispute_id).first()
        if dispute is None:
            dispute = Dispute.objects.create(
                donation=locked,
                stripe_dispute_id=stripe_dispute_id,
                amount=amount,
                status=status,
                reason=reason,
            )
        elif not dispute.is_closed and dispute.status != status:
            dispute.status = status
            dispute.save(update_fields=["status", "updated_at"])
        settle(locked)
    refresh_from_locked(donation, locked)
    return dispute
