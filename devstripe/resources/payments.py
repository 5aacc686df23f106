"""Payment intents and charges: a card attempt on a PaymentIntent, as Checkout and invoices make it."""

from __future__ import annotations

from devstripe import objects as o
from devstripe.resources.cards import (
    DECLINE_MESSAGES,
)


class PaymentsMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def _charge_intent(
        self, pi: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> dict:
        """Attempt a card payment for a PaymentIntent: a new charge, then the PI's new state and events
        (`charge.succeeded` + `payment_intent.succeeded`, or `charge.failed` +
        `payment_intent.payment_failed`)."""
        suffix = pi.get("statement_descriptor_suffix")
        ch = o.charge(
            amount=pi["amount"],
            currency=pi["currency"],
            customer=pi["customer"],
            payment_intent=pi["id"],
            description=pi["description"],
            metadata=dict(pi["metadata"]),
            receipt_email=pi.get("receipt_email") or email,
            billing_details={
                "address": o._address(), "email": email, "name": None, "phone": None, "tax_id": None,
            },
            payment_method_details=o.card_details(last4=number[-4:]),
            statement_descriptor_suffix=suffix,
            calculated_statement_descriptor=f"DEVSTRIPE* {suffix}"[:22] if suffix else "DEVSTRIPE",
        )  # fmt: skip
        self._store(ch)
        pi["latest_charge"] = ch["id"]
        pi["payment_method"] = ch["payment_method"]
        if outcome == "success":
            pi.update(status="succeeded", amount_received=pi["amount"], last_payment_error=None)
            self._emit("charge.succeeded", ch)
            self._emit("payment_intent.succeeded", pi)
        else:
            message = DECLINE_MESSAGES.get(decline_code or "", "Your card was declined.")
            ch.update(
                status="failed",
                paid=False,
                captured=False,
                amount_captured=0,
                failure_code="card_declined",
                failure_message=message,
                outcome=ch["outcome"]
                | {
                    "network_status": "declined_by_network",
                    "reason": decline_code,
                    "seller_message": "The bank did not return any further details with this decline.",
                    "type": "issuer_declined",
                },
                receipt_url=None,
            )
            pi.update(
                status="requires_payment_method",
                last_payment_error={
                    "charge": ch["id"],
                    "code": "card_declined",
                    "decline_code": decline_code,
                    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                    "message": message,
                    "payment_method": {
                        "id": ch["payment_method"],
                        "object": "payment_method",
                        "type": "card",
                    },
                    "type": "card_error",
                },
            )
            self._emit("charge.failed", ch)
            self._emit("payment_intent.payment_failed", pi)
        return ch
