"""Monthly gifts: one Stripe subscription each, one Donation per paid month."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import stripe_gateway
from ..models import Donation, RecurringGift
from .errors import DonationError
from .fees import fee_for
from .locks import lock_recurring, refresh_from_locked
from .outbox import outbox_enqueue

_SUBSCRIPTION_STATUS = {
    "incomplete": RecurringGift.Status.PENDING,
    "trialing": RecurringGift.Status.ACTIVE,
    "active": RecurringGift.Status.ACTIVE,
    "past_due": RecurringGift.Status.PAST_DUE,
    "unpaid": RecurringGift.Status.PAST_DUE,
    "paused": RecurringGift.Status.PAST_DUE,
    "canceled": RecurringGift.Status.CANCELED,
    "incomplete_expired": RecurringGift.Status.CANCELED,
}
_RECURRING_RANK = {
    RecurringGift.Status.PENDING: 0,
    RecurringGift.Status.ACTIVE: 1,
    RecurringGift.Status.PAST_DUE: 1,
    RecurringGift.Status.CANCELED: 2,
}


def recurring_link(*, recurring: RecurringGift, subscription_id: str = "", customer_id: str = "") -> None:
    """Remember Stripe's subscription and customer ids for a monthly gift; once set, they stay."""
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        changed = []
        if subscription_id and not locked.stripe_subscription_id:
            locked.stripe_subscription_id = subscription_id[:255]
            changed.append("stripe_subscription_id")
        if customer_id and not locked.stripe_customer_id:
            locked.stripe_customer_id = customer_id[:255]
            changed.append("stripe_customer_id")
        if changed:
            locked.save(update_fields=changed)
    refresh_from_locked(recurring, locked)


def recurring_set_status(*, recurring: RecurringGift, stripe_status: str, at: datetime.datetime) -> bool:
    """Apply a subscription status Stripe reported at `at`. Older news never overwrites newer; on a
    tie the further-along status wins; cancelled is final. Returns True if the status changed."""
    new = _SUBSCRIPTION_STATUS.get(stripe_status)
    if new is None:
        return False
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        last = locked.stripe_status_at
        stale = last is not None and (
            at < last or (at == last and _RECURRING_RANK[new] < _RECURRING_RANK[locked.status])
        )
        moved = locked.status != RecurringGift.Status.CANCELED and not stale
        if moved:
            locked.status = new
            locked.stripe_status_at = at
            if new == RecurringGift.Status.CANCELED and locked.canceled_at is None:
                locked.canceled_at = at
            locked.save(update_fields=["status", "stripe_status_at", "canceled_at"])
    refresh_from_locked(recurring, locked)
    return moved


def recurring_renewal_donation(*, recurring: RecurringGift, invoice_id: str) -> Donation:
    """The Donation for one month of a monthly gift: one per Stripe invoice, created on first sight
    (the monthly gift's lock makes two events about one invoice create it once)."""
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        existing = Donation.objects.filter(stripe_invoice_id=invoice_id).first()
        if existing is not None:
            return existing
        first = locked.donations.order_by("created_at").first()
        return Donation.objects.create(
            donor=locked.donor,
            donor_email=locked.donor_email,
            donor_name=locked.donor_name,
            amount=locked.amount,
            fee_covered=locked.fee_covered,
            currency=locked.currency,
            frequency=Donation.Frequency.MONTHLY,
            method=Donation.Method.CARD,
            campaign=locked.campaign,
            fund=locked.fund,
            is_anonymous=locked.is_anonymous,
            show_name_publicly=locked.show_name_publicly and not locked.is_anonymous,
            tribute_type=first.tribute_type if first else "",
            tribute_name=first.tribute_name if first else "",
            recurring_gift=locked,
            stripe_invoice_id=invoice_id[:255],
        )


def recurring_renewal_failed_notify(*, recurring: RecurringGift, invoice_id: str) -> None:
    """Tell the donor a monthly payment failed and how to fix it (once per invoice)."""
    context = {
        "recurring": recurring,
        "org_name": settings.HAVEN_ORG_NAME,
        "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
    }
    outbox_enqueue(
        dedupe_key=f"renewal-failed:{invoice_id}",
        to=recurring.donor_email,
        subject=f"Your monthly gift to {settings.HAVEN_ORG_NAME} could not be charged",
        template="donations/email/renewal_failed",
        context=context,
    )


def _recurring_for_user(*, user, recurring_id: int) -> RecurringGift:
    from ..selectors import recurring_gifts_for_user

    recurring = recurring_gifts_for_user(user=user).filter(pk=recurring_id).first()
    if recurring is None:
        raise RecurringGift.DoesNotExist
    return recurring


def recurring_change_amount(*, user, recurring_id: int, amount: int, cover_fee: bool) -> RecurringGift:
    """The donor changes the monthly amount; Stripe charges the new amount from the next month."""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if not recurring.is_live or not recurring.stripe_subscription_id:
        raise DonationError("Only an active monthly gift can be changed.")
    if not settings.DONATION_MIN_AMOUNT <= amount <= settings.DONATION_MAX_AMOUNT:
        raise DonationError("The amount is outside the allowed range.")
    fee = fee_for(net=amount) if cover_fee else 0
    stripe_gateway.subscription_change_amount(
        subscription_id=recurring.stripe_subscription_id,
        amount=amount + fee,
        currency=recurring.currency,
        idempotency_key=str(uuid.uuid4()),
    )
    with transaction.atomic():
        recurring = lock_recurring(recurring.pk)
        recurring.amount = amount
        recurring.fee_covered = fee
        recurring.save(update_fields=["amount", "fee_covered"])
    return recurring


def recurring_cancel(*, user, recurring_id: int) -> RecurringGift:
    """The donor stops a monthly gift. Stripe cancels at once; the webhook confirms it again."""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if recurring.status == RecurringGift.Status.CANCELED:
        return recurring
    if recurring.stripe_subscription_id:
        result = stripe_gateway.subscription_cancel(subscription_id=recurring.stripe_subscription_id)
        stripe_status = result.get("status") or "canceled"
    else:
        stripe_status = "canceled"
    with transaction.atomic():
        recurring = lock_recurring(recurring.pk)
        recurring.status = RecurringGift.Status.CANCELED
        recurring.canceled_at = timezone.now()
        recurring.save(update_fields=["status", "canceled_at"])
    if stripe_status != "canceled":
        raise DonationError("Stripe did not confirm the cancellation; please try again.")
    return recurring


def recurring_card_update_url(*, user, recurring_id: int) -> str:
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if not recurring.stripe_customer_id:
        raise DonationError("This monthly gift has no card on file yet.")
    return stripe_gateway.billing_portal_url(
        customer_id=recurring.stripe_customer_id,
        return_url=settings.SITE_URL + reverse("donations:my_giving"),
    )
