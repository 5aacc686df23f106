"""Concurrency, for real: threads with their own database connections against PostgreSQL."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from donations import services
from donations.models import Donation, Receipt, StripeEvent
from messaging.models import Message
from messaging.services import message_deliver, message_queue
from tests.factories import PendingDonationFactory

from .conftest import OneTimePayment, post_event


def _in_threads(count: int, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_of_one_event_make_one_gift_one_receipt_one_email(requires_postgres):
    # given a pending gift and its checkout.session.completed event
    donation = PendingDonationFactory(amount=4000)
    event = OneTimePayment(donation).completed()
    mail.outbox = []

    # when Stripe delivers it 20 times at once
    results, errors = _in_threads(20, lambda i: post_event(Client(), event).status_code)

    # then every delivery is acknowledged and the books show one gift, one receipt, one email
    assert errors == []
    assert results == [200] * 20
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert StripeEvent.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert Message.objects.filter(kind="donations.receipt").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_different_events_of_one_payment_at_once_make_one_receipt(requires_postgres):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    events = [payment.completed(), payment.intent_succeeded()] * 5
    mail.outbox = []

    results, errors = _in_threads(len(events), lambda i: post_event(Client(), events[i]).status_code)

    assert errors == [] and set(results) == {200}
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert Receipt.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_have_no_gaps_or_repeats_under_concurrency(requires_postgres):
    # given 16 gifts confirmed at the same moment
    gifts = [PendingDonationFactory(amount=1000 + i) for i in range(16)]

    def confirm(index):
        gift = gifts[index]
        services.donation_mark_succeeded(
            donation=gift, amount_paid=gift.charged_amount, currency=gift.currency
        )
        return index

    _, errors = _in_threads(len(gifts), confirm)

    assert errors == []
    receipts = list(Receipt.objects.order_by("sequence"))
    assert [r.sequence for r in receipts] == list(range(1, 17))
    assert len({r.number for r in receipts}) == 16
    assert len({r.donation_id for r in receipts}) == 16


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_a_tribute_notice_send_once(requires_postgres):
    donation = PendingDonationFactory(
        tribute_type=Donation.Tribute.MEMORY, tribute_name="June", tribute_notify_email="family@example.org"
    )
    with transaction.atomic():
        message = message_queue(
            kind=services.KIND_TRIBUTE,
            recipient=donation.tribute_notify_email,
            about=donation,
            dedupe_key=f"{services.KIND_TRIBUTE}:{donation.pk}",
            due_at=timezone.now() + datetime.timedelta(hours=1),  # not published: the threads deliver it
        )
    past = timezone.now() - datetime.timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(due_at=past, next_attempt_at=past)
    mail.outbox = []

    results, errors = _in_threads(10, lambda i: message_deliver(message_id=message.pk))

    assert errors == []
    assert sorted(results) == ["not claimed"] * 9 + ["sent"]
    assert len(mail.outbox) == 1
