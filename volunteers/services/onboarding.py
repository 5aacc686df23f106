"""Joining as a volunteer: the profile, the confidentiality agreement, and the moment both are done."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role as AccountRole
from accounts.models import User
from accounts.roles import user_grant_role

from ..models import Agreement, AgreementSignature, VolunteerProfile
from .holds import booking_holds_sync


@transaction.atomic
def volunteer_profile_save(
    *,
    user: User,
    skills: list[str],
    languages: list[str],
    availability: list[str],
    emergency_contact_name: str,
    emergency_contact_phone: str,
    emergency_contact_relationship: str = "",
    phone: str = "",
    agreement: Agreement | None = None,
) -> VolunteerProfile:
    """Create or update a volunteer's onboarding profile (signing `agreement` too, when given), then
    complete onboarding if the current agreement is signed."""
    profile, _ = VolunteerProfile.objects.select_for_update().get_or_create(
        user=user,
        defaults={
            "emergency_contact_name": emergency_contact_name,
            "emergency_contact_phone": emergency_contact_phone,
        },
    )
    profile.skills = skills
    profile.languages = languages
    profile.availability = availability
    profile.emergency_contact_name = emergency_contact_name
    profile.emergency_contact_phone = emergency_contact_phone
    profile.emergency_contact_relationship = emergency_contact_relationship
    profile.phone = phone
    profile.full_clean()
    profile.save()
    if agreement is not None:
        agreement_sign(volunteer=user, agreement=agreement)
    volunteer_onboarding_complete(user=user)
    profile.refresh_from_db()
    return profile


@transaction.atomic
def agreement_sign(*, volunteer: User, agreement: Agreement) -> AgreementSignature:
    """Record that the volunteer signed this version (signing twice is a no-op)."""
    if agreement.published_at is None:
        raise ValueError("Only a published agreement can be signed.")
    signature, _ = AgreementSignature.objects.get_or_create(
        volunteer=volunteer, agreement=agreement, defaults={"version": agreement.version}
    )
    volunteer_onboarding_complete(user=volunteer)
    # Bookings on hold for the unsigned version are confirmed again.
    booking_holds_sync(volunteer=volunteer)
    return signature


def volunteer_onboarding_complete(*, user: User) -> bool:
    """Once the profile exists and the current agreement is signed, mark onboarding complete and grant
    the volunteer role. Returns whether the person is onboarded."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return False
    if profile.onboarded_at is not None:
        return True
    current = Agreement.current()
    if current is None or not AgreementSignature.objects.filter(volunteer=user, agreement=current).exists():
        return False
    VolunteerProfile.objects.filter(pk=profile.pk, onboarded_at__isnull=True).update(
        onboarded_at=timezone.now()
    )
    user_grant_role(user=user, role=AccountRole.VOLUNTEER)
    return True
