"""Every write about gifts. Keyword-only, typed, transactional.

The donation state machine lives here: a status only moves along ALLOWED_TRANSITIONS, and every
transition happens on a row locked with select_for_update, so a replayed or concurrent webhook finds
the work done and does nothing (pretix's `confirm()` shape).
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Fund
from campaigns.services import totals_refresh

from . import pdf, stripe_gateway
from .models import (
    Dispute,
    Donation,
    OutboxEmail,
    Receipt,
    ReceiptCounter,
    RecurringGift,
    Refund,
    Statement,
)

Status = Donation.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.SUCCEEDED, Status.FAILED},
    # A declined first card, then a second card that worked on the same Checkout session: money wins.
    Status.FAILED: {Status.SUCCEEDED},
    Status.SUCCEEDED: {Status.REFUNDED, Status.DISPUTED, Status.DISPUTE_LOST},
    Status.DISPUTED: {Status.SUCCEEDED, Status.DISPUTE_LOST},
    Status.REFUNDED: set(),
    Status.DISPUTE_LOST: set(),
}
PAID_STATUSES = {Status.SUCCEEDED, Status.REFUNDED, Status.DISPUTED, Status.DISPUTE_LOST}

OUTBOX_CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
# After this many failed sends an email stays in the outbox for a person to look at (bad address).
OUTBOX_MAX_ATTEMPTS = 10


class DonationError(Exception):
    """A business rule refused the request; the message can be shown as is."""


class InvalidTransition(DonationError):
    pass


# --- fees ------------------------------------------------------------------------------------------


def fee_gross_up(*, net: int, bps: int | None = None, fixed: int | None = None) -> int:
    """What to charge so that, after Stripe's fee (bps of the gross plus a fixed part), the charity
    nets `net`: gross = ceil((net + fixed) / (1 - bps/10000)), all in integers (no float rounding)."""
    bps = settings.STRIPE_FEE_BPS if bps is None else bps
    fixed = settings.STRIPE_FEE_FIXED if fixed is None else fixed
    if not 0 <= bps < 10_000:
        raise ValueError("bps must be in [0, 10000)")
    numerator = (net + fixed) * 10_000
    denominator = 10_000 - bps
    return -(-numerator // denominator)


def fee_for(*, net: int) -> int:
    return fee_gross_up(net=net) - net


# --- the donor's path ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Designation:
    campaign: Campaign | None
    fund: Fund


def donation_create(
    *,
    amount: int,
    cover_fee: bool,
    monthly: bool,
    designation: Designation,
    email: str,
    name: str,
    is_anonymous: bool = False,
    show_name_publicly: bool = False,
    tribute_type: str = "",
    tribute_name: str = "",
    tribute_notify_email: str = "",
    donor=None,
) -> Donation:
    """Write a pending gift (and, for monthly, its RecurringGift) before anyone talks to Stripe."""
    if is_anonymous and show_name_publicly:
        raise DonationError("An anonymous gift cannot show your name.")
    if not settings.DONATION_MIN_AMOUNT <= amount <= settings.DONATION_MAX_AMOUNT:
        raise DonationError("The amount is outside the allowed range.")
    if tribute_type and not tribute_name:
        raise DonationError("Please give the name of the person the gift honours.")
    fee = fee_for(net=amount) if cover_fee else 0
    email = email.strip().lower()
    with transaction.atomic():
        recurring = None
        if monthly:
            recurring = RecurringGift(
                donor=donor,
                donor_email=email,
                donor_name=name,
                amount=amount,
                fee_covered=fee,
                campaign=designation.campaign,
                fund=designation.fund,
                is_anonymous=is_anonymous,
                show_name_publicly=show_name_publicly,
            )
            recurring.full_clean()
            recurring.save()
        donation = Donation(
            donor=donor,
            donor_email=email,
            donor_name=name,
            amount=amount,
            fee_covered=fee,
            frequency=Donation.Frequency.MONTHLY if monthly else Donation.Frequency.ONE_TIME,
            method=Donation.Method.CARD,
            campaign=designation.campaign,
            fund=designation.fund,
            is_anonymous=is_anonymous,
            show_name_publicly=show_name_publicly and not is_anonymous,
            tribute_type=tribute_type if tribute_name else "",
            tribute_name=tribute_name if tribute_type else "",
            tribute_notify_email=tribute_notify_email if tribute_type else "",
            recurring_gift=recurring,
        )
        donation.full_clean()
        donation.save()
    return donation


def donation_checkout_start(*, donation: Donation) -> str:
    """Create the Stripe Checkout session for a pending gift and return the URL to send the donor to.
    Called outside any transaction: the gift row is committed first, so a webhook that arrives before
    we saved the session id still finds the gift by the id in metadata."""
    thanks = settings.SITE_URL + reverse("donations:thanks", args=[donation.public_id])
    if donation.campaign_id:
        cancel = settings.SITE_URL + reverse("donations:campaign_donate", args=[donation.campaign.slug])
    else:
        cancel = settings.SITE_URL + reverse("donations:donate")
    description = "Monthly gift" if donation.frequency == Donation.Frequency.MONTHLY else "Gift"
    description += f" to {donation.campaign.title if donation.campaign_id else settings.HAVEN_ORG_NAME}"
    try:
        session = stripe_gateway.checkout_session_create(
            public_id=str(donation.public_id),
            idempotency_key=str(donation.idempotency_key),
            amount=donation.charged_amount,
            currency=donation.currency,
            monthly=donation.frequency == Donation.Frequency.MONTHLY,
            description=description,
            customer_email=donation.donor_email,
            success_url=thanks,
            cancel_url=cancel,
        )
    except stripe_gateway.GatewayError as exc:
        Donation.objects.filter(pk=donation.pk, status=Status.PENDING).update(
            status=Status.FAILED, failure_reason=f"Checkout could not start: {exc}"[:300]
        )
        raise DonationError(
            "We could not reach our payment provider. Nothing was charged; please try again."
        ) from exc
    Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=session.id)
    donation.stripe_checkout_session_id = session.id
    return session.url


# --- state machine ---------------------------------------------------------------------------------


def _lock(donation_id: int) -> Donation:
    return Donation.objects.select_for_update().get(pk=donation_id)


def _refresh_totals_after_commit(donation: Donation) -> None:
    campaign_id, fund_id = donation.campaign_id, donation.fund_id
    # robust: the gift is committed; a failing refresh is logged (the next change or the 6-hourly
    # recompute fixes the cache) rather than turning Stripe's delivery into a 500 after the fact.
    transaction.on_commit(lambda: totals_refresh(campaign_id=campaign_id, fund_id=fund_id), robust=True)


def _transition(donation: Donation, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS[donation.status]:
        raise InvalidTransition(f"A {donation.status} gift cannot become {to}.")
    donation.status = to
    donation.save(update_fields=["status", "succeeded_at", "needs_review", "review_reason", "updated_at"])
    _refresh_totals_after_commit(donation)


def donation_link_stripe_ids(
    *,
    donation: Donation,
    checkout_session_id: str = "",
    payment_intent_id: str = "",
    charge_id: str = "",
    invoice_id: str = "",
) -> None:
    """Remember Stripe's ids for a (locked) gift; an id once set never changes."""
    changed = []
    for field, value in (
        ("stripe_checkout_session_id", checkout_session_id),
        ("stripe_payment_intent_id", payment_intent_id),
        ("stripe_charge_id", charge_id),
        ("stripe_invoice_id", invoice_id),
    ):
        if value and not getattr(donation, field):
            setattr(donation, field, value[:255])
            changed.append(field)
    if changed:
        donation.save(update_fields=[*changed, "updated_at"])


def donation_mark_succeeded(
    *,
    donation: Donation,
    amount_paid: int | None,
    currency: str | None,
    paid_at: datetime.datetime | None = None,
) -> bool:
    """pending/failed -> succeeded, for a locked gift, once. Checks the amount against the gift we
    created: a mismatch holds it for staff review (needs_review) instead. Returns True if it moved."""
    if donation.status in PAID_STATUSES:
        return False
    if donation.needs_review:
        return False
    expected = donation.charged_amount
    if amount_paid is not None and (
        amount_paid != expected or (currency and currency.lower() != donation.currency.lower())
    ):
        donation.needs_review = True
        donation.review_reason = (
            f"Stripe reported {amount_paid} {currency or ''} but we asked for {expected} {donation.currency}."
        )[:300]
        donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
        return False
    donation.succeeded_at = paid_at or timezone.now()
    _transition(donation, Status.SUCCEEDED)
    _after_success(donation)
    return True


def _after_success(donation: Donation) -> None:
    receipt_issue(donation=donation)
    if donation.tribute_notify_email and donation.tribute_type:
        _tribute_notify(donation)


def donation_mark_failed(*, donation: Donation, reason: str) -> bool:
    """pending -> failed (a later success may still move it to succeeded)."""
    if donation.status != Status.PENDING:
        return False
    donation.failure_reason = reason[:300]
    donation.save(update_fields=["failure_reason", "updated_at"])
    _transition(donation, Status.FAILED)
    return True


def donation_review_release(*, donation_id: int, released_by) -> Donation:
    """Staff checked a held gift in Stripe and accept the amount Stripe reported."""
    with transaction.atomic():
        donation = _lock(donation_id)
        if not donation.needs_review:
            raise DonationError("This gift is not held for review.")
        donation.needs_review = False
        donation.review_reason = ""
        if donation.status in (Status.PENDING, Status.FAILED):
            donation.succeeded_at = timezone.now()
            _transition(donation, Status.SUCCEEDED)
            _after_success(donation)
        else:
            donation.save(update_fields=["needs_review", "review_reason", "updated_at"])
    return donation


# --- refunds and disputes --------------------------------------------------------------------------

_REFUND_STATUS = {
    "pending": Refund.Status.PENDING,
    "requires_action": Refund.Status.PENDING,
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.CANCELED,
}


def refund_record(*, donation: Donation, stripe_refund_id: str, amount: int, stripe_status: str) -> Refund:
    """Upsert a refund Stripe told us about (for a locked gift) and recount the gift's refunds."""
    status = _REFUND_STATUS.get(stripe_status, Refund.Status.PENDING)
    refund = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
    if refund is None:
        refund = Refund.objects.create(
            donation=donation, stripe_refund_id=stripe_refund_id, amount=amount, status=status
        )
    elif refund.status != status and refund.status not in (Refund.Status.FAILED, Refund.Status.CANCELED):
        refund.status = status
        refund.save(update_fields=["status", "updated_at"])
    _refunds_recount(donation)
    return refund


def _refunds_recount(donation: Donation) -> None:
    total = donation.refunds.filter(status__in=Refund.COUNTED).aggregate(t=Sum("amount"))["t"] or 0
    total = min(total, donation.charged_amount)
    if total != donation.amount_refunded:
        donation.amount_refunded = total
        donation.save(update_fields=["amount_refunded", "updated_at"])
        _refresh_totals_after_commit(donation)
    if donation.status == Status.SUCCEEDED and donation.amount_refunded >= donation.amount:
        _transition(donation, Status.REFUNDED)


def refund_request(*, donation_id: int, amount: int, requested_by, reason: str = "") -> Refund:
    """Staff ask Stripe to refund (part of) a gift. The `charge.refunded` webhook confirms it; until
    then the refund shows as requested and the gift's refunded amount is unchanged."""
    with transaction.atomic():
        donation = _lock(donation_id)
        if donation.method != Donation.Method.CARD:
            raise DonationError("Offline gifts are refunded outside Haven; record a correction instead.")
        if donation.status != Status.SUCCEEDED:
            raise DonationError("Only a succeeded gift can be refunded.")
        if not (donation.stripe_payment_intent_id or donation.stripe_charge_id):
            raise DonationError("This gift has no Stripe payment to refund yet.")
        outstanding = (
            donation.refunds.filter(status__in=(Refund.Status.REQUESTED, *Refund.COUNTED)).aggregate(
                t=Sum("amount")
            )["t"]
            or 0
        )
        if amount <= 0 or amount > donation.charged_amount - outstanding:
            raise DonationError("The refund is more than what is left of the gift.")
        refund = Refund.objects.create(
            donation=donation, amount=amount, requested_by=requested_by, reason=reason[:200]
        )
    try:
        result = stripe_gateway.refund_create(
            charge_id=donation.stripe_charge_id,
            payment_intent_id=donation.stripe_payment_intent_id,
            amount=amount,
            idempotency_key=str(refund.idempotency_key),
        )
    except stripe_gateway.GatewayError as exc:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, reason=str(exc)[:200])
        raise DonationError(f"Stripe refused the refund: {exc}") from exc
    with transaction.atomic():
        donation = _lock(donation_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        # The webhook may have come first and recorded this refund id already.
        already = Refund.objects.filter(stripe_refund_id=result["id"]).exclude(pk=refund.pk).first()
        if already is not None:
            refund.delete()
            return already
        refund.stripe_refund_id = result["id"]
        refund.save(update_fields=["stripe_refund_id", "updated_at"])
    return refund


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


# --- monthly gifts ---------------------------------------------------------------------------------

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
    from .selectors import recurring_gifts_for_user

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


# --- offline gifts ---------------------------------------------------------------------------------


def donation_record_offline(
    *,
    nonce: uuid.UUID,
    amount: int,
    method: str,
    designation: Designation,
    email: str,
    name: str,
    received_on: datetime.date,
    reference: str = "",
    is_anonymous: bool = False,
    recorded_by=None,
) -> tuple[Donation, bool]:
    """Record a cheque, cash or bank transfer gift as succeeded and issue its receipt. The nonce from
    the form makes a double submit return the first gift (created=False) instead of a second one."""
    if method not in (Donation.Method.CHEQUE, Donation.Method.CASH, Donation.Method.BANK_TRANSFER):
        raise DonationError("Choose cheque, cash or bank transfer.")
    existing = Donation.objects.filter(entry_nonce=nonce).first()
    if existing is not None:
        return existing, False
    received_at = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
    try:
        with transaction.atomic():
            donation = Donation(
                entry_nonce=nonce,
                donor_email=email.strip().lower(),
                donor_name=name,
                amount=amount,
                method=method,
                campaign=designation.campaign,
                fund=designation.fund,
                is_anonymous=is_anonymous,
                offline_reference=reference,
                received_on=received_on,
                recorded_by=recorded_by,
                status=Status.PENDING,
            )
            donation.full_clean(exclude=["entry_nonce"])
            donation.save()
            donation = _lock(donation.pk)
            donation.succeeded_at = received_at
            _transition(donation, Status.SUCCEEDED)
            _after_success(donation)
    except IntegrityError:
        # Two submits of the same form raced past the check above; the other one won.
        return Donation.objects.get(entry_nonce=nonce), False
    return donation, True


# --- receipts --------------------------------------------------------------------------------------


def receipt_issue(*, donation: Donation) -> Receipt:
    """Number the receipt for a gift that just succeeded, in the caller's transaction. The counter row
    is locked while the number is taken and rolls back with the transaction: no gaps, no repeats.
    The email goes out from a task queued after commit."""
    existing = Receipt.objects.filter(donation=donation).first()
    if existing is not None:
        return existing
    year = timezone.localtime(donation.succeeded_at or timezone.now()).year
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    sequence = counter.last_number
    receipt = Receipt.objects.create(
        donation=donation, year=year, sequence=sequence, number=f"{year}-{sequence:06d}"
    )
    from .tasks import receipt_send

    receipt_id = receipt.pk
    # robust: if the broker is down the receipt stays unsent and outbox_sweep queues it again.
    transaction.on_commit(lambda: receipt_send.delay(receipt_id), robust=True)
    return receipt


def receipt_pdf(*, receipt: Receipt) -> bytes:
    """The receipt's PDF, made once and kept (so the hash on file matches every later download)."""
    if receipt.pdf:
        return bytes(receipt.pdf)
    with transaction.atomic():
        locked = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation", "donation__campaign", "donation__fund")
            .get(pk=receipt.pk)
        )
        if not locked.pdf:
            content = pdf.receipt_pdf(receipt=locked)
            locked.pdf = content
            locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256"])
        receipt.pdf, receipt.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return bytes(receipt.pdf)


def receipt_deliver(*, receipt_id: int) -> bool:
    """Make the receipt PDF and email it, once. Safe to run any number of times, concurrently."""
    receipt = Receipt.objects.select_related("donation", "donation__campaign", "donation__fund").get(
        pk=receipt_id
    )
    if receipt.sent_at is not None:
        return False
    content = receipt_pdf(receipt=receipt)
    donation = receipt.donation
    context = {
        "receipt": receipt,
        "donation": donation,
        "org_name": settings.HAVEN_ORG_NAME,
        "org_address": settings.HAVEN_ORG_ADDRESS,
        "org_tax_id": settings.HAVEN_ORG_TAX_ID,
        "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
    }
    with transaction.atomic():
        email = outbox_enqueue(
            dedupe_key=f"receipt:{receipt.pk}",
            to=donation.donor_email,
            subject=f"Your receipt {receipt.number} from {settings.HAVEN_ORG_NAME}",
            template="donations/email/receipt",
            context=context,
            attachment=(f"receipt-{receipt.number}.pdf", "application/pdf", content),
            queue=False,
        )
    if email is None:
        email = OutboxEmail.objects.get(dedupe_key=f"receipt:{receipt.pk}")
    sent = outbox_send(email_id=email.pk)
    if sent or OutboxEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists():
        Receipt.objects.filter(pk=receipt.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return sent


def _tribute_notify(donation: Donation) -> None:
    outbox_enqueue(
        dedupe_key=f"tribute:{donation.pk}",
        to=donation.tribute_notify_email,
        subject=f"A gift to {settings.HAVEN_ORG_NAME} {donation.get_tribute_type_display().lower()} "
        f"{donation.tribute_name}",
        template="donations/email/tribute",
        context={"donation": donation, "org_name": settings.HAVEN_ORG_NAME},
    )


# --- statements ------------------------------------------------------------------------------------


def statement_issue(*, email: str, year: int, send: bool = True) -> Statement:
    """The annual statement of one email address for one calendar year: created once (unique email,
    year), emailed once. Running it twice (two beat workers, a retry) sends nothing twice."""
    from .selectors import donations_for_statement

    email = email.strip().lower()
    statement = Statement.objects.filter(email=email, year=year).first()
    if statement is None:
        gifts = list(donations_for_statement(emails=[email], year=year))
        total = sum(d.amount - d.amount_refunded for d in gifts)
        content = pdf.statement_pdf(emails=[email], year=year, gifts=gifts)
        statement, _ = Statement.objects.get_or_create(
            email=email,
            year=year,
            defaults={"total": total, "pdf": content, "pdf_sha256": hashlib.sha256(content).hexdigest()},
        )
    if send and statement.sent_at is None:
        with transaction.atomic():
            outbox_enqueue(
                dedupe_key=f"statement:{statement.pk}",
                to=email,
                subject=f"Your {year} giving statement from {settings.HAVEN_ORG_NAME}",
                template="donations/email/statement",
                context={
                    "statement": statement,
                    "org_name": settings.HAVEN_ORG_NAME,
                    "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
                },
                attachment=(f"giving-statement-{year}.pdf", "application/pdf", bytes(statement.pdf)),
            )
    return statement


def statements_send_for_year(*, year: int) -> int:
    """Issue the statements of `year` for every email with a counted gift that year."""
    from .selectors import statement_emails

    count = 0
    for email in statement_emails(year=year):
        statement_issue(email=email, year=year)
        count += 1
    return count


# --- outbox ----------------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    attachment: tuple[str, str, bytes] | None = None,
    queue: bool = True,
) -> OutboxEmail | None:
    """Write an email to the outbox in the caller's transaction, once per dedupe_key (None if it was
    already there), and queue its sending after commit."""
    if OutboxEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    name, mimetype, content = attachment or ("", "", b"")
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                dedupe_key=dedupe_key,
                to=to,
                subject=subject[:200],
                body_text=render_to_string(f"{template}.txt", context),
                body_html=render_to_string(f"{template}.html", context),
                attachment_name=name,
                attachment_mimetype=mimetype,
                attachment=content,
            )
    except IntegrityError:
        return None
    if queue:
        from .tasks import outbox_send_task

        email_id = email.pk
        transaction.on_commit(lambda: outbox_send_task.delay(email_id), robust=True)
    return email


def outbox_send(*, email_id: int) -> bool:
    """Claim one outbox email atomically (an UPDATE that only one worker can win), send it, mark it
    sent. A claim older than OUTBOX_CLAIM_TIMEOUT is considered abandoned (the worker died) and may be
    taken again. Returns True if this call sent it."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=email_id, sent_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - OUTBOX_CLAIM_TIMEOUT))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, bytes(email.attachment), email.attachment_mimetype)
    try:
        message.send()
    except Exception as exc:
        # Release the claim so the retry (or the sweeper) can try again.
        OutboxEmail.objects.filter(pk=email_id).update(claimed_at=None, last_error=str(exc)[:300])
        raise
    OutboxEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), last_error="")
    kind, _, pk = email.dedupe_key.partition(":")
    model = {"statement": Statement, "receipt": Receipt}.get(kind)
    if model is not None:
        model.objects.filter(pk=int(pk), sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def outbox_sweep() -> int:
    """Re-queue what should have been sent by now (a lost task, a crashed worker): never lost."""
    from .tasks import outbox_send_task, receipt_send

    now = timezone.now()
    count = 0
    unsent = OutboxEmail.objects.filter(
        sent_at__isnull=True,
        attempts__lt=OUTBOX_MAX_ATTEMPTS,
        created_at__lt=now - datetime.timedelta(minutes=5),
    )
    for email_id in unsent.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - OUTBOX_CLAIM_TIMEOUT)
    ).values_list("pk", flat=True):
        outbox_send_task.delay(email_id)
        count += 1
    for receipt_id in Receipt.objects.filter(
        sent_at__isnull=True, issued_at__lt=now - datetime.timedelta(minutes=5)
    ).values_list("pk", flat=True):
        receipt_send.delay(receipt_id)
        count += 1
    return count
