"""A new webhook event costs a fixed, small number of queries, whatever the campaign's size: the
totals refresh leaves the request (campaigns.services.totals_refresh_soon) for one coalesced task."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import TotalsRefreshMark
from campaigns.services import totals_refresh_due
from donations.models import Donation
from tests.factories import CampaignFactory, DonationFactory, PendingDonationFactory

from .conftest import OneTimePayment, post_event

pytestmark = pytest.mark.django_db

# In the test, whose own transaction turns the outermost atomic block into a savepoint (2 statements
# more than in production). One of them looks for a sponsor's match of the campaign
# (donations.services.matching); a gift that is matched costs 3 more (tests/donations/test_matching.py).
MAX_QUERIES_NEW_EVENT = 25


def _request_queries(client, event) -> list[str]:
    with CaptureQueriesContext(connection) as executed:
        assert post_event(client, event).status_code == 200
    return [q["sql"] for q in executed.captured_queries]


def test_a_new_checkout_event_makes_a_fixed_number_of_queries_that_does_not_grow_with_the_campaign(client):
    campaign = CampaignFactory()
    warm = PendingDonationFactory(campaign=campaign, fund=campaign.fund)
    post_event(client, OneTimePayment(warm).completed())

    small = _request_queries(
        client, OneTimePayment(PendingDonationFactory(campaign=campaign, fund=campaign.fund)).completed()
    )
    DonationFactory.create_batch(30, campaign=campaign, fund=campaign.fund)
    big = _request_queries(
        client, OneTimePayment(PendingDonationFactory(campaign=campaign, fund=campaign.fund)).completed()
    )

    assert len(small) <= MAX_QUERIES_NEW_EVENT, "\n".join(small)
    assert len(big) == len(small)
    assert not any("donations_donation" in q and "SUM(" in q.upper() for q in big), "totals in the request"


def test_many_gifts_marked_out_of_date_are_refreshed_once_per_campaign_and_fund(django_assert_num_queries):
    campaign = CampaignFactory()
    for _ in range(5):
        gift = DonationFactory(campaign=campaign, fund=campaign.fund, status=Donation.Status.SUCCEEDED)
        TotalsRefreshMark.objects.create(campaign_id=gift.campaign_id, fund_id=gift.fund_id)

    assert totals_refresh_due() == 1
    assert not TotalsRefreshMark.objects.exists()
    campaign.totals.refresh_from_db()
    assert campaign.totals.gift_count == 5
    assert totals_refresh_due() == 0


def test_with_the_broker_down_the_mark_waits_for_the_beat_sweep(client, settings, monkeypatch):
    from celery import current_app

    from campaigns import services

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(current_app.tasks["campaigns.tasks.totals_refresh_due_task"], "apply_async", refuse)
    campaign = CampaignFactory()
    gift = PendingDonationFactory(campaign=campaign, fund=campaign.fund)
    post_event(client, OneTimePayment(gift).completed())
    services._schedule_refresh()  # what the commit runs: the publish fails, the mark stays

    assert TotalsRefreshMark.objects.filter(campaign_id=campaign.pk).count() == 1
    monkeypatch.undo()
    current_app.tasks["campaigns.tasks.totals_refresh_due_task"].apply()  # the beat sweep
    campaign.totals.refresh_from_db()
    assert campaign.totals.gift_count == 1
