"""The outbox renderer of a decision on reported hours (registered from VolunteersConfig.ready()).
Rendered at send time in the volunteer's language; it says the role, date and minutes, nothing else."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from .models import HoursReport
from .services.hours import KIND_HOURS_DECIDED


def render_hours_decided(message: Message) -> Rendered | Skip:
    report = HoursReport.objects.select_related("role", "volunteer").filter(pk=message.about_id).first()
    if report is None or report.status == HoursReport.Status.PENDING:
        return Skip("the report is gone or not decided")
    approved = report.status == HoursReport.Status.APPROVED
    subject = (
        _("[%(org)s] Your hours were approved")
        if approved
        else _("[%(org)s] Your reported hours were declined")
    ) % {"org": settings.HAVEN_ORG_NAME}
    return Rendered(
        subject=subject,
        text=render_to_string(
            "volunteers/email/hours_decided.txt",
            {
                "org_name": settings.HAVEN_ORG_NAME,
                "person": report.volunteer,
                "report": report,
                "approved": approved,
                "hours_url": settings.SITE_URL + reverse("volunteers:hours"),
            },
        ),
    )


def register() -> None:
    kind_register(
        KIND_HOURS_DECIDED,
        render=render_hours_decided,
        description="A coordinator approved or declined time a volunteer reported outside the roster.",
    )
