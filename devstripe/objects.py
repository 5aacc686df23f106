"""Builders for Stripe API objects as plain dicts.

Each builder returns a dict with the same keys and nesting as Stripe's published fixture for that
object (openapi fixtures, API version `API_VERSION`), with sensible defaults: currency "usd",
livemode False, created = now, a fresh id with Stripe's prefix. Keyword overrides replace top-level
keys; an unknown key raises TypeError so a typo cannot pass silently.

Shape notes for the pinned API version (see README.md):
- invoice: the subscription lives at `parent.subscription_details.subscription` (top-level
  `subscription` is present but null, as in the fixture); the payment link is the includable
  `payments` list (invoice_payment objects whose `payment.payment_intent` names the PaymentIntent).
- subscription: the current period lives on each item (`items.data[i].current_period_start/end`).
"""

from __future__ import annotations

import calendar
import copy
import secrets
import string
import time
from datetime import UTC, datetime
from typing import Any

import stripe

# The API version the installed stripe library pins; events carry it like Stripe's do.
API_VERSION: str = stripe.api_version or "2026-10-28.endive"

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """A fresh Stripe-looking id: `new_id("pi")` -> "pi_3Qx…" (24 random characters after the
    prefix; checkout sessions, "cs_test", get 58 like Stripe's)."""
    prefix = prefix if prefix.endswith("_") else prefix + "_"
    length = 58 if prefix.startswith("cs_") else 24
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now() -> int:
    return int(time.time())


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    """The end of a billing period starting at `timestamp`, as Stripe computes it (months clamp to
    the last day of a shorter month)."""
    if interval == "day":
        return timestamp + 86400 * count
    if interval == "week":
        return timestamp + 7 * 86400 * count
    start = datetime.fromtimestamp(timestamp, UTC)
    months = count * (12 if interval == "year" else 1)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


def _address() -> dict:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def _build(kind: str, base: dict, overrides: dict, extra_keys: frozenset[str] = frozenset()) -> dict:
    unknown = set(overrides) - set(base) - extra_keys
    if unknown:
        raise TypeError(f"{kind}() got unknown field(s): {', '.join(sorted(unknown))}")
    base.update(copy.deepcopy(overrides))
    return base


def list_object(data: list[dict], url: str, *, has_more: bool = False) -> dict:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def customer(**overrides: Any) -> dict:
    obj_id = overrides.get("id") or new_id("cus")
    return _build(
        "customer",
        {
            "id": obj_id,
            "object": "customer",
            "address": _address(),
            "balance": 0,
            "created": now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": None,
            "discount": None,
            "email": None,
            "invoice_prefix": obj_id[4:12].upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": {},
            "name": None,
            "next_invoice_sequence": 1,
            "phone": None,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        },
        overrides,
    )


def product(**overrides: Any) -> dict:
    created = overrides.get("created") or now()
    return _build(
        "product",
        {
            "id": new_id("prod"),
            "object": "product",
            "active": True,
            "created": created,
            "default_price": None,
            "description": None,
            "images": [],
            "livemode": False,
            "marketing_features": [],
            "metadata": {},
            "name": "Donation",
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": None,
            "type": "service",
            "unit_label": None,
            "updated": created,
            "url": None,
        },
        overrides,
    )


def recurring(interval: str = "month", interval_count: int = 1) -> dict:
    return {
        "interval": interval,
        "interval_count": interval_count,
        "meter": None,
        "usage_type": "licensed",
        "trial_period_days": None,
    }


def price(**overrides: Any) -> dict:
    """A price; pass `recurring=recurring("month")` (or any dict of that shape) for a recurring one.
    `type` and `unit_amount_decimal` follow `recurring` and `unit_amount` unless overridden."""
    unit_amount = overrides.get("unit_amount", 1000)
    obj = _build(
        "price",
        {
            "id": new_id("price"),
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": now(),
            "currency": "usd",
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": None,
            "metadata": {},
            "nickname": None,
            "product": None,
            "recurring": None,
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": None if unit_amount is None else str(unit_amount),
        },
        overrides,
    )
    if "type" not in overrides:
        obj["type"] = "recurring" if obj["recurring"] else "one_time"
    if obj["product"] is None:
        obj["product"] = new_id("prod")
    return obj


def plan_from_price(price_obj: dict) -> dict:
    """The legacy `plan` Stripe still mirrors on subscription items, derived from a recurring price."""
    rec = price_obj.get("recurring") or recurring()
    return {
        "id": price_obj["id"],
        "object": "plan",
        "active": price_obj["active"],
        "amount": price_obj["unit_amount"],
        "amount_decimal": price_obj["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price_obj["created"],
        "currency": price_obj["currency"],
        "interval": rec["interval"],
        "interval_count": rec["interval_count"],
        "livemode": False,
        "metadata": {},
        "meter": None,
        "nickname": price_obj.get("nickname"),
        "product": price_obj["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def checkout_session(**overrides: Any) -> dict:
    created = overrides.get("created") or now()
    obj_id = overrides.get("id") or new_id("cs_test")
    return _build(
        "checkout_session",
        {
            "id": obj_id,
            "object": "checkout.session",
            "adaptive_pricing": {"enabled": False},
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": 1000,
            "amount_total": 1000,
            "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
            "billing_address_collection": None,
            "cancel_url": None,
            "client_reference_id": None,
            "client_secret": None,
            "collected_information": None,
            "consent": None,
            "consent_collection": None,
            "created": created,
            "currency": "usd",
            "currency_conversion": None,
            "custom_fields": [],
            "custom_text": {
                "after_submit": None,
                "shipping_address": None,
                "submit": None,
                "terms_of_service_acceptance": None,
            },
            "customer": None,
            "customer_account": None,
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": None,
            "discounts": [],
            "expires_at": created + 24 * 3600,
            "integration_identifier": None,
            "invoice": None,
            "invoice_creation": None,
            "livemode": False,
            "locale": None,
            "managed_payments": None,
            "metadata": {},
            "mode": "payment",
            "origin_context": None,
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "if_required",
            "payment_method_configuration_details": None,
            "payment_method_options": {},
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "permissions": None,
            "phone_number_collection": {"enabled": False},
            "recovered_from": None,
            "saved_payment_method_options": None,
            "setup_intent": None,
            "shipping_address_collection": None,
            "shipping_cost": None,
            "shipping_options": [],
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": None,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"https://checkout.stripe.com/c/pay/{obj_id}",
            "wallet_options": None,
        },
        overrides,
    )


def checkout_line_item(*, price_obj: dict, quantity: int = 1, description: str | None = None) -> dict:
    """One entry of a session's includable `line_items` list (object "item")."""
    amount = (price_obj["unit_amount"] or 0) * quantity
    return {
        "id": new_id("li"),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": amount,
        "amount_tax": 0,
        "amount_total": amount,
        "currency": price_obj["currency"],
        "description": description,
        "price": copy.deepcopy(price_obj),
        "quantity": quantity,
    }


def payment_intent(**overrides: Any) -> dict:
    obj_id = overrides.get("id") or new_id("pi")
    return _build(
        "payment_intent",
        {
            "id": obj_id,
            "object": "payment_intent",
            "amount": 1000,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{obj_id}_secret_{secrets.token_hex(12)}",
            "confirmation_method": "automatic",
            "created": now(),
            "currency": "usd",
            "customer": None,
            "customer_account": None,
            "description": None,
            "excluded_payment_method_types": None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "managed_payments": None,
            "metadata": {},
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_configuration_details": None,
            "payment_method_options": {},
            "payment_method_types": ["card"],
            "processing": None,
            "receipt_email": None,
            "review": None,
            "setup_future_usage": None,
            "shipping": None,
            "source": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "requires_payment_method",
            "transfer_data": None,
            "transfer_group": None,
        },
        overrides,
    )


def card_details(*, last4: str = "4242", brand: str = "visa", cvc_check: str | None = "pass") -> dict:
    """`payment_method_details` of a card charge."""
    return {
        "card": {
            "amount_authorized": None,
            "authorization_code": None,
            "brand": brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": cvc_check,
            },
            "country": "US",
            "exp_month": 12,
            "exp_year": datetime.now(UTC).year + 3,
            "extended_authorization": {"status": "disabled"},
            "fingerprint": "devstripe" + last4,
            "funding": "credit",
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": last4,
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": brand,
            "network_token": {"used": False},
            "network_transaction_id": None,
            "overcapture": {"maximum_amount_capturable": 0, "status": "unavailable"},
            "regulated_status": "unregulated",
            "three_d_secure": None,
            "transaction_link_id": None,
            "wallet": None,
        },
        "type": "card",
    }


def charge(**overrides: Any) -> dict:
    obj_id = overrides.get("id") or new_id("ch")
    amount = overrides.get("amount", 1000)
    return _build(
        "charge",
        {
            "id": obj_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": None,
            "billing_details": {
                "address": _address(),
                "email": None,
                "name": None,
                "phone": None,
                "tax_id": None,
            },
            "calculated_statement_descriptor": "DEVSTRIPE",
            "captured": True,
            "created": now(),
            "currency": "usd",
            "customer": None,
            "description": None,
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": None,
            "failure_message": None,
            "fraud_details": {},
            "livemode": False,
            "metadata": {},
            "on_behalf_of": None,
            "outcome": {
                "advice_code": None,
                "network_advice_code": None,
                "network_decline_code": None,
                "network_status": "approved_by_network",
                "reason": None,
                "seller_message": "Payment complete.",
                "type": "authorized",
            },
            "paid": True,
            "payment_intent": None,
            "payment_method": new_id("pm"),
            "payment_method_details": card_details(),
            "receipt_email": None,
            "receipt_number": None,
            "receipt_url": f"https://pay.stripe.com/receipts/payment/{obj_id}",
            "refunded": False,
            "refunds": list_object([], f"/v1/charges/{obj_id}/refunds"),
            "review": None,
            "shipping": None,
            "source": None,
            "source_transfer": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "succeeded",
            "transfer_data": None,
            "transfer_group": None,
        },
        overrides,
    )


def refund(**overrides: Any) -> dict:
    return _build(
        "refund",
        {
            "id": new_id("re"),
            "object": "refund",
            "amount": 1000,
            "balance_transaction": None,
            "charge": None,
            "created": now(),
            "currency": "usd",
            "customer": None,
            "customer_account": None,
            "destination_details": {"card": {"type": "refund"}, "type": "card"},
            "metadata": {},
            "payment_intent": None,
            "payment_method": None,
            "reason": None,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        },
        overrides,
    )


def subscription_item(**overrides: Any) -> dict:
    created = overrides.get("created") or now()
    price_obj = overrides.get("price") or price(recurring=recurring())
    interval = (price_obj.get("recurring") or recurring())["interval"]
    count = (price_obj.get("recurring") or recurring())["interval_count"]
    obj = _build(
        "subscription_item",
        {
            "id": new_id("si"),
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": created,
            "current_period_end": add_interval(created, interval, count),
            "current_period_start": created,
            "discounts": [],
            "metadata": {},
            "plan": None,
            "price": price_obj,
            "quantity": 1,
            "subscription": None,
            "tax_rates": [],
        },
        overrides,
    )
    if obj["plan"] is None:
        obj["plan"] = plan_from_price(obj["price"])
    return obj


def subscription(**overrides: Any) -> dict:
    """A subscription. Without `items`, one monthly item is made; its id is the subscription's."""
    created = overrides.get("created") or now()
    obj_id = overrides.get("id") or new_id("sub")
    items = overrides.get("items") or list_object(
        [subscription_item(subscription=obj_id, created=created)],
        f"/v1/subscription_items?subscription={obj_id}",
    )
    first_price = items["data"][0]["price"] if items["data"] else None
    return _build(
        "subscription",
        {
            "id": obj_id,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": created,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "flexible"},
            "billing_schedules": [],
            "billing_thresholds": None,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": created,
            "currency": first_price["currency"] if first_price else "usd",
            "customer": None,
            "customer_account": None,
            "days_until_due": None,
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {
                "account_tax_ids": None,
                "custom_fields": None,
                "description": None,
                "footer": None,
                "issuer": {"type": "self"},
            },
            "items": items,
            "latest_invoice": None,
            "livemode": False,
            "managed_payments": None,
            "metadata": {},
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": created,
            "status": "active",
            "test_clock": None,
            "transfer_data": None,
            "trial_end": None,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": None,
        },
        overrides,
    )


def invoice_line_item(
    *, invoice_id: str, price_obj: dict, quantity: int, period_start: int, period_end: int,
    subscription_id: str | None, subscription_item_id: str | None, description: str | None = None,
) -> dict:  # fmt: skip
    amount = (price_obj["unit_amount"] or 0) * quantity
    return {
        "id": new_id("il"),
        "object": "line_item",
        "amount": amount,
        "currency": price_obj["currency"],
        "description": description,
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": invoice_id,
        "livemode": False,
        "metadata": {},
        "parent": {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription_id,
                "subscription_item": subscription_item_id,
            },
            "type": "subscription_item_details",
        },
        "period": {"end": period_end, "start": period_start},
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": {"price": price_obj["id"], "product": price_obj["product"]},
            "type": "price_details",
            "unit_amount_decimal": price_obj["unit_amount_decimal"],
        },
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "subscription": subscription_id,
        "subtotal": amount,
        "taxes": [],
    }


def invoice(**overrides: Any) -> dict:
    """An invoice. Set the subscription with `parent=subscription_parent(sub_id, metadata)`; the
    `payments` list is includable (only present when asked for), so it is an allowed extra key."""
    obj_id = overrides.get("id") or new_id("in")
    created = overrides.get("created") or now()
    amount = overrides.get("total", overrides.get("amount_due", 1000))
    return _build(
        "invoice",
        {
            "id": obj_id,
            "object": "invoice",
            "account_country": "US",
            "account_name": "Devstripe test account",
            "account_tax_ids": None,
            "amount_due": amount,
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": amount,
            "amount_shipping": 0,
            "application": None,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": False,
            "automatic_tax": {
                "disabled_reason": None,
                "enabled": False,
                "liability": None,
                "provider": None,
                "status": None,
            },
            "automatically_finalizes_at": None,
            "billing_reason": "manual",
            "collection_method": "charge_automatically",
            "created": created,
            "currency": "usd",
            "custom_fields": None,
            "customer": None,
            "customer_account": None,
            "customer_address": None,
            "customer_email": None,
            "customer_name": None,
            "customer_phone": None,
            "customer_shipping": None,
            "customer_tax_exempt": "none",
            "customer_tax_ids": [],
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": None,
            "ending_balance": None,
            "footer": None,
            "from_invoice": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "issuer": {"type": "self"},
            "last_finalization_error": None,
            "latest_revision": None,
            "lines": list_object([], f"/v1/invoices/{obj_id}/lines"),
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": None,
            "on_behalf_of": None,
            "parent": None,
            "payment_settings": {
                "default_mandate": None,
                "payment_method_options": None,
                "payment_method_types": None,
            },
            "period_end": created,
            "period_start": created,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "rendering": None,
            "shipping_cost": None,
            "shipping_details": None,
            "starting_balance": 0,
            "statement_descriptor": None,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            # Present in the fixture but no longer filled at the pinned API version: read
            # parent.subscription_details.subscription instead.
            "subscription": None,
            "subtotal": amount,
            "subtotal_excluding_tax": amount,
            "test_clock": None,
            "total": amount,
            "total_discount_amounts": [],
            "total_excluding_tax": amount,
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "webhooks_delivered_at": None,
        },
        overrides,
        extra_keys=frozenset({"payments"}),
    )


def subscription_parent(subscription_id: str, metadata: dict | None = None) -> dict:
    """`invoice.parent` for an invoice a subscription created (metadata is the subscription's at
    the time the invoice was finalized, as Stripe copies it)."""
    return {
        "quote_details": None,
        "subscription_details": {"metadata": dict(metadata or {}), "subscription": subscription_id},
        "type": "subscription_details",
    }


def invoice_payment(**overrides: Any) -> dict:
    return _build(
        "invoice_payment",
        {
            "id": new_id("inpay"),
            "object": "invoice_payment",
            "amount_paid": None,
            "amount_requested": 1000,
            "created": now(),
            "currency": "usd",
            "invoice": None,
            "is_default": True,
            "livemode": False,
            "payment": {"payment_intent": None, "type": "payment_intent"},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        },
        overrides,
    )


_EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt", "refund_policy",
    "refund_policy_disclosure", "refund_refusal_explanation", "service_date", "service_documentation",
    "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation",
    "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
)  # fmt: skip


def dispute(**overrides: Any) -> dict:
    created = overrides.get("created") or now()
    return _build(
        "dispute",
        {
            "id": new_id("dp"),
            "object": "dispute",
            "amount": 1000,
            "balance_transactions": [],
            "charge": None,
            "created": created,
            "currency": "usd",
            "enhanced_eligibility_types": [],
            "evidence": dict.fromkeys(_EVIDENCE_FIELDS) | {"enhanced_evidence": {}},
            "evidence_details": {
                "due_by": created + 7 * 86400,
                "enhanced_eligibility": {},
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": None,
            "payment_method_details": {
                "card": {
                    "brand": "visa",
                    "case_type": "chargeback",
                    "network": "visa",
                    "network_reason_code": "10.4",
                },
                "type": "card",
            },
            "reason": "fraudulent",
            "status": "needs_response",
        },
        overrides,
    )


def billing_portal_session(**overrides: Any) -> dict:
    obj_id = overrides.get("id") or new_id("bps")
    return _build(
        "billing_portal_session",
        {
            "id": obj_id,
            "object": "billing_portal.session",
            "configuration": "bpc_devstripe_default",
            "created": now(),
            "customer": None,
            "customer_account": None,
            "flow": None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": None,
            "url": f"https://billing.stripe.com/p/session/{obj_id}",
        },
        overrides,
    )


def event(
    event_type: str,
    data_object: dict,
    *,
    previous_attributes: dict | None = None,
    event_id: str | None = None,
    created: int | None = None,
) -> dict:
    """A full Stripe Event (snapshot payload) carrying a copy of `data_object`."""
    data: dict[str, Any] = {"object": copy.deepcopy(data_object)}
    if previous_attributes is not None:
        data["previous_attributes"] = copy.deepcopy(previous_attributes)
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created if created is not None else now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
