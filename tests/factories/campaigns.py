import datetime

import factory

from campaigns.models import Campaign, Fund


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
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=50))
    is_published = True
