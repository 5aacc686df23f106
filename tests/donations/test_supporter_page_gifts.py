"""Gifts through a supporter's fundraising page: the donate link carries the page to Checkout, the
webhook's confirmation counts the gift for the page and once for its campaign (a repeated webhook
changes nothing), its owner gets one notice in their language with no name the donor did not choose
to show."""

from __future__ import annotations

import pytest

from campaigns.models import CampaignTotals
from donations import services as gifts
from donations.models import Donation
from messaging.models import Message
from tests.factories import CampaignFactory, DonationFactory, UserFactory
from tests.factories.supporter_pages import supporter_page

from .conftest import OneTimePayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="safe-nights", title="Safe Nights")


def _gift_through(page, **kwargs) -> Donation:
    defaults = {
        "amount": 2500,
        "cover_fee": False,
        "monthly": False,
        "designation": gifts.Designation(page.campaign, page.campaign.fund),
        "email": "giver@example.org",
        "name": "Gabriela Giver",
    }
    defaults.update(kwargs)
    return gifts.donation_create(supporter_page=page, **defaults)


def test_a_gift_through_a_page_counts_for_it_and_once_for_its_campaign_even_if_the_webhook_repeats(
    send_event, campaign, mailoutbox
):
    # given an approved page and a gift to the campaign made outside it
    page = supporter_page(campaign)
    DonationFactory(campaign=campaign, amount=10_000)
    donation = _gift_through(page, amount=2500, show_name_publicly=True, public_name="Gabi")
    payment = OneTimePayment(donation)

    # when Stripe's webhook reports the page gift paid, twice
    assert send_event(payment.completed()).status_code == 200
    assert send_event(payment.completed()).status_code == 200
    assert send_event(payment.intent_succeeded()).status_code == 200

    # then the page counts it once, and the campaign counts both gifts once each
    donation.refresh_from_db()
    page.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED and donation.supporter_page == page
    assert (page.raised, page.gift_count, page.donor_count) == (2500, 1, 1)
    assert page.published_raised == 2500 and page.published_supporter_names == ["Gabi"]
    totals = CampaignTotals.objects.get(campaign=campaign)
    assert (totals.raised, totals.gift_count) == (12_500, 2)
    # and its owner got one notice
    notices = Message.objects.filter(kind="donations.supporter_page_gift")
    assert notices.count() == 1 and notices.get().recipient == "runner@example.org"
    assert notices.get().status == Message.Status.SENT

    # a refund takes it off the page and the campaign
    send_event(payment.refunded(2500)[0])
    page.refresh_from_db()
    assert (page.raised, page.gift_count) == (0, 0)
    assert CampaignTotals.objects.get(campaign=campaign).raised == 10_000


def test_the_donate_link_carries_the_page_to_checkout(client, standin, campaign):
    page = supporter_page(campaign)
    url = f"/campaigns/{campaign.slug}/donate/?fundraiser={page.slug}"

    step_one = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "amount_choice": "2500",
            "custom_amount": "",
            "frequency": "one_time",
            "designation": f"campaign:{campaign.pk}",
            "name": "Ana Lima",
            "email": "ana@example.org",
            "tribute_type": "",
            "confirm": "1",
        },
    )

    assert "Your gift counts for the fundraising page “Running 10 km for Safe Nights” (Maria L.)" in step_one
    assert 'value="monthly"' not in step_one  # gifts through a page are one-time
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert donation.supporter_page == page and donation.campaign == campaign
    session = standin.get(donation.stripe_checkout_session_id)
    assert session["metadata"] == {"donation_id": str(donation.public_id), "supporter_page_id": str(page.pk)}
    assert session["cancel_url"].endswith(f"?fundraiser={page.slug}")


def test_the_owner_notice_names_only_a_donor_who_chose_to_be_shown(send_event, campaign, mailoutbox):
    page = supporter_page(campaign)
    named = _gift_through(
        page, email="nia@example.org", name="Nia Fullname", show_name_publicly=True, public_name="Nia"
    )
    unnamed = _gift_through(page, email="olu@example.org", name="Olu Fullname")
    anonymous = _gift_through(page, email="zed.secret@example.org", name="Zed Secretname", is_anonymous=True)

    for donation in (named, unnamed, anonymous):
        send_event(OneTimePayment(donation).completed())

    notices = [m for m in mailoutbox if m.to == ["runner@example.org"]]
    assert len(notices) == 3
    by_body = [m.body for m in notices]
    assert sum("Nia just gave through your fundraising page" in body for body in by_body) == 1
    assert sum("They chose not to show their name." in body for body in by_body) == 2
    for body in by_body:
        for private in ("Fullname", "Zed", "Secretname", "zed.secret", "olu@", "nia@", "$25"):
            assert private not in body, private


def test_the_owner_notice_is_written_in_the_owners_language(send_event, campaign, mailoutbox):
    owner = UserFactory(language="es")
    page = supporter_page(campaign, owner=owner)
    donation = _gift_through(page, is_anonymous=True)

    send_event(OneTimePayment(donation).completed())

    message = Message.objects.get(kind="donations.supporter_page_gift")
    assert message.language == "es"
    assert [m for m in mailoutbox if m.to == [owner.email]][0].subject.startswith("Una nueva donación")
