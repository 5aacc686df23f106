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
