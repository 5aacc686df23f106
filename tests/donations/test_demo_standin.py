"""The demo's monthly gifts in a fresh Stripe stand-in: `standin_sync` registers every live monthly
gift (the stand-in forgets all on restart), after which the donor manages the seeded gift through the
real views, gateway and webhooks."""

import pytest
from django.urls import reverse

from accounts.models import User
from donations import demo
from donations.models import Donation, RecurringGift
from tests.factories import PendingDonationFactory, RecurringGiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    from accounts import demo as accounts_demo
    from campaigns import demo as campaigns_demo

    accounts_demo.seed()
    campaigns_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    return RecurringGift.objects.get(stripe_subscription_id="sub_demo_m1")


def test_the_seeded_monthly_gift_has_a_customer_for_the_billing_portal(seeded):
    assert seeded.stripe_customer_id == "cus_demo_m1"


def test_after_sync_the_donor_changes_the_amount_opens_the_card_page_and_cancels(client, standin, seeded):
    # given a fresh stand-in that has been given the demo's monthly gifts
    registered = demo.standin_sync(standin.base_url)

    sub = standin.get("sub_demo_m1")
    first_gift = seeded.donations.order_by("created_at").first()
    assert registered == 1
    assert (sub["status"], sub["customer"]) == ("active", "cus_demo_m1")
    assert sub["metadata"] == {"donation_id": str(first_gift.public_id)}
    assert sub["items"]["data"][0]["price"]["unit_amount"] == seeded.charged_amount
    assert standin.events == []  # registering announces nothing to the app
    client.force_login(User.objects.get(email="donor@haven.example"))
    monthly_url = reverse("donations:my_monthly", kwargs={"public_id": seeded.public_id})
    assert monthly_url in client.get("/me/giving/").content.decode()

    # when the donor changes the amount to $40
    changed = client.post(monthly_url, {"amount": "40"})
    standin.flush()

    # then Stripe (the stand-in) and our row agree, and the webhook was accepted
    seeded.refresh_from_db()
    assert changed.status_code == 302 and changed["Location"] == monthly_url
    assert seeded.amount == 4000
    assert standin.get("sub_demo_m1")["items"]["data"][0]["price"]["unit_amount"] == 4000
    assert [d["status"] for d in standin.deliveries] == [200]

    # when the donor asks to update the card, the stand-in's billing portal opens for their customer
    card = client.post(reverse("donations:my_monthly_card", kwargs={"public_id": seeded.public_id}))
    assert card.status_code == 302 and card["Location"].startswith(standin.base_url + "/billing/")

    # when the donor cancels
    cancelled = client.post(reverse("donations:my_monthly_cancel", kwargs={"public_id": seeded.public_id}))
    standin.flush()

    # then the subscription ends at the stand-in and the gift is cancelled here
    seeded.refresh_from_db()
    assert cancelled.status_code == 302
    assert seeded.status == RecurringGift.Status.CANCELED and seeded.canceled_at is not None
    assert standin.get("sub_demo_m1")["status"] == "canceled"
    assert standin.events_of("customer.subscription.deleted")
    assert all(d["status"] == 200 for d in standin.deliveries)


def test_a_renewal_of_a_synced_gift_becomes_a_new_month_of_that_gift(standin, seeded):
    demo.standin_sync(standin.base_url)

    standin.renew_subscription("sub_demo_m1")

    month = Donation.objects.filter(recurring_gift=seeded).order_by("-created_at").first()
    assert seeded.donations.count() == 4
    assert month.status == Donation.Status.SUCCEEDED and month.amount == seeded.amount


def test_sync_registers_only_live_gifts_and_gives_a_customer_to_those_without_one(standin):
    # given monthly gifts made in an earlier demo run, in every state
    live = RecurringGiftFactory(
        status=RecurringGift.Status.PAST_DUE, stripe_subscription_id="sub_earlier1", fee_covered=106
    )
    first = PendingDonationFactory(recurring_gift=live, frequency=Donation.Frequency.MONTHLY)
    PendingDonationFactory(recurring_gift=live, frequency=Donation.Frequency.MONTHLY)  # a later month
    RecurringGiftFactory(status=RecurringGift.Status.CANCELED, stripe_subscription_id="sub_ended")
    RecurringGiftFactory(status=RecurringGift.Status.PENDING)  # never paid: no subscription
    RecurringGiftFactory(status=RecurringGift.Status.ACTIVE, stripe_subscription_id="sub_other",
                         stripe_customer_id="cus_other")  # fmt: skip

    # when synced, and synced again
    assert demo.standin_sync(standin.base_url) == 2
    assert demo.standin_sync(standin.base_url) == 0  # the stand-in already has them

    # then only the live ones exist there, with the gateway's metadata, amount and product name
    live.refresh_from_db()
    assert {s["id"] for s in standin.all("subscription")} == {"sub_earlier1", "sub_other"}
    sub = standin.get("sub_earlier1")
    assert live.stripe_customer_id.startswith("cus_") and sub["customer"] == live.stripe_customer_id
    assert sub["metadata"] == {"donation_id": str(first.public_id)}
    price = sub["items"]["data"][0]["price"]
    assert price["unit_amount"] == 2500 + 106
    assert standin.get(price["product"])["name"] == f"Monthly gift to {live.campaign.title}"


def test_sync_against_no_stand_in_is_a_clear_error():
    RecurringGiftFactory(status=RecurringGift.Status.ACTIVE, stripe_subscription_id="sub_x")

    with pytest.raises(demo.StandInSyncError, match="not reachable"):
        demo.standin_sync("http://127.0.0.1:9")
