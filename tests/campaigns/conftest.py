import pytest

from campaigns.services import allocation_plan_set, totals_refresh
from tests.e2e.conftest import browser, page, screenshot  # noqa: F401 - browser fixtures for test_e2e.py
from tests.factories import CampaignFactory, SpendingCategoryFactory

SIX = [
    ("emergency-housing", "Emergency housing"),
    ("medical-care", "Medical care"),
    ("legal-assistance", "Legal assistance"),
    ("crisis-counseling", "Crisis counseling"),
    ("education-job-training", "Education and job training"),
    ("community-support", "Community support"),
]


@pytest.fixture
def categories(db):
    return {
        slug: SpendingCategoryFactory(slug=slug, name=name, position=i) for i, (slug, name) in enumerate(SIX)
    }


@pytest.fixture
def campaign(db, categories):
    """A published campaign with a 60/25/15 plan and its totals row."""
    campaign = CampaignFactory(slug="safe-nights", title="Safe Nights")
    allocation_plan_set(
        campaign=campaign,
        lines=[
            (categories["emergency-housing"], 6000),
            (categories["medical-care"], 2500),
            (categories["crisis-counseling"], 1500),
        ],
    )
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    return campaign


def refresh(campaign):
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
