import pytest
from django.utils import timezone

from donations.models import Donation, Receipt, RecurringGift

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_gives_receipts(django_capture_on_commit_callbacks, mailoutbox):
    from accounts import demo as accounts_demo
    from campaigns import demo as campaigns_demo
    from donations import demo

    accounts_demo.seed()
    campaigns_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
        demo.seed()

    # the named demo gifts (the year of history before them is written in bulk, without receipts)
    keys = [gift[0] for gift in demo.ONE_TIME] + [f"{demo.MONTHLY[0]}-{month}" for month in range(3)]
    gifts = Donation.objects.filter(entry_nonce__in=[demo._nonce(key) for key in keys])
    assert gifts.count() == len(demo.ONE_TIME) + 3
    assert gifts.filter(status=Donation.Status.SUCCEEDED).count() == gifts.count()
    assert gifts.filter(is_anonymous=True).exists() and gifts.filter(show_name_publicly=True).exists()
    assert RecurringGift.objects.get().donations.count() == 3
    # and the gifts through the approved supporter page, once each, with a notice to its owner
    from donations import supporter_demo

    page_gifts = Donation.objects.filter(supporter_page__isnull=False)
    assert page_gifts.count() == len(supporter_demo.GIFTS)
    assert Receipt.objects.count() == gifts.count() + page_gifts.count()
    # one receipt each (the in-kind demo's drop-off and acknowledgement emails come besides)
    assert sum(m.subject.startswith("Your receipt") for m in mailoutbox) == gifts.count() + page_gifts.count()
    notices = [m for m in mailoutbox if m.subject.startswith("A new gift through your page")]
    assert len(notices) == page_gifts.count()


def test_the_demo_campaigns_show_a_year_of_believable_giving(client):
    # given the demo's people, campaigns and gifts
    from accounts import demo as accounts_demo
    from campaigns import demo as campaigns_demo
    from campaigns.models import Campaign
    from donations import demo

    accounts_demo.seed()
    campaigns_demo.seed()
    demo.seed()

    # then running campaigns stand between 30 and 70 % of their goal, finished ones near or past it
    for campaign in Campaign.objects.select_related("totals"):
        share = campaign.totals.raised / campaign.goal_amount
        if campaign.ends_on and campaign.ends_on < timezone.localdate():
            assert 0.85 <= share <= 1.2, (campaign.slug, share)
        else:
            assert 0.3 <= share <= 0.7, (campaign.slug, share)

    # and the money came in over the year unevenly (a curve, not a straight line)
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    months = list(
        Donation.objects.filter(campaign__slug="safe-nights")
        .annotate(month=TruncMonth("succeeded_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("total", flat=True)
    )
    assert len(months) >= 10
    assert max(months) >= 2 * min(months)


def test_demo_seed_skips_missing_campaigns():
    from donations import demo

    demo.seed()

    # only the general-fund gift has somewhere to go
    assert Donation.objects.count() == 1
    assert Donation.objects.get().fund.is_general
