"""Stripe webhook events: record once, dispatch by type through one table, apply through the state
machine in services.

Every handler runs inside the event's transaction, which holds the event's row lock; the services it
calls lock the monthly gift and the gift themselves, in the order of donations/services/locks.py. So
the same event delivered many times or concurrently, and events arriving in any order, end in one
state. Handlers read the payload defensively (Stripe's shapes change between API versions, and anyone
who has the secret could send anything): a field of the wrong shape makes the event "ignored", never a
500.

An event about a charge we cannot place yet (a refund or dispute that overtook the checkout events) is
kept unprocessed, waiting for its PaymentIntent (or charge) id. It is applied after the transaction in
which a gift learns that id commits, in a transaction of its own that locks the event first
(`stripe_events_release`): never while a gift is locked, which is how concurrent deliveries used to
deadlock. The waiting event's own delivery checks again after its commit, so whichever of the two
commits last finds the other (no event is left behind by the race), and a beat task picks up what a
process that died in between left waiting.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.sql import QueryTemplate

from . import services, stripe_gateway
from .models import Donation, RecurringGift, StripeEvent
from .services.locks import event_record_locked, lock_donation, lock_event

# A waiting event older than this is retried by the beat task (its release after commit was lost).
STALE_WAITING = datetime.timedelta(minutes=2)

MAX_ID_LENGTH = 255
MAX_AMOUNT = 2**62


class MalformedEvent(Exception):
    """Not a Stripe event at all (no id, type or data.object): answered with 400."""


class PayloadShapeError(Exception):
    """A field we need has the wrong shape: the event is recorded and ignored."""


class Waiting(Exception):
    """The event refers to a payment we cannot place yet; keep it for when we can."""

    def __init__(self, ref: str):
        super().__init__(ref)
        self.ref = ref


# --- reading payloads ------------------------------------------------------------------------------


def _dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _str(obj, *path) -> str:
    """An id-like string at `path` ('' if absent); an expanded object yields its id."""
    value = _dig(obj, *path)
    if isinstance(value, dict):
        value = value.get("id")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise PayloadShapeError(f"{'.'.join(path)} is not an id")
    return value


def _int(obj, *path) -> int | None:
    value = _dig(obj, *path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise PayloadShapeError(f"{'.'.join(path)} is not an amount")
    return value


def _from_stripe(call, **kwargs):
    """Ask Stripe for what the payload leaves out. If Stripe says the object does not exist, the event
    names something that is not ours: ignore it. If Stripe cannot be reached, let the error through:
    the event rolls back, we answer 500 and Stripe delivers it again later."""
    try:
        return call(**kwargs)
    except stripe_gateway.GatewayRefused as exc:
        raise PayloadShapeError(f"Stripe does not know it: {exc}") from exc


def _timestamp(value) -> datetime.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 32_503_680_000:
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def _event_time(event: dict) -> datetime.datetime:
    return _timestamp(event.get("created")) or timezone.now()


# Compiled once per process (core.sql.QueryTemplate): most events find their gift this way.
_DONATION_BY_PUBLIC_ID = QueryTemplate(
    lambda public_id: Donation.objects.filter(public_id=public_id).order_by()[:1], public_id=uuid.UUID
)


def _donation_by_public_id(value) -> Donation | None:
    if not isinstance(value, str):
        return None
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        return None
    found = _DONATION_BY_PUBLIC_ID.objects(public_id=public_id)
    return found[0] if found else None


def _donation_from_metadata(obj: dict) -> Donation | None:
    return _donation_by_public_id(_dig(obj, "metadata", "donation_id"))


def _by_field(**lookup) -> Donation | None:
    field, value = next(iter(lookup.items()))
    if not value:
        return None
    return Donation.objects.filter(**{field: value}).first()


# --- one-time payments -----------------------------------------------------------------------------


def _checkout_donation(session: dict) -> Donation | None:
    return (
        _donation_from_metadata(session)
        or _donation_by_public_id(session.get("client_reference_id"))
        or _by_field(stripe_checkout_session_id=_str(session, "id"))
    )


def on_checkout_completed(session: dict, event: dict) -> str:
    donation = _checkout_donation(session)
    if donation is None:
        return "no matching gift"
    paid = session.get("payment_status") == "paid"
    return _checkout_apply(donation, session, event, paid=paid)


def on_checkout_async_succeeded(session: dict, event: dict) -> str:
    donation = _checkout_donation(session)
    if donation is None:
        return "no matching gift"
    return _checkout_apply(donation, session, event, paid=True)


def _checkout_apply(donation: Donation, session: dict, event: dict, *, paid: bool) -> str:
    payment_intent_id = _str(session, "payment_intent")
    subscription_id = _str(session, "subscription")
    customer_id = _str(session, "customer")
    invoice_id = _str(session, "invoice")
    amount = _int(session, "amount_total")
    currency = session.get("currency") if isinstance(session.get("currency"), str) else None
    if donation.recurring_gift_id:
        # The monthly gift first: the lock order (donations/services/locks.py).
        recurring = services.recurring_link(
            recurring=donation.recurring_gift, subscription_id=subscription_id, customer_id=customer_id
        )
        if paid:
            services.recurring_set_status(recurring=recurring, stripe_status="active", at=_event_time(event))
    donation = lock_donation(donation.pk)
    services.donation_link_stripe_ids(
        donation=donation,
        checkout_session_id=_str(session, "id"),
        payment_intent_id=payment_intent_id,
        invoice_id=invoice_id if donation.recurring_gift_id else "",
    )
    moved = paid and services.donation_mark_succeeded(
        donation=donation, amount_paid=amount, currency=currency
    )
    _release_after_commit(donation)
    return "succeeded" if moved else ("held for review" if donation.needs_review else "recorded")


def on_checkout_async_failed(session: dict, event: dict) -> str:
    donation = _checkout_donation(session)
    if donation is None:
        return "no matching gift"
    donation = lock_donation(donation.pk)
    services.donation_link_stripe_ids(donation=donation, payment_intent_id=_str(session, "payment_intent"))
    services.donation_mark_failed(donation=donation, reason="The bank payment failed.")
    _release_after_commit(donation)
    return "failed"


def on_checkout_expired(session: dict, event: dict) -> str:
    donation = _checkout_donation(session)
    if donation is None:
        return "no matching gift"
    if donation.recurring_gift_id:
        # A monthly gift whose first payment never happened never started.
        recurring = donation.recurring_gift
        if recurring.status == RecurringGift.Status.PENDING:
            services.recurring_set_status(
                recurring=recurring, stripe_status="incomplete_expired", at=_event_time(event)
            )
    donation = lock_donation(donation.pk)
    services.donation_mark_failed(donation=donation, reason="The checkout page expired before payment.")
    return "expired"


def _intent_donation(intent: dict) -> Donation | None:
    return _donation_from_metadata(intent) or _by_field(stripe_payment_intent_id=_str(intent, "id"))


def on_payment_intent_succeeded(intent: dict, event: dict) -> str:
    donation = _intent_donation(intent)
    if donation is None:
        return "no matching gift"
    donation = lock_donation(donation.pk)
    services.donation_link_stripe_ids(
        donation=donation, payment_intent_id=_str(intent, "id"), charge_id=_str(intent, "latest_charge")
    )
    received = _int(intent, "amount_received")
    amount = received if received else _int(intent, "amount")
    currency = intent.get("currency") if isinstance(intent.get("currency"), str) else None
    moved = services.donation_mark_succeeded(donation=donation, amount_paid=amount, currency=currency)
    _release_after_commit(donation)
    return "succeeded" if moved else ("held for review" if donation.needs_review else "recorded")


def on_payment_intent_failed(intent: dict, event: dict) -> str:
    donation = _intent_donation(intent)
    if donation is None:
        return "no matching gift"
    donation = lock_donation(donation.pk)
    services.donation_link_stripe_ids(donation=donation, payment_intent_id=_str(intent, "id"))
    message = _dig(intent, "last_payment_error", "message")
    reason = message if isinstance(message, str) and message else "The card was declined."
    services.donation_mark_failed(donation=donation, reason=reason)
    _release_after_commit(donation)
    return "failed"


# --- charges: refunds and disputes -----------------------------------------------------------------


def _charge_donation(charge_id: str, payment_intent_id: str, obj: dict) -> Donation:
    donation = (
        _donation_from_metadata(obj)
        or _by_field(stripe_charge_id=charge_id)
        or _by_field(stripe_payment_intent_id=payment_intent_id)
    )
    if donation is None:
        raise Waiting(payment_intent_id or charge_id)
    return donation


def on_charge_refunded(charge: dict, event: dict) -> str:
    charge_id, intent_id = _str(charge, "id"), _str(charge, "payment_intent")
    donation = lock_donation(_charge_donation(charge_id, intent_id, charge).pk)
    services.donation_link_stripe_ids(donation=donation, payment_intent_id=intent_id, charge_id=charge_id)
    # The refunded charge is itself a report of the payment (amount and currency), in case its
    # success events are late; checked like any other.
    currency = charge.get("currency") if isinstance(charge.get("currency"), str) else None
    services.donation_mark_succeeded(donation=donation, amount_paid=_int(charge, "amount"), currency=currency)
    refunds = _dig(charge, "refunds", "data")
    refunded_total = _int(charge, "amount_refunded") or 0
    if not isinstance(refunds, list) or (
        sum(_int(r, "amount") or 0 for r in refunds if isinstance(r, dict)) < refunded_total
        and _dig(charge, "refunds", "has_more") is not False
    ):
        # Recent API versions leave `refunds` out of the charge unless expanded: ask Stripe.
        if not charge_id:
            raise PayloadShapeError("charge.id")
        refunds = _from_stripe(stripe_gateway.refunds_for_charge, charge_id=charge_id)
    for refund in refunds:
        if not isinstance(refund, dict) or not _str(refund, "id"):
            continue
        services.refund_record(
            donation=donation,
            stripe_refund_id=_str(refund, "id"),
            amount=_int(refund, "amount") or 0,
            stripe_status=refund.get("status") if isinstance(refund.get("status"), str) else "",
        )
    _release_after_commit(donation)
    return f"refunded {donation.amount_refunded}: gift {donation.status}"


def on_dispute(dispute: dict, event: dict) -> str:
    charge_id, intent_id = _str(dispute, "charge"), _str(dispute, "payment_intent")
    donation = lock_donation(_charge_donation(charge_id, intent_id, {}).pk)
    services.donation_link_stripe_ids(donation=donation, payment_intent_id=intent_id, charge_id=charge_id)
    amount = _int(dispute, "amount")
    # A dispute does not confirm a payment (its amount may be part of the charge): it is recorded and
    # counts from the moment the payment's own events confirm the gift.
    status = dispute.get("status")
    if not isinstance(status, str) or not status:
        raise PayloadShapeError("dispute.status")
    reason = dispute.get("reason") if isinstance(dispute.get("reason"), str) else ""
    services.dispute_record(
        donation=donation,
        stripe_dispute_id=_str(dispute, "id"),
        amount=amount or 0,
        status=status[:40],
        reason=reason[:60],
    )
    _release_after_commit(donation)
    return f"dispute {status}: gift {donation.status}"


# --- monthly gifts ---------------------------------------------------------------------------------


def _recurring_for(obj: dict, *, metadata, subscription_id: str) -> RecurringGift | None:
    first = _donation_by_public_id(_dig(metadata, "donation_id")) if isinstance(metadata, dict) else None
    if first is not None and first.recurring_gift_id:
        return first.recurring_gift
    if subscription_id:
        return RecurringGift.objects.filter(stripe_subscription_id=subscription_id).first()
    return None


def _invoice_subscription(invoice: dict) -> tuple[str, dict | None]:
    subscription_id = _str(invoice, "parent", "subscription_details", "subscription") or _str(
        invoice, "subscription"
    )
    metadata = _dig(invoice, "parent", "subscription_details", "metadata")
    if not isinstance(metadata, dict) or "donation_id" not in metadata:
        lines = _dig(invoice, "lines", "data")
        line = lines[0] if isinstance(lines, list) and lines and isinstance(lines[0], dict) else {}
        metadata = line.get("metadata") if isinstance(line.get("metadata"), dict) else metadata
    return subscription_id, metadata


def _invoice_payment_intent(invoice: dict, *, fetch: bool) -> str:
    payments = _dig(invoice, "payments", "data")
    if isinstance(payments, list):
        for payment in payments:
            intent = _str(payment, "payment", "payment_intent")
            if intent:
                return intent
    legacy = _str(invoice, "payment_intent")
    if legacy or not fetch:
        return legacy
    # `payments` is only present when expanded; ask Stripe which PaymentIntent paid the invoice.
    ids = _from_stripe(stripe_gateway.invoice_payment_intent_ids, invoice_id=_str(invoice, "id"))
    return ids[0] if ids else ""


def _invoice_donation(invoice: dict, event: dict) -> tuple[RecurringGift, Donation] | None:
    invoice_id = _str(invoice, "id")
    subscription_id, metadata = _invoice_subscription(invoice)
    recurring = _recurring_for(invoice, metadata=metadata, subscription_id=subscription_id)
    if recurring is None or not invoice_id:
        return None
    recurring = services.recurring_link(
        recurring=recurring, subscription_id=subscription_id, customer_id=_str(invoice, "customer")
    )
    # Read after the monthly gift's lock (taken by recurring_link, held until commit).
    first = recurring.donations.order_by("created_at").first()
    is_first = invoice.get("billing_reason") == "subscription_create" or (
        first is not None and first.stripe_invoice_id == invoice_id
    )
    # The gift is locked once, after its monthly gift, and handed to every step of the event.
    if is_first and first is not None and first.stripe_invoice_id in ("", invoice_id):
        donation = lock_donation(first.pk)
        services.donation_link_stripe_ids(donation=donation, invoice_id=invoice_id)
    else:
        donation = lock_donation(
            services.recurring_renewal_donation(recurring=recurring, invoice_id=invoice_id).pk
        )
    return recurring, donation


def on_invoice_paid(invoice: dict, event: dict) -> str:
    found = _invoice_donation(invoice, event)
    if found is None:
        return "no matching monthly gift"
    recurring, donation = found
    services.recurring_set_status(recurring=recurring, stripe_status="active", at=_event_time(event))
    intent = _invoice_payment_intent(invoice, fetch=not donation.stripe_payment_intent_id)
    services.donation_link_stripe_ids(donation=donation, payment_intent_id=intent)
    paid_at = _timestamp(_dig(invoice, "status_transitions", "paid_at"))
    currency = invoice.get("currency") if isinstance(invoice.get("currency"), str) else None
    moved = services.donation_mark_succeeded(
        donation=donation, amount_paid=_int(invoice, "amount_paid"), currency=currency, paid_at=paid_at
    )
    _release_after_commit(donation)
    return "succeeded" if moved else ("held for review" if donation.needs_review else "recorded")


def on_invoice_payment_failed(invoice: dict, event: dict) -> str:
    found = _invoice_donation(invoice, event)
    if found is None:
        return "no matching monthly gift"
    recurring, donation = found
    services.donation_mark_failed(donation=donation, reason="The monthly payment was declined.")
    if invoice.get("billing_reason") == "subscription_create":
        # The donor is still on Stripe's page and can try another card.
        return "first payment declined"
    services.recurring_set_status(recurring=recurring, stripe_status="past_due", at=_event_time(event))
    services.recurring_renewal_failed_notify(recurring=recurring, invoice_id=_str(invoice, "id"))
    return "renewal failed"


def on_subscription_changed(subscription: dict, event: dict) -> str:
    subscription_id = _str(subscription, "id")
    recurring = _recurring_for(
        subscription, metadata=subscription.get("metadata"), subscription_id=subscription_id
    )
    if recurring is None:
        return "no matching monthly gift"
    recurring = services.recurring_link(
        recurring=recurring, subscription_id=subscription_id, customer_id=_str(subscription, "customer")
    )
    status = subscription.get("status")
    if event.get("type") == "customer.subscription.deleted":
        status = "canceled"
    if not isinstance(status, str):
        raise PayloadShapeError("subscription.status")
    services.recurring_set_status(
        recurring=recurring, stripe_status=status, at=_event_time(event), period_end=_period_end(subscription)
    )
    pause = subscription.get("pause_collection")
    if pause is not None and not isinstance(pause, dict):
        raise PayloadShapeError("subscription.pause_collection")
    if "pause_collection" in subscription:
        # A pause of collection leaves the status "active": the pause itself is the news.
        services.recurring_pause_record(recurring=recurring, pause_collection=pause, at=_event_time(event))
    if recurring.is_paused:
        return f"monthly gift {recurring.status}, paused"
    return f"monthly gift {recurring.status}"


def _period_end(subscription: dict) -> datetime.datetime | None:
    """When the paid month ends (the next charge): on the subscription's item since Stripe's 2025-03
    API, on the subscription itself before."""
    items = _dig(subscription, "items", "data")
    value = _dig(items[0], "current_period_end") if isinstance(items, list) and items else None
    if value is None:
        value = subscription.get("current_period_end")
    return _timestamp(value)


HANDLERS: dict[str, Callable[[dict, dict], str]] = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_async_succeeded,
    "checkout.session.async_payment_failed": on_checkout_async_failed,
    "checkout.session.expired": on_checkout_expired,
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "payment_intent.payment_failed": on_payment_intent_failed,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_payment_failed,
    "customer.subscription.created": on_subscription_changed,
    "customer.subscription.updated": on_subscription_changed,
    "customer.subscription.deleted": on_subscription_changed,
    "customer.subscription.paused": on_subscription_changed,
    "customer.subscription.resumed": on_subscription_changed,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute,
    "charge.dispute.updated": on_dispute,
    "charge.dispute.closed": on_dispute,
}


# --- recording and dispatch ------------------------------------------------------------------------


def _event_shape(event: dict) -> tuple[str, str, dict]:
    event_id, event_type = event.get("id"), event.get("type")
    obj = _dig(event, "data", "object")
    if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_ID_LENGTH:
        raise MalformedEvent("The event has no id.")
    if not isinstance(event_type, str) or not event_type or len(event_type) > 100:
        raise MalformedEvent("The event has no type.")
    if not isinstance(obj, dict):
        raise MalformedEvent("The event has no data.object.")
    return event_id, event_type, obj


def _run(row: StripeEvent, *, recheck: bool = True) -> None:
    """Apply one recorded event (in the caller's transaction, the event's row locked). An event that
    must wait is saved as waiting; with `recheck`, its refs are looked at again after commit."""
    handler = HANDLERS.get(row.type)
    if handler is None:
        outcome = "ignored: type not handled"
    else:
        try:
            with transaction.atomic():
                outcome = handler(row.payload["data"]["object"], row.payload)
        except PayloadShapeError as exc:
            outcome = f"ignored: {exc}"
        except Waiting as waiting:
            row.waiting_for = waiting.ref[:255]
            row.outcome = "waiting for the payment it refers to"
            row.save(update_fields=["waiting_for", "outcome"])
            if recheck:
                # The payment may have been placed by a transaction that committed while this one
                # decided to wait, too late to see this event: look again once this one is committed.
                refs = [row.waiting_for]
                transaction.on_commit(lambda: stripe_events_release(refs=refs), robust=True)
            return
    row.processed_at = timezone.now()
    row.waiting_for = ""
    row.outcome = outcome[:300]
    row.save(update_fields=["processed_at", "waiting_for", "outcome"])


def _release_after_commit(donation: Donation) -> None:
    """Once this transaction commits, apply the events that waited for this gift's payment ids."""
    refs = [ref for ref in (donation.stripe_payment_intent_id, donation.stripe_charge_id) if ref]
    if refs:
        # robust: the gift's transaction is committed; an event left waiting is retried by
        # stripe_events_release_stale (beat) rather than answering Stripe 500 for a delivery that worked.
        transaction.on_commit(lambda: stripe_events_release(refs=refs), robust=True)


def stripe_events_release(*, refs: list[str]) -> int:
    """Apply the events waiting for any of these payment ids, each in a transaction of its own that
    starts by locking the event (the lock order: never an event while a gift is held). A redelivery of
    the same event running at this moment is waited for, and then found processed. Returns how many
    were applied."""
    waiting = (
        StripeEvent.objects.filter(processed_at__isnull=True, waiting_for__in=refs)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)
    )
    applied = 0
    for event_pk in list(waiting):
        with transaction.atomic():
            row = lock_event(event_pk)
            if row.processed_at is None:
                _run(row, recheck=False)
                applied += row.processed_at is not None
    return applied


def stripe_events_release_stale(*, limit: int = 500) -> int:
    """For beat: apply events still waiting STALE_WAITING after they arrived although a gift now has
    the id they wait for (a process that died between committing the payment and releasing its
    events leaves them so; Stripe does not send them again, it had its 200). Events about payments
    that are not ours keep waiting and cost nothing here."""
    placed = Donation.objects.filter(
        Q(stripe_payment_intent_id=OuterRef("waiting_for")) | Q(stripe_charge_id=OuterRef("waiting_for"))
    )
    refs = (
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=timezone.now() - STALE_WAITING)
        .exclude(waiting_for="")
        .filter(Exists(placed))
        .order_by("received_at")
        .values_list("waiting_for", flat=True)[:limit]
    )
    return stripe_events_release(refs=list(set(refs)))


def stripe_event_handle(*, event: dict) -> str:
    """Record a verified event once (unique event id) and apply it. A duplicate delivery — even a
    concurrent one, which waits on the row lock — finds it processed and does nothing."""
    event_id, event_type, _ = _event_shape(event)
    livemode = event.get("livemode") is True
    with transaction.atomic():
        # One INSERT … ON CONFLICT DO UPDATE (no-op update) RETURNING the row: the new one, or the
        # recorded one, locked by the statement itself; a concurrent delivery of the same event waits here.
        row = event_record_locked(stripe_id=event_id, type=event_type, payload=event, livemode=livemode)
        if row.processed_at is not None:
            return "duplicate"
        _run(row)
        return row.outcome
