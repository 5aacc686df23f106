"""A donor in a real browser: the donate form (on a phone, on a desktop, and without JavaScript), its
summary step, the stand-in's hosted checkout page, the thank-you page. The stand-in posts its webhooks
to the live server over HTTP, as Stripe would."""

import contextlib

import pytest

from devstripe import running_standin
from donations.models import Donation, Receipt
from tests.e2e.conftest import ARTIFACTS, browser, csp_watched_context  # noqa: F401 - fixtures
from tests.factories import CampaignFactory, ImpactUnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@contextlib.contextmanager
def _tab(browser, live_server, *, viewport, javascript=True):  # noqa: F811
    context = csp_watched_context(
        browser, base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
        # the pages run under the Content-Security-Policy with nothing refused (no inline script)
        assert context.csp_violations == []
    finally:
        context.close()


def _shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"donate-{name}.png"), full_page=True)


def _campaign():
    campaign = CampaignFactory(title="Safe nights", suggested_amounts=[2500, 4000, 10000, 25000])
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    ImpactUnitFactory(campaign=campaign, amount=10000, description="a week of counseling")
    return campaign


def _fits_one_screen(tab, button_name: str) -> None:
    button = tab.get_by_role("button", name=button_name).bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"], button
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_each_step_fits_one_screen_and_reveals_only_what_is_chosen(browser, live_server):  # noqa: F811
    campaign = _campaign()
    with _tab(browser, live_server, viewport=PHONE) as tab:
        # step one (how often, how much) fits the first screen, without sideways scrolling
        tab.goto(f"/campaigns/{campaign.slug}/donate/")
        _shot(tab, "form-390")
        _fits_one_screen(tab, "Continue")
        assert not tab.get_by_label("Other amount in dollars").is_visible()
        tab.get_by_label("Other amount", exact=True).check()
        assert tab.get_by_label("Other amount in dollars").is_visible()
        tab.get_by_label("$40", exact=False).first.check()
        tab.get_by_role("button", name="Continue").click()

        # step two (what will be charged, name, email, Pay) fits too
        _fits_one_screen(tab, "Pay $40.00 on Stripe's secure page")
        _shot(tab, "details-390")
        # what is not chosen is not shown: the name to show, the dedication's fields
        tab.get_by_text("More choices").click()
        for label in ("Name to show", "Their name", "Their email address"):
            assert not tab.get_by_label(label).is_visible(), label
        tab.get_by_label("Show a name I choose").check()
        assert tab.get_by_label("Name to show").is_visible()
        tab.get_by_label("In memory of someone").check()
        assert tab.get_by_label("Their name").is_visible()
        assert not tab.get_by_label("Their email address").is_visible()
        tab.get_by_label("Let someone know about the dedication by email").check()
        assert tab.get_by_label("Their email address").is_visible()
        _shot(tab, "details-390-open")
        tab.get_by_label("No dedication").check()
        assert not tab.get_by_label("Their name").is_visible()


def test_a_donor_gives_through_the_summary_and_the_hosted_checkout_page(
    browser,  # noqa: F811
    live_server,
    settings,
    mailoutbox,  # noqa: F811
):
    # given a published campaign, and Stripe's stand-in sending its webhooks to our live server
    campaign = _campaign()
    settings.SITE_URL = live_server.url
    settings.STRIPE_FEE_BPS, settings.STRIPE_FEE_FIXED = 290, 30
    with (
        running_standin(
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET, webhook_url=live_server.url + "/stripe/webhook/"
        ) as standin,
        _tab(browser, live_server, viewport={"width": 1280, "height": 900}) as tab,
    ):
        settings.STRIPE_API_BASE = standin.base_url

        # when the donor picks $100 and covers the fee
        tab.goto(f"/campaigns/{campaign.slug}/donate/")
        tab.get_by_label("$100", exact=False).first.check()
        tab.get_by_label("Cover the card fee").check()
        assert "Adds $3.30, so we receive the full $100.00." in tab.locator("#fee-note").inner_text()
        _shot(tab, "form-1280")
        tab.get_by_role("button", name="Continue").click()

        # then the next step says exactly what will be charged, before Stripe
        summary = tab.locator(".summary-list").inner_text()
        assert "$100.00" in summary and "$3.30" in summary and "$103.30" in summary
        assert "HVN* COMMUNITY FUND" in tab.locator("main").inner_text()
        # and they give their name and email, and ask to be thanked as "Anh"
        tab.get_by_label("Your full name").fill("Nguyen Thi Anh")
        tab.get_by_label("Your email").fill("anh@example.org")
        tab.get_by_text("More choices").click()
        tab.get_by_label("Show a name I choose").check()
        tab.get_by_label("Name to show").fill("Anh")
        _shot(tab, "details-1280")
        tab.get_by_role("button", name="Pay $103.30 on Stripe's secure page").click()

        # then they pay on the hosted checkout page with the test card
        tab.wait_for_url(standin.base_url + "/checkout/pay/**")
        tab.get_by_label("Card number").fill("4242424242424242")
        tab.get_by_role("button", name="Donate").click()

        # then they come back to the thank-you page, which shows the total charged once confirmed
        tab.wait_for_url("**/thanks/")
        standin.flush()
        tab.reload()
        assert tab.get_by_role("heading", level=1).inner_text() == "Thank you, Anh"
        assert "Your card was charged $103.30." in tab.locator("main").inner_text()
        _shot(tab, "thanks-1280")

    donation = Donation.objects.get()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.charged_amount == 10330 and donation.public_name == "Anh"
    assert Receipt.objects.filter(donation=donation).count() == 1
    assert len(mailoutbox) == 1


def test_without_javascript_every_field_shows_and_a_typed_amount_counts(browser, live_server, settings):  # noqa: F811
    campaign = _campaign()
    settings.SITE_URL = live_server.url
    with (
        running_standin(
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET, webhook_url=live_server.url + "/stripe/webhook/"
        ) as standin,
        _tab(browser, live_server, viewport=PHONE, javascript=False) as tab,
    ):
        settings.STRIPE_API_BASE = standin.base_url
        tab.goto(f"/campaigns/{campaign.slug}/donate/")

        # when the donor types an amount (without choosing "Other amount": the field always shows)
        tab.get_by_label("Other amount in dollars").fill("30")
        _shot(tab, "form-390-nojs")
        tab.get_by_role("button", name="Continue").click()

        # then the next step charges the typed amount; every optional field can be reached (the
        # options open as a native disclosure)
        assert "$30.00" in tab.locator(".summary-list").inner_text()
        tab.get_by_text("More choices").click()
        for label in ("Name to show", "Their name", "Their email address"):
            assert tab.get_by_label(label).is_visible(), label
        # when they dedicate the gift and pay, it goes to Stripe
        tab.get_by_label("Your full name").fill("Lee Park")
        tab.get_by_label("Your email").fill("lee@example.org")
        tab.get_by_label("In honour of someone").check()
        tab.get_by_label("Their name").fill("Grandma June")
        _shot(tab, "details-390-nojs")
        tab.get_by_role("button", name="Pay $30.00 on Stripe's secure page").click()
        tab.wait_for_url(standin.base_url + "/checkout/pay/**")

    donation = Donation.objects.get()
    assert (donation.amount, donation.tribute_type, donation.tribute_name) == (3000, "honour", "Grandma June")


def test_errors_are_summarised_at_the_top_and_focused(browser, live_server):  # noqa: F811
    campaign = _campaign()
    with _tab(browser, live_server, viewport=PHONE) as tab:
        tab.goto(f"/campaigns/{campaign.slug}/donate/")
        tab.get_by_role("button", name="Continue").click()
        tab.get_by_label("Your email").fill("not-an-email")
        tab.get_by_role("button", name="Pay $40.00 on Stripe's secure page").click()

        assert tab.title().startswith("Error:")
        summary = tab.locator(".error-summary")
        assert summary.evaluate("el => el === document.activeElement")
        assert "Enter an email address like name@example.org." in summary.inner_text()
        summary.get_by_role("link", name="Enter your full name, for your receipt.").click()
        assert tab.evaluate("document.activeElement.id") == "id_name"
        _shot(tab, "errors-390")
