"""The thank-you page Stripe sends the donor back to: it shows the gift (total charged, the name to
show) only to the browser session that gave, for an hour; anyone else, or later, sees a neutral page
with no name and no amount, whatever the id."""

import datetime
import uuid

import pytest
from django.utils import timezone

from donations.models import Donation
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

GIVE = {
    "amount_choice": "10000",
    "frequency": "one_time",
    "designation": "general",
    "name": "Nguyen Thi Anh",
    "email": "anh@example.org",
    "cover_fee": "on",
    "recognition": "named",
    "public_name": "Anh",
    "confirm": "1",
}


def _give(client, standin, **overrides) -> Donation:
    response = client.post("/donate/", GIVE | overrides)
    assert response.status_code == 302
    return Donation.objects.latest("pk")


def _succeed(donation: Donation) -> None:
    Donation.objects.filter(pk=donation.pk).update(
        status=Donation.Status.SUCCEEDED, succeeded_at=timezone.now()
    )


def test_the_giving_session_sees_the_total_charged_and_that_the_bar_updates_shortly(
    client, standin, settings
):
    settings.STRIPE_FEE_BPS, settings.STRIPE_FEE_FIXED = 290, 30
    # given a donor who gave $100 and covered the card fee
    donation = _give(client, standin)
    _succeed(donation)

    # when Stripe sends them back to the thank-you page
    response = client.get(f"/donations/{donation.public_id}/thanks/")

    # then it names them as they asked, shows the $103.30 their card was charged, and the bar's delay
    body = response.content.decode()
    assert donation.charged_amount == 10330
    assert "Thank you, Anh" in body
    assert "Your card was charged $103.30." in body
    assert "your gift of $100.00 plus $3.30 to cover the card fee" in body
    assert "will appear in our public totals shortly" in body
    assert "Nguyen" not in body
    assert "no-store" in response["Cache-Control"]


def test_a_campaign_gift_says_it_will_appear_on_that_campaigns_bar(client, standin):
    campaign = CampaignFactory(title="Safe nights")
    donation = _give(client, standin, designation=f"campaign:{campaign.pk}", cover_fee="")
    _succeed(donation)

    body = client.get(f"/donations/{donation.public_id}/thanks/").content.decode()

    assert "Your card was charged $100.00." in body
    assert "will appear on the progress bar of Safe nights shortly" in body


@pytest.mark.parametrize("recognition", ["anonymous", "named"])
def test_another_browser_with_the_link_sees_a_neutral_page(client, standin, recognition):
    from django.test import Client

    donation = _give(client, standin, recognition=recognition)
    _succeed(donation)

    # when someone else opens the same link (shared, forwarded, from the history of another browser)
    body = Client().get(f"/donations/{donation.public_id}/thanks/").content.decode()

    # then they learn neither the name nor the amount, nor even that this gift exists
    assert "Anh" not in body and "$103" not in body and "$100" not in body
    assert "Thank you for supporting this work" in body
    unknown = Client().get(f"/donations/{uuid.uuid4()}/thanks/").content.decode()
    assert _main(unknown) == _main(body)


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_page_turns_neutral_after_the_configured_hour(client, standin, settings, time_machine):
    settings.HAVEN_THANKS_PAGE_MINUTES = 60
    start = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
    time_machine.move_to(start, tick=False)
    donation = _give(client, standin)
    _succeed(donation)

    time_machine.move_to(start + datetime.timedelta(minutes=59), tick=False)
    assert "Thank you, Anh" in client.get(f"/donations/{donation.public_id}/thanks/").content.decode()

    time_machine.move_to(start + datetime.timedelta(minutes=61), tick=False)
    late = client.get(f"/donations/{donation.public_id}/thanks/").content.decode()
    assert "Anh" not in late and "$103" not in late
    assert "Thank you for supporting this work" in late


def test_the_pending_page_refreshes_until_the_payment_is_confirmed(client, standin):
    donation = _give(client, standin)

    pending = client.get(f"/donations/{donation.public_id}/thanks/").content.decode()
    assert "processing" in pending and 'http-equiv="refresh"' in pending

    _succeed(donation)
    done = client.get(f"/donations/{donation.public_id}/thanks/").content.decode()
    assert "Thank you, Anh" in done and "refresh" not in done
