"""Demo gifts on the demo campaigns (campaigns/demo.py; skipped where a campaign is absent): a few
succeeded gifts, some anonymous, some named by opt-in, and one monthly gift with three paid months,
each with its numbered receipt. Idempotent: every demo gift carries a fixed nonce, so running it twice
creates nothing twice. The gifts are written directly (no Stripe objects behind them)."""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, Fund

from . import services
from .models import Donation, RecurringGift

_NAMESPACE = uuid.UUID("6f1c2a4e-2d0b-4c55-9d7e-1c0f3f7a9b10")

# key, campaign slug (None: general fund), email, name, amount, anonymous, show name, days ago, tribute
ONE_TIME = [
    ("g1", "safe-nights", "donor@haven.example", "Dana Donor", 5000, False, True, 41, ""),
    ("g2", "safe-nights", "maria.k@example.org", "Maria Kowalski", 2500, False, True, 12, ""),
    ("g3", "legal-lifeline", "quiet.giver@example.org", "Private Giver", 10000, True, False, 9, ""),
    ("g4", "pathways-to-work", "lee.park@example.org", "Lee Park", 4000, False, False, 4, "Grandma June"),
    ("g5", None, "anon.two@example.org", "A. Nonymous", 2000, True, False, 2, ""),
    ("g6", "legal-lifeline", "tomas.r@example.org", "Tomás Rivera", 7500, False, True, 1, ""),
]
MONTHLY = ("m1", "safe-nights", "donor@haven.example", "Dana Donor", 2500)


def _nonce(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, key)


def _designation(slug: str | None) -> services.Designation | None:
    if slug is None:
        return services.Designation(campaign=None, fund=Fund.general())
    campaign = Campaign.objects.select_related("fund").filter(slug=slug).first()
    return services.Designation(campaign=campaign, fund=campaign.fund) if campaign else None


def _succeed(donation: Donation, paid_at: datetime.datetime) -> None:
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    services.donation_mark_succeeded(donation=locked, amount_paid=None, currency=None, paid_at=paid_at)


def _gift(key, designation, email, name, amount, *, anonymous, show_name, paid_at, tribute="", **extra):
    if Donation.objects.filter(entry_nonce=_nonce(key)).exists():
        return
    donation = Donation.objects.create(
        entry_nonce=_nonce(key),
        donor_email=email,
        donor_name=name,
        amount=amount,
        campaign=designation.campaign,
        fund=designation.fund,
        is_anonymous=anonymous,
        show_name_publicly=show_name and not anonymous,
        tribute_type=Donation.Tribute.MEMORY if tribute else "",
        tribute_name=tribute,
        status=Donation.Status.PENDING,
        **extra,
    )
    _succeed(donation, paid_at)


@transaction.atomic
def seed() -> None:
    now = timezone.now()
    for key, slug, email, name, amount, anonymous, show_name, days_ago, tribute in ONE_TIME:
        designation = _designation(slug)
        if designation is None:
            continue
        _gift(
            key,
            designation,
            email,
            name,
            amount,
            anonymous=anonymous,
            show_name=show_name,
            paid_at=now - datetime.timedelta(days=days_ago),
            tribute=tribute,
        )

    key, slug, email, name, amount = MONTHLY
    designation = _designation(slug)
    if designation is None:
        return
    recurring = RecurringGift.objects.filter(stripe_subscription_id=f"sub_demo_{key}").first()
    if recurring is None:
        recurring = RecurringGift.objects.create(
            donor_email=email,
            donor_name=name,
            amount=amount,
            campaign=designation.campaign,
            fund=designation.fund,
            show_name_publicly=True,
            status=RecurringGift.Status.ACTIVE,
            stripe_subscription_id=f"sub_demo_{key}",
            stripe_status_at=now,
        )
    for month in range(3):
        _gift(
            f"{key}-{month}",
            designation,
            email,
            name,
            amount,
            anonymous=False,
            show_name=True,
            paid_at=now - datetime.timedelta(days=30 * (2 - month) + 3),
            frequency=Donation.Frequency.MONTHLY,
            recurring_gift=recurring,
            stripe_invoice_id=f"in_demo_{key}_{month}",
        )
