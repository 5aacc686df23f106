"""The only module that talks to Stripe (and the only one that imports `stripe`).

Every call builds a client from settings, so a test that points settings.STRIPE_API_BASE at the local
stand-in sends real HTTP through the same code that production uses. Every create or update call that
moves money or a subscription carries an idempotency key that the caller stores on its own row
(Donation, Refund, RecurringAmountChange, RecurringPause), so a retried request never charges or
changes twice.
Results come back as plain dicts: nothing outside this module handles stripe objects.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Stripe's own default: a signed event older than this is rejected (replay protection).
WEBHOOK_TOLERANCE_SECONDS = 300


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; the message is safe to show to staff."""


class GatewayRefused(GatewayError):
    """Stripe answered that the request is invalid (no such object, bad parameter): retrying the same
    request will not help."""


class GatewayUnavailable(GatewayError):
    """No answer from Stripe (connection refused, timeout): whether the request took effect is unknown,
    so a retry must send the same idempotency key."""


class WebhookVerificationError(Exception):
    """Bad signature, stale timestamp or a body that is not a JSON object."""


class WebhookNotConfigured(Exception):
    """No webhook secret: we cannot tell Stripe's calls from anyone else's."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def _client() -> stripe.StripeClient:
    key = settings.STRIPE_SECRET_KEY
    if not key:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set.")
    base = getattr(settings, "STRIPE_API_BASE", "")
    if base and key.startswith(("sk_live_", "rk_live_")):
        # The stand-in must never receive a live key (nor live traffic go anywhere but Stripe).
        raise ImproperlyConfigured("STRIPE_API_BASE is for the local stand-in only; unset it with live keys.")
    kwargs: dict[str, Any] = {"max_network_retries": 2}
    if base:
        kwargs["base_addresses"] = {"api": base.rstrip("/")}
    return stripe.StripeClient(key, **kwargs)


def _as_dict(obj: Any) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(fn, *args, **kwargs) -> dict:
    try:
        return _as_dict(fn(*args, **kwargs))
    except stripe.InvalidRequestError as exc:
        raise GatewayRefused(str(exc)[:300] or "Stripe refused the request.") from exc
    except stripe.APIConnectionError as exc:
        raise GatewayUnavailable("Stripe could not be reached.") from exc
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
        raise GatewayError(message[:300]) from exc


# Stripe's limit for the whole card statement text, prefix + "* " + suffix.
STATEMENT_DESCRIPTOR_MAX = 22


def _descriptor_text(value: str) -> str:
    # Latin letters, digits, spaces, "-" and "." only: Stripe refuses < > \ ' " * and most symbols.
    return " ".join("".join(c for c in value.upper() if c.isascii() and (c.isalnum() or c in " -.")).split())


def _descriptor_prefix() -> str:
    return _descriptor_text(settings.STRIPE_STATEMENT_DESCRIPTOR_PREFIX)[:10].strip()


def _descriptor_suffix() -> str:
    """Our part of the card statement, cut so that "<prefix>* <suffix>" fits Stripe's 22 characters;
    '' when nothing with a letter fits (Stripe then shows the account's own descriptor)."""
    prefix = _descriptor_prefix()
    room = STATEMENT_DESCRIPTOR_MAX - (len(prefix) + 2 if prefix else 0)
    suffix = _descriptor_text(settings.STRIPE_STATEMENT_DESCRIPTOR)[: max(room, 0)].strip()
    return suffix if any(c.isalpha() for c in suffix) else ""


def card_statement_text() -> str:
    """What the donor's card statement shows for every gift, one-time or monthly: "HVN* COMMUNITY FUND"."""
    prefix, suffix = _descriptor_prefix(), _descriptor_suffix()
    if prefix and suffix:
        return f"{prefix}* {suffix}"
    return prefix or suffix


def checkout_session_create(
    *,
    public_id: str,
    idempotency_key: str,
    amount: int,
    currency: str,
    monthly: bool,
    description: str,
    customer_email: str,
    success_url: str,
    cancel_url: str,
    supporter_page_id: int | None = None,
) -> CheckoutSession:
    """Start Stripe Checkout for one gift. Metadata carries only our own ids (the gift's, and the
    supporter page's it was made through): Stripe shows metadata in places we do not control
    (dashboard, exports), so no names or emails go there."""
    metadata = {"donation_id": public_id}
    if supporter_page_id:
        metadata["supporter_page_id"] = str(supporter_page_id)
    price_data: dict[str, Any] = {
        "currency": currency,
        "unit_amount": amount,
        "product_data": {"name": description},
    }
    params: dict[str, Any] = {
        "success_url": success_url,
        "cancel_url": cancel_url,
        "customer_email": customer_email,
        "client_reference_id": public_id,
        "metadata": metadata,
        "line_items": [{"price_data": price_data, "quantity": 1}],
    }
    descriptor = _descriptor_suffix()
    client = _client()
    if monthly:
        price_data["recurring"] = {"interval": "month"}
        params["mode"] = "subscription"
        params["subscription_data"] = {"metadata": metadata}
        if descriptor:
            # A subscription's monthly charges take their statement text from the product (Checkout's
            # inline product_data cannot carry one), so the gift gets its own product first, with a
            # key derived from the gift's: a retry finds the same product.
            product = _call(
                client.v1.products.create,
                params={"name": description, "statement_descriptor": descriptor, "metadata": metadata},
                options={"idempotency_key": str(uuid.uuid5(uuid.UUID(idempotency_key), "product"))},
            )
            del price_data["product_data"]
            price_data["product"] = product["id"]
    else:
        params["mode"] = "payment"
        params["submit_type"] = "donate"
        payment_intent_data: dict[str, Any] = {"metadata": metadata}
        if descriptor:
            payment_intent_data["statement_descriptor_suffix"] = descriptor
        params["payment_intent_data"] = payment_intent_data
    session = _call(
        client.v1.checkout.sessions.create, params=params, options={"idempotency_key": idempotency_key}
    )
    return CheckoutSession(id=session["id"], url=session.get("url") or "")


def refund_create(*, charge_id: str, payment_intent_id: str, amount: int, idempotency_key: str) -> dict:
    params: dict[str, Any] = {"amount": amount}
    if payment_intent_id:
        params["payment_intent"] = payment_intent_id
    else:
        params["charge"] = charge_id
    return _call(_client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key})


def refunds_for_charge(*, charge_id: str) -> list[dict]:
    page = _call(_client().v1.refunds.list, params={"charge": charge_id, "limit": 100})
    return list(page.get("data") or [])


def payment_intent_retrieve(*, payment_intent_id: str) -> dict:
    return _call(_client().v1.payment_intents.retrieve, payment_intent_id)


def subscription_change_amount(
    *, subscription_id: str, amount: int, currency: str, idempotency_key: str
) -> dict:
    """Swap the subscription's only item to a new monthly price; no proration (the next month simply
    costs the new amount)."""
    client = _client()
    subscription = _call(client.v1.subscriptions.retrieve, subscription_id)
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        raise GatewayError("The subscription has no item to change.")
    item = items[0]
    product = (item.get("price") or {}).get("product")
    if isinstance(product, dict):
        product = product.get("id")
    params = {
        "items": [
            {
                "id": item["id"],
                "price_data": {
                    "currency": currency,
                    "unit_amount": amount,
                    "product": product,
                    "recurring": {"interval": "month"},
                },
            }
        ],
        "proration_behavior": "none",
    }
    return _call(
        client.v1.subscriptions.update,
        subscription_id,
        params=params,
        options={"idempotency_key": idempotency_key},
    )


def subscription_pause(*, subscription_id: str, resumes_at: int, idempotency_key: str) -> dict:
    """Pause collection until `resumes_at` (a Unix time), Stripe's `pause_collection` with behavior
    "void": the invoices that fall due meanwhile are voided at once, so nothing is charged and there is
    nothing to pay later; the subscription's status stays "active". Stripe resumes it by itself at
    `resumes_at` (a `customer.subscription.updated` with `pause_collection` null)."""
    return _call(
        _client().v1.subscriptions.update,
        subscription_id,
        params={"pause_collection": {"behavior": "void", "resumes_at": resumes_at}},
        options={"idempotency_key": idempotency_key},
    )


def subscription_resume_collection(*, subscription_id: str, idempotency_key: str) -> dict:
    """Resume a paused subscription now (unset `pause_collection`, as Stripe documents: an empty
    value). The next payment is at the end of the current period, as before the pause."""
    return _call(
        _client().v1.subscriptions.update,
        subscription_id,
        params={"pause_collection": ""},
        options={"idempotency_key": idempotency_key},
    )


def subscription_retrieve(*, subscription_id: str) -> dict:
    return _call(_client().v1.subscriptions.retrieve, subscription_id)


def subscription_cancel(*, subscription_id: str) -> dict:
    """Cancel at once. This is a DELETE, idempotent at Stripe by definition: Stripe ignores an
    idempotency key on it, so none is sent; a second cancel is refused as "already canceled"
    (GatewayRefused), which the caller can check with subscription_retrieve."""
    return _call(_client().v1.subscriptions.cancel, subscription_id)


def billing_portal_url(*, customer_id: str, return_url: str) -> str:
    """A fresh billing-portal link for one visit. Deliberately without an idempotency key: a replayed
    answer would hand back a link that may have expired, and a second session costs nothing."""
    session = _call(
        _client().v1.billing_portal.sessions.create,
        params={"customer": customer_id, "return_url": return_url},
    )
    return session["url"]


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def webhook_event(*, payload: bytes, signature_header: str | None) -> dict:
    """Verify Stripe's signature on the raw body and return the event as a dict."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookNotConfigured("STRIPE_WEBHOOK_SECRET is not set.")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS)
        # Stripe never sends NaN/Infinity or NUL characters; neither can be stored as JSON in the database.
        event = json.loads(text, parse_constant=_reject_constant)
        if "\\u0000" in text:
            raise ValueError("NUL character in the payload")
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise WebhookVerificationError(str(exc)[:200]) from exc
    if not isinstance(event, dict):
        raise WebhookVerificationError("The event is not a JSON object.")
    return event


def invoice_payment_intent_ids(*, invoice_id: str) -> list[str]:
    """The PaymentIntents that paid an invoice (Stripe no longer puts them on the invoice itself)."""
    page = _call(_client().v1.invoice_payments.list, params={"invoice": invoice_id, "limit": 10})
    ids = []
    for row in page.get("data") or []:
        intent = (row.get("payment") or {}).get("payment_intent")
        if isinstance(intent, dict):
            intent = intent.get("id")
        if isinstance(intent, str) and intent:
            ids.append(intent)
    return ids
