import pytest
from django.urls import reverse

from donations.models import Donation
from tests.factories import (
    CampaignFactory,
    CampaignUpdateFactory,
    DonationFactory,
    ExpenditureFactory,
    ImpactUnitFactory,
)

from .conftest import refresh

pytestmark = pytest.mark.django_db


def test_campaign_page_shows_progress_after_gifts(client, campaign):
    # given two gifts from two people
    DonationFactory(campaign=campaign, amount=30000)
    DonationFactory(campaign=campaign, amount=20000)
    refresh(campaign)

    # when
    response = client.get(reverse("campaigns:detail", args=[campaign.slug]))

    # then: $500 of $50,000 = 1%, two donors, an accessible bar
    body = response.content.decode()
    assert response.status_code == 200
    assert "$500</strong> raised of $50,000 goal" in body
    assert "2 donors" in body
    assert 'role="progressbar"' in body
    assert 'aria-valuenow="1"' in body
    assert f'href="/campaigns/{campaign.slug}/donate/"' in body


def test_refunds_and_disputes_lower_the_page_total(client, campaign):
    # given
    kept = DonationFactory(campaign=campaign, amount=100000)
    partly = DonationFactory(campaign=campaign, amount=50000)
    disputed = DonationFactory(campaign=campaign, amount=70000)
    refresh(campaign)
    assert "$2,200</strong> raised" in client.get(f"/campaigns/{campaign.slug}/").content.decode()

    # when a partial refund and a dispute arrive
    Donation.objects.filter(pk=partly.pk).update(amount_refunded=20000)
    Donation.objects.filter(pk=disputed.pk).update(status=Donation.Status.DISPUTED)
    refresh(campaign)

    # then
    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "$1,300</strong> raised" in body
    assert "2 donors" in body
    assert kept.pk


def test_campaign_page_shows_story_safely_impact_units_updates_and_share_cards(client, campaign):
    # given a story with markup typed by staff
    campaign.story = "First paragraph <script>alert(1)</script>\n\nSecond paragraph"
    campaign.save()
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    CampaignUpdateFactory(campaign=campaign, title="Twelve more nights")

    # when
    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()

    # then
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "<p>Second paragraph</p>" in body
    assert "$40</strong> = one night of safe housing" in body
    assert "Twelve more nights" in body
    assert f'<meta property="og:title" content="{campaign.title}">' in body
    assert 'name="twitter:card"' in body


def test_charts_are_inline_svg_with_text_alternatives(client, campaign):
    DonationFactory(campaign=campaign, amount=30000)
    ExpenditureFactory(campaign=campaign, category=campaign.allocation_lines.first().category)
    refresh(campaign)

    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()

    assert body.count('role="img"') == 2
    assert 'aria-labelledby="raised-chart-title raised-chart-desc"' in body
    assert 'aria-labelledby="uses-chart-title uses-chart-desc"' in body
    assert "<figcaption>" in body
    assert "Raised over time as a table" in body


def test_planned_and_spent_by_category_are_shown_side_by_side(client, campaign, categories):
    # given spending in a published month, one category in the plan and one outside it
    ExpenditureFactory(campaign=campaign, category=categories["emergency-housing"], amount=30000)
    ExpenditureFactory(campaign=campaign, category=categories["legal-assistance"], amount=10000)

    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()

    assert '<th scope="row">Emergency housing</th><td class="num">60%</td><td class="num">$300</td>' in body
    assert '<th scope="row">Legal assistance</th><td class="num">0%</td><td class="num">$100</td>' in body


def test_named_supporters_show_exactly_the_name_they_chose_and_never_the_anonymous(client, campaign):
    # given a donor who wrote their name family name first and chose to be thanked as "Anh"
    DonationFactory(
        campaign=campaign, donor_name="Nguyen Thi Anh", show_name_publicly=True, public_name="Anh"
    )
    DonationFactory(
        campaign=campaign, donor_name="Garcia Lopez, Maria", show_name_publicly=True, public_name="Maria"
    )
    DonationFactory(campaign=campaign, donor_name="Quentin Zebulon", is_anonymous=True)
    DonationFactory(campaign=campaign, donor_name="Hidden Person", show_name_publicly=False)
    # and one who opted in before the form asked for a name to show: nothing is cut out of their name
    DonationFactory(campaign=campaign, donor_name="Old Optin", show_name_publicly=True)
    refresh(campaign)

    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()

    assert "With thanks to Anh, Maria," in body
    for hidden in ("Nguyen", "Garcia", "Lopez", "Quentin", "Hidden", "Old", "N.", "L."):
        assert hidden not in body, hidden


def test_unpublished_campaign_is_404_for_the_public_and_previewable_by_staff(client, staff_user):
    draft = CampaignFactory(is_published=False)

    assert client.get(f"/campaigns/{draft.slug}/").status_code == 404
    client.force_login(staff_user)
    response = client.get(f"/campaigns/{draft.slug}/")
    assert response.status_code == 200
    assert "Preview" in response.content.decode()


def test_list_shows_active_campaigns_and_finished_ones_apart(client, campaign):
    import datetime

    ended = CampaignFactory(
        title="Winter Coats",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 3, 1),
    )

    active_body = client.get("/campaigns/").content.decode()
    finished_body = client.get("/campaigns/finished/").content.decode()

    assert campaign.title in active_body and ended.title not in active_body
    assert ended.title in finished_body and campaign.title not in finished_body


def test_transparency_page_shows_income_by_fund_and_spending_by_category(client, campaign, categories):
    DonationFactory(campaign=campaign, amount=12345)
    refresh(campaign)
    ExpenditureFactory(campaign=campaign, category=categories["medical-care"], amount=5000)

    body = client.get("/transparency/").content.decode()

    assert campaign.fund.name in body
    assert "$123.45" in body
    assert "Medical care" in body
    assert "$50" in body


def test_updates_feed_lists_published_updates_only(client, campaign):
    CampaignUpdateFactory(campaign=campaign, title="Forty nights in March")
    CampaignUpdateFactory(campaign=campaign, title="Draft news", is_published=False)

    response = client.get(f"/campaigns/{campaign.slug}/updates.atom")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Forty nights in March" in body
    assert "Draft news" not in body


def test_suggested_amounts_show_their_impact_for_the_donation_form(client, campaign):
    from campaigns.selectors import impact_units_for, suggested_amounts_with_impact

    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    ImpactUnitFactory(campaign=campaign, amount=15000, description="an hour with a lawyer")

    assert [u.amount for u in impact_units_for(campaign)] == [4000, 15000]
    assert suggested_amounts_with_impact(campaign) == [
        (2500, None),
        (4000, "one night of safe housing"),
        (10000, None),
    ]
    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "<strong>$40</strong> (one night of safe housing)" in body
