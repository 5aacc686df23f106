"""A person's in-kind pledges and campaign-update subscriptions are in their data download, and
erasing their data takes their name and address out of the pledges (the quantities stay, for the
need's progress) and deletes their subscriptions with the consent records."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.privacy import personal_data_erase, personal_data_export
from campaigns.models import UpdateConsent, UpdateSubscription
from campaigns.subscriptions import opt_in_wording, update_subscription_opt_in
from donations.models import InKindNeed, InKindPledge
from donations.services import inkind
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pledges_and_subscriptions_are_exported_and_erased():
    person = UserFactory(name="Quentin Zabriskie", email="quentin@private.example")
    assert EmailAddress.objects.filter(user=person, email=person.email, verified=True).exists()
    need = InKindNeed.objects.create(
        title_en="Hygiene kits",
        quantity_needed=10,
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    # one pledged while signed out with the same (verified) address, one signed in
    inkind.inkind_pledge_create(need=need, quantity=2, name="Quentin Z", email="Quentin@Private.example")
    inkind.inkind_pledge_create(
        need=need, quantity=1, name="Quentin Zabriskie", email=person.email, user=person
    )
    other = inkind.inkind_pledge_create(need=need, quantity=3, name="Someone Else", email="else@example.org")
    campaign = CampaignFactory()
    update_subscription_opt_in(
        email=person.email, wording=opt_in_wording(campaign), source="donate_form", campaign=campaign
    )

    exported = personal_data_export(user=person)

    assert sorted(p["quantity"] for p in exported["in_kind"]) == [1, 2]
    [subscription] = exported["update_emails"]
    assert subscription["consents"][0]["wording"] == opt_in_wording(campaign)

    personal_data_erase(user=person)

    mine = InKindPledge.objects.exclude(pk=other.pk)
    assert mine.count() == 2
    assert set(mine.values_list("name", flat=True)) == {""}
    assert all(email.endswith("@invalid") for email in mine.values_list("email", flat=True))
    assert not mine.filter(user__isnull=False).exists()
    other.refresh_from_db()
    assert other.name == "Someone Else"
    assert not UpdateSubscription.objects.exists() and not UpdateConsent.objects.exists()
