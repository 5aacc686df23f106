"""Volunteer emails. They say when and which role and link to the site; they never carry a shift's
address or anything else that would matter if a mailbox were read by someone else."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.i18n import message_language

from .models import Booking, Reminder, WaitlistEntry


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _send(*, to: str, subject, template: str, context: dict, person=None) -> None:
    """Send in the person's language: `subject` is text, or a callable giving it (called under that
    language, so its gettext reads theirs)."""
    with translation.override(message_language(person or context.get("person"))):
        context = {"org_name": settings.HAVEN_ORG_NAME, **context}
        body = render_to_string(template, context)
        text = subject() if callable(subject) else subject
        EmailMessage(
            subject=f"[{settings.HAVEN_ORG_NAME}] {text}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        ).send()


def _shift_context(shift) -> dict:
    return {
        "shift": shift,
        "starts": timezone.localtime(shift.starts_at),
        "ends": timezone.localtime(shift.ends_at),
        "shift_url": _site(reverse("volunteers:shift_detail", args=[shift.pk])),
        "my_shifts_url": _site(reverse("volunteers:my_shifts")),
    }


def send_booking_confirmation(booking: Booking) -> None:
    _send(
        to=booking.volunteer.email,
        subject=lambda: _("You are booked: %(shift)s") % {"shift": booking.shift.display_title},
        template="volunteers/email/booking_confirmation.txt",
        context={"person": booking.volunteer, "booking": booking, **_shift_context(booking.shift)},
    )


def send_waitlist_offer(entry: WaitlistEntry, *, token: str) -> None:
    _send(
        to=entry.volunteer.email,
        subject=lambda: _("A place opened up: %(shift)s") % {"shift": entry.shift.display_title},
        template="volunteers/email/waitlist_offer.txt",
        context={
            "person": entry.volunteer,
            "expires": timezone.localtime(entry.offer_expires_at),
            "offer_url": _site(reverse("volunteers:offer_confirm", args=[token])),
            **_shift_context(entry.shift),
        },
    )


def send_reminder(reminder: Reminder) -> None:
    booking = reminder.booking
    _send(
        to=booking.volunteer.email,
        subject=lambda: (
            ngettext(
                "Reminder: %(shift)s in %(hours)s hour",
                "Reminder: %(shift)s in %(hours)s hours",
                reminder.offset_hours,
            )
            % {"shift": booking.shift.display_title, "hours": reminder.offset_hours}
        ),
        template="volunteers/email/reminder.txt",
        context={"person": booking.volunteer, "reminder": reminder, **_shift_context(booking.shift)},
    )
