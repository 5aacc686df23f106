"""Who may book which shift, as small check functions raising typed errors (after ephios'
signup checks). Pages call them to say exactly why someone cannot book; `shift_book` calls the same
functions under its row locks, so what a page promises is what the service enforces.

Everything a check needs about the volunteer is loaded once into a `VolunteerStanding` (a handful of
queries), so a list of shifts can be checked without a query per shift.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.i18n import local_format

from .models import (
    Agreement,
    AgreementSignature,
    Booking,
    RequirementVerification,
    Role,
    RoleApproval,
    Shift,
    VolunteerProfile,
)


class BookingError(Exception):
    """A reason a volunteer cannot book (or cancel) a shift, in words the volunteer reads."""

    default_message = gettext_lazy("This shift cannot be booked.")

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)

    def __str__(self):
        return str(self.message)


class NotOnboarded(BookingError):
    default_message = gettext_lazy("Please complete your volunteer profile before booking shifts.")


class AgreementNotSigned(BookingError):
    default_message = gettext_lazy("Please sign the current confidentiality agreement before booking shifts.")


class RequirementMissing(BookingError):
    pass


class RequirementExpired(BookingError):
    pass


class ApprovalMissing(BookingError):
    pass


class ShiftFull(BookingError):
    default_message = gettext_lazy("This shift is full. You can join its waitlist.")


class AlreadyBooked(BookingError):
    default_message = gettext_lazy("You are already booked on this shift.")


class AlreadyWaitlisted(BookingError):
    default_message = gettext_lazy("You are already on the waitlist for this shift.")


class OverlappingBooking(BookingError):
    pass


class PastCutoff(BookingError):
    pass


class ShiftCancelled(BookingError):
    default_message = gettext_lazy("This shift has been cancelled.")


class ShiftInPast(BookingError):
    default_message = gettext_lazy("This shift has already started.")


class OfferNotAvailable(BookingError):
    default_message = gettext_lazy(
        "This offer is no longer available. It may have expired or been used already."
    )


def local_date(instant: datetime.datetime) -> datetime.date:
    return timezone.localtime(instant).date()


def _format_day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@dataclass
class VolunteerStanding:
    """What the checks need to know about one volunteer, loaded once."""

    profile: VolunteerProfile | None
    current_agreement: Agreement | None
    signed_agreement_ids: set[int] = field(default_factory=set)
    # requirement id -> the verification with the latest expiry (None = never expires)
    verifications: dict[int, RequirementVerification] = field(default_factory=dict)
    approved_role_ids: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, volunteer) -> "VolunteerStanding":
        if volunteer is None or not volunteer.is_authenticated:
            return cls(profile=None, current_agreement=Agreement.current())
        return cls.load_many([volunteer.pk])[volunteer.pk]

    @classmethod
    def load_many(cls, volunteer_ids) -> "dict[int, VolunteerStanding]":
        """The standing of several volunteers in five queries however many there are (rosters, the
        calendar feed, the clearance sweep)."""
        ids = sorted(set(volunteer_ids))
        current = Agreement.current()
        standings = {
            pk: cls(profile=None, current_agreement=current, signed_agreement_ids=set(), verifications={})
            for pk in ids
        }
        if not ids:
            return standings
        for profile in VolunteerProfile.objects.filter(user_id__in=ids):
            standings[profile.user_id].profile = profile
        for volunteer_id, agreement_id in AgreementSignature.objects.filter(volunteer_id__in=ids).values_list(
            "volunteer_id", "agreement_id"
        ):
            standings[volunteer_id].signed_agreement_ids.add(agreement_id)
        for verification in RequirementVerification.objects.filter(volunteer_id__in=ids).select_related(
            "requirement"
        ):
            best = standings[verification.volunteer_id].verifications
            held = best.get(verification.requirement_id)
            if held is None or _expiry_key(verification) > _expiry_key(held):
                best[verification.requirement_id] = verification
        for volunteer_id, role_id in RoleApproval.objects.filter(volunteer_id__in=ids).values_list(
            "volunteer_id", "role_id"
        ):
            standings[volunteer_id].approved_role_ids.add(role_id)
        return standings

    @property
    def is_onboarded(self) -> bool:
        return self.profile is not None and self.profile.is_onboarded

    @property
    def has_signed_current_agreement(self) -> bool:
        return self.current_agreement is not None and self.current_agreement.pk in self.signed_agreement_ids


def _expiry_key(verification: RequirementVerification) -> datetime.date:
    return verification.expires_on or datetime.date.max


def check_onboarded(standing: VolunteerStanding) -> None:
    if not standing.is_onboarded:
        raise NotOnboarded()


def check_agreement(standing: VolunteerStanding, role: Role) -> None:
    if not role.requires_agreement:
        return
    if standing.current_agreement is None:
        raise AgreementNotSigned(
            _("No confidentiality agreement has been published yet; bookings open soon.")
        )
    if not standing.has_signed_current_agreement:
        if standing.signed_agreement_ids:
            raise AgreementNotSigned(
                _(
                    "The confidentiality agreement has changed (version %(version)s). "
                    "Please read and sign it again before booking."
                )
                % {"version": standing.current_agreement.version}
            )
        raise AgreementNotSigned()


def check_requirements(standing: VolunteerStanding, role: Role, on_day: datetime.date) -> None:
    """Each of the role's requirements must be verified and still valid on the day of the shift.
    Uses `role.requirements.all()`, so prefetch it when checking many shifts."""
    for requirement in role.requirements.all():
        verification = standing.verifications.get(requirement.pk)
        if verification is None or verification.verified_on > on_day:
            raise RequirementMissing(
                _(
                    "%(role)s needs “%(requirement)s”, which is not on your record yet. "
                    "A coordinator records it once it is done."
                )
                % {"role": role.name, "requirement": requirement.name}
            )
        if verification.expires_on is not None and verification.expires_on < on_day:
            if verification.expires_on < timezone.localdate():
                raise RequirementExpired(
                    _("Your “%(requirement)s” expired on %(day)s. Please ask a coordinator to renew it.")
                    % {"requirement": requirement.name, "day": _format_day(verification.expires_on)}
                )
            raise RequirementExpired(
                _(
                    "Your “%(requirement)s” is valid only until %(day)s, before this shift. "
                    "Please ask a coordinator to renew it."
                )
                % {"requirement": requirement.name, "day": _format_day(verification.expires_on)}
            )


def check_approval(standing: VolunteerStanding, role: Role) -> None:
    if role.requires_approval and role.pk not in standing.approved_role_ids:
        raise ApprovalMissing(
            _("A coordinator needs to approve you for %(role)s before you can book it.") % {"role": role.name}
        )


def check_shift_open(shift: Shift, now: datetime.datetime) -> None:
    if shift.is_cancelled:
        raise ShiftCancelled()
    if shift.starts_at <= now:
        raise ShiftInPast()


def check_cleared_for(standing: VolunteerStanding, shift: Shift) -> None:
    """The person may do this shift's role on its day: onboarded, the current agreement signed, the
    approval (for roles that need one), every requirement valid on the day."""
    check_onboarded(standing)
    check_agreement(standing, shift.role)
    check_approval(standing, shift.role)
    check_requirements(standing, shift.role, local_date(shift.starts_at))


def check_volunteer_may_take(standing: VolunteerStanding, shift: Shift, now: datetime.datetime) -> None:
    """Everything about the person and the shift, but not capacity or their other bookings."""
    check_shift_open(shift, now)
    check_cleared_for(standing, shift)


class GroupNotAllowed(BookingError):
    pass


def check_group_size(role: Role, places: int) -> None:
    """A booking of several places needs a role that allows groups, and fits its largest group."""
    if places < 1:
        raise GroupNotAllowed("A booking takes at least one place.")
    if places > 1 and not role.allows_groups:
        raise GroupNotAllowed(f"{role.name} is booked one place at a time.")
    if places > role.max_group_size:
        raise GroupNotAllowed(f"A group for {role.name} takes at most {role.max_group_size} places.")


def check_capacity(shift: Shift, taken: int) -> None:
    if taken >= shift.capacity:
        raise ShiftFull()


def check_cancellable(booking: Booking, now: datetime.datetime) -> None:
    if booking.status != Booking.Status.BOOKED:
        raise BookingError(_("This booking is no longer active."))
    if booking.shift.starts_at <= now:
        raise ShiftInPast(_("This shift has already started; please contact the coordinator."))
    if now > booking.shift.cancel_deadline:
        deadline = timezone.localtime(booking.shift.cancel_deadline)
        raise PastCutoff(
            _(
                "Cancelling online closed %(hours)s hours before the start (%(deadline)s). "
                "Please contact the coordinator."
            )
            % {
                "hours": booking.shift.cancellation_cutoff_hours,
                "deadline": dateformat.format(deadline, local_format("HAVEN_MONTH_DAY_TIME")),
            }
        )
