"""What staff write (campaigns, updates, impact units, funds, categories, roles, the agreement) can be
written in English and Spanish and is shown in the visitor's language, English where the Spanish is
empty. A staff member reading the site in Spanish still writes the English text into English."""

import pytest
from django.utils import translation

from campaigns.models import Campaign, Fund
from campaigns.services import fund_save
from tests.factories import CampaignFactory, FundFactory
from volunteers.models import Role

pytestmark = pytest.mark.django_db


def test_a_campaign_reads_in_the_visitors_language_and_falls_back_to_english(client):
    translated = CampaignFactory(title="Safe nights", title_es="Noches seguras", slug="safe-nights")
    english_only = CampaignFactory(title="Legal help fund", slug="legal-help")

    spanish = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Noches seguras" in spanish and "Safe nights" not in spanish
    assert "Legal help fund" in spanish  # no Spanish yet: English is shown
    assert "Safe nights" in english and "Noches seguras" not in english
    assert translated.pk and english_only.pk


def test_staff_write_both_languages_even_while_reading_the_site_in_spanish(client, staff_user):
    fund = FundFactory()
    client.force_login(staff_user)
    client.cookies["django_language"] = "es"

    response = client.post(
        "/staff/campaigns/new/",
        {
            "title": "Safe nights",
            "title_es": "Noches seguras",
            "slug": "safe-nights",
            "summary": "Rooms for the night someone leaves.",
            "summary_es": "",
            "story": "",
            "story_es": "",
            "goal": "5000",
            "fund": fund.pk,
            "starts_on": "2026-01-01",
            "suggested_amounts": "25, 40",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(slug="safe-nights")
    assert (campaign.title_en, campaign.title_es) == ("Safe nights", "Noches seguras")
    assert campaign.summary_en == "Rooms for the night someone leaves."
    with translation.override("es"):
        assert campaign.summary == "Rooms for the night someone leaves."  # falls back


def test_funds_without_a_spanish_name_do_not_collide():
    fund_save(name="Housing", slug="housing")
    fund_save(name="Legal", slug="legal", name_es="Ayuda legal")

    assert list(
        Fund.objects.filter(slug__in=["housing", "legal"]).order_by("slug").values_list("name_es", flat=True)
    ) == [
        None,
        "Ayuda legal",
    ]


def test_role_names_and_the_agreement_have_a_spanish_column():
    role = Role.objects.create(name_en="Driver", name_es="Conductor/a", slug="driver")

    with translation.override("es"):
        assert Role.objects.get(pk=role.pk).name == "Conductor/a"
    with translation.override("en"):
        assert Role.objects.get(pk=role.pk).name == "Driver"
