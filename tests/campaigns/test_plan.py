import pytest
from django.core.exceptions import ValidationError

from campaigns.models import AllocationPlan
from campaigns.services import allocation_plan_set

pytestmark = pytest.mark.django_db


def test_a_split_adding_up_to_exactly_100_percent_replaces_the_plan(campaign, categories):
    # when
    allocation_plan_set(
        campaign=campaign,
        lines=[(categories["legal-assistance"], 7000), (categories["crisis-counseling"], 3000)],
    )

    # then
    lines = dict(AllocationPlan.objects.filter(campaign=campaign).values_list("category__slug", "share_bps"))
    assert lines == {"legal-assistance": 7000, "crisis-counseling": 3000}


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([6000, 3000], "add up to exactly 100%; these lines add up to 90%"),
        ([6000, 4001], "these lines add up to 100.01%"),
        ([10000, 0], "must be more than 0%"),
        ([11000, -1000], "must be more than 0%"),
    ],
)
def test_a_split_that_is_not_100_percent_or_has_empty_lines_is_refused(campaign, categories, shares, message):
    before = list(AllocationPlan.objects.filter(campaign=campaign).values_list("category_id", "share_bps"))
    lines = list(zip([categories["medical-care"], categories["legal-assistance"]], shares, strict=True))

    with pytest.raises(ValidationError) as excinfo:
        allocation_plan_set(campaign=campaign, lines=lines)

    assert any(message in m for m in excinfo.value.messages)
    # and the old plan stays as it was
    assert (
        list(AllocationPlan.objects.filter(campaign=campaign).values_list("category_id", "share_bps"))
        == before
    )


def test_a_category_twice_is_refused(campaign, categories):
    with pytest.raises(ValidationError, match="more than once"):
        allocation_plan_set(
            campaign=campaign,
            lines=[(categories["medical-care"], 5000), (categories["medical-care"], 5000)],
        )


def test_an_empty_plan_is_refused(campaign):
    with pytest.raises(ValidationError, match="at least one category"):
        allocation_plan_set(campaign=campaign, lines=[])


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_plans_at_once_leave_one_whole_plan(requires_postgres):
    import threading

    from django.db import connection

    from tests.factories import CampaignFactory, SpendingCategoryFactory

    # given
    campaign = CampaignFactory()
    a, b, c = (SpendingCategoryFactory() for _ in range(3))
    plans = [[(a, 5000), (b, 5000)], [(b, 2000), (c, 8000)]] * 4
    errors = []
    barrier = threading.Barrier(len(plans))

    def save(lines):
        try:
            barrier.wait()
            allocation_plan_set(campaign=campaign, lines=lines)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when eight saves race
    threads = [threading.Thread(target=save, args=(lines,)) for lines in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then none failed and the plan is exactly one of them, never a mix
    assert errors == []
    final = sorted(AllocationPlan.objects.filter(campaign=campaign).values_list("category_id", "share_bps"))
    assert final in (sorted([(a.pk, 5000), (b.pk, 5000)]), sorted([(b.pk, 2000), (c.pk, 8000)]))
