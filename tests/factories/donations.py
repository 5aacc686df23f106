import factory
from django.utils import timezone

from donations.models import Donation

from .campaigns import CampaignFactory


class DonationFactory(factory.django.DjangoModelFactory):
    """A succeeded one-time online gift to a campaign, by default."""

    class Meta:
        model = Donation

    donor_email = factory.Sequence(lambda n: f"donor{n}@example.org")
    donor_name = factory.Faker("name")
    amount = 4000
    campaign = factory.SubFactory(CampaignFactory)
    fund = factory.LazyAttribute(lambda o: o.campaign.fund if o.campaign else None)
    status = Donation.Status.SUCCEEDED
    succeeded_at = factory.LazyFunction(timezone.now)
