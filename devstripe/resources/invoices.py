"""Invoices of subscriptions: created, finalized and attempted, with their invoice payments
(`expand=["payments"]`)."""

from __future__ import annotations

import copy

from devstripe import objects as o
from devstripe import pages


class InvoicesMixin:
    """Part of `devstripe.server.StandIn` (see there for its state and lock)."""

    def _new_subscription_invoice(
        self, sub: dict, cust: dict, reason: str, period_start: int, period_end: int
    ) -> dict:
        inv_id = o.new_id("in")
        lines = [
            o.invoice_line_item(
                invoice_id=inv_id,
                price_obj=item["price"],
                quantity=item["quantity"],
                period_start=item["current_period_start"],
                period_end=item["current_period_end"],
                subscription_id=sub["id"],
                subscription_item_id=item["id"],
                description=f"{item['quantity']} × {self._product_name(item['price'])} (at "
                f"{pages.money(item['price']['unit_amount'], item['price']['currency'])} / "
                f"{item['price']['recurring']['interval']})",
            )
            for item in sub["items"]["data"]
        ]
        total = sum(line["amount"] for line in lines)
        cust["next_invoice_sequence"] += 1
        inv = o.invoice(
            id=inv_id,
            customer=cust["id"],
            customer_email=cust.get("email"),
            customer_name=cust.get("name"),
            currency=sub["currency"],
            billing_reason=reason,
            lines=o.list_object(lines, f"/v1/invoices/{inv_id}/lines"),
            parent=o.subscription_parent(sub["id"], sub["metadata"]),
            amount_due=total,
            amount_remaining=total,
            subtotal=total,
            subtotal_excluding_tax=total,
            total=total,
            total_excluding_tax=total,
            period_start=period_start,
            period_end=period_end,
            number=f"{cust['invoice_prefix']}-{cust['next_invoice_sequence'] - 1:04d}",
        )
        self._store(inv)
        self._private[inv_id] = {"payments": []}
        sub["latest_invoice"] = inv_id
        return inv

    def _invoice_descriptor(self, inv: dict) -> str | None:
        """The statement text of an invoice's card charge, as Stripe picks it: the invoice's own
        `statement_descriptor`, else that of the product on its lines (the first that has one); with
        the account's prefix it is the charge's suffix."""
        if inv.get("statement_descriptor"):
            return inv["statement_descriptor"]
        for line in inv["lines"]["data"]:
            product_id = ((line.get("pricing") or {}).get("price_details") or {}).get("product")
            descriptor = self._objects.get(product_id or "", {}).get("statement_descriptor")
            if descriptor:
                return descriptor
        return None

    def _product_name(self, price_obj: dict) -> str:
        return self._objects.get(price_obj["product"], {}).get("name", "Subscription")

    def _finalize_invoice(self, inv: dict, cust: dict, description: str) -> dict:
        """Finalize an invoice (`invoice.finalized`) and create the PaymentIntent that will collect
        it (`payment_intent.created`), linked through an invoice_payment."""
        now = o.now()
        inv.update(
            status="open",
            effective_at=now,
            status_transitions=inv["status_transitions"] | {"finalized_at": now},
            hosted_invoice_url=f"https://invoice.stripe.com/i/{inv['id']}",
            invoice_pdf=f"https://pay.stripe.com/invoice/{inv['id']}/pdf",
        )
        self._emit("invoice.finalized", inv)
        pi = self._store(
            o.payment_intent(
                amount=inv["amount_due"],
                currency=inv["currency"],
                customer=cust["id"],
                description=description,
                setup_future_usage="off_session",
                statement_descriptor_suffix=self._invoice_descriptor(inv),
            )
        )
        pay = self._store(
            o.invoice_payment(
                amount_requested=inv["amount_due"],
                currency=inv["currency"],
                invoice=inv["id"],
                payment={"payment_intent": pi["id"], "type": "payment_intent"},
            )
        )
        self._private[inv["id"]]["payments"].append(pay["id"])
        self._emit("payment_intent.created", pi)
        return pi

    def _attempt_invoice(
        self, inv: dict, number: str, outcome: str, decline_code: str | None, email: str
    ) -> bool:
        """Charge an open invoice's PaymentIntent: its events, then invoice.paid +
        invoice.payment_succeeded, or invoice.payment_failed."""
        now = o.now()
        pay = self._objects[self._private[inv["id"]]["payments"][-1]]
        pi = self._objects[pay["payment"]["payment_intent"]]
        self._charge_intent(pi, number, outcome, decline_code, email)
        inv.update(attempted=True, attempt_count=inv["attempt_count"] + 1, webhooks_delivered_at=now)
        if outcome == "success":
            pay.update(
                amount_paid=inv["amount_due"],
                status="paid",
                status_transitions={"canceled_at": None, "paid_at": now},
            )
            inv.update(
                status="paid",
                amount_paid=inv["amount_due"],
                amount_remaining=0,
                next_payment_attempt=None,
                status_transitions=inv["status_transitions"] | {"paid_at": now},
            )
            self._emit("invoice.paid", inv)
            self._emit("invoice.payment_succeeded", inv)
            return True
        inv.update(next_payment_attempt=now + 3 * 86400)
        self._emit("invoice.payment_failed", inv)
        return False

    def _invoice_pi(self, invoice_id: str) -> str:
        payments = self._private[invoice_id]["payments"]
        return self._objects[payments[-1]]["payment"]["payment_intent"]

    def _invoice_payments(self, invoice_id: str) -> dict:
        payments = [copy.deepcopy(self._objects[pid]) for pid in self._private[invoice_id]["payments"]]
        return o.list_object(payments, f"/v1/invoices/{invoice_id}/payments")
