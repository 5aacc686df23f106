"""Fixtures for gifts: signed webhook delivery through the test client, Stripe-shaped payloads built
with devstripe.objects (the shapes of the API version our stripe library pins), and the devstripe
stand-in over HTTP for the gateway."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from devstripe import objects as so
from devstripe import running_standin
from devstripe.signing import signed_headers

WEBHOOK_URL = "/stripe/webhook/"


def post_event(client, event: dict | str | bytes, *, secret: str | None = None, timestamp: int | None = None):
    from django.conf import settings

    body = event if isinstance(event, str | bytes) else json.dumps(event)
    return client.post(
        WEBHOOK_URL, body, **signed_headers(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
    )


def deliver_at_once(events: list[dict]) -> list[int | str]:
    """POST the events to our webhook from one thread (and database connection) each, released
    together by a barrier; the status codes in the events' order (an exception's repr if one was
    raised outside the view)."""
    barrier = threading.Barrier(len(events))
    codes: list[int | str] = [0] * len(events)

    def deliver(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            codes[index] = post_event(Client(raise_request_exception=False), events[index]).status_code
        except Exception as exc:  # reported through `codes`, which the tests assert on
            codes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


@pytest.fixture
def send_event(client, django_capture_on_commit_callbacks):
    """`send_event(event_dict)` posts it to our webhook, signed exactly as Stripe signs, and runs what
    the request queued for after its commit (tasks, totals), as a real commit would."""

    def send(event, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_event(client, event, **kwargs)

    return send


@pytest.fixture
def standin(settings, client, django_capture_on_commit_callbacks):
    """The devstripe stand-in on a local port; our gateway talks to it over HTTP. Its webhooks come
    back through the Django test client, in the test's thread."""

    def deliver(payload: bytes, headers: dict):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                WEBHOOK_URL,
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
            )

    with running_standin(webhook_secret=settings.STRIPE_WEBHOOK_SECRET, deliver=deliver) as running:
        settings.STRIPE_API_BASE = running.base_url
        yield running


# --- payloads --------------------------------------------------------------------------------------


class OneTimePayment:
    """The objects and events of one paid Checkout session in payment mode, for a pending gift."""

    def __init__(self, donation, *, amount: int | None = None):
        self.donation = donation
        self.amount = donation.charged_amount if amount is None else amount
        self.metadata = {"donation_id": str(donation.public_id)}
        self.pi_id, self.charge_id = so.new_id("pi"), so.new_id("ch")
        self.charge = so.charge(
            id=self.charge_id,
            amount=self.amount,
            amount_captured=self.amount,
            payment_intent=self.pi_id,
            metadata=self.metadata,
        )
        self.intent = so.payment_intent(
            id=self.pi_id,
            amount=self.amount,
            amount_received=self.amount,
            status="succeeded",
            latest_charge=self.charge_id,
            metadata=self.metadata,
        )
        self.session = so.checkout_session(
            id=donation.stripe_checkout_session_id or so.new_id("cs_test"),
            amount_subtotal=self.amount,
            amount_total=self.amount,
            client_reference_id=str(donation.public_id),
            metadata=self.metadata,
            mode="payment",
            payment_intent=self.pi_id,
            payment_status="paid",
            status="complete",
            submit_type="donate",
        )

    def completed(self, **session_overrides):
        return so.event("checkout.session.completed", {**self.session, **session_overrides})

    def intent_succeeded(self):
        return so.event("payment_intent.succeeded", self.intent)

    def charge_succeeded(self):
        return so.event("charge.succeeded", self.charge)

    def intent_failed(self):
        failed = {
            **self.intent,
            "status": "requires_payment_method",
            "amount_received": 0,
            "latest_charge": None,
            "last_payment_error": {
                "code": "card_declined",
                "message": "Your card was declined.",
                "type": "card_error",
            },
        }
        return so.event("payment_intent.payment_failed", failed)

    def refunded(self, *amounts: int):
        refunds = [
            so.refund(amount=a, charge=self.charge_id, payment_intent=self.pi_id, status="succeeded")
            for a in amounts
        ]
        total = sum(amounts)
        charge = {
            **self.charge,
            "amount_refunded": total,
            "refunded": total >= self.amount,
            "refunds": so.list_object(refunds, f"/v1/charges/{self.charge_id}/refunds"),
        }
        return so.event("charge.refunded", charge), refunds

    def dispute(self, status: str = "needs_response", dispute_id: str | None = None, *, kind: str = ""):
        """A charge.dispute.* event: `created` for needs_response, `closed` for other statuses, unless
        `kind` ("created", "updated", "closed") says which."""
        dispute = so.dispute(
            id=dispute_id or so.new_id("dp"),
            amount=self.amount,
            charge=self.charge_id,
            payment_intent=self.pi_id,
            status=status,
        )
        kind = kind or ("created" if status == "needs_response" else "closed")
        return so.event(f"charge.dispute.{kind}", dispute)


class FirstMonthlyPayment:
    """The objects and events of a paid Checkout session in subscription mode."""

    def __init__(self, donation, *, amount: int | None = None):
        self.donation = donation
        self.amount = donation.charged_amount if amount is None else amount
        self.metadata = {"donation_id": str(donation.public_id)}
        self.sub_id, self.customer_id = so.new_id("sub"), so.new_id("cus")
        self.invoice_id, self.pi_id = so.new_id("in"), so.new_id("pi")
        price = so.price(unit_amount=self.amount, recurring=so.recurring("month"))
        item = so.subscription_item(price=price, subscription=self.sub_id)
        self.subscription = so.subscription(
            id=self.sub_id,
            customer=self.customer_id,
            metadata=self.metadata,
            items=so.list_object([item], f"/v1/subscription_items?subscription={self.sub_id}"),
            status="incomplete",
        )
        self.invoice = so.invoice(
            id=self.invoice_id,
            customer=self.customer_id,
            amount_due=self.amount,
            amount_paid=self.amount,
            amount_remaining=0,
            billing_reason="subscription_create",
            status="paid",
            parent=so.subscription_parent(self.sub_id, self.metadata),
            payments=so.list_object(
                [
                    so.invoice_payment(
                        invoice=self.invoice_id,
                        amount_paid=self.amount,
                        payment={"payment_intent": self.pi_id, "type": "payment_intent"},
                        status="paid",
                    )
                ],
                f"/v1/invoice_payments?invoice={self.invoice_id}",
            ),
        )
        self.session = so.checkout_session(
            id=donation.stripe_checkout_session_id or so.new_id("cs_test"),
            amount_subtotal=self.amount,
            amount_total=self.amount,
            client_reference_id=str(donation.public_id),
            metadata=self.metadata,
            mode="subscription",
            customer=self.customer_id,
            subscription=self.sub_id,
            invoice=self.invoice_id,
            payment_status="paid",
            status="complete",
        )

    def completed(self):
        return so.event("checkout.session.completed", self.session)

    def invoice_paid(self):
        return so.event("invoice.paid", self.invoice)

    def subscription_event(self, kind: str, status: str, created: int):
        return so.event(kind, {**self.subscription, "status": status}, created=created)

    def intent_succeeded(self):
        # Invoice PaymentIntents carry no metadata of ours.
        intent = so.payment_intent(
            id=self.pi_id, amount=self.amount, amount_received=self.amount, status="succeeded"
        )
        return so.event("payment_intent.succeeded", intent)

    def renewal_invoice(self, *, paid: bool, amount: int | None = None):
        amount = self.amount if amount is None else amount
        invoice = so.invoice(
            id=so.new_id("in"),
            customer=self.customer_id,
            amount_due=amount,
            amount_paid=amount if paid else 0,
            amount_remaining=0 if paid else amount,
            attempt_count=1,
            billing_reason="subscription_cycle",
            status="paid" if paid else "open",
            parent=so.subscription_parent(self.sub_id, self.metadata),
        )
        intent_id = so.new_id("pi")
        invoice["payments"] = so.list_object(
            [
                so.invoice_payment(
                    invoice=invoice["id"], payment={"payment_intent": intent_id, "type": "payment_intent"}
                )
            ],
            f"/v1/invoice_payments?invoice={invoice['id']}",
        )
        return so.event("invoice.paid" if paid else "invoice.payment_failed", invoice)
