import datetime

import factory
from django.utils import timezone

from campaigns.models import (
    AllocationPlan,
    Campaign,
    CampaignUpdate,
    Expenditure,
    Fund,
    ImpactUnit,
    SpendingCategory,
)


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Restricted fund {n}")
    slug = factory.Sequence(lambda n: f"fund-{n}")
    is_restricted = True


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"Campaign {n}")
    summary = "Safe rooms for the night someone leaves."
    story = "Every night, someone calls.\n\nYour gift answers."
    fund = factory.SubFactory(FundFactory)
    goal_amount = 5_000_000
    suggested_amounts = [2500, 4000, 10000]
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=50))
    is_published = True


class SpendingCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendingCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    position = factory.Sequence(lambda n: n)


class AllocationPlanFactory(factory.django.DjangoModelFactory):
    """One line of a plan. Use campaigns.services.allocation_plan_set for a whole, valid plan."""

    class Meta:
        model = AllocationPlan

    campaign = factory.SubFactory(CampaignFactory)
    category = factory.SubFactory(SpendingCategoryFactory)
    share_bps = 10000


class ImpactUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactUnit

    campaign = factory.SubFactory(CampaignFactory)
    amount = 4000
    description = "one night of safe housing"


class CampaignUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignUpdate

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Update {n}")
    body = "Thanks to you, twelve more nights.\n\nMore soon."
    published_at = factory.LazyFunction(timezone.now)


class ExpenditureFactory(factory.django.DjangoModelFactory):
    """Spending in a month that is already published (three months ago) by default."""

    class Meta:
        model = Expenditure

    spent_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1) - datetime.timedelta(days=70))
    amount = 25000
    category = factory.SubFactory(SpendingCategoryFactory)
    campaign = factory.SubFactory(CampaignFactory)
    fund = factory.LazyAttribute(lambda o: o.campaign.fund if o.campaign else Fund.general())
    payee = "Northside Apartments LLC"
    note = "March rent"
