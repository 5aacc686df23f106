"""Fee gross-up, receipt numbering, receipt emails through the outbox, sent only after commit."""

import datetime
from fractions import Fraction

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from campaigns.models import Fund
from donations import services
from donations.models import Donation, Receipt
from messaging.models import Message
from messaging.services import message_deliver, messages_sweep
from tests.factories import PendingDonationFactory

from .conftest import OneTimePayment

pytestmark = pytest.mark.django_db


# --- fees ------------------------------------------------------------------------------------------


def test_fee_example():
    # $25 at 2.9% + 30¢: 2530 / 0.971 = 2605.56 -> 2606
    assert services.fee_gross_up(net=2500, bps=290, fixed=30) == 2606


@given(
    net=st.integers(min_value=1, max_value=10**9),
    bps=st.integers(min_value=0, max_value=9_999),
    fixed=st.integers(min_value=0, max_value=10_000),
)
def test_gross_up_nets_at_least_the_gift_and_is_minimal(net, bps, fixed):
    gross = services.fee_gross_up(net=net, bps=bps, fixed=fixed)

    def kept(charge: int) -> Fraction:
        return charge - Fraction(charge * bps, 10_000) - fixed

    # the charity nets at least the intended amount, even if Stripe rounds its fee up...
    assert kept(gross) >= net
    assert gross - -(-gross * bps // 10_000) - fixed >= net
    # ...and one cent less would not
    assert kept(gross - 1) < net


def test_fee_is_not_added_unless_chosen():
    donation = services.donation_create(
        amount=5000,
        cover_fee=False,
        monthly=False,
        designation=services.Designation(campaign=None, fund=Fund.general()),
        email="a@example.org",
        name="A",
    )
    assert donation.fee_covered == 0 and donation.charged_amount == 5000


# --- receipts --------------------------------------------------------------------------------------


def _confirm(donation):
    services.donation_mark_succeeded(
        donation=donation, amount_paid=donation.charged_amount, currency=donation.currency
    )


def test_receipt_numbers_are_sequential_per_year(django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)):
        first, second = PendingDonationFactory(), PendingDonationFactory()
        _confirm(first)
        _confirm(second)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 12, tzinfo=datetime.UTC)):
        third = PendingDonationFactory()
        _confirm(third)

    numbers = [Receipt.objects.get(donation=d).number for d in (first, second, third)]
    assert numbers == ["2026-000001", "2026-000002", "2027-000001"]


def test_a_rolled_back_confirmation_leaves_no_gap():
    first, second = PendingDonationFactory(), PendingDonationFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        _confirm(first)
        raise RuntimeError("the webhook crashed after numbering")
    _confirm(second)
    _confirm(first)

    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == [1, 2]


def test_receipt_year_follows_the_organisations_zone():
    # 03:00 UTC on Jan 1 is still Dec 31 in New York
    with time_machine.travel(datetime.datetime(2027, 1, 1, 3, tzinfo=datetime.UTC)):
        donation = PendingDonationFactory()
        _confirm(donation)

    assert Receipt.objects.get().number == "2026-000001"


def _receipt_message() -> Message:
    return Message.objects.get(dedupe_key=Receipt.objects.get().message_dedupe_key)


def test_receipt_email_is_written_with_the_gift_and_sent_only_after_commit(
    django_capture_on_commit_callbacks, mailoutbox
):
    donation = PendingDonationFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        _confirm(donation)
        # inside the transaction: numbered, its email written to the outbox, but nothing sent
        assert Receipt.objects.filter(donation=donation).exists()
        assert _receipt_message().status == Message.Status.PENDING
        assert mailoutbox == []

    assert len(callbacks) >= 1
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0][0] == f"receipt-{Receipt.objects.get().number}.pdf"
    assert _receipt_message().status == Message.Status.SENT


def test_webhook_queues_the_receipt_after_commit(client, django_capture_on_commit_callbacks, mailoutbox):
    from .conftest import post_event

    donation = PendingDonationFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_event(client, OneTimePayment(donation).completed())

    assert mailoutbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_resending_a_receipt_sends_nothing_twice(send_event, mailoutbox):
    donation = PendingDonationFactory()
    send_event(OneTimePayment(donation).completed())
    message = _receipt_message()

    # a redelivered task, and the sweeper, find it sent
    assert message_deliver(message_id=message.pk) == "not claimed"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert messages_sweep() == 0

    assert len(mailoutbox) == 1


def test_a_mail_server_down_leaves_the_receipt_for_the_retry(send_event, mailoutbox, settings):
    # given the mail server is down when the receipt goes out
    settings.EMAIL_BACKEND = "tests.donations.failing_mail.Backend"
    donation = PendingDonationFactory()
    response = send_event(OneTimePayment(donation).completed())
    assert response.status_code == 200  # the gift is committed; the message waits for its retry
    message = _receipt_message()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert "mail server unreachable" in message.last_error
    assert Donation.objects.get().status == Donation.Status.SUCCEEDED

    # when the sweeper runs after the backoff, with the mail server back (twice, as beat might)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(message.next_attempt_at + datetime.timedelta(seconds=1)):
        messages_sweep()
        messages_sweep()

    # then exactly one email went out, and the receipt's message is marked sent
    assert len(mailoutbox) == 1
    assert _receipt_message().status == Message.Status.SENT


def test_receipt_pdf_is_made_once_and_its_hash_kept(send_event):
    import hashlib

    donation = PendingDonationFactory(donor_name="Zoë Ågren")  # not Latin-1 only
    send_event(OneTimePayment(donation).completed())
    receipt = Receipt.objects.get()

    content = services.receipt_pdf(receipt=receipt)

    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == receipt.pdf_sha256


def test_a_receipt_whose_task_was_lost_is_sent_by_the_sweeper(django_capture_on_commit_callbacks, mailoutbox):
    # given a confirmed gift whose delivery task never reached a worker (the broker lost it)
    donation = PendingDonationFactory()
    with django_capture_on_commit_callbacks(execute=False):
        _confirm(donation)
    assert mailoutbox == []

    # when the beat sweeper runs past the requeue delay (twice, as beat might)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2, seconds=1)):
        messages_sweep()
        messages_sweep()

    # then the receipt went out once
    assert len(mailoutbox) == 1
    assert _receipt_message().status == Message.Status.SENT
