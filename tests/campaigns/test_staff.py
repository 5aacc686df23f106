import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import AllocationPlan, Campaign, Expenditure, ImpactUnit
from campaigns.services import fund_save
from tests.factories import CampaignFactory, ExpenditureFactory, FundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _campaign_post(fund, **overrides):
    data = {
        "title": "Legal Lifeline",
        "slug": "legal-lifeline",
        "summary": "Lawyers for survivors.",
        "story": "A story.",
        "goal": "25000",
        "fund": fund.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "suggested_amounts": "25, 40, 100.50",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_staff_pages_need_the_staff_role(client, donor):
    assert client.get("/staff/campaigns/").status_code == 302
    client.force_login(donor)
    for url in ("/staff/campaigns/", "/staff/expenditures/", "/staff/funds/", "/staff/categories/"):
        assert client.get(url).status_code == 403, url


def test_staff_creates_a_campaign_with_amounts_in_dollars(staff_client):
    fund = FundFactory()

    response = staff_client.post("/staff/campaigns/new/", _campaign_post(fund))

    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="legal-lifeline")
    assert campaign.goal_amount == 2_500_000
    assert campaign.suggested_amounts == [2500, 4000, 10050]
    assert campaign.totals.raised == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": "2025-12-31"}, "ends_on", "The end date must be on or after the start date."),
        ({"goal": "-5"}, "goal", "The amount cannot be negative."),
        ({"goal": "0"}, "goal", "The amount must be more than zero."),
        ({"suggested_amounts": "25, lots"}, "suggested_amounts", "is not an amount"),
        ({"slug": "finished"}, "slug", "is reserved"),
    ],
)
def test_campaign_form_says_what_is_wrong_next_to_the_field(staff_client, overrides, field, message):
    fund = FundFactory()

    response = staff_client.post("/staff/campaigns/new/", _campaign_post(fund, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field]), errors
    assert message in response.content.decode().replace("&#x27;", "'").replace("\u201c", "").replace(
        "\u201d", ""
    )
    assert not Campaign.objects.filter(slug="legal-lifeline").exists()


def _plan_post(lines):
    data = {"plan-TOTAL_FORMS": str(len(lines)), "plan-INITIAL_FORMS": "0"}
    for i, (category, percent) in enumerate(lines):
        data[f"plan-{i}-category"] = category.pk if category else ""
        data[f"plan-{i}-percent"] = percent
    return data


def test_staff_sets_a_plan_that_adds_up_to_100(staff_client, campaign, categories):
    response = staff_client.post(
        f"/staff/campaigns/{campaign.pk}/plan/",
        _plan_post(
            [(categories["legal-assistance"], "62.5"), (categories["medical-care"], "37.5"), (None, "")]
        ),
    )

    assert response.status_code == 302
    assert dict(
        AllocationPlan.objects.filter(campaign=campaign).values_list("category__slug", "share_bps")
    ) == {
        "legal-assistance": 6250,
        "medical-care": 3750,
    }


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [("legal-assistance", "60"), ("medical-care", "30")],
            "must add up to exactly 100%; these lines add up to 90%",
        ),
        ([("legal-assistance", "110"), ("medical-care", "-10")], "A share must be more than 0%."),
        ([("legal-assistance", "0"), ("medical-care", "100")], "A share must be more than 0%."),
        ([("medical-care", "50"), ("medical-care", "50")], "Medical care appears more than once"),
    ],
)
def test_plan_form_errors_are_clear(staff_client, campaign, categories, lines, message):
    before = list(AllocationPlan.objects.filter(campaign=campaign).values_list("category_id", "share_bps"))

    response = staff_client.post(
        f"/staff/campaigns/{campaign.pk}/plan/", _plan_post([(categories[c], p) for c, p in lines])
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        list(AllocationPlan.objects.filter(campaign=campaign).values_list("category_id", "share_bps"))
        == before
    )


def test_staff_sets_impact_units(staff_client, campaign):
    response = staff_client.post(
        f"/staff/campaigns/{campaign.pk}/impact/",
        {
            "impact-TOTAL_FORMS": "3",
            "impact-INITIAL_FORMS": "0",
            "impact-0-amount": "40",
            "impact-0-description": "one night of safe housing",
            "impact-1-amount": "150",
            "impact-1-description": "an hour with an immigration lawyer",
            "impact-2-amount": "",
            "impact-2-description": "",
        },
    )

    assert response.status_code == 302
    assert list(ImpactUnit.objects.filter(campaign=campaign).values_list("amount", "description")) == [
        (4000, "one night of safe housing"),
        (15000, "an hour with an immigration lawyer"),
    ]


def test_staff_posts_an_update_that_appears_on_the_page(staff_client, client, campaign):
    staff_client.post(
        f"/staff/campaigns/{campaign.pk}/updates/",
        {"title": "Forty nights in March", "body": "Thank you.", "is_published": "on"},
    )

    assert "Forty nights in March" in client.get(f"/campaigns/{campaign.slug}/").content.decode()


def _expenditure_post(campaign, category, **overrides):
    data = {
        "spent_on": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
        "amount": "1250.40",
        "currency": "USD",
        "category": category.pk,
        "fund": campaign.fund_id,
        "campaign": campaign.pk,
        "payee": "Riverside Clinic",
        "note": "Two visits",
    }
    data.update(overrides)
    return data


def test_staff_records_spending_with_a_receipt_only_staff_can_download(
    staff_client, client, campaign, categories, donor
):
    document = SimpleUploadedFile(
        "riverside-clinic-invoice.pdf", b"%PDF-1.4 invoice", content_type="application/pdf"
    )

    response = staff_client.post(
        "/staff/expenditures/new/",
        {**_expenditure_post(campaign, categories["medical-care"]), "document": document},
    )

    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    assert expenditure.amount == 125040
    assert expenditure.currency == "usd"
    assert "riverside" not in expenditure.document.name  # stored under a random name
    download = staff_client.get(f"/staff/expenditures/{expenditure.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 invoice"
    client.force_login(donor)
    assert client.get(f"/staff/expenditures/{expenditure.pk}/document/").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "-20"}, "amount", "The amount cannot be negative."),
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"currency": "EUR"}, "currency", "The books are kept in USD"),
        ({"spent_on": "2999-01-01"}, "spent_on", "cannot be in the future"),
    ],
)
def test_expenditure_errors_are_next_to_the_field(
    staff_client, campaign, categories, overrides, field, message
):
    response = staff_client.post(
        "/staff/expenditures/new/", _expenditure_post(campaign, categories["medical-care"], **overrides)
    )

    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Expenditure.objects.exists()


def test_a_restricted_fund_pays_only_for_the_categories_it_allows(staff_client, campaign, categories):
    fund_save(
        fund=campaign.fund,
        name=campaign.fund.name,
        slug=campaign.fund.slug,
        is_restricted=True,
        allowed_categories=[categories["emergency-housing"]],
    )

    response = staff_client.post(
        "/staff/expenditures/new/", _expenditure_post(campaign, categories["legal-assistance"])
    )

    assert response.status_code == 200
    assert any(
        "may not be spent on Legal assistance" in e for e in response.context["form"].errors["category"]
    )
    assert not Expenditure.objects.exists()


def test_a_campaigns_spending_must_come_from_its_fund(staff_client, campaign, categories):
    other = FundFactory()

    response = staff_client.post(
        "/staff/expenditures/new/", _expenditure_post(campaign, categories["medical-care"], fund=other.pk)
    )

    assert response.status_code == 200
    assert "fund" in response.context["form"].errors


def test_expenditure_list_filters_by_month_category_and_fund(staff_client, campaign, categories):
    ExpenditureFactory(
        campaign=campaign,
        category=categories["medical-care"],
        payee="March Clinic",
        spent_on=datetime.date(2026, 3, 4),
    )
    ExpenditureFactory(
        campaign=campaign,
        category=categories["emergency-housing"],
        payee="March Rooms",
        spent_on=datetime.date(2026, 3, 9),
    )
    ExpenditureFactory(
        campaign=campaign,
        category=categories["medical-care"],
        payee="April Clinic",
        spent_on=datetime.date(2026, 4, 2),
    )

    body = staff_client.get(
        "/staff/expenditures/",
        {"month": "2026-03", "category": categories["medical-care"].pk, "fund": campaign.fund_id},
    ).content.decode()

    assert "March Clinic" in body
    assert "March Rooms" not in body
    assert "April Clinic" not in body


def test_staff_manages_categories_and_funds(staff_client, categories):
    assert (
        staff_client.post(
            "/staff/categories/",
            {"name": "Transport", "slug": "transport", "position": "7", "is_active": "on"},
        ).status_code
        == 302
    )
    duplicate = staff_client.post(
        "/staff/categories/", {"name": "Transport", "slug": "transport-2", "position": "8"}
    )
    assert duplicate.status_code == 200
    assert "name" in duplicate.context["form"].errors

    response = staff_client.post(
        "/staff/funds/",
        {
            "name": "Housing fund",
            "slug": "housing",
            "is_restricted": "on",
            "allowed_categories": [categories["emergency-housing"].pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    from campaigns.models import Fund

    fund = Fund.objects.get(slug="housing")
    assert list(fund.allowed_categories.values_list("slug", flat=True)) == ["emergency-housing"]


def test_every_staff_page_renders(staff_client, campaign, categories):
    expenditure = ExpenditureFactory(campaign=campaign, category=categories["medical-care"])
    update = campaign.updates.create(title="News", body="Body", published_at=expenditure.created_at)
    for url in (
        "/staff/campaigns/",
        "/staff/campaigns/new/",
        f"/staff/campaigns/{campaign.pk}/",
        f"/staff/campaigns/{campaign.pk}/plan/",
        f"/staff/campaigns/{campaign.pk}/impact/",
        f"/staff/campaigns/{campaign.pk}/updates/",
        f"/staff/campaigns/{campaign.pk}/updates/{update.pk}/",
        "/staff/expenditures/",
        "/staff/expenditures/new/",
        f"/staff/expenditures/{expenditure.pk}/",
        "/staff/categories/",
        f"/staff/categories/{categories['medical-care'].pk}/",
        "/staff/funds/",
        f"/staff/funds/{campaign.fund_id}/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
    # the staff list shows the payee (staff only)
    assert expenditure.payee in staff_client.get("/staff/expenditures/").content.decode()


def test_moving_a_campaign_to_another_fund_refreshes_both_funds_after_commit(
    staff_client, campaign, django_capture_on_commit_callbacks
):
    from campaigns.models import FundTotals
    from tests.factories import DonationFactory

    from .conftest import refresh

    DonationFactory(campaign=campaign, amount=9000)
    refresh(campaign)
    old_fund = campaign.fund
    new_fund = FundFactory()
    data = _campaign_post(new_fund, title=campaign.title, slug=campaign.slug)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(f"/staff/campaigns/{campaign.pk}/", data)

    assert response.status_code == 302
    assert len([c for c in callbacks if c.__qualname__.startswith("campaign_edit.")]) == 2
    assert FundTotals.objects.get(fund=new_fund).raised == 0  # the gifts stay designated to the old fund
    assert FundTotals.objects.get(fund=old_fund).raised == 9000


def test_plan_form_has_a_line_for_every_category(staff_client, campaign, categories):
    # given a plan with three lines and six active categories
    response = staff_client.get(f"/staff/campaigns/{campaign.pk}/plan/")

    # then all six fit in one save: three filled lines and three empty ones
    formset = response.context["formset"]
    assert len(formset.forms) == 6
    assert [f.initial.get("percent") for f in formset.forms[:3]] == [60, 25, 15]


def test_staff_delete_a_wrong_expenditure_by_post_only(staff_client, campaign, categories):
    expenditure = ExpenditureFactory(campaign=campaign, category=categories["medical-care"])

    assert staff_client.get(f"/staff/expenditures/{expenditure.pk}/delete/").status_code == 405
    response = staff_client.post(f"/staff/expenditures/{expenditure.pk}/delete/")

    assert response.status_code == 302
    assert not Expenditure.objects.filter(pk=expenditure.pk).exists()


def test_days_left_counts_down_to_ends_today(client):
    import time_machine

    CampaignFactory(slug="short", starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 10))

    with time_machine.travel(datetime.datetime(2026, 3, 8, 17, 0, tzinfo=datetime.UTC)):
        assert "2 days left" in client.get("/campaigns/short/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)):
        assert "Ends today" in client.get("/campaigns/short/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 3, 11, 17, 0, tzinfo=datetime.UTC)):
        body = client.get("/campaigns/short/").content.decode()
        assert "This campaign has ended." in body
        assert "/campaigns/short/donate/" not in body
