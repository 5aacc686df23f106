"""The donor's form: amounts, fee, designation, anonymity, tribute, rate limit, and Checkout through
the gateway (over HTTP to the devstripe stand-in)."""

import pytest

from donations.models import Donation, RecurringGift
from tests.factories import CampaignFactory, FundFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "amount_choice": "5000",
        "custom_amount": "",
        "frequency": "one_time",
        "designation": "general",
        "name": "Ana Lima",
        "email": "Ana@Example.org",
        "tribute_type": "",
        "confirm": "1",  # the summary step's "Pay" button (see test_the_summary_step_...)
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _tile(amount: str, impact: str) -> str:
    """An amount tile's label: the amount, then (read out with it) what it buys."""
    return (
        f'<span class="tile-amount">{amount}</span><span class="visually-hidden"> — </span>'
        f'<span class="tile-impact">{impact}</span></label>'
    )


def test_donate_page_offers_the_campaign_amounts_and_a_custom_amount(client):
    campaign = CampaignFactory(suggested_amounts=[2500, 4000, 10000])

    response = client.get(f"/campaigns/{campaign.slug}/donate/")

    body = response.content.decode()
    assert response.status_code == 200
    for label in ("$25", "$40", "$100", "Other amount", "Once", "Monthly", "Cover the card fee"):
        assert label in body
    assert "1-888-373-7888" in body


def test_one_time_gift_goes_to_stripe_checkout(client, standin):
    # given a published campaign
    campaign = CampaignFactory()

    # when a donor gives $40 to it
    response = client.post(
        f"/campaigns/{campaign.slug}/donate/",
        _form(amount_choice="4000", designation=f"campaign:{campaign.pk}"),
    )

    # then a pending gift exists and the donor is sent to the stand-in's hosted checkout page
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(standin.base_url + "/checkout/pay/")
    assert donation.status == Donation.Status.PENDING
    assert donation.campaign == campaign and donation.fund == campaign.fund
    assert donation.donor_email == "ana@example.org"
    session = standin.get(donation.stripe_checkout_session_id)
    assert session["mode"] == "payment"
    assert session["submit_type"] == "donate"
    assert session["amount_total"] == 4000
    # only our own id travels in metadata: no name, no email
    assert session["metadata"] == {"donation_id": str(donation.public_id)}
    assert session["success_url"].endswith(f"/donations/{donation.public_id}/thanks/")


def test_checkout_creation_is_idempotent_on_the_gift(client, standin):
    from donations import services

    client.post("/donate/", _form())
    donation = Donation.objects.get()

    # the same gift started again (a retried request) gets the same session from Stripe
    url_again = services.donation_checkout_start(donation=donation)

    donation.refresh_from_db()
    assert url_again.endswith(donation.stripe_checkout_session_id)
    assert len(standin.all("checkout.session")) == 1


def test_monthly_gift_with_fee_covered_is_a_subscription_checkout(client, standin, settings):
    settings.STRIPE_FEE_BPS, settings.STRIPE_FEE_FIXED = 290, 30

    response = client.post(
        "/donate/", _form(frequency="monthly", amount_choice="other", custom_amount="25", cover_fee="on")
    )

    donation = Donation.objects.get()
    assert response.status_code == 302
    assert donation.frequency == Donation.Frequency.MONTHLY
    assert donation.amount == 2500
    assert donation.fee_covered == 106  # ceil((2500 + 30) / 0.971) = 2606
    assert donation.recurring_gift.status == RecurringGift.Status.PENDING
    session = standin.get(donation.stripe_checkout_session_id)
    assert session["mode"] == "subscription"
    assert session["amount_total"] == 2606


def test_designation_to_a_restricted_fund(client, standin):
    fund = FundFactory(name="Legal aid", is_restricted=True)

    client.post("/donate/", _form(designation=f"fund:{fund.pk}"))

    donation = Donation.objects.get()
    assert donation.fund == fund and donation.campaign is None


def test_general_fund_by_default(client, standin):
    client.post("/donate/", _form())

    assert Donation.objects.get().fund.is_general


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ("1", "The smallest gift we can take online is $5.00."),
        ("60000", "For gifts above $50,000.00 please contact us"),
        ("ten", "Enter an amount in dollars, like 25 or 25.50."),
        ("10.555", "Enter an amount in dollars and cents"),
    ],
)
def test_amount_errors_are_clear_and_next_to_the_field(client, custom, message):
    response = client.post("/donate/", _form(amount_choice="other", custom_amount=custom))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Donation.objects.exists()


def test_a_named_gift_needs_the_name_to_show(client):
    response = client.post("/donate/", _form(recognition="named", public_name="  "))

    assert response.status_code == 400
    assert "Enter the name to show, or choose not to show a name." in response.content.decode()
    assert not Donation.objects.exists()


def test_the_name_to_show_is_stored_exactly_and_only_when_named(client, standin):
    # given a donor whose full name is written family name first
    client.post("/donate/", _form(name="Nguyen Thi Anh", recognition="named", public_name=" Anh  N. "))
    # and one who typed a name to show but then chose anonymity
    client.post("/donate/", _form(email="b@example.org", recognition="anonymous", public_name="Bea"))

    named, anonymous = Donation.objects.order_by("pk")
    assert (named.show_name_publicly, named.public_name) == (True, "Anh N.")
    assert (anonymous.is_anonymous, anonymous.show_name_publicly, anonymous.public_name) == (True, False, "")


def test_tribute_needs_a_name(client):
    response = client.post("/donate/", _form(tribute_type="memory", tribute_name=""))

    assert response.status_code == 400
    assert "Enter the name of the person the gift honours." in response.content.decode()


def test_anonymous_tribute_gift_is_recorded_with_its_choices(client, standin):
    client.post(
        "/donate/",
        _form(
            recognition="anonymous",
            tribute_type="honour",
            tribute_name="Sam",
            tribute_notify="on",
            tribute_notify_email="sam@example.org",
        ),
    )

    donation = Donation.objects.get()
    assert donation.is_anonymous and not donation.show_name_publicly
    assert (donation.tribute_type, donation.tribute_name, donation.tribute_notify_email) == (
        "honour",
        "Sam",
        "sam@example.org",
    )


def test_the_form_is_rate_limited_per_ip(client, settings):
    settings.DONATION_RATE_LIMIT = 10
    bad = _form(amount_choice="other", custom_amount="1")
    for _ in range(10):
        assert client.post("/donate/", bad).status_code == 400

    response = client.post("/donate/", bad)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # another address is not affected
    assert client.post("/donate/", bad, REMOTE_ADDR="10.1.2.3").status_code == 400


def test_stripe_unreachable_shows_a_clear_error_and_nothing_is_charged(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = client.post("/donate/", _form())

    assert response.status_code == 502
    assert "We could not reach our payment provider" in response.content.decode()
    assert Donation.objects.get().status == Donation.Status.FAILED


def test_each_suggested_amount_says_what_it_buys_in_its_label(client):
    # given a campaign whose $40 and $100 buy something staff described, and $25 that does not
    from tests.factories import ImpactUnitFactory

    campaign = CampaignFactory(suggested_amounts=[2500, 4000, 10000])
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    ImpactUnitFactory(campaign=campaign, amount=10000, description="a week of counseling & care")
    ImpactUnitFactory(campaign=campaign, amount=7000, description="not a suggested amount")

    # when a donor opens its donation form
    response = client.get(f"/campaigns/{campaign.slug}/donate/")

    # then the impact is part of the radio's own label (read out with the amount), escaped
    body = response.content.decode()
    assert response.status_code == 200
    assert _tile("$40", "one night of safe housing") in body
    assert _tile("$100", "a week of counseling &amp; care") in body
    assert 'value="2500"' in body and '<span class="tile-amount">$25</span></label>' in body
    assert "not a suggested amount" not in body


def test_impact_labels_stay_after_an_invalid_post(client):
    from tests.factories import ImpactUnitFactory

    campaign = CampaignFactory(suggested_amounts=[4000])
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")

    response = client.post(
        f"/campaigns/{campaign.slug}/donate/",
        {"amount_choice": "other", "custom_amount": "x", "frequency": "one_time"},
    )

    assert response.status_code == 400
    assert _tile("$40", "one night of safe housing") in response.content.decode()


def test_donate_page_query_count_does_not_grow_with_impact_units(client, django_assert_num_queries):
    # given two campaigns, one without impact units and one with many
    from tests.factories import ImpactUnitFactory

    FundFactory(name="Legal aid", is_restricted=True)
    plain = CampaignFactory(suggested_amounts=[2500, 4000, 10000])
    rich = CampaignFactory(suggested_amounts=[2500, 4000, 10000, 25000, 50000])
    for amount in (2500, 4000, 10000, 25000, 50000, 7000):
        ImpactUnitFactory(campaign=rich, amount=amount, description=f"impact of {amount}")
    client.get(f"/campaigns/{plain.slug}/donate/")  # warm any per-process caches

    # when each page is rendered, then both take the same small, fixed number of queries (the third
    # looks for a sponsor's match of the campaign)
    with django_assert_num_queries(3):
        assert client.get(f"/campaigns/{plain.slug}/donate/").status_code == 200
    with django_assert_num_queries(3):
        body = client.get(f"/campaigns/{rich.slug}/donate/").content.decode()
    assert _tile("$500", "impact of 50000") in body


def test_behind_the_proxy_each_client_has_its_own_attempts(client, settings):
    # given the app behind one trusted proxy (every request comes from 127.0.0.1)
    settings.DONATION_RATE_LIMIT = 10
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    bad = _form(amount_choice="other", custom_amount="1")
    for number in range(12):  # twelve clients, one attempt each: none is limited
        assert client.post("/donate/", bad, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").status_code == 400

    # when one client makes its 11th attempt, however it forges the header
    for _ in range(9):
        client.post("/donate/", bad, HTTP_X_FORWARDED_FOR="198.51.100.0")
    forged = client.post("/donate/", bad, HTTP_X_FORWARDED_FOR="10.0.0.99, 198.51.100.0")

    # then that client, and only it, is limited
    assert forged.status_code == 429
    assert client.post("/donate/", bad, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 400


def test_giving_takes_two_steps_and_shows_exactly_what_will_be_charged_before_stripe(
    client, standin, settings
):
    settings.STRIPE_FEE_BPS, settings.STRIPE_FEE_FIXED = 290, 30
    # given a donor who chose $100 once and to cover the card fee (step one)
    step_one = {"frequency": "one_time", "amount_choice": "10000", "cover_fee": "on"}
    response = client.post("/donate/", step_one)

    # then step two says what will be charged, and nothing is written or sent to Stripe yet
    body = response.content.decode()
    assert response.status_code == 200
    assert "Charged today" in body and "$103.30" in body and "$3.30" in body
    assert "Pay $103.30 on Stripe's secure page" in body
    assert "HVN* COMMUNITY FUND" in body
    assert '<input type="hidden" name="amount_choice" value="10000">' in body
    assert not Donation.objects.exists() and not standin.all("checkout.session")

    # when they go back to change the amount, their choices are kept
    back = client.post("/donate/", step_one | {"edit": "1", "name": "Ana Lima"}).content.decode()
    assert 'value="10000" id="id_amount_choice_2" checked' in back
    assert '<input type="hidden" name="name" value="Ana Lima">' in back

    # when they fill in step two and pay, the gift goes to Stripe for exactly that total
    response = client.post(
        "/donate/",
        step_one | {"name": "Ana Lima", "email": "ana@example.org", "designation": "general", "confirm": "1"},
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert standin.get(donation.stripe_checkout_session_id)["amount_total"] == 10330


def test_a_signed_in_donor_finds_their_name_and_given_name_filled_in(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(name="Nguyen Thi Anh", preferred_name="Anh", email="anh@example.org"))

    body = client.post("/donate/", {"frequency": "one_time", "amount_choice": "5000"}).content.decode()

    assert 'value="Nguyen Thi Anh"' in body and 'value="anh@example.org"' in body
    assert 'name="public_name" value="Anh"' in body
