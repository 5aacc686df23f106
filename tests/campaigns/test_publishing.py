import datetime

import pytest
import time_machine
from django.test import override_settings

from campaigns.selectors import spending_by_category_month, spending_published_before
from tests.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db

NOON = datetime.time(12, 0)


def _at(day: datetime.date):
    # Noon in New York: the same local date whatever the zone of the machine running the tests.
    return time_machine.travel(
        datetime.datetime.combine(day, NOON, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    )


@override_settings(HAVEN_SPENDING_PUBLISH_DELAY_DAYS=15)
@pytest.mark.parametrize(
    ("today", "published_before"),
    [
        (datetime.date(2026, 4, 15), datetime.date(2026, 3, 1)),  # March ended 15 days ago: not yet
        (datetime.date(2026, 4, 16), datetime.date(2026, 4, 1)),  # the 16th: March is published
        (datetime.date(2026, 4, 1), datetime.date(2026, 3, 1)),
        (datetime.date(2026, 1, 10), datetime.date(2025, 12, 1)),  # across the new year
    ],
)
def test_a_month_is_published_only_after_it_ends_and_the_delay_passes(today, published_before):
    assert spending_published_before(today) == published_before


@override_settings(HAVEN_SPENDING_PUBLISH_DELAY_DAYS=15)
def test_spending_appears_publicly_only_once_its_month_is_published(client, campaign, categories):
    # given a payment on March 3rd
    with _at(datetime.date(2026, 3, 3)):
        ExpenditureFactory(
            campaign=campaign,
            category=categories["legal-assistance"],
            amount=987654,
            spent_on=datetime.date(2026, 3, 3),
        )

        # then it is not visible during March
        assert "$9,876.54" not in client.get(f"/campaigns/{campaign.slug}/").content.decode()
        assert "9876.54" not in client.get("/transparency/spending.csv").content.decode()

    # nor on April 15th (March closed, but the delay has not passed)
    with _at(datetime.date(2026, 4, 15)):
        assert spending_by_category_month() == []
        assert "987654" not in client.get("/api/v1/spending/").content.decode()
        assert "$9,876.54" not in client.get("/transparency/").content.decode()

    # and appears on April 16th, only as March's total for the category
    with _at(datetime.date(2026, 4, 16)):
        rows = spending_by_category_month()
        assert [(r["month"], r["category"], r["amount"]) for r in rows] == [
            (datetime.date(2026, 3, 1), "Legal assistance", 987654)
        ]
        assert (
            "2026-03,Legal assistance,legal-assistance,usd,987654"
            in client.get("/transparency/spending.csv").content.decode()
        )
        assert "$9,876.54" in client.get(f"/campaigns/{campaign.slug}/").content.decode()
