"""The volunteers app's retention rules (accounts/retention.py runs them; the public privacy page
states them from the same settings):

- inactive volunteers: a person who has not signed in for HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS
  (or never did, and joined before that) and has had no shift since (no booking, other than a
  cancelled one, on a shift ending after that date) loses their volunteer data, by the very code of an
  erasure at their request (volunteers.privacy.erase_for): profile with emergency contact, agreement
  signatures, verifications, approvals, applications, calendar feed, waitlist places. Past bookings
  stay (each shift's hours); so does the account, without the volunteer role. Coming back means
  onboarding again.
- at once: calendar feed secrets of deactivated accounts, and waitlist places of shifts that have
  ended (an offer's link is signed over its row, so the row going ends the link for good).
- the body of a coordinator's message to a shift, HAVEN_RETENTION_MESSAGE_BODY_DAYS after it was
  written, once every copy was sent (the subject stays on the roster).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from accounts.models import Role as AccountRole
from accounts.models import User
from accounts.retention import RetentionRule, RetentionRun
from accounts.roles import user_revoke_role
from messaging.models import Message

from .models import (
    AgreementSignature,
    Booking,
    CalendarToken,
    RequirementVerification,
    RoleApplication,
    RoleApproval,
    ShiftMessage,
    VolunteerProfile,
    WaitlistEntry,
)
from .privacy import erase_for


def _holds_volunteer_data():
    person = OuterRef("pk")
    return (
        Exists(VolunteerProfile.objects.filter(user=person))
        | Exists(AgreementSignature.objects.filter(volunteer=person))
        | Exists(RequirementVerification.objects.filter(volunteer=person))
        | Exists(RoleApproval.objects.filter(volunteer=person))
        | Exists(RoleApplication.objects.filter(volunteer=person))
        | Exists(CalendarToken.objects.filter(user=person))
        | Exists(WaitlistEntry.objects.filter(volunteer=person))
    )


def inactive_volunteers_erase(run: RetentionRun) -> dict[str, int]:
    cutoff = run.volunteer_inactive_before
    recent_shift = Booking.objects.filter(volunteer=OuterRef("pk"), shift__ends_at__gte=cutoff).exclude(
        status=Booking.Status.CANCELLED
    )
    people = (
        User.objects.filter(_holds_volunteer_data())
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(Exists(recent_shift))
        .order_by("pk")
    )
    erased = 0
    for person in people:
        erase_for(user=person)
        user_revoke_role(user=person, role=AccountRole.VOLUNTEER)
        erased += 1
    return {"volunteers_inactive_erased": erased}


def stale_tokens_delete(run: RetentionRun) -> dict[str, int]:
    feeds, _ = CalendarToken.objects.filter(user__is_active=False).delete()
    places, _ = WaitlistEntry.objects.filter(shift__ends_at__lt=run.now).delete()
    return {"calendar_feeds_of_deactivated_deleted": feeds, "waitlist_places_of_past_shifts_deleted": places}


def shift_message_bodies_empty(run: RetentionRun) -> dict[str, int]:
    # A message still on its way to someone keeps its body until it has gone.
    unsent = Message.objects.filter(
        kind=ShiftMessage.MESSAGE_KIND,
        about_type=ContentType.objects.get_for_model(ShiftMessage),
        about_id=OuterRef("pk"),
        status__in=[Message.Status.PENDING, Message.Status.SENDING],
    )
    emptied = (
        ShiftMessage.objects.filter(created_at__lt=run.message_body_before)
        .exclude(body="")
        .exclude(Exists(unsent))
        .update(body="")
    )
    return {"shift_message_bodies_emptied": emptied}


RULES = [
    RetentionRule(name="volunteers.inactive", apply=inactive_volunteers_erase),
    RetentionRule(name="volunteers.stale_tokens", apply=stale_tokens_delete),
    RetentionRule(name="volunteers.shift_message_bodies", apply=shift_message_bodies_empty),
]
