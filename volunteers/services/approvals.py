"""Who may do a role: a volunteer applies, a coordinator approves or declines (the volunteer hears
of it once), approvals can be withdrawn, and requirement checks (training, background checks) are
recorded as dates only."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit_record
from messaging.services import message_queue

from .. import booking_rules
from ..booking_rules import BookingError
from ..models import (
    Requirement,
    RequirementVerification,
    Role,
    RoleApplication,
    RoleApproval,
    VolunteerProfile,
)
from ..selectors import coordinator_reaches
from .errors import CoordinationError
from .holds import booking_holds_sync

KIND_ROLE_DECISION = "volunteers.role_decision"
KIND_ROLE_APPROVED = "volunteers.role_approved"


@transaction.atomic
def role_apply(*, volunteer: User, role: Role) -> RoleApplication:
    """Ask the role's coordinators for approval. Applying again while one is pending returns it."""
    if not role.requires_approval:
        raise BookingError(gettext("%(role)s does not need an approval.") % {"role": role.name})
    if not VolunteerProfile.objects.filter(user=volunteer, onboarded_at__isnull=False).exists():
        raise booking_rules.NotOnboarded()
    if RoleApproval.objects.filter(volunteer=volunteer, role=role).exists():
        raise BookingError(gettext("You are already approved for %(role)s.") % {"role": role.name})
    pending = RoleApplication.objects.filter(
        volunteer=volunteer, role=role, status=RoleApplication.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    return RoleApplication.objects.create(volunteer=volunteer, role=role)


def _check_may_approve(*, role: Role, volunteer: User, by: User) -> None:
    """Only a role that needs approval can be approved for; only its coordinators (or staff) approve;
    and a coordinator reaches only volunteers already connected to one of their roles (booked,
    waiting, applied or approved), so knowing an address is not enough to pull someone into their
    view. Staff may approve anyone."""
    if not role.requires_approval:
        raise CoordinationError(
            gettext("%(role)s needs no approval: every volunteer who meets its requirements can book it.")
            % {"role": role.name}
        )
    if by.has_role("staff"):
        return
    if not role.coordinators.filter(pk=by.pk).exists():
        raise CoordinationError(gettext("You do not coordinate %(role)s.") % {"role": role.name})
    if not coordinator_reaches(user=by, volunteer=volunteer):
        raise CoordinationError(
            gettext(
                "This volunteer has not booked, waited for, applied for or been approved for any of your "
                "roles. Ask them to apply on the shift page, or ask staff to approve them."
            )
        )


@transaction.atomic
def role_approval_grant(*, role: Role, volunteer: User, by: User) -> RoleApproval:
    """Approve a volunteer for a role that needs approval (approving twice keeps the first approval).
    Raises CoordinationError when `by` may not (see `_check_may_approve`)."""
    _check_may_approve(role=role, volunteer=volunteer, by=by)
    approval = RoleApproval.objects.filter(role=role, volunteer=volunteer).first()
    created = False
    if approval is None:
        try:
            with transaction.atomic():
                approval = RoleApproval.objects.create(role=role, volunteer=volunteer, approved_by=by)
        except IntegrityError:
            approval = RoleApproval.objects.get(role=role, volunteer=volunteer)
        else:
            audit_record(
                actor=by, action="volunteers.role_approve", target=volunteer, data={"role": role.name}
            )
            created = True
    # An approval answers any pending application for the role (and the volunteer hears of it).
    answered = list(
        RoleApplication.objects.filter(
            role=role, volunteer=volunteer, status=RoleApplication.Status.PENDING
        ).values_list("pk", flat=True)
    )
    if created and not answered and volunteer.is_active:
        # Approved without having applied (a coordinator typed their address): tell them, once.
        message_queue(
            kind=KIND_ROLE_APPROVED,
            recipient=volunteer.email,
            user=volunteer,
            about=approval,
            dedupe_key=f"{KIND_ROLE_APPROVED}:{approval.pk}",
        )
    RoleApplication.objects.filter(pk__in=answered).update(
        status=RoleApplication.Status.APPROVED, decided_by=by, decided_at=timezone.now()
    )
    for application in RoleApplication.objects.filter(pk__in=answered).select_related("volunteer"):
        _decision_notify(application)
    booking_holds_sync(volunteer=volunteer)
    return approval


@transaction.atomic
def role_application_decide(*, application: RoleApplication, approve: bool, by: User) -> RoleApplication:
    """Approve (which also records the `RoleApproval`) or decline a pending application. Deciding an
    application that is no longer pending changes nothing."""
    application = RoleApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != RoleApplication.Status.PENDING:
        return application
    if approve:
        # role_approval_grant answers this application and queues the volunteer's email.
        role_approval_grant(role=application.role, volunteer=application.volunteer, by=by)
        application.refresh_from_db()
        return application
    audit_record(
        actor=by,
        action="volunteers.role_application_decline",
        target=application.volunteer,
        data={"role": application.role.name},
    )
    application.status = RoleApplication.Status.DECLINED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    _decision_notify(application)
    return application


def _decision_notify(application: RoleApplication) -> None:
    """The volunteer hears the decision on their application, once (in the deciding transaction)."""
    volunteer = application.volunteer
    if not volunteer.is_active:
        return
    message_queue(
        kind=KIND_ROLE_DECISION,
        recipient=volunteer.email,
        user=volunteer,
        about=application,
        dedupe_key=f"{KIND_ROLE_DECISION}:{application.pk}",
    )


@transaction.atomic
def role_approval_revoke(*, role: Role, volunteer: User, by: User) -> bool:
    """Withdraw an approval: the person can no longer book the role, and their upcoming bookings of
    it go on hold (kept, but without the address; they are told why)."""
    if not by.has_role("staff") and not role.coordinators.filter(pk=by.pk).exists():
        raise CoordinationError(gettext("You do not coordinate %(role)s.") % {"role": role.name})
    deleted, _ = RoleApproval.objects.filter(role=role, volunteer=volunteer).delete()
    if deleted:
        audit_record(
            actor=by, action="volunteers.role_approval_revoke", target=volunteer, data={"role": role.name}
        )
        booking_holds_sync(volunteer=volunteer)
    return bool(deleted)


@transaction.atomic
def requirement_verification_record(
    *,
    volunteer: User,
    requirement: Requirement,
    verified_on: datetime.date,
    by: User,
    expires_on: datetime.date | None = None,
) -> RequirementVerification:
    """Record that a requirement was verified on a date, by whom, and until when (by default the
    requirement's validity period; empty when it never expires). Only these facts are stored, never
    what a check found."""
    if verified_on > timezone.localdate():
        raise CoordinationError(gettext("The verification date cannot be in the future."))
    if expires_on is None and requirement.valid_for_days:
        expires_on = verified_on + datetime.timedelta(days=requirement.valid_for_days)
    if expires_on is not None and expires_on < verified_on:
        raise CoordinationError(gettext("The expiry date cannot be before the verification date."))
    verification = RequirementVerification(
        volunteer=volunteer,
        requirement=requirement,
        verified_on=verified_on,
        expires_on=expires_on,
        verified_by=by,
    )
    verification.full_clean()
    verification.save()
    audit_record(
        actor=by,
        action="volunteers.requirement_verify",
        target=volunteer,
        data={
            "requirement": requirement.name,
            "verified_on": verified_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    booking_holds_sync(volunteer=volunteer)
    return verification
