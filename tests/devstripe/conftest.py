"""Fixtures for the stand-in's own tests: a running stand-in whose webhook deliveries are verified
with the stripe library exactly as Haven's webhook view does, and the stripe library pointed at it."""

import pytest
import stripe

from devstripe import running_standin

SECRET = "whsec_devstripe_tests"
API_KEY = "sk_test_devstripe"


class Inbox:
    """A webhook endpoint: verifies each delivery's signature and keeps the parsed events."""

    def __init__(self) -> None:
        self.events: list = []

    def __call__(self, payload: bytes, headers: dict) -> int:
        event = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], SECRET)
        self.events.append(event)
        return 200

    @property
    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def standin(inbox):
    with running_standin(webhook_secret=SECRET, deliver=inbox) as running:
        yield running


@pytest.fixture
def stripe_global(standin):
    """The module-level configuration Haven's gateway may use; restored afterwards."""
    saved = stripe.api_key, stripe.api_base
    stripe.api_key, stripe.api_base = API_KEY, standin.base_url
    yield stripe
    stripe.api_key, stripe.api_base = saved


@pytest.fixture
def client(standin) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": standin.base_url}, max_network_retries=0)


def gift_session(client: stripe.StripeClient, **extra) -> stripe.checkout.Session:
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {"currency": "usd", "unit_amount": 4147, "product_data": {"name": "Gift"}},
            }
        ],
        "success_url": "https://haven.test/donate/thanks?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://haven.test/donate/",
        "customer_email": "donor@haven.example",
        "metadata": {"donation_id": "d-1"},
        "payment_intent_data": {"metadata": {"donation_id": "d-1"}, "statement_descriptor_suffix": "GIFT"},
        "submit_type": "donate",
    }
    params.update(extra)
    return client.v1.checkout.sessions.create(params=params)


def monthly_session(client: stripe.StripeClient, amount: int = 2500, **extra) -> stripe.checkout.Session:
    params = {
        "mode": "subscription",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": amount,
                    "product_data": {"name": "Monthly gift"},
                    "recurring": {"interval": "month"},
                },
            }
        ],
        "success_url": "https://haven.test/donate/thanks?session={CHECKOUT_SESSION_ID}",
        "customer_email": "monthly@haven.example",
        "metadata": {"donation_id": "m-1"},
        "subscription_data": {"metadata": {"donation_id": "m-1"}, "description": "Monthly gift"},
    }
    params.update(extra)
    return client.v1.checkout.sessions.create(params=params)
