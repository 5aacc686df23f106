"""The outbox renderers of the volunteers' own messages about their bookings (registered from
VolunteersConfig.ready()): a booking put on hold, and cleared again. Rendered at send time, in the
recipient's language; like every volunteer email they never carry the shift's address."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from . import clearance
from .models import Booking, RoleApproval
from .services.approvals import KIND_ROLE_APPROVED
from .services.holds import KIND_CLEARED, KIND_ON_HOLD, hold_dedupe_key


def _booking(message: Message) -> Booking | Skip:
    booking = Booking.objects.select_related("shift__role", "volunteer").filter(pk=message.about_id).first()
    if booking is None or booking.status != Booking.Status.BOOKED:
        return Skip("the booking was cancelled")
    if booking.shift.is_cancelled or booking.shift.starts_at <= timezone.now():
        return Skip("the shift was cancelled or has started")
    return booking


def _same_hold(booking: Booking, message: Message) -> bool:
    since = booking.on_hold_since
    return since is not None and since.astimezone(datetime.UTC).isoformat() == message.data.get("hold_since")


def _context(booking: Booking, **extra) -> dict:
    shift = booking.shift
    return {
        "org_name": settings.HAVEN_ORG_NAME,
        "person": booking.volunteer,
        "shift": shift,
        "starts": timezone.localtime(shift.starts_at),
        "ends": timezone.localtime(shift.ends_at),
        "shift_url": settings.SITE_URL + reverse("volunteers:shift_detail", args=[shift.pk]),
        "my_shifts_url": settings.SITE_URL + reverse("volunteers:my_shifts"),
        **extra,
    }


def render_booking_on_hold(message: Message) -> Rendered | Skip:
    booking = _booking(message)
    if isinstance(booking, Skip):
        return booking
    hold = clearance.holds_for([booking]).get(booking.pk)
    if hold is None or not _same_hold(booking, message):
        return Skip("the volunteer was cleared again before the notice went out")
    return Rendered(
        subject=_("[%(org)s] Your booking is on hold: %(shift)s")
        % {"org": settings.HAVEN_ORG_NAME, "shift": booking.shift.display_title},
        text=render_to_string("volunteers/email/booking_on_hold.txt", _context(booking, hold=hold)),
    )


def render_booking_cleared(message: Message) -> Rendered | Skip:
    booking = _booking(message)
    if isinstance(booking, Skip):
        return booking
    if booking.on_hold_since is not None or clearance.holds_for([booking]):
        return Skip("the booking is on hold again")
    since = datetime.datetime.fromisoformat(message.data["hold_since"])
    told = Message.objects.filter(dedupe_key=hold_dedupe_key(KIND_ON_HOLD, booking.pk, since)).first()
    if told is None or told.status not in (Message.Status.SENT, Message.Status.SENDING):
        return Skip("the volunteer was never told of the hold")
    return Rendered(
        subject=_("[%(org)s] Your booking is confirmed again: %(shift)s")
        % {"org": settings.HAVEN_ORG_NAME, "shift": booking.shift.display_title},
        text=render_to_string("volunteers/email/booking_cleared.txt", _context(booking)),
    )


def render_role_approved(message: Message) -> Rendered | Skip:
    approval = RoleApproval.objects.select_related("role", "volunteer").filter(pk=message.about_id).first()
    if approval is None:
        return Skip("the approval was withdrawn before the notice went out")
    return Rendered(
        subject=_("[%(org)s] You are approved for %(role)s")
        % {"org": settings.HAVEN_ORG_NAME, "role": approval.role.name},
        text=render_to_string(
            "volunteers/email/role_approved.txt",
            {
                "org_name": settings.HAVEN_ORG_NAME,
                "person": approval.volunteer,
                "role": approval.role,
                "shifts_url": settings.SITE_URL
                + reverse("volunteers:shift_list")
                + f"?role={approval.role_id}",
            },
        ),
    )


def register() -> None:
    kind_register(
        KIND_ROLE_APPROVED,
        render=render_role_approved,
        description="A coordinator approved a volunteer for a role they had not applied for.",
    )
    kind_register(
        KIND_ON_HOLD,
        render=render_booking_on_hold,
        description="A volunteer's booking went on hold (not cleared for the shift): why, and what to do.",
    )
    kind_register(
        KIND_CLEARED,
        render=render_booking_cleared,
        description="A volunteer's booking on hold is confirmed again (the address is back).",
    )
