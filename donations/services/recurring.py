"""Monthly gifts: one Stripe subscription each, one Donation per paid month."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.services import message_queue

from .. import stripe_gateway
from ..models import Donation, RecurringAmountChange, RecurringGift
from . import notices
from .errors import DonationError
from .fees import fee_for
from .locks import lock_recurring, refresh_from_locked

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


def recurring_set_status(
    *,
    recurring: RecurringGift,
    stripe_status: str,
    at: datetime.datetime,
    period_end: datetime.datetime | None = None,
) -> bool:
    """Apply a subscription status (and the end of its paid period, the next charge date) Stripe
    reported at `at`. Older news never overwrites newer; on a tie the further-along status wins;
    cancelled is final. Returns True if the news was applied."""
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
            if period_end is not None:
                locked.current_period_end = period_end
            if new == RecurringGift.Status.CANCELED and locked.canceled_at is None:
                locked.canceled_at = at
            locked.save(update_fields=["status", "stripe_status_at", "canceled_at", "current_period_end"])
            if new == RecurringGift.Status.CANCELED:
                # Cancelled at Stripe (the billing portal, or payments that kept failing): told once.
                notices.monthly_cancelled_queue(recurring=locked)
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
            language=locked.language,
            frequency=Donation.Frequency.MONTHLY,
            method=Donation.Method.CARD,
            campaign=locked.campaign,
            fund=locked.fund,
            is_anonymous=locked.is_anonymous,
            show_name_publicly=locked.show_name_publicly and not locked.is_anonymous,
            public_name=locked.public_name if locked.show_name_publicly and not locked.is_anonymous else "",
            tribute_type=first.tribute_type if first else "",
            tribute_name=first.tribute_name if first else "",
            recurring_gift=locked,
            stripe_invoice_id=invoice_id[:255],
        )


KIND_RENEWAL_FAILED = "donations.renewal_failed"


def recurring_renewal_failed_notify(*, recurring: RecurringGift, invoice_id: str) -> None:
    """Tell the donor a monthly payment failed and how to fix it (once per invoice), in the caller's
    transaction."""
    message_queue(
        kind=KIND_RENEWAL_FAILED,
        recipient=recurring.donor_email,
        user=recurring.donor,
        language=recurring.message_language,
        about=recurring,
        dedupe_key=f"{KIND_RENEWAL_FAILED}:{invoice_id}",
        data={"invoice_id": invoice_id[:255]},
    )


def _recurring_for_user(*, user, recurring_id: int) -> RecurringGift:
    from ..selectors import recurring_gifts_for_user

    recurring = recurring_gifts_for_user(user=user).filter(pk=recurring_id).first()
    if recurring is None:
        raise RecurringGift.DoesNotExist
    return recurring


def recurring_change_amount(*, user, recurring_id: int, amount: int, cover_fee: bool) -> RecurringGift:
    """The donor changes the monthly amount; Stripe charges the new amount from the next month. The
    attempt is a RecurringAmountChange row written before Stripe is called, whose idempotency key goes
    with the call: submitting the same change twice (a double click, a retry after Stripe did not
    answer) changes the subscription once. The amount on our row changes when Stripe confirms."""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if not recurring.is_live or not recurring.stripe_subscription_id:
        raise DonationError(_("Only an active monthly gift can be changed."))
    if not settings.DONATION_MIN_AMOUNT <= amount <= settings.DONATION_MAX_AMOUNT:
        raise DonationError(_("The amount is outside the allowed range."))
    fee = fee_for(net=amount) if cover_fee else 0
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        change = locked.amount_changes.filter(status=RecurringAmountChange.Status.REQUESTED).first()
        if change is not None and (change.amount, change.fee_covered) != (amount, fee):
            # Stripe never answered that earlier attempt; this one sets the whole price again, so it
            # replaces it (with a key of its own: Stripe refuses one key for other parameters).
            change.status = RecurringAmountChange.Status.FAILED
            change.error = "Replaced by a later change before Stripe answered."
            change.save(update_fields=["status", "error", "updated_at"])
            change = None
        elif change is None and (locked.amount, locked.fee_covered) == (amount, fee):
            refresh_from_locked(recurring, locked)
            return recurring  # already so: the first of two submits went through
        if change is None:
            change = RecurringAmountChange.objects.create(
                recurring_gift=locked, amount=amount, fee_covered=fee, requested_by=user
            )
    try:
        stripe_gateway.subscription_change_amount(
            subscription_id=recurring.stripe_subscription_id,
            amount=change.charged_amount,
            currency=recurring.currency,
            idempotency_key=str(change.idempotency_key),
        )
    except stripe_gateway.GatewayUnavailable as exc:
        raise DonationError(
            _(
                "We could not reach Stripe, so your monthly gift is unchanged for now. Please try again: "
                "the change will be made once."
            )
        ) from exc
    except stripe_gateway.GatewayError as exc:
        with transaction.atomic():
            lock_recurring(recurring.pk)
            RecurringAmountChange.objects.filter(
                pk=change.pk, status=RecurringAmountChange.Status.REQUESTED
            ).update(status=RecurringAmountChange.Status.FAILED, error=str(exc)[:300])
        raise DonationError(
            _("Stripe did not accept the change, so nothing changed: %(reason)s") % {"reason": exc}
        ) from exc
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        applied = RecurringAmountChange.objects.filter(
            pk=change.pk, status=RecurringAmountChange.Status.REQUESTED
        ).update(status=RecurringAmountChange.Status.APPLIED, error="")
        if applied:  # (a twin submit that got the same answer may have recorded it first)
            locked.amount = change.amount
            locked.fee_covered = change.fee_covered
            locked.save(update_fields=["amount", "fee_covered"])
            change.recurring_gift = locked
            notices.monthly_changed_queue(change=change)
    refresh_from_locked(recurring, locked)
    return recurring


def recurring_cancel(*, user, recurring_id: int) -> RecurringGift:
    """The donor stops a monthly gift now. It is marked cancelled only once Stripe confirms the
    subscription is cancelled; if Stripe cannot be reached or refuses, it stays active and the error
    says so. (Cancelling is a DELETE, idempotent at Stripe: a second cancel is answered "already
    canceled", which counts as confirmed when the subscription reads cancelled.)"""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if recurring.status == RecurringGift.Status.CANCELED:
        return recurring
    if not recurring.stripe_subscription_id:
        raise DonationError(
            _("This monthly gift has not started: nothing is charged unless its checkout page is completed.")
        )
    try:
        subscription = stripe_gateway.subscription_cancel(subscription_id=recurring.stripe_subscription_id)
    except stripe_gateway.GatewayRefused as exc:
        try:
            subscription = stripe_gateway.subscription_retrieve(
                subscription_id=recurring.stripe_subscription_id
            )
        except stripe_gateway.GatewayError:
            subscription = {}
        if subscription.get("status") != "canceled":
            raise DonationError(
                _(
                    "Stripe refused to cancel it (%(reason)s), so your monthly gift is still active. "
                    "Please try again."
                )
                % {"reason": exc}
            ) from exc
    except stripe_gateway.GatewayUnavailable as exc:
        raise DonationError(
            _("We could not reach Stripe, so your monthly gift is still active. Please try again.")
        ) from exc
    except stripe_gateway.GatewayError as exc:
        raise DonationError(
            _(
                "Stripe could not cancel it just now (%(reason)s), so your monthly gift is still active. "
                "Please try again."
            )
            % {"reason": exc}
        ) from exc
    if subscription.get("status") != "canceled":
        raise DonationError(
            _(
                "Stripe did not confirm the cancellation, so your monthly gift is still active. "
                "Please try again."
            )
        )
    with transaction.atomic():
        # Confirmed by Stripe, so final whatever subscription events we saw (their times are Stripe's
        # clock, not ours): not through recurring_set_status's older-news rule.
        locked = lock_recurring(recurring.pk)
        if locked.status != RecurringGift.Status.CANCELED:
            locked.status = RecurringGift.Status.CANCELED
            locked.canceled_at = locked.canceled_at or timezone.now()
            locked.save(update_fields=["status", "canceled_at"])
        # Once, whichever of this call and Stripe's event recorded the cancellation first.
        notices.monthly_cancelled_queue(recurring=locked)
    refresh_from_locked(recurring, locked)
    return recurring


def recurring_card_update_url(*, user, recurring_id: int) -> str:
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if not recurring.stripe_customer_id:
        raise DonationError(_("This monthly gift has no card on file yet."))
    return stripe_gateway.billing_portal_url(
        customer_id=recurring.stripe_customer_id,
        return_url=settings.SITE_URL + reverse("donations:my_giving"),
    )
