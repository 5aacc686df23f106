"""Every Stripe event type we handle, one at a time, through the signed webhook endpoint."""

import pytest

from devstripe import objects as so
from donations.models import Dispute, Donation, Receipt, RecurringGift, Refund, StripeEvent
from messaging.models import Message
from tests.factories import PendingDonationFactory, RecurringGiftFactory

from .conftest import FirstMonthlyPayment, OneTimePayment

pytestmark = pytest.mark.django_db


def _paid_gift(send_event, **kwargs):
    donation = PendingDonationFactory(**kwargs)
    payment = OneTimePayment(donation)
    assert send_event(payment.completed()).status_code == 200
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    return donation, payment


def test_checkout_completed_marks_the_gift_succeeded_and_sends_one_receipt(send_event, mailoutbox):
    # given a gift waiting for Stripe
    donation = PendingDonationFactory(amount=4000, donor_email="ana@example.org")
    payment = OneTimePayment(donation)

    # when Stripe says the checkout is paid
    response = send_event(payment.completed())

    # then the gift succeeded, has a numbered receipt, and the donor got it with a PDF
    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.stripe_payment_intent_id == payment.pi_id
    receipt = Receipt.objects.get(donation=donation)
    assert len(receipt.pdf_sha256) == 64
    assert Message.objects.get(dedupe_key=receipt.message_dedupe_key).status == Message.Status.SENT
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana@example.org"]
    assert receipt.number in message.subject
    assert message.attachments[0][0] == f"receipt-{receipt.number}.pdf"
    assert message.attachments[0][1].startswith(b"%PDF")
    assert message.alternatives[0][1] == "text/html"
    assert StripeEvent.objects.get().processed_at is not None


def test_checkout_completed_but_unpaid_waits_for_the_async_payment(send_event, mailoutbox):
    donation = PendingDonationFactory()
    payment = OneTimePayment(donation)

    send_event(payment.completed(payment_status="unpaid"))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING

    session = {**payment.session, "payment_status": "paid"}
    send_event(so.event("checkout.session.async_payment_succeeded", session))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert len(mailoutbox) == 1


def test_async_payment_failed_marks_the_gift_failed_without_a_receipt(send_event, mailoutbox):
    donation = PendingDonationFactory()
    payment = OneTimePayment(donation)

    send_event(payment.completed(payment_status="unpaid"))
    send_event(
        so.event("checkout.session.async_payment_failed", {**payment.session, "payment_status": "unpaid"})
    )

    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED
    assert not Receipt.objects.exists()
    assert mailoutbox == []


def test_expired_checkout_fails_a_pending_gift(send_event):
    donation = PendingDonationFactory()
    session = so.checkout_session(
        id=donation.stripe_checkout_session_id,
        status="expired",
        metadata={"donation_id": str(donation.public_id)},
    )

    send_event(so.event("checkout.session.expired", session))

    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED
    assert "expired" in donation.failure_reason


def test_payment_intent_succeeded_alone_is_enough(send_event, mailoutbox):
    donation = PendingDonationFactory()
    payment = OneTimePayment(donation)

    send_event(payment.intent_succeeded())

    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.stripe_charge_id == payment.charge_id
    assert len(mailoutbox) == 1


def test_payment_intent_failed_then_a_second_card_succeeds(send_event, mailoutbox):
    donation = PendingDonationFactory()
    payment = OneTimePayment(donation)

    send_event(payment.intent_failed())
    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED
    assert donation.failure_reason == "Your card was declined."

    send_event(payment.intent_succeeded())
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert len(mailoutbox) == 1


def test_amount_mismatch_holds_the_gift_for_review(send_event, mailoutbox):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation, amount=400)

    send_event(payment.completed())

    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING
    assert donation.needs_review
    assert "400" in donation.review_reason
    assert not Receipt.objects.exists()
    assert mailoutbox == []


def test_currency_mismatch_holds_the_gift_for_review(send_event):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)

    send_event(payment.completed(currency="eur"))

    donation.refresh_from_db()
    assert donation.needs_review and donation.status == Donation.Status.PENDING


@pytest.mark.parametrize("missing", ["amount_total", "currency"])
def test_checkout_event_without_amount_or_currency_holds_the_gift_for_review(send_event, mailoutbox, missing):
    # given a gift waiting for Stripe
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)

    # when a validly signed checkout event says it is paid but leaves out the amount or the currency
    response = send_event(payment.completed(**{missing: None}))

    # then it does not confirm the gift: staff review it, no receipt goes out
    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING
    assert donation.needs_review
    assert ("amount" if missing == "amount_total" else "currency") in donation.review_reason
    assert not Receipt.objects.exists() and mailoutbox == []
    assert StripeEvent.objects.get().outcome == "held for review"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": None, "amount_received": None},
        {"currency": None},
        {"currency": "eur"},
    ],
    ids=["no-amount", "no-currency", "other-currency"],
)
def test_payment_intent_event_without_amount_or_in_another_currency_is_held(send_event, change):
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)

    send_event(so.event("payment_intent.succeeded", {**payment.intent, **change}))

    donation.refresh_from_db()
    assert donation.needs_review and donation.status == Donation.Status.PENDING
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("change", [{"amount_paid": None}, {"currency": None}, {"currency": "cad"}])
def test_invoice_paid_without_amount_or_in_another_currency_holds_the_month(send_event, change):
    recurring, donation = _monthly_gift()
    payment = FirstMonthlyPayment(donation)

    send_event(so.event("invoice.paid", {**payment.invoice, **change}))

    donation.refresh_from_db()
    assert donation.needs_review and donation.status == Donation.Status.PENDING
    assert not Receipt.objects.exists()


def test_refunded_charge_without_currency_does_not_confirm_the_gift_but_keeps_the_refund(send_event):
    # given a refund whose charge (our only report of the payment so far) leaves the currency out
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    event, _ = payment.refunded(1000)
    event["data"]["object"]["currency"] = None

    send_event(event)

    # then the gift is held, not confirmed, and the refund is on record for when staff release it
    donation.refresh_from_db()
    assert donation.needs_review and donation.status == Donation.Status.PENDING
    assert donation.amount_refunded == 1000
    assert not Receipt.objects.exists()


def test_a_held_gift_released_by_staff_counts_its_refunds(send_event, staff_user, client):
    # given a gift held because its only payment report had no amount, then refunded in full
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    send_event(payment.completed(amount_total=None))
    send_event(payment.refunded(4000)[0])

    # when staff check it in Stripe and release it
    client.force_login(staff_user)
    client.post(f"/staff/donations/{donation.public_id}/", {"action": "release"})

    # then its facts decide: paid, and refunded in full
    donation.refresh_from_db()
    assert not donation.needs_review
    assert donation.status == Donation.Status.REFUNDED
    assert Receipt.objects.filter(donation=donation).count() == 1


def test_partial_then_full_refund(send_event):
    donation, payment = _paid_gift(send_event, amount=4000)

    event, refunds = payment.refunded(1000)
    send_event(event)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.amount_refunded == 1000
    assert Donation.objects.filter(pk=donation.pk).net_total() == 3000

    event, _ = payment.refunded(1000, 3000)
    event["data"]["object"]["refunds"]["data"][0]["id"] = refunds[0]["id"]  # the first refund again
    send_event(event)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert donation.amount_refunded == 4000
    assert Refund.objects.filter(donation=donation).count() == 2
    assert Donation.objects.filter(pk=donation.pk).net_total() == 0


def test_dispute_won_gives_the_gift_back(send_event):
    donation, payment = _paid_gift(send_event)

    send_event(payment.dispute("needs_response", dispute_id="dp_one"))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.DISPUTED
    assert Donation.objects.filter(pk=donation.pk).net_total() == 0

    send_event(payment.dispute("won", dispute_id="dp_one"))
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert Dispute.objects.get().status == "won"


def test_dispute_lost_loses_the_gift(send_event):
    donation, payment = _paid_gift(send_event)

    send_event(payment.dispute("needs_response", dispute_id="dp_two"))
    send_event(payment.dispute("lost", dispute_id="dp_two"))

    donation.refresh_from_db()
    assert donation.status == Donation.Status.DISPUTE_LOST
    assert Donation.objects.filter(pk=donation.pk).net_total() == 0


def _monthly_gift():
    recurring = RecurringGiftFactory(amount=2500)
    donation = PendingDonationFactory(
        amount=2500,
        frequency=Donation.Frequency.MONTHLY,
        recurring_gift=recurring,
        campaign=recurring.campaign,
        donor_email=recurring.donor_email,
    )
    return recurring, donation


def test_first_monthly_payment_activates_the_monthly_gift(send_event, mailoutbox):
    recurring, donation = _monthly_gift()
    payment = FirstMonthlyPayment(donation)

    send_event(payment.completed())
    send_event(payment.invoice_paid())

    recurring.refresh_from_db()
    donation.refresh_from_db()
    assert recurring.status == RecurringGift.Status.ACTIVE
    assert recurring.stripe_subscription_id == payment.sub_id
    assert recurring.stripe_customer_id == payment.customer_id
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.stripe_invoice_id == payment.invoice_id
    assert donation.stripe_payment_intent_id == payment.pi_id
    assert Donation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_renewal_records_a_new_gift_with_its_own_receipt(send_event, mailoutbox):
    recurring, donation = _monthly_gift()
    payment = FirstMonthlyPayment(donation)
    send_event(payment.completed())
    send_event(payment.invoice_paid())

    renewal = payment.renewal_invoice(paid=True)
    send_event(renewal)
    send_event(renewal)  # the same event again
    renewal_again = so.event("invoice.paid", renewal["data"]["object"])  # same invoice, new event id
    send_event(renewal_again)

    gifts = Donation.objects.filter(recurring_gift=recurring).order_by("created_at")
    assert [g.status for g in gifts] == [Donation.Status.SUCCEEDED, Donation.Status.SUCCEEDED]
    assert gifts[1].stripe_invoice_id == renewal["data"]["object"]["id"]
    assert Receipt.objects.count() == 2
    assert len(mailoutbox) == 2


def test_failed_renewal_emails_the_donor_how_to_fix_it_once(send_event, mailoutbox):
    recurring, donation = _monthly_gift()
    payment = FirstMonthlyPayment(donation)
    send_event(payment.completed())
    mailoutbox.clear()

    failed = payment.renewal_invoice(paid=False)
    send_event(failed)
    send_event(so.event("invoice.payment_failed", failed["data"]["object"]))  # Stripe's retry fails too

    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.PAST_DUE
    renewal = Donation.objects.get(stripe_invoice_id=failed["data"]["object"]["id"])
    assert renewal.status == Donation.Status.FAILED
    assert len(mailoutbox) == 1
    assert "could not be charged" in mailoutbox[0].subject
    assert "/me/giving/" in mailoutbox[0].body
    assert "Update card" in mailoutbox[0].body

    # and when Stripe's retry later succeeds, the same month's gift succeeds
    paid = {**failed["data"]["object"], "amount_paid": 2500, "status": "paid"}
    send_event(so.event("invoice.paid", paid))
    renewal.refresh_from_db()
    recurring.refresh_from_db()
    assert renewal.status == Donation.Status.SUCCEEDED
    assert recurring.status == RecurringGift.Status.ACTIVE


def test_subscription_updated_and_deleted(send_event):
    recurring, donation = _monthly_gift()
    payment = FirstMonthlyPayment(donation)

    send_event(payment.subscription_event("customer.subscription.updated", "past_due", created=1_900_000_000))
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.PAST_DUE

    # an older event arriving late changes nothing
    send_event(payment.subscription_event("customer.subscription.updated", "active", created=1_800_000_000))
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.PAST_DUE

    send_event(payment.subscription_event("customer.subscription.deleted", "canceled", created=1_900_000_100))
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELED
    assert recurring.canceled_at is not None


def test_tribute_notification_leaves_the_amount_out(send_event, mailoutbox):
    donation = PendingDonationFactory(
        amount=12345,
        donor_name="Rosa Diaz",
        tribute_type=Donation.Tribute.MEMORY,
        tribute_name="Grandma June",
        tribute_notify_email="family@example.org",
    )
    send_event(OneTimePayment(donation).completed())

    tribute = [m for m in mailoutbox if m.to == ["family@example.org"]]
    assert len(tribute) == 1
    text = tribute[0].body + tribute[0].alternatives[0][0]
    assert "in memory of Grandma June" in text
    assert not any(amount in text for amount in ("123.45", "123,45", "12345", "12,345")) and "$" not in text
    assert sorted(Message.objects.values_list("kind", flat=True)) == [
        "donations.receipt",
        "donations.tribute",
    ]


def test_ignored_event_type_is_answered_200(send_event):
    response = send_event(so.event("customer.created", so.customer()))

    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome.startswith("ignored")


def test_refund_for_a_payment_we_do_not_know_yet_waits_for_it(send_event):
    # given a refund event that overtook every success event of its payment
    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)
    event, _ = payment.refunded(4000)
    event["data"]["object"]["metadata"] = {}  # nothing on the charge tells us whose it is

    send_event(event)
    assert StripeEvent.objects.get().processed_at is None

    # when the checkout event arrives, the waiting refund is applied at once
    send_event(payment.completed())
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED
    assert donation.amount_refunded == 4000
    assert not StripeEvent.objects.filter(processed_at=None).exists()


def test_expired_checkout_of_a_monthly_gift_never_starts_it(send_event):
    recurring, donation = _monthly_gift()
    session = so.checkout_session(
        id=donation.stripe_checkout_session_id,
        mode="subscription",
        status="expired",
        metadata={"donation_id": str(donation.public_id)},
    )

    send_event(so.event("checkout.session.expired", session))

    recurring.refresh_from_db()
    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED
    assert recurring.status == RecurringGift.Status.CANCELED


def test_campaign_totals_follow_every_change_of_status_and_refunds(send_event):
    from campaigns.models import CampaignTotals, FundTotals

    donation = PendingDonationFactory(amount=4000)
    payment = OneTimePayment(donation)

    send_event(payment.completed())
    assert CampaignTotals.objects.get(campaign=donation.campaign).raised == 4000
    assert FundTotals.objects.get(fund=donation.fund).raised == 4000

    send_event(payment.refunded(1500)[0])
    assert CampaignTotals.objects.get(campaign=donation.campaign).raised == 2500

    send_event(payment.dispute("needs_response", dispute_id="dp_totals"))
    assert CampaignTotals.objects.get(campaign=donation.campaign).raised == 0
