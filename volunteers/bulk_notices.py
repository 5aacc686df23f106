"""Outbox renderers of a coordinator's message to the shifts of a day or a role (registered from
VolunteersConfig.ready()): the email carries the coordinator's words and the person's own shifts in
scope (never an address); the text only says there is an email."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from .models import Booking, BulkMessage, Role
from .services.bulk_messages import KIND_BULK_MESSAGE, KIND_BULK_MESSAGE_TEXT, bulk_message_shifts
from .texts import _still_opted_in


def _their_shifts(bulk: BulkMessage, user_id: int):
    roles = Role.objects.filter(pk=bulk.role_id) if bulk.role_id else Role.objects.all()
    shifts = bulk_message_shifts(roles=roles, role=None, day=bulk.day, now=bulk.created_at)
    return [
        b.shift
        for b in Booking.objects.filter(
            volunteer_id=user_id,
            shift__in=shifts,
            status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED],
        )
        .select_related("shift__role")
        .order_by("shift__starts_at")
    ]


def render_bulk_message(message: Message) -> Rendered | Skip:
    bulk = BulkMessage.objects.select_related("sender").filter(pk=message.about_id).first()
    if bulk is None:
        return Skip("the message is gone")
    shifts = _their_shifts(bulk, message.user_id)
    if not shifts:
        return Skip("the person is no longer booked on those shifts")
    return Rendered(
        subject=_("[%(org)s] %(subject)s") % {"org": settings.HAVEN_ORG_NAME, "subject": bulk.subject},
        text=render_to_string(
            "volunteers/email/bulk_message.txt",
            {
                "org_name": settings.HAVEN_ORG_NAME,
                "message": bulk,
                "sender": bulk.sender.get_short_name() if bulk.sender else "",
                "shifts": [(s, timezone.localtime(s.starts_at)) for s in shifts],
                "my_shifts_url": settings.SITE_URL + reverse("volunteers:my_shifts"),
            },
        ),
    )


def render_bulk_message_text(message: Message) -> Rendered | Skip:
    if not _still_opted_in(message):
        return Skip("the volunteer stopped texts or changed their number")
    bulk = BulkMessage.objects.filter(pk=message.about_id).first()
    if bulk is None or not _their_shifts(bulk, message.user_id):
        return Skip("the person is no longer booked on those shifts")
    text = _(
        "%(org)s: a coordinator wrote to you about your shifts. It is in your email; your shifts: %(url)s"
    ) % {
        "org": settings.HAVEN_ORG_NAME,
        "url": settings.SITE_URL + reverse("volunteers:my_shifts"),
    }
    return Rendered(subject=_("Message about your shifts"), text=text + "\n" + _("Reply STOP to stop texts."))


def register() -> None:
    kind_register(
        KIND_BULK_MESSAGE,
        render=render_bulk_message,
        description="A coordinator's message to the people booked on a day's or a role's shifts, one each.",
    )
    kind_register(
        KIND_BULK_MESSAGE_TEXT,
        render=render_bulk_message_text,
        description="A text telling an opted-in volunteer a coordinator wrote about their shifts.",
    )
