"""A page with 10,000 gifts behind it makes the same queries as one with 10: pages read cached
totals and monthly rows, never the donations table."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations.models import Donation
from tests.factories import CampaignFactory, ExpenditureFactory

from .conftest import refresh

pytestmark = pytest.mark.django_db

PAGES = {
    "campaign page": lambda c: f"/campaigns/{c.slug}/",
    "campaign list": lambda c: "/campaigns/",
    "transparency": lambda c: "/transparency/",
    "campaign API": lambda c: f"/api/v1/campaigns/{c.slug}/",
    "campaigns CSV": lambda c: "/transparency/campaigns.csv",
}
MAX_QUERIES = {
    "campaign page": 9,  # with one query for a sponsor's match and one for its supporter pages
    "campaign list": 2,
    "transparency": 5,  # with one query for the sponsors' matches
    "campaign API": 8,
    "campaigns CSV": 2,
}


def _add_gifts(campaign, count: int) -> None:
    start = timezone.now() - datetime.timedelta(days=400)
    Donation.objects.bulk_create(
        [
            Donation(
                campaign=campaign,
                fund_id=campaign.fund_id,
                donor_email=f"bulk{i}@example.org",
                donor_name=f"Bulk Donor{i}",
                amount=1000 + i % 5000,
                status=Donation.Status.SUCCEEDED,
                succeeded_at=start + datetime.timedelta(hours=i),
                show_name_publicly=i % 3 == 0,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    refresh(campaign)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_number_of_gifts(
    client, campaign, categories, page, django_assert_max_num_queries, public_cache_off
):
    # given a second campaign and some published spending, so lists and books have several rows
    CampaignFactory()
    ExpenditureFactory(campaign=campaign, category=categories["medical-care"])
    url = PAGES[page](campaign)
    _add_gifts(campaign, 10)
    with_ten = _count(client, url)

    # when the campaign gets 10,000 gifts
    _add_gifts(campaign, 9_990)

    # then
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
    assert response.status_code == 200
    assert _count(client, url) == with_ten
