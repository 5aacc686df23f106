"""Stripe sends events in any order. Every ordering of a payment's events ends in the same state:
one gift, one receipt, one email."""

import itertools

import pytest

from donations.models import Donation, OutboxEmail, Receipt, RecurringGift
from tests.factories import PendingDonationFactory, RecurringGiftFactory

from .conftest import FirstMonthlyPayment, OneTimePayment

pytestmark = pytest.mark.django_db

ONE_TIME = ["intent_failed", "charge_succeeded", "intent_succeeded", "completed"]


@pytest.mark.parametrize("order", list(itertools.permutations(ONE_TIME)), ids="-".join)
def test_one_time_payment_in_any_order(send_event, mailoutbox, order):
    # given a declined first card, then a good one, and the checkout completing
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    events = {
        "intent_failed": payment.intent_failed(),
        "charge_succeeded": payment.charge_succeeded(),
        "intent_succeeded": payment.intent_succeeded(),
        "completed": payment.completed(),
    }

    # when they arrive in this order (and each one twice)
    for name in order:
        assert send_event(events[name]).status_code == 200
    for name in order:
        assert send_event(events[name]).status_code == 200

    # then
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert (donation.stripe_payment_intent_id, donation.stripe_charge_id) == (
        payment.pi_id,
        payment.charge_id,
    )
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "order", list(itertools.permutations(["completed", "intent_succeeded", "refunded"])), ids="-".join
)
def test_refunded_payment_in_any_order(send_event, order):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    refunded, _ = payment.refunded(4000)
    events = {
        "completed": payment.completed(),
        "intent_succeeded": payment.intent_succeeded(),
        "refunded": refunded,
    }

    for name in order:
        send_event(events[name])

    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert donation.amount_refunded == 4000
    assert Receipt.objects.count() == 1


@pytest.mark.parametrize("outcome", ["won", "lost"])
@pytest.mark.parametrize(
    "order", list(itertools.permutations(["completed", "intent_succeeded", "opened", "closed"])), ids="-".join
)
def test_disputed_payment_in_any_order(send_event, order, outcome):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    events = {
        "completed": payment.completed(),
        "intent_succeeded": payment.intent_succeeded(),
        "opened": payment.dispute("needs_response", dispute_id="dp_order"),
        "closed": payment.dispute(outcome, dispute_id="dp_order"),
    }

    for name in order:
        send_event(events[name])

    donation.refresh_from_db()
    expected = Donation.Status.SUCCEEDED if outcome == "won" else Donation.Status.DISPUTE_LOST
    assert donation.status == expected
    assert Receipt.objects.count() == 1


SUBSCRIPTION = [
    "completed",
    "invoice_paid",
    "subscription_created",
    "subscription_active",
    "intent_succeeded",
]


@pytest.mark.parametrize("order", list(itertools.permutations(SUBSCRIPTION)), ids="-".join)
def test_first_monthly_payment_in_any_order(send_event, mailoutbox, order):
    # given a monthly gift whose events all carry the same second (as Stripe's often do)
    recurring = RecurringGiftFactory(amount=2500)
    donation = PendingDonationFactory(
        amount=2500,
        frequency=Donation.Frequency.MONTHLY,
        recurring_gift=recurring,
        campaign=recurring.campaign,
    )
    payment = FirstMonthlyPayment(donation)
    second = 1_900_000_000
    events = {
        "completed": payment.completed(),
        "invoice_paid": payment.invoice_paid(),
        "subscription_created": payment.subscription_event(
            "customer.subscription.created", "incomplete", second
        ),
        "subscription_active": payment.subscription_event("customer.subscription.updated", "active", second),
        "intent_succeeded": payment.intent_succeeded(),
    }
    for event in events.values():
        event["created"] = second

    for name in order:
        assert send_event(events[name]).status_code == 200

    recurring.refresh_from_db()
    donation.refresh_from_db()
    assert recurring.status == RecurringGift.Status.ACTIVE
    assert recurring.stripe_subscription_id == payment.sub_id
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.stripe_invoice_id == payment.invoice_id
    assert Donation.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert OutboxEmail.objects.count() == 1
    assert len(mailoutbox) == 1
