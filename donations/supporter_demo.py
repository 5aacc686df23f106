"""The demo's gifts through the approved supporter page (called from donations.demo.seed): made and
confirmed through the services, as a webhook would, so the page shows progress and a name, and its
owner (donor@haven.example) finds one notice per gift in the outbox, the anonymous one without a name."""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaigns.models import SupporterPage
from campaigns.services import totals_refresh

from . import services
from .models import Donation

GIFTS = [
    # email, full name, amount, anonymous, name shown, days ago
    ("sam.ortiz@example.org", "Sam Ortiz", 5000, False, "Sam O.", 6),
    ("quiet.runner@example.org", "Private Runner", 2500, True, "", 3),
    ("jules.b@example.org", "Jules Bernard", 10000, False, "", 1),
]


def supporter_gifts_seed() -> None:
    page = (
        SupporterPage.objects.select_related("campaign__fund")
        .filter(
            status=SupporterPage.Status.APPROVED, closed_at__isnull=True, owner__email="donor@haven.example"
        )
        .order_by("pk")
        .first()
    )
    if page is None:
        return
    now = timezone.now()
    for email, name, amount, anonymous, shown, days_ago in GIFTS:
        if Donation.objects.filter(supporter_page=page, donor_email=email).exists():
            continue
        donation = services.donation_create(
            amount=amount,
            cover_fee=False,
            monthly=False,
            designation=services.Designation(campaign=page.campaign, fund=page.campaign.fund),
            email=email,
            name=name,
            is_anonymous=anonymous,
            show_name_publicly=bool(shown),
            public_name=shown,
            supporter_page=page,
        )
        services.donation_mark_succeeded(
            donation=donation,
            amount_paid=donation.charged_amount,
            currency=donation.currency,
            paid_at=now - datetime.timedelta(days=days_ago),
        )
    # Now rather than in a few seconds: donations.demo.seed publishes the seeded figures next.
    totals_refresh(campaign_id=page.campaign_id, fund_id=page.campaign.fund_id)
