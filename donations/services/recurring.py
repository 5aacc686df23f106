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
from .outbox import outbox_enqueue
from .payments import _lock

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


def recurring_lock(recurring_id: int) -> RecurringGift:
    return RecurringGift.objects.select_for_update().get(pk=recurring_id)


def recurring_link(*, recurring: RecurringGift, subscription_id: str = "", customer_id: str = "") -> None:
    changed = []
    if subscription_id and not recurring.stripe_subscription_id:
        recurring.stripe_subscription_id = subscription_id[:255]
        changed.append("stripe_subscription_id")
    if customer_id and not recurring.stripe_customer_id:
        recurring.stripe_customer_id = customer_id[:255]
        changed.append("stripe_customer_id")
    if changed:
        recurring.save(update_fields=changed)


def recurring_set_status(*, recurring: RecurringGift, stripe_status: str, at: datetime.datetime) -> bool:
    """Apply a subscription status seen at `at` (a locked row). Older news never overwrites newer;
    on a tie the further-along status wins; cancelled is final."""
    new = _SUBSCRIPTION_STATUS.get(stripe_status)
    if new is None or recurring.status == RecurringGift.Status.CANCELED:
        return False
    last = recurring.stripe_status_at
    if last is not None and (
        at < last or (at == last and _RECURRING_RANK[new] < _RECURRING_RANK[recurring.status])
    ):
        return False
    recurring.status = new
    recurring.stripe_status_at = at
    if new == RecurringGift.Status.CANCELED and recurring.canceled_at is None:
        recurring.canceled_at = at
    recurring.save(update_fields=["status", "stripe_status_at", "canceled_at"])
    return True


def recurring_renewal_donation(*, recurring: RecurringGift, invoice_id: str) -> Donation:
    """The Donation for one month of a (locked) monthly gift: one per Stripe invoice."""
    existing = Donation.objects.filter(stripe_invoice_id=invoice_id).first()
    if existing is not None:
        return _lock(existing.pk)
    first = recurring.donations.order_by("created_at").first()
    donation = Donation.objects.create(
        donor=recurring.donor,
        donor_email=recurring.donor_email,
        donor_name=recurring.donor_name,
        amount=recurring.amount,
        fee_covered=recurring.fee_covered,
        currency=recurring.currency,
        frequency=Donation.Frequency.MONTHLY,
        method=Donation.Method.CARD,
        campaign=recurring.campaign,
        fund=recurring.fund,
        is_anonymous=recurring.is_anonymous,
        show_name_publicly=recurring.show_name_publicly and not recurring.is_anonymous,
        tribute_type=first.tribute_type if first else "",
        tribute_name=first.tribute_name if first else "",
        recurring_gift=recurring,
        stripe_invoice_id=invoice_id[:255],
    )
    return _lock(donation.pk)


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
        recurring = recurring_lock(recurring.pk)
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
        recurring = recurring_lock(recurring.pk)
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
