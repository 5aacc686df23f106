"""A volunteer's personal data, for the data export and for erasure: the "volunteering" part of
accounts/privacy.py, registered from VolunteersConfig.ready().

Erasure rule, read off the models: `Booking.volunteer` is a non-null foreign key to the user (CASCADE),
and coordinators' rosters and hour totals per shift count bookings. So the user row is never deleted
(that would delete past bookings and change the hours a shift shows); accounts/privacy.py deactivates
and scrubs it instead, and past bookings stay attached to that scrubbed, nameless account. Upcoming
bookings are cancelled (the place goes to the waitlist), and everything that describes the person is
deleted: profile (skills, languages, availability, phone, mobile, emergency contact, check-in PIN),
text-message consent records, agreement signatures, requirement verifications, role approvals and
applications, calendar token, waitlist entries and role assignments. Reported hours stay, like past
bookings (they are hour totals). Messages to them (emails and texts: shift messages, digests,
reminders) are erased by the outbox's own part (messaging/privacy.py).
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from accounts.privacy import Erasure, PrivacyPart

from . import booking_rules
from .models import (
    AgreementSignature,
    Booking,
    CalendarToken,
    GroupMember,
    HoursReport,
    RequirementVerification,
    RoleApplication,
    RoleApproval,
    Shift,
    SmsConsentRecord,
    VolunteerProfile,
    WaitlistEntry,
)
from .services import booking_cancel, reminders_cancel, waitlist_offer_next


def _iso(value):
    return value.isoformat() if value is not None else None


def export_for(user: User) -> dict:
    """The person's volunteer data, in a fixed number of queries however many rows there are."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    bookings = list(
        Booking.objects.filter(volunteer=user)
        .select_related("shift__role")
        .order_by("shift__starts_at", "pk")
    )
    attended = [b for b in bookings if b.status == Booking.Status.ATTENDED]
    return {
        "volunteer_profile": None
        if profile is None
        else {
            "skills": profile.skills,
            "languages": profile.languages,
            "availability": profile.availability,
            "phone": profile.phone,
            "emergency_contact_name": profile.emergency_contact_name,
            "emergency_contact_phone": profile.emergency_contact_phone,
            "emergency_contact_relationship": profile.emergency_contact_relationship,
            "onboarded_at": _iso(profile.onboarded_at),
            "created_at": _iso(profile.created_at),
        },
        "agreement_signatures": [
            {"version": s.version, "signed_at": _iso(s.signed_at)}
            for s in AgreementSignature.objects.filter(volunteer=user).order_by("signed_at", "pk")
        ],
        # Only that a requirement was verified and until when: never the content of a check.
        "requirement_verifications": [
            {
                "requirement": v.requirement.name,
                "verified_on": _iso(v.verified_on),
                "expires_on": _iso(v.expires_on),
            }
            for v in RequirementVerification.objects.filter(volunteer=user)
            .select_related("requirement")
            .order_by("verified_on", "pk")
        ],
        "role_approvals": [
            {"role": a.role.name, "approved_at": _iso(a.approved_at)}
            for a in RoleApproval.objects.filter(volunteer=user).select_related("role").order_by("pk")
        ],
        "role_applications": [
            {
                "role": a.role.name,
                "status": a.status,
                "created_at": _iso(a.created_at),
                "decided_at": _iso(a.decided_at),
            }
            for a in RoleApplication.objects.filter(volunteer=user).select_related("role").order_by("pk")
        ],
        "bookings": [
            {
                "shift": b.shift.display_title,
                "role": b.shift.role.name,
                "starts_at": _iso(b.shift.starts_at),
                "ends_at": _iso(b.shift.ends_at),
                "status": b.status,
                "source": b.source,
                "booked_at": _iso(b.created_at),
                "cancelled_at": _iso(b.cancelled_at),
                "checked_in_at": _iso(b.checked_in_at),
                "checked_out_at": _iso(b.checked_out_at),
                "minutes": b.minutes,
                "places": b.places,
            }
            for b in bookings
        ],
        "waitlist_entries": [
            {
                "shift": w.shift.display_title,
                "starts_at": _iso(w.shift.starts_at),
                "status": w.status,
                "joined_at": _iso(w.created_at),
                "offered_at": _iso(w.offered_at),
                "responded_at": _iso(w.responded_at),
            }
            for w in WaitlistEntry.objects.filter(volunteer=user).select_related("shift__role").order_by("pk")
        ],
        "hours": {
            "attended_shifts": len(attended),
            "total_minutes": sum(b.minutes or 0 for b in attended),
        },
        "hours_reports": [
            {
                "role": r.role.name,
                "date": _iso(r.date),
                "minutes": r.minutes,
                "category": r.category,
                "status": r.status,
                "reported_at": _iso(r.created_at),
                "decided_at": _iso(r.decided_at),
            }
            for r in HoursReport.objects.filter(volunteer=user).select_related("role").order_by("date", "pk")
        ],
        "has_check_in_pin": bool(profile and profile.check_in_pin_hash),
        "text_messages": {
            "mobile": str(profile.mobile) if profile and profile.mobile else "",
            "opted_in_at": _iso(profile.sms_opted_in_at) if profile else None,
            "consent_records": [
                {
                    "action": r.action,
                    "source": r.source,
                    "number": str(r.number),
                    "wording": r.wording,
                    "at": _iso(r.at),
                }
                for r in SmsConsentRecord.objects.filter(volunteer=user).order_by("at", "pk")
            ],
        },
        "has_calendar_feed": CalendarToken.objects.filter(user=user).exists(),
    }


def erase_for(*, user: User) -> dict[str, int]:
    """Cancel the person's upcoming bookings, leave their waitlists and delete their volunteer data,
    in the caller's transaction (see the module docstring for what stays). Returns counts for the
    audit entry. Lock order as in volunteers.services.locks: the profile row, then shifts by id."""
    VolunteerProfile.objects.select_for_update().filter(user=user).first()
    now = timezone.now()
    cancelled = 0
    upcoming = (
        Booking.objects.filter(volunteer=user, status=Booking.Status.BOOKED, shift__starts_at__gt=now)
        .select_related("shift")
        .order_by("shift_id")
    )
    for booking in upcoming:
        try:
            booking_cancel(booking=booking, volunteer=user)
        except booking_rules.BookingError:
            # Inside the cut-off (PastCutoff) a volunteer is told to call the coordinator; an erasure
            # cannot wait for that, so the place is freed the same way booking_cancel frees it.
            _cancel_inside_cutoff(booking_id=booking.pk, now=now)
        cancelled += 1
    # An open offer holds a place: deleting it frees the place for the next person in line.
    offered_shifts = sorted(
        set(
            WaitlistEntry.objects.filter(volunteer=user, status=WaitlistEntry.Status.OFFERED).values_list(
                "shift_id", flat=True
            )
        )
    )
    waitlist_deleted, _ = WaitlistEntry.objects.filter(volunteer=user).delete()
    for shift in Shift.objects.select_for_update().filter(pk__in=offered_shifts).order_by("pk"):
        waitlist_offer_next(shift=shift)
    minutes = Booking.objects.filter(volunteer=user, status=Booking.Status.ATTENDED).aggregate(
        m=Sum("minutes")
    )
    for model, field in (
        (AgreementSignature, "volunteer"),
        (RequirementVerification, "volunteer"),
        (RoleApproval, "volunteer"),
        (RoleApplication, "volunteer"),
        (CalendarToken, "user"),
        (SmsConsentRecord, "volunteer"),
        (GroupMember, "booking__volunteer"),
        (VolunteerProfile, "user"),
    ):
        model.objects.filter(**{field: user}).delete()
    user.coordinated_roles.clear()
    return {
        "bookings_cancelled": cancelled,
        "waitlist_entries_deleted": waitlist_deleted,
        "attended_minutes_kept": minutes["m"] or 0,
    }


def _cancel_inside_cutoff(*, booking_id: int, now) -> None:
    shift_id = Booking.objects.values_list("shift_id", flat=True).get(pk=booking_id)
    shift = Shift.objects.select_for_update().get(pk=shift_id)
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    if booking.status != Booking.Status.BOOKED:
        return
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    reminders_cancel(booking=booking, reason="the person erased their data")
    waitlist_offer_next(shift=shift)


def erase(erasure: Erasure) -> dict[str, int]:
    return erase_for(user=erasure.user)


PART = PrivacyPart(section="volunteering", export=export_for, erase=erase)
