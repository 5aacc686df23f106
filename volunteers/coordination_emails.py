"""Coordinator-side emails: a message to the people booked on a shift (one email per person, To:
only them) and the coordinators' daily digest. Built on the volunteer emails' helpers, so they share
the subject prefix, sender and the rule that no email carries a shift's address."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User

from .emails import _send, _shift_context, _site
from .models import RoleApplication, Shift, ShiftMessageDelivery


def send_shift_message(delivery: ShiftMessageDelivery) -> None:
    message = delivery.message
    _send(
        to=delivery.volunteer.email,
        subject=message.subject,
        template="volunteers/coordinate/email/shift_message.txt",
        context={"person": delivery.volunteer, "message": message, **_shift_context(message.shift)},
    )


def send_coordinator_digest(*, coordinator: User, shifts: list[Shift], today: datetime.date) -> None:
    rows = [
        {
            "shift": shift,
            "starts": timezone.localtime(shift.starts_at),
            "url": _site(reverse("volunteers:coordinate:roster", args=[shift.pk])),
        }
        for shift in shifts
    ]
    _send(
        to=coordinator.email,
        subject=lambda: (
            ngettext(
                "%(count)s shift in the next 7 days needs people",
                "%(count)s shifts in the next 7 days need people",
                len(rows),
            )
            % {"count": len(rows)}
        ),
        template="volunteers/coordinate/email/digest.txt",
        context={
            "person": coordinator,
            "rows": rows,
            "today": today,
            "dashboard_url": _site(reverse("volunteers:coordinate:dashboard")),
        },
    )


def send_application_decision(application: RoleApplication) -> None:
    approved = application.status == RoleApplication.Status.APPROVED
    _send(
        to=application.volunteer.email,
        subject=lambda: (
            (_("You are approved for %(role)s") if approved else _("Your application for %(role)s"))
            % {"role": application.role.name}
        ),
        template="volunteers/coordinate/email/application_decision.txt",
        context={
            "person": application.volunteer,
            "application": application,
            "approved": approved,
            "shifts_url": _site(reverse("volunteers:shift_list") + f"?role={application.role_id}"),
        },
    )
