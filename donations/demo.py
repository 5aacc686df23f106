"""Demo gifts on the demo campaigns (campaigns/demo.py; skipped where a campaign is absent): a few
succeeded gifts, some anonymous, some named by opt-in, and one monthly gift with three paid months,
each with its numbered receipt. Idempotent: every demo gift carries a fixed nonce, so running it twice
creates nothing twice. The gifts are written directly, without Stripe; `standin_sync` then puts every
live monthly gift's subscription into the (in-memory) Stripe stand-in, so the donor can change,
cancel or update the card of the seeded gift, and of gifts made in an earlier demo run."""

from __future__ import annotations

import datetime
import json
import math
import random
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from campaigns.models import Campaign, Fund
from campaigns.services import public_totals_publish, totals_refresh
from core import demo as demo_registry

from . import services
from .models import Donation, RecurringGift
from .supporter_demo import supporter_gifts_seed

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
# What the donors who opted in to be named asked to be shown as (the form asks for it on its own).
PUBLIC_NAMES = {"g1": "Dana", "g2": "Maria K.", "g6": "Tomás", "m1": "Dana"}

# A year of earlier gifts, so the campaign pages look lived in: the share of each goal raised, and
# for campaigns that ended, the days before the end they stopped. The history is written in bulk
# (no receipts, no emails: these donors are invented and have no accounts).
HISTORY = {
    "safe-nights": 0.57,
    "legal-lifeline": 0.38,
    "pathways-to-work": 0.66,
    "winter-coats": 1.08,
    "hotline-phones": 0.91,
}
AMOUNTS = [(2500, 30), (4000, 22), (5000, 18), (10000, 14), (15000, 5), (25000, 6), (50000, 3), (100000, 2)]
FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Esi",
    "Farah",
    "Grace",
    "Hiro",
    "Inés",
    "Jamal",
    "Kim",
    "Luca",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Thu",
    "Uma",
    "Vera",
    "Wes",
    "Yusuf",
]
LAST = [
    "Nguyen",
    "Garcia",
    "Smith",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Chen",
    "Johnson",
    "Rossi",
    "Patel",
    "Müller",
    "Santos",
    "Kim",
    "Ali",
    "Brown",
    "Tanaka",
]


def _nonce(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, key)


def _designation(slug: str | None) -> services.Designation | None:
    if slug is None:
        return services.Designation(campaign=None, fund=Fund.general())
    campaign = Campaign.objects.select_related("fund").filter(slug=slug).first()
    return services.Designation(campaign=campaign, fund=campaign.fund) if campaign else None


def _succeed(donation: Donation, paid_at: datetime.datetime) -> None:
    # The demo's gifts are paid as asked: the amount and currency we would have asked Stripe for.
    services.donation_mark_succeeded(
        donation=donation, amount_paid=donation.charged_amount, currency=donation.currency, paid_at=paid_at
    )


@transaction.atomic
def _gift(key, designation, email, name, amount, *, anonymous, show_name, paid_at, tribute="", **extra):
    """One seeded gift, in a transaction of its own: confirming a gift takes the receipt counter, the
    last lock of the order (donations/services/locks.py), so two gifts never share a transaction."""
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
        public_name=PUBLIC_NAMES.get(key.partition("-")[0], "") if show_name and not anonymous else "",
        tribute_type=Donation.Tribute.MEMORY if tribute else "",
        tribute_name=tribute,
        status=Donation.Status.PENDING,
        **extra,
    )
    _succeed(donation, paid_at)


def _history_times(rng: random.Random, start: datetime.datetime, end: datetime.datetime, count: int):
    """`count` moments between start and end, denser near the launch, in the last weeks of the year
    and on "update" days: the raised-over-time line curves rather than running straight."""
    span = (end - start).total_seconds()
    times = []
    while len(times) < count:
        x = rng.random()
        local = start + datetime.timedelta(seconds=x * span)
        weight = (
            0.35 + 0.9 * math.exp(-6 * x) + (0.9 if local.month == 12 else 0) + (0.5 if local.day < 4 else 0)
        )
        if rng.random() * 2.3 < weight:
            times.append(local)
    return sorted(times)


def _history(campaign: Campaign, share: float, now: datetime.datetime) -> None:
    if Donation.objects.filter(entry_nonce=_nonce(f"history-{campaign.slug}-0")).exists():
        return
    rng = random.Random(campaign.slug)  # the same story every run
    target = int(campaign.goal_amount * share)
    amounts = []
    while sum(amounts) < target:
        amounts.append(rng.choices([a for a, _ in AMOUNTS], weights=[w for _, w in AMOUNTS])[0])
    start = datetime.datetime.combine(campaign.starts_on, datetime.time(9), tzinfo=datetime.UTC)
    end = min(
        now - datetime.timedelta(days=1),
        datetime.datetime.combine(campaign.ends_on, datetime.time(20), tzinfo=datetime.UTC)
        if campaign.ends_on
        else now,
    )
    rows = []
    for index, (amount, paid_at) in enumerate(
        zip(amounts, _history_times(rng, start, end, len(amounts)), strict=True)
    ):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        anonymous = rng.random() < 0.18
        named = not anonymous and rng.random() < 0.4
        rows.append(
            Donation(
                entry_nonce=_nonce(f"history-{campaign.slug}-{index}"),
                donor_email=f"{first}.{last}.{index}@example.org".lower().replace(" ", ""),
                donor_name=f"{first} {last}",
                amount=amount,
                campaign=campaign,
                fund=campaign.fund,
                is_anonymous=anonymous,
                show_name_publicly=named,
                # the name each asked to be thanked by: their given name
                public_name=first if named else "",
                status=Donation.Status.SUCCEEDED,
                succeeded_at=paid_at,
            )
        )
    with transaction.atomic():
        Donation.objects.bulk_create(rows, batch_size=500)
        # created_at is set to now on insert: date each gift when it was made, as the pages sort by it
        Donation.objects.filter(campaign=campaign, entry_nonce__in=[r.entry_nonce for r in rows]).update(
            created_at=F("succeeded_at")
        )
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)


def seed() -> None:
    from . import inkind_demo  # noqa: PLC0415

    _seed_gifts()
    supporter_gifts_seed()  # through the campaigns seed's approved supporter page
    inkind_demo.seed()
    # Seeded history, not a gift anyone could time: the demo's public figures show it at once.
    public_totals_publish(force=True)


def _seed_gifts() -> None:
    now = timezone.now()
    for slug, share in HISTORY.items():
        campaign = Campaign.objects.select_related("fund").filter(slug=slug).first()
        if campaign is not None:
            _history(campaign, share, now)
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
            public_name=PUBLIC_NAMES[key],
            status=RecurringGift.Status.ACTIVE,
            stripe_subscription_id=f"sub_demo_{key}",
            stripe_customer_id=f"cus_demo_{key}",
            stripe_status_at=now,
            current_period_end=now + datetime.timedelta(days=27),
        )
    elif not recurring.stripe_customer_id:  # seeded before the gift had a customer (billing portal)
        services.recurring_link(recurring=recurring, customer_id=f"cus_demo_{key}")
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


# --- the Stripe stand-in ---------------------------------------------------------------------------


class StandInSyncError(Exception):
    """The stand-in refused a subscription or could not be reached."""


def _standin_import(base_url: str, body: dict) -> bool:
    """POST one subscription to the stand-in's demo-only import control; False if it already has it."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in standin_sync
        f"{base_url.rstrip('/')}/_standin/subscriptions/import",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the local stand-in's URL
            return True
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read()).get("error") or {}
        except ValueError:
            error = {}
        if error.get("code") == "resource_already_exists":
            return False
        raise StandInSyncError(f"{body['subscription_id']}: {error.get('message') or exc}") from exc
    except OSError as exc:
        raise StandInSyncError(f"The Stripe stand-in at {base_url} is not reachable: {exc}") from exc


def standin_sync(base_url: str) -> int:
    """Register every active or past-due monthly gift in the Stripe stand-in at `base_url`, with the
    ids, amount (with any fee covered), currency, product name and metadata that
    stripe_gateway.checkout_session_create gave it, so the stand-in (which forgets everything on
    restart) can change, cancel, renew and open the billing portal for it. The stand-in sends no
    webhooks for these. A gift without a customer id gets one (recorded here). Returns how many were
    registered; those the stand-in already had are skipped. Demo only: never point it at Stripe."""
    if not base_url.startswith(("http://", "https://")):
        raise StandInSyncError(f"Not an http(s) URL: {base_url!r}")
    first_gift = (
        Donation.objects.filter(recurring_gift=OuterRef("pk"))
        .order_by("created_at", "pk")
        .values("public_id")
    )
    gifts = (
        RecurringGift.objects.filter(status__in=[RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE])
        .exclude(stripe_subscription_id="")
        .select_related("campaign")
        .annotate(first_gift=Subquery(first_gift[:1]))
        .order_by("pk")
    )
    registered = 0
    for recurring in gifts:
        if not recurring.stripe_customer_id:
            services.recurring_link(recurring=recurring, customer_id=f"cus_haven_{recurring.public_id.hex}")
        target = recurring.campaign.title if recurring.campaign_id else settings.HAVEN_ORG_NAME
        body = {
            "subscription_id": recurring.stripe_subscription_id,
            "customer_id": recurring.stripe_customer_id,
            "amount": recurring.charged_amount,
            "currency": recurring.currency.lower(),
            "interval": "month",
            # As checkout_session_create set it: only the first gift's id, never a name or email.
            "metadata": {"donation_id": str(recurring.first_gift)} if recurring.first_gift else {},
            "email": recurring.donor_email,
            "description": f"Monthly gift to {target}",
        }
        registered += _standin_import(base_url, body)
    return registered


def _standin_sync_step(base_url: str) -> str:
    """The demo's step after seeding: the stand-in starts empty on every run, so give it back the
    monthly gifts the database knows (the seeded one and those made in earlier runs)."""
    try:
        count = standin_sync(base_url)
    except StandInSyncError as exc:
        raise demo_registry.DemoStepError(
            f"Could not register monthly gifts in the Stripe stand-in: {exc}"
        ) from exc
    return f"Registered {count} monthly gift(s) in the Stripe stand-in."


demo_registry.register("donations", seed=seed, standin_sync=_standin_sync_step)
