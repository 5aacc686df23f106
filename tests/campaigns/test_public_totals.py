"""Public figures move in batches: what the public sees (pages, /api/v1/, CSVs, feeds) is a copy of
the live totals published at most every HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES by beat, so a single
gift cannot be timed by polling; 0 publishes inside every refresh (live); staff pages stay live.
Time is frozen with time-machine."""

import datetime

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import TotalsPublication
from campaigns.selectors import public_totals_version
from campaigns.tasks import public_totals_publish_task
from tests.factories import DonationFactory, UserFactory

from .conftest import refresh

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)


def _api(client, campaign) -> dict:
    return client.get(f"/api/v1/campaigns/{campaign.slug}/").json()


@pytest.fixture
def batched(settings, time_machine, campaign):
    """A site publishing every 30 minutes that has just published (its first batch)."""
    settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 30
    time_machine.move_to(START, tick=False)
    DonationFactory(campaign=campaign, amount=10_000)
    refresh(campaign)
    assert services.public_totals_publish(force=True)
    return campaign


def test_an_anonymous_37_dollar_gift_does_not_move_the_api_until_the_interval_passes(
    client, batched, time_machine
):
    campaign = batched
    before = _api(client, campaign)
    assert (before["raised"], before["donor_count"]) == (10_000, 1)

    # when an anonymous $37 gift succeeds a minute later (its totals refreshed at once, as after commit)
    time_machine.move_to(START + datetime.timedelta(minutes=1), tick=False)
    DonationFactory(campaign=campaign, amount=3700, is_anonymous=True, show_name_publicly=False)
    refresh(campaign)

    # then polling the API shows nothing new, even when beat runs every minute until the interval ends
    for minute in range(2, 30):
        time_machine.move_to(START + datetime.timedelta(minutes=minute), tick=False)
        assert public_totals_publish_task() is False
        now = _api(client, campaign)
        assert (now["raised"], now["donor_count"]) == (10_000, 1), minute

    # and when 30 minutes have passed since the last batch, beat publishes and the gift appears
    time_machine.move_to(START + datetime.timedelta(minutes=30), tick=False)
    assert public_totals_publish_task() is True
    after = _api(client, campaign)
    assert (after["raised"], after["donor_count"]) == (13_700, 2)


def test_every_public_surface_shows_the_published_figures(client, batched, time_machine):
    campaign = batched
    time_machine.move_to(START + datetime.timedelta(minutes=1), tick=False)
    DonationFactory(
        campaign=campaign, amount=3700, donor_name="Ana Torres", public_name="Ana T.", show_name_publicly=True
    )
    refresh(campaign)

    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    listing = client.get("/campaigns/").content.decode()
    books = client.get("/transparency/").content.decode()
    csv_campaigns = client.get("/transparency/campaigns.csv").content.decode()
    csv_funds = client.get("/transparency/funds.csv").content.decode()
    csv_income = client.get("/transparency/income.csv").content.decode()
    api_list = client.get("/api/v1/campaigns/").json()

    assert "$100" in page and "$137" not in page
    assert "Ana T." not in page  # the recent supporters move with the batch too
    assert "$137" not in listing and "$137" not in books
    assert ",10000," in csv_campaigns and "13700" not in csv_campaigns
    assert "13700" not in csv_funds and "13700" not in csv_income
    assert [c["raised"] for c in api_list if c["slug"] == campaign.slug] == [10_000]

    time_machine.move_to(START + datetime.timedelta(minutes=31), tick=False)
    services.public_totals_publish()
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "$137" in page and "Ana T." in page
    assert "13700" in client.get("/transparency/income.csv").content.decode()


def test_staff_see_live_figures(client, batched, time_machine):
    campaign = batched
    DonationFactory(campaign=campaign, amount=3700, is_anonymous=True)
    refresh(campaign)
    client.force_login(UserFactory(roles=["staff"]))

    staff_campaigns = client.get("/staff/campaigns/").content.decode()
    staff_funds = client.get("/staff/funds/").content.decode()

    assert "$137" in staff_campaigns
    assert "$137" in staff_funds
    assert _api(client, campaign)["raised"] == 10_000  # the public API, even for staff


def test_zero_means_live(client, settings, campaign):
    settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 0
    version = public_totals_version()

    DonationFactory(campaign=campaign, amount=3700, is_anonymous=True)
    refresh(campaign)

    assert _api(client, campaign)["raised"] == 3700
    assert public_totals_version() == version + 1


def test_an_erased_supporter_leaves_the_public_list_at_once(batched, client, time_machine):
    campaign = batched
    gift = DonationFactory(
        campaign=campaign, amount=2000, donor_name="Ana Torres", public_name="Ana T.", show_name_publicly=True
    )
    refresh(campaign)
    time_machine.move_to(START + datetime.timedelta(minutes=30), tick=False)
    services.public_totals_publish()
    assert "Ana T." in client.get(f"/campaigns/{campaign.slug}/").content.decode()

    # when the donor stops showing her name (as erasure does), a minute after the batch
    time_machine.move_to(START + datetime.timedelta(minutes=31), tick=False)
    gift.show_name_publicly = False
    gift.public_name = ""
    gift.save()
    refresh(campaign)

    # then her name is gone from the public page without waiting for the next batch
    assert "Ana T." not in client.get(f"/campaigns/{campaign.slug}/").content.decode()


def test_each_publication_that_changes_figures_bumps_the_version_and_calls_the_hook(
    batched, monkeypatch, django_capture_on_commit_callbacks, time_machine
):
    campaign = batched
    seen = []
    monkeypatch.setattr(services, "public_totals_published", seen.append)
    version = public_totals_version()

    # nothing changed: a publication past the interval bumps nothing
    time_machine.move_to(START + datetime.timedelta(minutes=30), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.public_totals_publish()
    assert (public_totals_version(), seen) == (version, [])

    # a gift, then the next batch: one bump, one call with the new version
    DonationFactory(campaign=campaign, amount=3700)
    refresh(campaign)
    time_machine.move_to(START + datetime.timedelta(minutes=60), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.public_totals_publish()
    assert public_totals_version() == version + 1
    assert seen == [version + 1]
    assert TotalsPublication.objects.get().published_at == timezone.now()


def test_beat_runs_the_publication_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["campaigns-publish-totals"]
    assert entry["task"] == "campaigns.tasks.public_totals_publish_task"
    assert entry["schedule"] == 60.0


def test_the_donors_thanks_page_says_the_gift_will_appear_shortly(campaign):
    from django.template.loader import render_to_string

    gift = DonationFactory(campaign=campaign, amount=3700)

    html = render_to_string("donations/thanks.html", {"donation": gift})

    assert f"Your gift will appear on the progress bar of {campaign.title} shortly" in html
