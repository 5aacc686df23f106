import factory
from django.utils import timezone

from donations.models import Donation, Receipt, RecurringGift

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


class PendingDonationFactory(DonationFactory):
    """A gift whose donor was just sent to Stripe Checkout."""

    status = Donation.Status.PENDING
    succeeded_at = None
    stripe_checkout_session_id = factory.Sequence(lambda n: f"cs_test_factory{n:06d}")


class RecurringGiftFactory(factory.django.DjangoModelFactory):
    """A monthly gift waiting for its first payment (its first Donation: `PendingDonationFactory(
    recurring_gift=gift, frequency="monthly", ...)`)."""

    class Meta:
        model = RecurringGift

    donor_email = factory.Sequence(lambda n: f"monthly{n}@example.org")
    donor_name = factory.Faker("name")
    amount = 2500
    campaign = factory.SubFactory(CampaignFactory)
    fund = factory.LazyAttribute(lambda o: o.campaign.fund if o.campaign else None)
    status = RecurringGift.Status.PENDING


class ReceiptFactory(factory.django.DjangoModelFactory):
    """The numbered receipt of a succeeded gift (as the confirming transaction makes it)."""

    class Meta:
        model = Receipt

    donation = factory.SubFactory(DonationFactory)
    year = factory.LazyAttribute(lambda o: timezone.localtime(o.donation.succeeded_at).year)
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"{o.year}-{o.sequence:06d}")
