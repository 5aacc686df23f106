"""Whole paths through the devstripe stand-in: the gateway talks HTTP to it, and its signed webhooks
come back through our endpoint."""

import contextlib
import socket
import threading

import pytest
from django.db import connection
from django.test import Client

from devstripe.server import CARD_DECLINED, CARD_DISPUTED
from donations import stripe_gateway
from donations.models import Donation, Receipt, RecurringAmountChange, RecurringGift, Refund
from tests.factories import CampaignFactory, RecurringGiftFactory, UserFactory

pytestmark = pytest.mark.django_db


def _give(client, campaign, **overrides):
    data = {
        "amount_choice": "4000",
        "frequency": "one_time",
        "designation": f"campaign:{campaign.pk}",
        "name": "Ana Lima",
        "email": "ana@example.org",
        "confirm": "1",
    }
    data.update(overrides)
    response = client.post(f"/campaigns/{campaign.slug}/donate/", data)
    assert response.status_code == 302
    return response, Donation.objects.order_by("-created_at").first()


def test_end_to_end_one_time_gift(client, standin, mailoutbox):
    # given a campaign
    campaign = CampaignFactory(suggested_amounts=[2500, 4000])

    # when a donor posts the form, is sent to the stand-in's checkout page and pays there
    response, donation = _give(client, campaign)
    assert response["Location"] == standin.get(donation.stripe_checkout_session_id)["url"]
    assert client.get(f"/donations/{donation.public_id}/thanks/").content.decode().count("processing") >= 1
    standin.complete_checkout(donation.stripe_checkout_session_id)

    # then the webhooks made the gift succeed, with exactly one receipt email carrying the PDF
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.stripe_payment_intent_id and donation.stripe_charge_id
    assert all(d["status"] == 200 for d in standin.deliveries)
    receipts = [m for m in mailoutbox if "receipt" in m.subject.lower()]
    assert len(receipts) == 1 and len(mailoutbox) == 1
    name, content, mimetype = receipts[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert name == f"receipt-{Receipt.objects.get().number}.pdf"
    # and the thank-you page now says so
    assert (
        "Your card was charged $40.00."
        in client.get(f"/donations/{donation.public_id}/thanks/").content.decode()
    )

    # and redelivering every event changes nothing
    for event in list(standin.events):
        standin.redeliver(event)
    assert Receipt.objects.count() == 1 and len(mailoutbox) == 1


def test_declined_card_then_good_card(client, standin, mailoutbox):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)

    standin.complete_checkout(donation.stripe_checkout_session_id, card=CARD_DECLINED)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED

    standin.complete_checkout(donation.stripe_checkout_session_id)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert len(mailoutbox) == 1


def test_expired_checkout(client, standin):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)

    standin.expire_checkout(donation.stripe_checkout_session_id)

    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED


def test_async_bank_payment(client, standin, mailoutbox):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)

    standin.async_checkout(donation.stripe_checkout_session_id, "pending")
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING and mailoutbox == []

    standin.settle_async_checkout(donation.stripe_checkout_session_id, "succeeded")
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED and len(mailoutbox) == 1


def test_dispute_through_the_standin(client, standin):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)
    standin.complete_checkout(donation.stripe_checkout_session_id, card=CARD_DISPUTED)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.DISPUTED

    dispute = standin.events_of("charge.dispute.created")[0]["data"]["object"]
    standin.close_dispute(dispute["id"], "won")

    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED


def test_staff_refund_is_requested_then_confirmed_by_the_webhook(client, standin, staff_user):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)
    standin.complete_checkout(donation.stripe_checkout_session_id)
    client.force_login(staff_user)

    # when staff refund $15 of it
    response = client.post(
        f"/staff/donations/{donation.public_id}/",
        {"action": "refund", "amount": "15.00", "reason": "asked", "confirm": "1"},
    )

    # then it shows as requested until Stripe's webhook confirms it
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.REQUESTED and refund.stripe_refund_id.startswith("re_")
    donation.refresh_from_db()
    assert donation.amount_refunded == 0
    assert "Refund requested" in client.get(response["Location"]).content.decode()

    standin.flush()

    refund.refresh_from_db()
    donation.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert donation.amount_refunded == 1500 and donation.status == Donation.Status.SUCCEEDED

    # and the rest of it: the gift is refunded in full
    client.post(
        f"/staff/donations/{donation.public_id}/", {"action": "refund", "amount": "25.00", "confirm": "1"}
    )
    standin.flush()
    donation.refresh_from_db()
    assert donation.status == Donation.Status.REFUNDED and donation.amount_refunded == 4000
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).count() == 2


def test_refund_more_than_the_gift_is_refused(client, standin, staff_user):
    campaign = CampaignFactory(suggested_amounts=[4000])
    _, donation = _give(client, campaign)
    standin.complete_checkout(donation.stripe_checkout_session_id)
    client.force_login(staff_user)

    response = client.post(f"/staff/donations/{donation.public_id}/", {"action": "refund", "amount": "40.01"})

    assert response.status_code == 200
    assert "more than what is left" in response.content.decode()
    assert not Refund.objects.exists()


def _monthly(client, standin, email="mo@example.org"):
    campaign = CampaignFactory(suggested_amounts=[2500])
    _, donation = _give(client, campaign, amount_choice="2500", frequency="monthly", email=email)
    standin.complete_checkout(donation.stripe_checkout_session_id)
    donation.refresh_from_db()
    return donation, donation.recurring_gift


def test_monthly_gift_first_payment_and_renewals(client, standin, mailoutbox):
    # given a monthly gift paid through the stand-in
    first, recurring = _monthly(client, standin)
    recurring.refresh_from_db()
    assert first.status == Donation.Status.SUCCEEDED
    assert recurring.status == RecurringGift.Status.ACTIVE
    assert recurring.stripe_subscription_id.startswith("sub_")
    assert len(mailoutbox) == 1

    # when the next month is charged
    standin.renew_subscription(recurring.stripe_subscription_id)

    # then a second gift with its own receipt
    gifts = list(recurring.donations.order_by("created_at"))
    assert [g.status for g in gifts] == [Donation.Status.SUCCEEDED] * 2
    assert gifts[1].stripe_payment_intent_id  # looked up through /v1/invoice_payments
    assert Receipt.objects.count() == 2 and len(mailoutbox) == 2

    # when the month after fails
    standin.renew_subscription(recurring.stripe_subscription_id, fail=True)

    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.PAST_DUE
    assert recurring.donations.filter(status=Donation.Status.FAILED).count() == 1
    assert len(mailoutbox) == 3 and "could not be charged" in mailoutbox[2].subject


def test_donor_changes_the_amount_and_cancels(client, standin):
    first, recurring = _monthly(client, standin, email="mo@example.org")
    donor = UserFactory(email="mo@example.org")
    client.force_login(donor)

    response = client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})

    assert response.status_code == 302
    recurring.refresh_from_db()
    assert recurring.amount == 3000
    subscription = standin.get(recurring.stripe_subscription_id)
    assert subscription["items"]["data"][0]["price"]["unit_amount"] == 3000
    standin.flush()

    # the next renewal charges the new amount and is counted in full
    standin.renew_subscription(recurring.stripe_subscription_id)
    renewal = recurring.donations.order_by("-created_at").first()
    assert renewal.amount == 3000 and renewal.status == Donation.Status.SUCCEEDED

    response = client.post(f"/me/giving/monthly/{recurring.public_id}/cancel/")
    assert response.status_code == 302
    standin.flush()
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELED
    assert standin.get(recurring.stripe_subscription_id)["status"] == "canceled"


def test_donor_updates_the_card_on_stripes_page(client, standin):
    _, recurring = _monthly(client, standin, email="card@example.org")
    client.force_login(UserFactory(email="card@example.org"))

    response = client.post(f"/me/giving/monthly/{recurring.public_id}/card/")

    assert response.status_code == 302
    assert response["Location"].startswith(standin.base_url + "/billing/")


# --- monthly gifts: changes and cancelling only count once Stripe confirms ----------------------------


@contextlib.contextmanager
def _stripe_unreachable(settings):
    """Point the gateway at a local port nobody listens on (connection refused), then back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    standin_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    try:
        yield
    finally:
        settings.STRIPE_API_BASE = standin_base


def _amount_changes_at_stripe(standin, subscription_id):
    return [
        event
        for event in standin.events_of("customer.subscription.updated")
        if event["data"]["object"]["id"] == subscription_id
        and "items" in (event["data"].get("previous_attributes") or {})
    ]


def _signed_in_monthly(client, standin, email):
    _, recurring = _monthly(client, standin, email=email)
    client.force_login(UserFactory(email=email))
    return recurring


def test_submitting_the_same_amount_change_twice_changes_it_once_at_stripe(client, standin):
    # given a donor's active monthly gift of $25
    recurring = _signed_in_monthly(client, standin, "twice@example.org")

    # when the change form is submitted twice
    first = client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})
    second = client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})

    # then Stripe changed the subscription once, with the key stored on our row
    assert first.status_code == second.status_code == 302
    changes = _amount_changes_at_stripe(standin, recurring.stripe_subscription_id)
    assert len(changes) == 1
    change = RecurringAmountChange.objects.get()
    assert change.status == RecurringAmountChange.Status.APPLIED
    assert changes[0]["request"]["idempotency_key"] == str(change.idempotency_key)
    recurring.refresh_from_db()
    assert recurring.amount == 3000


def test_a_change_stripe_did_not_answer_is_finished_by_the_next_submit_with_the_same_key(
    client, standin, settings
):
    recurring = _signed_in_monthly(client, standin, "retry@example.org")

    # when Stripe cannot be reached at the first submit
    with _stripe_unreachable(settings):
        response = client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})

    # then the gift is unchanged, the page says so, and the attempt is kept with its key
    assert response.status_code == 200
    assert "could not reach Stripe" in response.content.decode()
    recurring.refresh_from_db()
    assert recurring.amount == 2500
    attempt = RecurringAmountChange.objects.get()
    assert attempt.status == RecurringAmountChange.Status.REQUESTED
    assert "not made yet" in client.get(f"/me/giving/monthly/{recurring.public_id}/").content.decode()

    # when the donor submits it again with Stripe back
    response = client.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"})

    # then the same attempt (same key) makes the one change
    assert response.status_code == 302
    changes = _amount_changes_at_stripe(standin, recurring.stripe_subscription_id)
    assert [c["request"]["idempotency_key"] for c in changes] == [str(attempt.idempotency_key)]
    attempt.refresh_from_db()
    recurring.refresh_from_db()
    assert attempt.status == RecurringAmountChange.Status.APPLIED and recurring.amount == 3000


def test_cancelling_when_stripe_cannot_be_reached_leaves_the_gift_active_and_says_so(
    client, standin, settings
):
    recurring = _signed_in_monthly(client, standin, "stay@example.org")

    with _stripe_unreachable(settings):
        response = client.post(f"/me/giving/monthly/{recurring.public_id}/cancel/", follow=True)

    body = response.content.decode()
    assert "We could not cancel it" in body and "still active" in body
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.ACTIVE and recurring.canceled_at is None
    assert standin.get(recurring.stripe_subscription_id)["status"] == "active"


def test_cancelling_a_subscription_stripe_refuses_to_cancel_leaves_the_gift_active(client, standin):
    # given a monthly gift whose subscription Stripe does not know
    recurring = RecurringGiftFactory(
        donor_email="unknown@example.org",
        status=RecurringGift.Status.ACTIVE,
        stripe_subscription_id="sub_not_at_stripe",
    )
    client.force_login(UserFactory(email="unknown@example.org"))

    response = client.post(f"/me/giving/monthly/{recurring.public_id}/cancel/", follow=True)

    assert "Stripe refused to cancel it" in response.content.decode()
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.ACTIVE


def test_cancelling_what_stripe_already_cancelled_is_confirmed(client, standin):
    # given a subscription cancelled at Stripe (dashboard, a first click) before its webhook came
    recurring = _signed_in_monthly(client, standin, "already@example.org")
    stripe_gateway.subscription_cancel(subscription_id=recurring.stripe_subscription_id)

    response = client.post(f"/me/giving/monthly/{recurring.public_id}/cancel/", follow=True)

    assert "Your monthly gift is cancelled" in response.content.decode()
    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_amount_changes_at_the_same_moment_change_it_once(requires_postgres, client, standin):
    recurring = _signed_in_monthly(client, standin, "together@example.org")
    donor = UserFactory._meta.model.objects.get(email="together@example.org")
    barrier = threading.Barrier(2)
    codes = []

    def submit():
        try:
            browser = Client()
            browser.force_login(donor)
            barrier.wait(timeout=10)
            codes.append(
                browser.post(f"/me/giving/monthly/{recurring.public_id}/", {"amount": "30"}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert codes == [302, 302]
    assert len(_amount_changes_at_stripe(standin, recurring.stripe_subscription_id)) == 1
    recurring.refresh_from_db()
    assert recurring.amount == 3000
    assert RecurringAmountChange.objects.get().status == RecurringAmountChange.Status.APPLIED
