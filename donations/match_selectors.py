"""Reads about matched gifts (the writes are donations.services.matching)."""

from __future__ import annotations

from .models import Donation, MatchAllocation


def match_sponsor_name(donation: Donation) -> str:
    """The sponsor who matched this gift ('' if none): for the receipt's line of information. The
    match itself is never part of the donor's amounts."""
    return (
        MatchAllocation.objects.filter(donation_id=donation.pk)
        .values_list("offer__sponsor_name", flat=True)
        .first()
        or ""
    )
