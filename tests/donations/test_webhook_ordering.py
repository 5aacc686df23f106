"""Stripe sends events in any order, more than once, and at the same time. Every ordering of a payment's
events, with duplicates, ends in the state in-order delivery gives: one gift, one receipt, one email."""

import itertools

import pytest
from django.test import Client

from donations.models import Dispute, Donation, Receipt, RecurringGift, Refund, StripeEvent
from messaging.models import Message
from tests.factories import PendingDonationFactory, RecurringGiftFactory

from .conftest import FirstMonthlyPayment, OneTimePayment, deliver_at_once, post_event

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
    assert Message.objects.filter(kind="donations.receipt").count() == 1
    assert len(mailoutbox) == 1


# --- payment, refunds and disputes together ---------------------------------------------------------
#
# The state each scenario must end in is the one delivering its events in the listed order gives: a
# gift refunded in full is refunded whatever its disputes did; otherwise a lost dispute loses it, an
# open one holds it, and a won one gives it back (net of the partial refund).

COMBINED = ["completed", "refunded", "dispute_created", "dispute_closed"]
COMBINED_SCENARIOS = {
    "full-refund-dispute-won": (4000, "won", Donation.Status.REFUNDED),
    "full-refund-dispute-lost": (4000, "lost", Donation.Status.REFUNDED),
    "partial-refund-dispute-won": (1500, "won", Donation.Status.SUCCEEDED),
    "partial-refund-dispute-lost": (1500, "lost", Donation.Status.DISPUTE_LOST),
}
# With the dispute's update (under review) too: 120 orderings, for the scenario the books got wrong.
# (Each ordering is a gift with its own receipt PDF, which is most of a test's time.)
COMBINED_WITH_UPDATE = ["completed", "refunded", "dispute_created", "dispute_updated", "dispute_closed"]


def _combined_events(payment: OneTimePayment, *, refund: int, outcome: str, dispute_id: str) -> dict:
    refunded, _ = payment.refunded(refund)
    # Nothing on the charge says whose it is, so a refund that comes first waits for the payment too.
    refunded["data"]["object"]["metadata"] = {}
    return {
        "completed": payment.completed(),
        "refunded": refunded,
        "dispute_created": payment.dispute("needs_response", dispute_id, kind="created"),
        "dispute_updated": payment.dispute("under_review", dispute_id, kind="updated"),
        "dispute_closed": payment.dispute(outcome, dispute_id, kind="closed"),
    }


def _assert_combined_end(donation, *, refund: int, expected: str, dispute_id: str, outcome: str):
    donation.refresh_from_db()
    assert donation.status == expected
    assert donation.amount_refunded == refund
    assert Refund.objects.filter(donation=donation).count() == 1
    assert Dispute.objects.get(stripe_dispute_id=dispute_id).status == outcome
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert not StripeEvent.objects.filter(processed_at=None).exists()


def _orderings():
    for scenario in COMBINED_SCENARIOS:
        for order in itertools.permutations(COMBINED):
            yield pytest.param(scenario, order, id=f"{scenario}:{'-'.join(order)}")
    for order in itertools.permutations(COMBINED_WITH_UPDATE):
        yield pytest.param("full-refund-dispute-won", order, id=f"full-refund-dispute-won:{'-'.join(order)}")


@pytest.mark.parametrize(("scenario", "order"), list(_orderings()))
def test_refund_and_dispute_events_in_any_order_with_duplicates(send_event, scenario, order):
    # given a paid-for gift of $40 with a refund and a dispute opened (maybe reviewed) and closed
    refund, outcome, expected = COMBINED_SCENARIOS[scenario]
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    events = _combined_events(payment, refund=refund, outcome=outcome, dispute_id="dp_combined")

    # when the events arrive in this order, each one twice, and then all of them again
    for name in order:
        assert send_event(events[name]).status_code == 200
        assert send_event(events[name]).status_code == 200
    for name in order:
        assert send_event(events[name]).status_code == 200

    # then the gift ends as in-order delivery leaves it
    _assert_combined_end(
        donation, refund=refund, expected=expected, dispute_id="dp_combined", outcome=outcome
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scenario", COMBINED_SCENARIOS)
def test_refund_and_dispute_events_delivered_in_concurrent_pairs(requires_postgres, scenario):
    # given, for every pair of the scenario's events (an event with itself too: a duplicate), a gift
    refund, outcome, expected = COMBINED_SCENARIOS[scenario]
    pairs = list(itertools.combinations_with_replacement(COMBINED_WITH_UPDATE, 2))
    failures = []
    for index, pair in enumerate(pairs):
        donation = PendingDonationFactory(amount=4000)
        payment = OneTimePayment(donation)
        dispute_id = f"dp_pair_{scenario}_{index}"
        events = _combined_events(payment, refund=refund, outcome=outcome, dispute_id=dispute_id)

        # when the pair arrives at the same moment, and then the rest one by one
        codes = deliver_at_once([events[name] for name in pair])
        rest = [name for name in COMBINED_WITH_UPDATE if name not in pair]
        codes += [post_event(Client(), events[name]).status_code for name in rest]

        # then every delivery is acknowledged and the gift ends as in-order delivery leaves it
        if set(codes) != {200}:
            failures.append((pair, codes))
            continue
        donation.refresh_from_db()
        if (donation.status, donation.amount_refunded) != (expected, refund):
            failures.append((pair, donation.status, donation.amount_refunded))
            continue
        _assert_combined_end(
            donation, refund=refund, expected=expected, dispute_id=dispute_id, outcome=outcome
        )
    assert failures == []
