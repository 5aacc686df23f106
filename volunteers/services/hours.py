"""Off-roster hours: a volunteer reports time given outside the roster (a role, a date, minutes and
a category from a fixed list, no free text), and a coordinator of that role approves or declines it.
The volunteer is told the decision through the outbox (kind `volunteers.hours_decided`)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from core.i18n import message_language
from messaging.services import message_queue

from .. import booking_rules
from ..booking_rules import VolunteerStanding
from ..models import HoursCategory, HoursReport, Role

KIND_HOURS_DECIDED = "volunteers.hours_decided"
# How far back a volunteer may report time (older time goes through a coordinator).
REPORT_WINDOW_DAYS = 90


class HoursError(Exception):
    """A report or a decision that cannot be made, in words the person reads."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


def may_decide_hours(*, user: User, role: Role) -> bool:
    """Staff, or a coordinator of this very role."""
    if user.has_role("staff"):
        return True
    return user.has_role("coordinator") and role.coordinators.filter(pk=user.pk).exists()


@transaction.atomic
def hours_report(
    *,
    volunteer: User,
    role: Role,
    date: datetime.date,
    minutes: int,
    category: str,
    now: datetime.datetime | None = None,
) -> HoursReport:
    """Record the volunteer's report, waiting for a coordinator of the role."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    standing = VolunteerStanding.load(volunteer)
    try:
        booking_rules.check_onboarded(standing)
        booking_rules.check_approval(standing, role)
    except booking_rules.BookingError as error:
        raise HoursError(str(error)) from error
    if not role.is_active:
        raise HoursError(_("This role is no longer active."))
    if date > today:
        raise HoursError(_("Report time once you have given it: the date is in the future."))
    if date < today - datetime.timedelta(days=REPORT_WINDOW_DAYS):
        raise HoursError(
            _("Time older than %(days)s days is recorded by a coordinator; please ask them.")
            % {"days": REPORT_WINDOW_DAYS}
        )
    if not 1 <= minutes <= HoursReport.MAX_MINUTES:
        raise HoursError(_("Minutes are between 1 and 1440 (one day)."))
    if category not in HoursCategory.values:
        raise HoursError(_("Choose a category from the list."))
    report = HoursReport(
        volunteer=volunteer, role=role, date=date, minutes=minutes, category=category, created_at=now
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def hours_report_decide(
    *, report: HoursReport, by: User, approve: bool, now: datetime.datetime | None = None
) -> HoursReport:
    """A coordinator of the report's role (or staff) approves or declines it, once. Nobody decides
    their own report. The volunteer is told through the outbox."""
    now = now or timezone.now()
    report = (
        HoursReport.objects.select_for_update(of=("self",))
        .select_related("role", "volunteer")
        .get(pk=report.pk)
    )
    if not may_decide_hours(user=by, role=report.role):
        raise HoursError(_("Only a coordinator of %(role)s can decide on this time.") % {"role": report.role})
    if report.volunteer_id == by.pk:
        raise HoursError(_("Another coordinator decides on your own time."))
    if report.status != HoursReport.Status.PENDING:
        raise HoursError(_("This report was already decided."))
    report.status = HoursReport.Status.APPROVED if approve else HoursReport.Status.DECLINED
    report.decided_by = by
    report.decided_at = now
    report.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=by,
        action="volunteers.hours_decided",
        target=report,
        data={"status": report.status, "minutes": report.minutes, "role": report.role_id},
    )
    message_queue(
        kind=KIND_HOURS_DECIDED,
        recipient=report.volunteer.email,
        user=report.volunteer,
        language=message_language(report.volunteer),
        about=report,
        dedupe_key=f"volunteers.hours_decided:{report.pk}",
    )
    return report
