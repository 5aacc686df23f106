"""The card statement shows a neutral name for every gift, one-time and each month of a monthly one,
within Stripe's 22 characters together with the account's prefix; the donate page says what it is."""

import pytest

from donations import stripe_gateway
from donations.models import Donation
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

GIFT = {
    "amount_choice": "2500",
    "frequency": "monthly",
    "designation": "general",
    "name": "Ana Lima",
    "email": "ana@example.org",
    "confirm": "1",
}


def test_every_month_of_a_monthly_gift_carries_the_neutral_descriptor(client, standin, settings):
    settings.STRIPE_STATEMENT_DESCRIPTOR = "COMMUNITY FUND"
    # given a monthly gift given through the form and paid on the stand-in's checkout
    CampaignFactory()
    client.post("/donate/", GIFT)
    donation = Donation.objects.get()
    standin.complete_checkout(donation.stripe_checkout_session_id)
    recurring = Donation.objects.get().recurring_gift
    recurring.refresh_from_db()

    # when the next month is charged, and the donor then changes the amount and is charged again
    standin.renew_subscription(recurring.stripe_subscription_id)
    stripe_gateway.subscription_change_amount(
        subscription_id=recurring.stripe_subscription_id, amount=4000, currency="usd", idempotency_key="k-1"
    )
    standin.renew_subscription(recurring.stripe_subscription_id)

    # then the subscription's product holds the descriptor, and each of the three charges shows it
    # after the account's prefix (the stand-in's is DEVSTRIPE)
    subscription = standin.get(recurring.stripe_subscription_id)
    product = standin.get(subscription["items"]["data"][0]["price"]["product"])
    assert product["statement_descriptor"] == "COMMUNITY FUND"
    charges = [c for c in standin.all("charge") if c["customer"] == subscription["customer"]]
    assert [c["amount"] for c in charges] == [2500, 2500, 4000]
    assert {c["calculated_statement_descriptor"] for c in charges} == {"DEVSTRIPE* COMMUNITY FUND"[:22]}
    assert {c["statement_descriptor_suffix"] for c in charges} == {"COMMUNITY FUND"}


def test_a_one_time_gift_carries_it_as_the_payment_suffix(client, standin):
    client.post("/donate/", GIFT | {"frequency": "one_time"})
    donation = Donation.objects.get()
    standin.complete_checkout(donation.stripe_checkout_session_id)

    (charge,) = standin.all("charge")
    assert charge["statement_descriptor_suffix"] == "COMMUNITY FUND"
    assert not standin.all("product") or all(
        p["statement_descriptor"] is None for p in standin.all("product")
    )


@pytest.mark.parametrize(
    ("prefix", "ours", "statement"),
    [
        ("HVN", "COMMUNITY FUND", "HVN* COMMUNITY FUND"),
        # cut so that prefix, "* " and suffix fit Stripe's 22 characters
        ("HAVENHOUSE", "NEIGHBOURHOOD COMMUNITY FUND", "HAVENHOUSE* NEIGHBOURH"),
        # characters Stripe refuses are dropped, letters upper-cased
        ("HVN", 'Gifts <for> "all" *', "HVN* GIFTS FOR ALL"),
        ("", "COMMUNITY FUND", "COMMUNITY FUND"),
    ],
)
def test_the_statement_text_fits_stripes_limit_with_the_prefix(settings, prefix, ours, statement):
    settings.STRIPE_STATEMENT_DESCRIPTOR_PREFIX, settings.STRIPE_STATEMENT_DESCRIPTOR = prefix, ours

    assert stripe_gateway.card_statement_text() == statement
    assert len(statement) <= stripe_gateway.STATEMENT_DESCRIPTOR_MAX


def test_the_donate_page_says_what_the_statement_will_show(client, settings):
    settings.STRIPE_STATEMENT_DESCRIPTOR_PREFIX, settings.STRIPE_STATEMENT_DESCRIPTOR = (
        "HVN",
        "COMMUNITY FUND",
    )

    body = client.post("/donate/", {"frequency": "monthly", "amount_choice": "2500"}).content.decode()

    assert "Your card statement shows “HVN* COMMUNITY FUND”, for every payment." in body
