"""The demo's in-kind needs: two needs with pledges (the demo donor's received in part), and one
subscriber to campaign updates; seeding twice creates nothing twice."""

import pytest

from campaigns.models import UpdateSubscription
from donations.models import InKindNeed, InKindPledge

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_two_needs_with_pledges_and_a_subscriber(client):
    from accounts import demo as accounts_demo
    from campaigns import demo as campaigns_demo
    from donations import inkind_demo

    accounts_demo.seed()
    campaigns_demo.seed()
    inkind_demo.seed()
    inkind_demo.seed()

    assert InKindNeed.objects.count() == 2
    assert InKindPledge.objects.count() == len(inkind_demo.PLEDGES)
    assert InKindPledge.objects.filter(status="received").count() == 2
    assert UpdateSubscription.objects.filter(unsubscribed_at__isnull=True).count() == 1
    page = client.get("/give/in-kind/").content.decode()
    assert "Winter coats, adult sizes" in page and "Hygiene kits" in page
    assert "100 Example Street" not in page
    client.force_login(InKindPledge.objects.get(email="donor@haven.example").user)
    assert "4 × Winter coats, adult sizes" in client.get("/me/giving/").content.decode()
