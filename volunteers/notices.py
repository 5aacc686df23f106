"""The outbox renderers of every volunteer and coordinator email (registered from
VolunteersConfig.ready()): booking confirmations, waitlist offers, reminders, shift messages (and the
cancelled / moved notices, which are shift messages too), role decisions, the coordinators' digest,
and bookings put on hold and cleared again. Rendered at send time, in the recipient's language,
outside any transaction; each loads what it is about by id and skips what no longer applies. Like
every volunteer email they never carry the shift's address."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from . import clearance
from .models import Booking, RoleApplication, RoleApproval, ShiftMessage, WaitlistEntry
from .selectors import coordinator_digest_shifts
from .services.approvals import KIND_ROLE_APPROVED, KIND_ROLE_DECISION
from .services.booking import KIND_BOOKING_CONFIRMATION
from .services.digest import KIND_COORDINATOR_DIGEST
from .services.holds import KIND_CLEARED, KIND_ON_HOLD, hold_dedupe_key
from .services.reminders import KIND_REMINDER
from .services.shift_messages import KIND_SHIFT_MESSAGE, shift_notice_words
from .services.waitlist import KIND_WAITLIST_OFFER, waitlist_offer_token


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


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _subject(text: str) -> str:
    return f"[{settings.HAVEN_ORG_NAME}] {text}"


def _shift_context(shift, **extra) -> dict:
    return {
        "org_name": settings.HAVEN_ORG_NAME,
        "shift": shift,
        "starts": timezone.localtime(shift.starts_at),
        "ends": timezone.localtime(shift.ends_at),
        "shift_url": settings.SITE_URL + reverse("volunteers:shift_detail", args=[shift.pk]),
        "my_shifts_url": settings.SITE_URL + reverse("volunteers:my_shifts"),
        **extra,
    }


def _context(booking: Booking, **extra) -> dict:
    return _shift_context(booking.shift, person=booking.volunteer, booking=booking, **extra)


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


def render_booking_confirmation(message: Message) -> Rendered | Skip:
    booking = _booking(message)
    if isinstance(booking, Skip):
        return booking
    return Rendered(
        subject=_subject(_("You are booked: %(shift)s") % {"shift": booking.shift.display_title}),
        text=render_to_string("volunteers/email/booking_confirmation.txt", _context(booking)),
    )


def render_reminder(message: Message) -> Rendered | Skip:
    booking = _booking(message)
    if isinstance(booking, Skip):
        return booking
    if not booking.volunteer.is_active:
        return Skip("the volunteer's account is closed")
    if booking.shift.starts_at.astimezone(datetime.UTC).isoformat() != message.data.get("starts_at"):
        return Skip("the shift moved (a reminder for the new time is queued)")
    hours = message.data["offset_hours"]
    return Rendered(
        subject=_subject(
            ngettext(
                "Reminder: %(shift)s in %(hours)s hour",
                "Reminder: %(shift)s in %(hours)s hours",
                hours,
            )
            % {"shift": booking.shift.display_title, "hours": hours}
        ),
        text=render_to_string("volunteers/email/reminder.txt", _context(booking, offset_hours=hours)),
    )


def render_waitlist_offer(message: Message) -> Rendered | Skip:
    entry = (
        WaitlistEntry.objects.select_related("shift__role", "volunteer").filter(pk=message.about_id).first()
    )
    if entry is None or entry.status != WaitlistEntry.Status.OFFERED:
        return Skip("the offer was taken, declined, withdrawn or has expired")
    if entry.offered_at.astimezone(datetime.UTC).isoformat() != message.data.get("offered_at"):
        return Skip("a later offer replaced this one")
    if entry.offer_expires_at <= timezone.now():
        return Skip("the offer has expired")
    token = waitlist_offer_token(entry)
    context = _shift_context(
        entry.shift,
        person=entry.volunteer,
        expires=timezone.localtime(entry.offer_expires_at),
        offer_url=_site(reverse("volunteers:offer_confirm", args=[token])),
    )
    return Rendered(
        subject=_subject(_("A place opened up: %(shift)s") % {"shift": entry.shift.display_title}),
        text=render_to_string("volunteers/email/waitlist_offer.txt", context),
    )


def render_shift_message(message: Message) -> Rendered | Skip:
    note = ShiftMessage.objects.select_related("shift__role").filter(pk=message.about_id).first()
    if note is None:
        return Skip("the shift message was deleted")
    person = User.objects.filter(pk=message.user_id, is_active=True).first()
    if person is None:
        return Skip("the volunteer's account is closed")
    notice = (message.data or {}).get("notice")
    if notice:  # one of Haven's own notices: in this person's language
        subject, body = shift_notice_words(shift=note.shift, notice=notice)
    else:  # a coordinator's words, as they wrote them
        subject, body = note.subject, note.body
    context = _shift_context(note.shift, person=person, message=note, body=body)
    return Rendered(
        subject=_subject(subject),
        text=render_to_string("volunteers/coordinate/email/shift_message.txt", context),
    )


def render_role_decision(message: Message) -> Rendered | Skip:
    application = (
        RoleApplication.objects.select_related("role", "volunteer").filter(pk=message.about_id).first()
    )
    if application is None or application.status == RoleApplication.Status.PENDING:
        return Skip("the application is gone or no longer decided")
    if not application.volunteer.is_active:
        return Skip("the volunteer's account is closed")
    approved = application.status == RoleApplication.Status.APPROVED
    subject = (_("You are approved for %(role)s") if approved else _("Your application for %(role)s")) % {
        "role": application.role.name
    }
    context = {
        "org_name": settings.HAVEN_ORG_NAME,
        "person": application.volunteer,
        "application": application,
        "approved": approved,
        "shifts_url": _site(reverse("volunteers:shift_list") + f"?role={application.role_id}"),
    }
    return Rendered(
        subject=_subject(subject),
        text=render_to_string("volunteers/coordinate/email/application_decision.txt", context),
    )


def render_coordinator_digest(message: Message) -> Rendered | Skip:
    coordinator = User.objects.filter(pk=message.about_id, is_active=True).first()
    if coordinator is None:
        return Skip("the coordinator's account is closed")
    today = datetime.date.fromisoformat(message.data["date"])
    if timezone.localdate() != today:
        return Skip("the day of this digest has passed")
    shifts = coordinator_digest_shifts(coordinator=coordinator, now=timezone.now())
    if not shifts:
        return Skip("every shift is full now")
    rows = [
        {
            "shift": shift,
            "starts": timezone.localtime(shift.starts_at),
            "url": _site(reverse("volunteers:coordinate:roster", args=[shift.pk])),
        }
        for shift in shifts
    ]
    context = {
        "org_name": settings.HAVEN_ORG_NAME,
        "person": coordinator,
        "rows": rows,
        "today": today,
        "dashboard_url": _site(reverse("volunteers:coordinate:dashboard")),
    }
    subject = ngettext(
        "%(count)s shift in the next 7 days needs people",
        "%(count)s shifts in the next 7 days need people",
        len(rows),
    ) % {"count": len(rows)}
    return Rendered(
        subject=_subject(subject),
        text=render_to_string("volunteers/coordinate/email/digest.txt", context),
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
    kind_register(
        KIND_BOOKING_CONFIRMATION,
        render=render_booking_confirmation,
        description="A volunteer booked a shift: when, which role, where to find the details.",
    )
    kind_register(
        KIND_REMINDER,
        render=render_reminder,
        description="A reminder 48 h / 3 h before a booked shift (queued with its due time).",
    )
    kind_register(
        KIND_WAITLIST_OFFER,
        render=render_waitlist_offer,
        # The body holds the signed link that takes the place: wiped once sent.
        sensitive=True,
        description="A freed place held for the next person on the waitlist, with the link to take it.",
    )
    kind_register(
        KIND_SHIFT_MESSAGE,
        render=render_shift_message,
        description="A coordinator's message to one person booked on a shift, or a moved/cancelled notice.",
    )
    kind_register(
        KIND_ROLE_DECISION,
        render=render_role_decision,
        description="The decision on a volunteer's role application.",
    )
    kind_register(
        KIND_COORDINATOR_DIGEST,
        render=render_coordinator_digest,
        description="A coordinator's daily list of shifts in the next 7 days that still need people.",
    )
