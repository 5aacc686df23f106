"""The opt-in to campaign updates on the donation form: unticked by default, and recorded with the
time, the exact words shown (in the language shown) and the campaign (campaigns/subscriptions.py)."""

import pytest
from django.utils import timezone

from campaigns.models import UpdateConsent, UpdateSubscription
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _details(campaign, **overrides):
    data = {
        "amount_choice": "4000",
        "custom_amount": "",
        "frequency": "one_time",
        "designation": f"campaign:{campaign.pk}",
        "name": "Ana Lima",
        "email": "Ana@Example.org",
        "tribute_type": "",
        "confirm": "1",
    }
    data.update(overrides)
    return data


def test_the_opt_in_is_unticked_and_records_time_wording_language_and_campaign(client, standin):
    campaign = CampaignFactory(title="Safe Nights")
    page = client.post(
        f"/campaigns/{campaign.slug}/donate/", {"amount_choice": "4000", "frequency": "one_time"}
    ).content.decode()
    wording = "Yes, email me updates about “Safe Nights”. I can unsubscribe at any time, in one click."
    assert wording in page
    assert 'name="updates_opt_in"' in page and 'name="updates_opt_in" checked' not in page

    # without the tick, nothing is recorded
    client.post(f"/campaigns/{campaign.slug}/donate/", _details(campaign))
    assert not UpdateSubscription.objects.exists()

    before = timezone.now()
    client.post(f"/campaigns/{campaign.slug}/donate/", _details(campaign, updates_opt_in="on"))

    subscription = UpdateSubscription.objects.get()
    consent = subscription.consents.get()
    assert (subscription.email, subscription.campaign, subscription.language) == (
        "ana@example.org",
        campaign,
        "en",
    )
    assert (consent.action, consent.source, consent.wording, consent.language, consent.campaign) == (
        "opt_in",
        "donate_form",
        wording,
        "en",
        campaign,
    )
    assert before <= consent.recorded_at <= timezone.now()


def test_the_wording_is_recorded_in_the_language_it_was_shown_in(client, standin):
    campaign = CampaignFactory(title_en="Safe Nights", title_es="Noches Seguras")

    client.post(
        f"/campaigns/{campaign.slug}/donate/?lang=es",
        _details(campaign, updates_opt_in="on"),
        HTTP_ACCEPT_LANGUAGE="es",
    )

    consent = UpdateConsent.objects.get()
    assert consent.language == "es"
    assert consent.wording.startswith("Sí, envíenme por correo electrónico novedades sobre «Noches Seguras»")
    assert UpdateSubscription.objects.get().language == "es"
