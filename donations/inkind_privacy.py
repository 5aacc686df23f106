"""A person's in-kind pledges, for the data export and for erasure (the "in_kind" part of
accounts/privacy.py, registered from DonationsConfig.ready()). A pledge is theirs when it is linked to
their account or made with an address they verified. Erasure keeps the pledge's item, quantities and
dates (the need's progress and the records of goods received) and takes out the name, the address
(replaced by the person's placeholder) and the link to the account; the drop-off and acknowledgement
emails are erased by the outbox's own part."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import Erasure, PrivacyPart

from .models import InKindPledge
from .selectors import verified_emails


def _theirs(*, user, emails: list[str]):
    match = Q(user=user)
    if emails:
        match |= Q(email__in=emails)
    return InKindPledge.objects.filter(match)


def export_for(user) -> list[dict]:
    pledges = (
        _theirs(user=user, emails=verified_emails(user=user)).select_related("need").order_by("created_at")
    )
    return [
        {
            "id": str(p.public_id),
            "item": p.need.title,
            "quantity": p.quantity,
            "quantity_received": p.quantity_received,
            "status": p.status,
            "name": p.name,
            "email": p.email,
            "created_at": p.created_at.isoformat(),
            "received_at": p.received_at.isoformat() if p.received_at else None,
        }
        for p in pledges.order_by("created_at", "pk")
    ]


def erase(erasure: Erasure) -> dict[str, int]:
    count = _theirs(user=erasure.user, emails=erasure.emails).update(
        user=None, name="", email=erasure.placeholder
    )
    return {"inkind_pledges_anonymised": count}


PART = PrivacyPart(section="in_kind", export=export_for, erase=erase)
