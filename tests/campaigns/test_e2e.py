"""In a real browser: a visitor reads a campaign page; staff plan a campaign's split."""

import pytest

from campaigns.models import AllocationPlan
from campaigns.services import allocation_plan_set, totals_refresh
from tests.factories import (
    CampaignFactory,
    DonationFactory,
    ExpenditureFactory,
    SpendingCategoryFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_visitor_sees_progress_the_plan_and_the_charts(page, live_server, screenshot):
    # given a campaign with gifts, a plan and published spending
    housing = SpendingCategoryFactory(name="Emergency housing", slug="emergency-housing")
    medical = SpendingCategoryFactory(name="Medical care", slug="medical-care")
    campaign = CampaignFactory(title="Safe Nights", slug="safe-nights", goal_amount=1_000_000)
    allocation_plan_set(campaign=campaign, lines=[(housing, 8000), (medical, 2000)])
    DonationFactory.create_batch(3, campaign=campaign, amount=50000)
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    ExpenditureFactory(campaign=campaign, category=housing, amount=40000)

    # when
    page.goto("/campaigns/safe-nights/")

    # then
    bar = page.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "15"
    assert "$1,500" in page.locator("#campaign-progress").inner_text()
    assert page.get_by_role("img", name="Planned split and actual spending by category").is_visible()
    assert page.get_by_role("img", name="Raised over time").is_visible()
    assert (
        page.get_by_role("link", name="Give to Safe Nights").get_attribute("href")
        == "/campaigns/safe-nights/donate/"
    )
    screenshot("campaign")


def test_staff_see_the_running_total_and_a_clear_error_when_the_split_is_not_100(
    page, live_server, screenshot
):
    # given
    UserFactory(email="sam@example.org", roles=["staff"])
    SpendingCategoryFactory(name="Emergency housing", slug="emergency-housing")
    SpendingCategoryFactory(name="Legal assistance", slug="legal-assistance")
    campaign = CampaignFactory(title="Safe Nights")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/me/")

    # when staff type a split that adds up to 90%
    page.goto(f"/staff/campaigns/{campaign.pk}/plan/")
    first, second = page.get_by_role("group", name="Line 1"), page.get_by_role("group", name="Line 2")
    first.get_by_label("Category").select_option(label="Emergency housing")
    first.get_by_label("Share (%)").fill("60")
    second.get_by_label("Category").select_option(label="Legal assistance")
    second.get_by_label("Share (%)").fill("30")

    # then the page says what is left, and the server refuses it with a clear message
    assert "10% left to plan" in page.locator("#allocation-total").inner_text()
    page.get_by_role("button", name="Save split").click()
    assert "these lines add up to 90%" in page.locator("#formset-errors").inner_text()
    screenshot("plan-error")

    # when they fix it
    page.get_by_role("group", name="Line 2").get_by_label("Share (%)").fill("40")
    assert "(complete)" in page.locator("#allocation-total").inner_text()
    page.get_by_role("button", name="Save split").click()
    page.wait_for_url("**/staff/campaigns/")

    # then
    assert sorted(AllocationPlan.objects.filter(campaign=campaign).values_list("share_bps", flat=True)) == [
        4000,
        6000,
    ]
