import datetime

import factory
from django.utils import timezone

from volunteers.models import (
    Agreement,
    AgreementSignature,
    Booking,
    Requirement,
    RequirementVerification,
    Role,
    RoleApplication,
    RoleApproval,
    Shift,
    ShiftSeries,
    VolunteerProfile,
    WaitlistEntry,
)

from .accounts import UserFactory


class AgreementFactory(factory.django.DjangoModelFactory):
    """A published confidentiality agreement."""

    class Meta:
        model = Agreement
        django_get_or_create = ("version",)

    version = 1
    text = "What I learn about the people we serve stays with me."
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    name = factory.Sequence(lambda n: f"Training {n}")
    kind = Requirement.Kind.TRAINING
    valid_for_days = 365


class RoleFactory(factory.django.DjangoModelFactory):
    """A role with no requirements beyond the agreement; `requirements=[...]` adds some."""

    class Meta:
        model = Role
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Role {n}")
    slug = factory.Sequence(lambda n: f"role-{n}")
    description = "Helping out."

    @factory.post_generation
    def requirements(self, create, extracted, **kwargs):
        if create and extracted:
            self.requirements.add(*extracted)

    @factory.post_generation
    def coordinators(self, create, extracted, **kwargs):
        if create and extracted:
            self.coordinators.add(*extracted)


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    """A completed onboarding profile (the user also gets the volunteer role)."""

    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory, roles=["volunteer"])
    skills = ["cooking"]
    languages = ["English"]
    availability = ["5-morning"]
    emergency_contact_name = "Sam Contact"
    emergency_contact_phone = "+1 555 0100"
    onboarded_at = factory.LazyFunction(timezone.now)


class AgreementSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementSignature

    volunteer = factory.SubFactory(UserFactory)
    agreement = factory.SubFactory(AgreementFactory)
    version = factory.LazyAttribute(lambda o: o.agreement.version)


class RequirementVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementVerification

    volunteer = factory.SubFactory(UserFactory)
    requirement = factory.SubFactory(RequirementFactory)
    verified_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=355))
    verified_by = factory.SubFactory(UserFactory, roles=["coordinator"])


class RoleApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleApproval

    volunteer = factory.SubFactory(UserFactory)
    role = factory.SubFactory(RoleFactory)
    approved_by = factory.SubFactory(UserFactory, roles=["coordinator"])


class RoleApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleApplication

    volunteer = factory.SubFactory(UserFactory, roles=["volunteer"])
    role = factory.SubFactory(RoleFactory, requires_approval=True)


def ready_volunteer(**user_kwargs):
    """A volunteer who can book a role without requirements: onboarded, current agreement signed."""
    profile = VolunteerProfileFactory(user=UserFactory(roles=["volunteer"], **user_kwargs))
    agreement = Agreement.current() or AgreementFactory()
    AgreementSignatureFactory(volunteer=profile.user, agreement=agreement)
    return profile.user


class ShiftFactory(factory.django.DjangoModelFactory):
    """A three-hour shift starting in three days, four places."""

    class Meta:
        model = Shift

    role = factory.SubFactory(RoleFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    capacity = 4
    neighbourhood = "Eastside"
    address = "12 Hidden Lane, Apt 3"
    cancellation_cutoff_hours = 24


class ShiftSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftSeries

    role = factory.SubFactory(RoleFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    start_time = datetime.time(9, 0)
    duration_minutes = 180
    frequency = ShiftSeries.Frequency.WEEKLY
    weekdays = [0, 2]
    until_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=27))
    capacity = 4
    neighbourhood = "Eastside"
    address = "12 Hidden Lane, Apt 3"


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.SubFactory(UserFactory, roles=["volunteer"])
    status = Booking.Status.BOOKED


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.SubFactory(UserFactory, roles=["volunteer"])
