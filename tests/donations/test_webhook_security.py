"""Only Stripe's signed, fresh, untampered calls change anything; no signed shape yields a 5xx."""

import json
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from devstripe import objects as so
from devstripe.signing import sign
from donations.models import Donation, StripeEvent
from tests.factories import PendingDonationFactory, RecurringGiftFactory

from .conftest import WEBHOOK_URL, OneTimePayment, post_event

pytestmark = pytest.mark.django_db


def _nothing_written(donation):
    donation.refresh_from_db()
    return donation.status == Donation.Status.PENDING and not StripeEvent.objects.exists()


def test_forged_signature_is_rejected(client):
    donation = PendingDonationFactory()
    event = OneTimePayment(donation).completed()

    response = post_event(client, event, secret="whsec_someone_else")

    assert response.status_code == 400
    assert _nothing_written(donation)


def test_missing_signature_is_rejected(client):
    donation = PendingDonationFactory()
    body = json.dumps(OneTimePayment(donation).completed())

    response = client.post(WEBHOOK_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert _nothing_written(donation)


def test_stale_timestamp_is_rejected(client):
    donation = PendingDonationFactory()
    event = OneTimePayment(donation).completed()

    response = post_event(client, event, timestamp=int(time.time()) - 301)

    assert response.status_code == 400
    assert _nothing_written(donation)


def test_tampered_body_is_rejected(client, settings):
    # given a correctly signed event for $40
    donation = PendingDonationFactory(amount=4000)
    body = json.dumps(OneTimePayment(donation).completed())
    header = sign(body, settings.STRIPE_WEBHOOK_SECRET)

    # when someone changes the amount in transit
    tampered = body.replace('"amount_total": 4000', '"amount_total": 4001')
    assert tampered != body
    response = client.post(
        WEBHOOK_URL, tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )

    assert response.status_code == 400
    assert _nothing_written(donation)


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2, 3]", b'"a string"', b"{}", b'{"id": "evt_1"}',
     b'{"id": 5, "type": "x", "data": {}}',
     b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": []}}', b"\xff\xfe",
     b'{"id": "evt_2", "type": "x", "data": {"object": {"amount": NaN}}}',
     b'{"id": "evt_3", "type": "x", "data": {"object": {"name": "a\\u0000b"}}}'],
)  # fmt: skip
def test_malformed_but_signed_bodies_are_rejected(client, settings, body):
    header = sign(body.decode("latin-1"), settings.STRIPE_WEBHOOK_SECRET)

    response = client.post(WEBHOOK_URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_no_secret_configured_is_a_500_so_stripe_retries(client, settings):
    donation = PendingDonationFactory()
    body = json.dumps(OneTimePayment(donation).completed())
    header = sign(body, "whsec_test_haven")
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = client.post(WEBHOOK_URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    assert response.status_code == 500
    assert _nothing_written(donation)


def test_get_is_not_allowed(client):
    assert client.get(WEBHOOK_URL).status_code == 405


# --- any shape, signed correctly: never a 5xx ------------------------------------------------------

HANDLED_TYPES = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)  # fmt: skip
FIELDS = [
    "id", "amount", "amount_total", "amount_paid", "amount_received", "amount_refunded", "currency", "status",
    "payment_status", "payment_intent", "latest_charge", "charge", "subscription", "customer", "invoice",
    "billing_reason", "refunds", "parent", "lines", "payments", "client_reference_id", "metadata", "items",
]  # fmt: skip


@st.composite
def stripe_like_events(draw, donation_id: str):
    obj = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=10))
    if draw(st.booleans()):
        # aim at a real gift of ours, so the handlers get past the lookup
        metadata = {"donation_id": draw(st.sampled_from([donation_id, "not-a-uuid", ""]))}
        where = draw(st.sampled_from(["metadata", "parent", "lines"]))
        if where == "metadata":
            obj["metadata"] = metadata
        elif where == "parent":  # an invoice of a subscription
            obj["parent"] = {
                "subscription_details": {"metadata": metadata, "subscription": draw(st.text(max_size=8))}
            }
        else:
            obj["lines"] = {"data": [{"metadata": metadata}]}
        if draw(st.booleans()):
            obj["billing_reason"] = draw(st.sampled_from(["subscription_create", "subscription_cycle", 7]))
    event = {
        "id": draw(st.text(min_size=1, max_size=40) | st.just("evt_same")),
        "object": "event",
        "type": draw(st.sampled_from(HANDLED_TYPES) | st.text(max_size=30)),
        "created": draw(st.integers(min_value=-5, max_value=2**40) | st.none()),
        "livemode": draw(st.booleans() | st.none()),
        "data": {"object": obj},
    }
    return event


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_signed_payload_shape_yields_a_5xx(client, data, standin):
    # Stripe (the stand-in) is up: what the handlers look up there for these ids does not exist.
    one_time = Donation.objects.filter(donor_email="fuzz@example.org").first() or PendingDonationFactory(
        donor_email="fuzz@example.org"
    )
    monthly = Donation.objects.filter(donor_email="fuzz-monthly@example.org").first()
    if monthly is None:
        recurring = RecurringGiftFactory(donor_email="fuzz-monthly@example.org")
        monthly = PendingDonationFactory(
            donor_email="fuzz-monthly@example.org", frequency="monthly", recurring_gift=recurring
        )
    target = data.draw(st.sampled_from([one_time, monthly]))
    event = data.draw(stripe_like_events(str(target.public_id)))

    response = post_event(client, event)

    assert response.status_code < 500, (event, response.content)


def test_a_valid_event_for_someone_elses_account_is_answered_and_ignored(send_event):
    # a payment that is not ours (no metadata we know) is acknowledged so Stripe stops retrying
    session = so.checkout_session(payment_status="paid", status="complete", metadata={"donation_id": "x"})

    response = send_event(so.event("checkout.session.completed", session))

    assert response.status_code == 200
    assert response.json()["outcome"] == "no matching gift"


def test_stripe_unreachable_while_looking_something_up_is_a_500_so_stripe_retries(send_event, settings):
    # given a refund event without the refunds list, for a gift of ours, while Stripe is unreachable
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    send_event(payment.completed())
    event, _ = payment.refunded(1000)
    del event["data"]["object"]["refunds"]

    response = post_event(Client(raise_request_exception=False), event)

    # then nothing of it is kept, so the retry applies it
    assert response.status_code == 500
    assert not StripeEvent.objects.filter(stripe_id=event["id"]).exists()
    donation.refresh_from_db()
    assert donation.amount_refunded == 0
