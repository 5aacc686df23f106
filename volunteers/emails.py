"""Volunteer emails. They say when and which role and link to the site; they never carry a shift's
address or anything else that would matter if a mailbox were read by someone else."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Booking, Reminder, WaitlistEntry


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    context = {"org_name": settings.HAVEN_ORG_NAME, **context}
    body = render_to_string(template, context)
    EmailMessage(
        subject=f"[{settings.HAVEN_ORG_NAME}] {subject}",
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
        subject=f"You are booked: {booking.shift.display_title}",
        template="volunteers/email/booking_confirmation.txt",
        context={"person": booking.volunteer, "booking": booking, **_shift_context(booking.shift)},
    )


def send_waitlist_offer(entry: WaitlistEntry, *, token: str) -> None:
    _send(
        to=entry.volunteer.email,
        subject=f"A place opened up: {entry.shift.display_title}",
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
        subject=f"Reminder: {booking.shift.display_title} in {reminder.offset_hours} hours",
        template="volunteers/email/reminder.txt",
        context={"person": booking.volunteer, "reminder": reminder, **_shift_context(booking.shift)},
    )
