"""Chargebacks: a dispute takes the gift out of the counts while open; won gives it back."""

from __future__ import annotations

from ..models import Dispute, Donation
from .payments import _transition

Status = Donation.Status


def dispute_record(
    *, donation: Donation, stripe_dispute_id: str, amount: int, status: str, reason: str
) -> None:
    """Upsert a dispute (for a locked gift) and move the gift accordingly. A closed dispute never
    reopens, so a late `charge.dispute.created` after `closed` changes nothing."""
    dispute = Dispute.objects.filter(stripe_dispute_id=stripe_dispute_id).first()
    if dispute is None:
        dispute = Dispute.objects.create(
            donation=donation,
            stripe_dispute_id=stripe_dispute_id,
            amount=amount,
            status=status,
            reason=reason,
        )
    elif not dispute.is_closed and dispute.status != status:
        dispute.status = status
        dispute.save(update_fields=["status", "updated_at"])
    disputes = list(donation.disputes.all())
    if any(d.status in Dispute.LOST_STATUSES for d in disputes):
        if donation.status in (Status.SUCCEEDED, Status.DISPUTED):
            _transition(donation, Status.DISPUTE_LOST)
    elif any(not d.is_closed for d in disputes):
        if donation.status == Status.SUCCEEDED:
            _transition(donation, Status.DISPUTED)
    elif donation.status == Status.DISPUTED:
        _transition(donation, Status.SUCCEEDED)
