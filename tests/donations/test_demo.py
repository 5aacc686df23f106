import pytest

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

    gifts = Donation.objects.filter(entry_nonce__isnull=False)
    assert gifts.count() == len(demo.ONE_TIME) + 3
    assert gifts.filter(status=Donation.Status.SUCCEEDED).count() == gifts.count()
    assert gifts.filter(is_anonymous=True).exists() and gifts.filter(show_name_publicly=True).exists()
    assert RecurringGift.objects.get().donations.count() == 3
    assert Receipt.objects.count() == gifts.count()
    assert len(mailoutbox) == gifts.count()


def test_demo_seed_skips_missing_campaigns():
    from donations import demo

    demo.seed()

    # only the general-fund gift has somewhere to go
    assert Donation.objects.count() == 1
    assert Donation.objects.get().fund.is_general
