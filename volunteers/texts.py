"""The outbox renderers of volunteers' text messages (registered from VolunteersConfig.ready()), and
the receiver of STOP/START replies. Rendered at send time in the volunteer's language. A text names
the shift and its time and links to the site; never the address, never a coordinator's own words."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register
from messaging.sms import sms_keyword

from .models import Booking, ShiftMessage, VolunteerProfile
from .services.swaps import KIND_SWAP_ACCEPTED_TEXT
from .services.texts import KIND_REMINDER_TEXT, KIND_SHIFT_MESSAGE_TEXT, sms_keyword_received
from .swap_notices import swap_taken


def _still_opted_in(message: Message) -> bool:
    profile = VolunteerProfile.objects.filter(user_id=message.user_id, user__is_active=True).first()
    return bool(
        profile is not None
        and profile.sms_opted_in_at is not None
        and profile.mobile
        and profile.mobile.as_e164 == message.recipient
    )


def _when(instant: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(instant), "D M j, g:i A")


def _stop_line() -> str:
    return _("Reply STOP to stop texts.")


def render_reminder_text(message: Message) -> Rendered | Skip:
    if not _still_opted_in(message):
        return Skip("the volunteer stopped texts or changed their number")
    booking = Booking.objects.select_related("shift__role").filter(pk=message.about_id).first()
    if booking is None or booking.status != Booking.Status.BOOKED:
        return Skip("the booking was cancelled")
    shift = booking.shift
    if shift.is_cancelled or shift.starts_at <= timezone.now():
        return Skip("the shift was cancelled or has started")
    if shift.starts_at.astimezone(datetime.UTC).isoformat() != message.data.get("starts_at"):
        return Skip("the shift moved; a reminder for the new time is queued")
    url = settings.SITE_URL + reverse("volunteers:shift_detail", args=[shift.pk])
    text = _("%(org)s: reminder, you are booked for %(shift)s on %(when)s. Details (sign in): %(url)s") % {
        "org": settings.HAVEN_ORG_NAME,
        "shift": shift.display_title,
        "when": _when(shift.starts_at),
        "url": url,
    }
    return Rendered(subject=_("Shift reminder"), text=f"{text}\n{_stop_line()}")


def render_shift_message_text(message: Message) -> Rendered | Skip:
    if not _still_opted_in(message):
        return Skip("the volunteer stopped texts or changed their number")
    shift_message = ShiftMessage.objects.select_related("shift__role").filter(pk=message.about_id).first()
    if shift_message is None:
        return Skip("the message is gone")
    booking = Booking.objects.filter(pk=message.data.get("booking_id")).first()
    if booking is None or booking.status == Booking.Status.CANCELLED:
        return Skip("the booking was cancelled")
    shift = shift_message.shift
    text = _(
        "%(org)s: there is a new message about your shift %(shift)s on %(when)s. It is in your email; "
        "your shifts: %(url)s"
    ) % {
        "org": settings.HAVEN_ORG_NAME,
        "shift": shift.display_title,
        "when": _when(shift.starts_at),
        "url": settings.SITE_URL + reverse("volunteers:my_shifts"),
    }
    return Rendered(subject=_("Message about your shift"), text=f"{text}\n{_stop_line()}")


def render_swap_accepted_text(message: Message) -> Rendered | Skip:
    if not _still_opted_in(message):
        return Skip("the volunteer stopped texts or changed their number")
    offer = swap_taken(message.about_id)
    if isinstance(offer, Skip):
        return offer
    shift = offer.booking.shift
    text = _(
        "%(org)s: %(name)s took your place on %(shift)s on %(when)s, so you are no longer booked. "
        "Your shifts: %(url)s"
    ) % {
        "org": settings.HAVEN_ORG_NAME,
        "name": offer.to_volunteer.get_short_name(),
        "shift": shift.display_title,
        "when": _when(shift.starts_at),
        "url": settings.SITE_URL + reverse("volunteers:my_shifts"),
    }
    return Rendered(subject=_("Your place was taken"), text=f"{text}\n{_stop_line()}")


@receiver(sms_keyword, dispatch_uid="volunteers.sms_keyword")
def _on_sms_keyword(sender, *, number: str, keyword: str, source: str = "reply", **kwargs) -> None:
    sms_keyword_received(number=number, keyword=keyword, source=source)


def register() -> None:
    kind_register(
        KIND_REMINDER_TEXT,
        render=render_reminder_text,
        description="A text reminding an opted-in volunteer of a booked shift (no address).",
    )
    kind_register(
        KIND_SHIFT_MESSAGE_TEXT,
        render=render_shift_message_text,
        description="A text telling an opted-in volunteer a coordinator wrote about their shift.",
    )
    kind_register(
        KIND_SWAP_ACCEPTED_TEXT,
        render=render_swap_accepted_text,
        description="A text telling an opted-in volunteer the colleague they offered their place took it.",
    )
