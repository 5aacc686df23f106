"""A donor in a real browser: the donate form, the stand-in's hosted checkout page, the thank-you page.
The stand-in posts its webhooks to the live server over HTTP, as Stripe would."""

import pytest

from devstripe import running_standin
from donations.models import Donation, Receipt
from tests.e2e.conftest import browser, page, screenshot  # noqa: F401 - fixtures
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_donor_gives_through_the_hosted_checkout_page(page, live_server, settings, screenshot, mailoutbox):  # noqa: F811
    # given a published campaign, and Stripe's stand-in sending its webhooks to our live server
    campaign = CampaignFactory(title="Safe nights", suggested_amounts=[2500, 4000])
    settings.SITE_URL = live_server.url
    with running_standin(
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET, webhook_url=live_server.url + "/stripe/webhook/"
    ) as standin:
        settings.STRIPE_API_BASE = standin.base_url

        # when the donor fills in the form (keyboard-reachable labels) and continues
        page.goto(f"/campaigns/{campaign.slug}/donate/")
        page.get_by_label("$40.00").check()
        page.get_by_role("textbox", name="Your name").fill("Ana Lima")
        page.get_by_role("textbox", name="Your email").fill("ana@example.org")
        page.get_by_label("Add the card processing fee").check()
        assert "Covering the fee adds $1.51" in page.locator("#fee-note").inner_text()
        screenshot("donate-form")
        page.get_by_role("button", name="Continue to secure payment").click()

        # then they are on the hosted checkout page, and pay there with the test card
        page.wait_for_url(standin.base_url + "/checkout/pay/**")
        page.get_by_label("Card number").fill("4242424242424242")
        screenshot("checkout")
        page.get_by_role("button", name="Donate").click()

        # then they come back to the thank-you page, which says the gift arrived once the webhook did
        page.wait_for_url("**/thanks/")
        standin.flush()
        page.reload()
        assert "Thank you, Ana" in page.get_by_role("heading", level=1).inner_text()
        screenshot("thanks")

    donation = Donation.objects.get()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.charged_amount == 4151
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert len(mailoutbox) == 1
