"""The lock order (donations/services/locks.py): checked as locks are taken, and under real
concurrency (threads with their own connections, PostgreSQL).

A refund or dispute that overtakes its payment's events waits (a StripeEvent row with `waiting_for`).
The deliveries that could deadlock are the payment event that lets it go and a redelivery of the
waiting event itself: one locks the event then the gift, the other must never lock the gift then the
event. These tests fire such pairs at once, many times, and want every delivery answered 200 and
every gift in the one state that delivering the same events one by one gives.
"""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from donations import tasks, webhooks
from donations.models import Dispute, Donation, Receipt, StripeEvent
from donations.services import locks
from tests.factories import PendingDonationFactory

from .conftest import OneTimePayment, deliver_at_once, post_event

ROUNDS = 40


def _waiting_dispute(payment: OneTimePayment, dispute_id: str) -> dict:
    """A dispute that overtook every event of its payment: delivered, recorded, waiting."""
    event = payment.dispute("needs_response", dispute_id=dispute_id)
    assert post_event(Client(), event).status_code == 200
    assert StripeEvent.objects.get(stripe_id=event["id"]).waiting_for == payment.pi_id
    return event


def _assert_disputed_once(donation: Donation, dispute_id: str) -> None:
    donation.refresh_from_db()
    assert donation.status == Donation.Status.DISPUTED, donation.public_id
    assert Dispute.objects.get(stripe_dispute_id=dispute_id).donation_id == donation.pk
    assert Receipt.objects.filter(donation=donation).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_event_and_a_redelivered_waiting_dispute_at_once_never_deadlock(requires_postgres):
    # given, each round, a gift whose payment Stripe knows (its PaymentIntent id is on the gift, as
    # the checkout event leaves it) and a dispute that arrived before and is still waiting
    failures = []
    for round_ in range(ROUNDS):
        donation = PendingDonationFactory(amount=4000)
        payment = OneTimePayment(donation)
        dispute = _waiting_dispute(payment, dispute_id=f"dp_pair_{round_}")
        Donation.objects.filter(pk=donation.pk).update(stripe_payment_intent_id=payment.pi_id)

        # when the payment's success event and the dispute's redelivery arrive at the same moment
        codes = deliver_at_once([payment.intent_succeeded(), dispute])

        # then both are acknowledged and the gift is paid and disputed, as in-order delivery gives
        if codes != [200, 200]:
            failures.append((round_, codes))
            continue
        _assert_disputed_once(donation, f"dp_pair_{round_}")
        assert not StripeEvent.objects.filter(processed_at=None).exists()
    assert failures == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_first_and_duplicate_deliveries_of_a_payment_and_its_dispute_at_once_end_in_one_state(
    requires_postgres,
):
    # given, each round, a fresh pending gift
    failures = []
    for round_ in range(ROUNDS):
        donation = PendingDonationFactory(amount=4000)
        payment = OneTimePayment(donation)
        dispute = payment.dispute("needs_response", dispute_id=f"dp_new_{round_}")
        completed, succeeded = payment.completed(), payment.intent_succeeded()

        # when the dispute and the checkout event arrive together (each twice), then the
        # dispute again together with the PaymentIntent's success event
        first = deliver_at_once([dispute, completed, dispute, completed])
        second = deliver_at_once([dispute, succeeded])

        # then every delivery is acknowledged, nothing is left waiting, and the gift is disputed
        if set(first + second) != {200}:
            failures.append((round_, first, second))
            continue
        _assert_disputed_once(donation, f"dp_new_{round_}")
        assert not StripeEvent.objects.filter(processed_at=None).exists(), round_
    assert failures == []


# --- the order is checked as locks are taken ---------------------------------------------------------


@pytest.mark.django_db
def test_locking_a_webhook_event_while_holding_a_gift_is_refused():
    # given a gift locked in a transaction
    donation = PendingDonationFactory()
    event = StripeEvent.objects.create(stripe_id="evt_order", type="charge.dispute.created", payload={})

    # when the same transaction then locks a webhook event (the order that deadlocked)
    with pytest.raises(locks.LockOrderError, match="StripeEvent"), transaction.atomic():
        locks.lock_donation(donation.pk)
        locks.lock_event(event.pk)

    # then in the documented order it is fine, and so is taking a held lock again
    with transaction.atomic():
        locks.lock_event(event.pk)
        locks.lock_donation(donation.pk)
        locks.lock_event(event.pk)


@pytest.mark.django_db
def test_two_gifts_are_locked_in_primary_key_order_and_each_transaction_starts_afresh():
    first, second = PendingDonationFactory(), PendingDonationFactory()

    with pytest.raises(locks.LockOrderError), transaction.atomic():
        locks.lock_donation(second.pk)
        locks.lock_donation(first.pk)
    with transaction.atomic():
        locks.lock_donation(second.pk)
    with transaction.atomic():
        locks.lock_donation(first.pk)
        locks.lock_donation(second.pk)


# --- a waiting event whose release was lost ---------------------------------------------------------


@pytest.mark.django_db
def test_the_beat_task_applies_an_event_left_waiting_once_its_payment_is_known(client):
    # given a dispute left waiting although its gift's payment is known (the process that committed
    # the payment died before releasing it), and a refund for a payment that is not ours
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    _waiting_dispute(payment, dispute_id="dp_stale")
    post_event(client, payment.completed())  # no on-commit callbacks run here: nothing is released
    stranger = OneTimePayment(PendingDonationFactory(amount=1000))
    refunded, _ = stranger.refunded(1000)
    refunded["data"]["object"]["metadata"] = {}
    post_event(client, refunded)
    assert StripeEvent.objects.filter(processed_at=None).count() == 2

    # when the beat task runs before they are old enough, and again later
    assert tasks.stripe_events_release_stale() == 0
    with time_machine.travel(timezone.now() + webhooks.STALE_WAITING + datetime.timedelta(seconds=1)):
        applied = tasks.stripe_events_release_stale()

    # then the dispute is applied, and the stranger's refund keeps waiting for its payment
    assert applied == 1
    donation.refresh_from_db()
    assert donation.status == Donation.Status.DISPUTED
    assert StripeEvent.objects.get(processed_at=None).waiting_for == stranger.pi_id
