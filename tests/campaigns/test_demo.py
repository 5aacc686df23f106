import pytest

from campaigns import demo
from campaigns.models import AllocationPlan, Campaign, Expenditure, ImpactUnit, SpendingCategory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        SpendingCategory.objects.count(),
        Campaign.objects.count(),
        AllocationPlan.objects.count(),
        ImpactUnit.objects.count(),
        Expenditure.objects.count(),
    )


def test_demo_seed_is_idempotent_and_gives_running_and_finished_campaigns_with_open_books(client):
    demo.seed()
    first = _counts()
    demo.seed()

    assert _counts() == first
    assert first[0] == 6
    assert set(Campaign.objects.values_list("slug", flat=True)) == {
        "safe-nights",
        "legal-lifeline",
        "pathways-to-work",
        "winter-coats",
        "hotline-phones",
    }
    finished = client.get("/campaigns/finished/").content.decode()
    assert "Warm Winter" in finished and "Phones for the Night Line" in finished
    for campaign in Campaign.objects.all():
        assert sum(campaign.allocation_lines.values_list("share_bps", flat=True)) == 10000
        assert campaign.fund.is_restricted
        response = client.get(f"/campaigns/{campaign.slug}/")
        assert response.status_code == 200
    assert "Northgate" not in client.get("/transparency/").content.decode()


def test_the_demo_campaigns_read_in_spanish(client):
    demo.seed()

    page = client.get("/campaigns/safe-nights/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/campaigns/safe-nights/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Noches Seguras" in page
    assert "una noche de vivienda segura" in page
    assert "Cuarenta y una noches en octubre" in page
    assert "Safe Nights" in english and "Noches Seguras" not in english
    assert SpendingCategory.objects.get(slug="medical-care").name_es == "Atención médica"
