import threading

import pytest
from django.core.management import call_command
from django.db import connection

from campaigns.models import CampaignMonthTotals, CampaignTotals, FundTotals
from campaigns.services import totals_refresh
from donations.models import Donation
from tests.factories import CampaignFactory, DonationFactory

pytestmark = pytest.mark.django_db


def _refresh(campaign):
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)


def test_totals_count_succeeded_gifts_net_of_refunds_and_distinct_donors():
    # given three succeeded gifts from two people (one email in two spellings), a pending and a failed one
    campaign = CampaignFactory()
    DonationFactory(campaign=campaign, amount=4000, donor_email="a@example.org")
    DonationFactory(campaign=campaign, amount=6000, donor_email="A@Example.org")
    DonationFactory(campaign=campaign, amount=10000, donor_email="b@example.org", amount_refunded=2500)
    DonationFactory(campaign=campaign, amount=9999, status=Donation.Status.PENDING)
    DonationFactory(campaign=campaign, amount=9999, status=Donation.Status.FAILED)

    # when
    _refresh(campaign)

    # then
    totals = CampaignTotals.objects.get(campaign=campaign)
    assert totals.raised == 4000 + 6000 + 7500
    assert totals.gift_count == 3
    assert totals.donor_count == 2
    fund_totals = FundTotals.objects.get(fund=campaign.fund)
    assert fund_totals.raised == 17500
    assert fund_totals.donor_count == 2
    assert (
        sum(CampaignMonthTotals.objects.filter(campaign=campaign).values_list("raised", flat=True)) == 17500
    )


def test_refund_and_dispute_take_money_back_out_of_the_totals():
    # given
    campaign = CampaignFactory()
    kept = DonationFactory(campaign=campaign, amount=5000)
    refunded = DonationFactory(campaign=campaign, amount=3000)
    disputed = DonationFactory(campaign=campaign, amount=2000)
    _refresh(campaign)
    assert CampaignTotals.objects.get(campaign=campaign).raised == 10000

    # when a full refund and a dispute are recorded
    Donation.objects.filter(pk=refunded.pk).update(status=Donation.Status.REFUNDED, amount_refunded=3000)
    Donation.objects.filter(pk=disputed.pk).update(status=Donation.Status.DISPUTED)
    _refresh(campaign)

    # then only the kept gift counts
    totals = CampaignTotals.objects.get(campaign=campaign)
    assert (totals.raised, totals.gift_count, totals.donor_count) == (5000, 1, 1)
    assert kept.pk


def test_refresh_with_no_gifts_writes_zeros_and_is_idempotent():
    campaign = CampaignFactory()

    _refresh(campaign)
    _refresh(campaign)

    totals = CampaignTotals.objects.get(campaign=campaign)
    assert (totals.raised, totals.gift_count, totals.donor_count) == (0, 0, 0)
    assert not CampaignMonthTotals.objects.filter(campaign=campaign).exists()


def test_recompute_totals_command_refreshes_every_campaign(capsys):
    campaign = CampaignFactory()
    DonationFactory(campaign=campaign, amount=1234)

    call_command("recompute_totals")

    assert CampaignTotals.objects.get(campaign=campaign).raised == 1234
    assert "Refreshed totals" in capsys.readouterr().out


def test_refresh_is_a_few_queries_whatever_the_number_of_gifts(django_assert_max_num_queries):
    campaign = CampaignFactory()
    DonationFactory.create_batch(30, campaign=campaign)
    _refresh(campaign)  # creates the totals rows

    # 16, and 3 more where the public figures are live (the test settings): the refresh then also
    # publishes (services.public_totals_publish) under the publication row's lock, copying the match
    # offers' and the supporter pages' figures too, one query each whatever their number
    with django_assert_max_num_queries(19):
        _refresh(campaign)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_never_leave_stale_numbers(requires_postgres):
    # given a campaign whose gifts change while several refreshes run at once
    campaign = CampaignFactory()
    DonationFactory.create_batch(5, campaign=campaign, amount=1000)
    errors = []

    def worker():
        try:
            for _ in range(5):
                _refresh(campaign)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    DonationFactory.create_batch(3, campaign=campaign, amount=500)
    for t in threads:
        t.join()
    # the last refresh after the last change is what donations' on_commit hook guarantees
    _refresh(campaign)

    # then
    assert errors == []
    totals = CampaignTotals.objects.get(campaign=campaign)
    assert totals.raised == 6500
    assert totals.gift_count == 8


def test_beat_safety_net_task_repairs_stale_totals(settings):
    from campaigns.tasks import totals_recompute_all_task

    campaign = CampaignFactory()
    DonationFactory(campaign=campaign, amount=2500)  # no refresh: the cache is stale
    CampaignTotals.objects.update_or_create(campaign=campaign, defaults={"raised": 0})

    totals_recompute_all_task.delay()

    assert CampaignTotals.objects.get(campaign=campaign).raised == 2500
    assert FundTotals.objects.get(fund=campaign.fund).raised == 2500
    assert (
        settings.CELERY_BEAT_SCHEDULE["campaigns-recompute-totals"]["task"] == totals_recompute_all_task.name
    )


def test_months_are_the_organisations_months_not_utc():
    import datetime

    # given a gift at 03:00 UTC on March 1st, which is still February 28th in New York
    campaign = CampaignFactory()
    DonationFactory(
        campaign=campaign, amount=1000, succeeded_at=datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)
    )
    DonationFactory(
        campaign=campaign, amount=2000, succeeded_at=datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
    )

    _refresh(campaign)

    months = dict(CampaignMonthTotals.objects.filter(campaign=campaign).values_list("month", "raised"))
    assert months == {datetime.date(2026, 2, 1): 1000, datetime.date(2026, 3, 1): 2000}
