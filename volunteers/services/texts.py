"""Text messages to volunteers who opted in: consent (recorded with its time and wording), STOP and
START replies, quiet hours, and the texts themselves, queued on the outbox's "sms" channel.

A text never carries a shift's address or a coordinator's own words (they could hold anything): it
says which shift and when, and links to the site, where the rest is shown to those allowed to see
it. Each text is one outbox row with its own dedupe key, so it goes out exactly once; the renderer
(volunteers/texts.py) skips it if the volunteer stopped texts or the booking went away meanwhile."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import User
from core.i18n import message_language
from messaging.models import Message
from messaging.services import message_draft, messages_queue

from ..models import Booking, ShiftMessage, SmsConsentRecord, VolunteerProfile

KIND_REMINDER_TEXT = "volunteers.reminder_text"
KIND_SHIFT_MESSAGE_TEXT = "volunteers.shift_message_text"


class TextsError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


def texts_available() -> bool:
    """Whether Haven can send texts at all (an "sms" channel is configured)."""
    return "sms" in settings.HAVEN_MESSAGE_CHANNELS


def consent_wording() -> str:
    """The words a volunteer agrees to, in the active language (stored as shown)."""
    return _(
        "I agree to receive text messages from %(org)s about my volunteer shifts: reminders before a "
        "shift and a note when a coordinator writes to the people booked. About 3 texts per shift; "
        "message and data rates may apply. Reply STOP to stop them at any time, START to restart."
    ) % {"org": settings.HAVEN_ORG_NAME}


def _number(raw: str) -> PhoneNumber:
    number = PhoneNumber.from_string(raw, region=settings.PHONENUMBER_DEFAULT_REGION)
    if not number.is_valid():
        raise TextsError(_("Enter a valid mobile number, for example (201) 555-0123."))
    return number


@transaction.atomic
def sms_opt_in(
    *, volunteer: User, number: str, wording: str, now: datetime.datetime | None = None
) -> VolunteerProfile:
    """The volunteer agrees to texts on the site: the number (E.164), the time and the exact words."""
    if not wording.strip():
        raise TextsError("The words agreed to are recorded with every opt-in.")
    now = now or timezone.now()
    profile = VolunteerProfile.objects.select_for_update().get(user=volunteer)
    phone = _number(number)
    profile.mobile = phone
    profile.sms_opted_in_at = now
    profile.save(update_fields=["mobile", "sms_opted_in_at", "updated_at"])
    SmsConsentRecord.objects.create(
        volunteer=volunteer,
        number=phone,
        action=SmsConsentRecord.Action.OPT_IN,
        source=SmsConsentRecord.Source.WEB,
        wording=wording,
        language=translation.get_language() or "",
        at=now,
    )
    return profile


@transaction.atomic
def sms_opt_out(
    *, volunteer: User, source: str = SmsConsentRecord.Source.WEB, now: datetime.datetime | None = None
) -> VolunteerProfile:
    now = now or timezone.now()
    profile = VolunteerProfile.objects.select_for_update().get(user=volunteer)
    if profile.sms_opted_in_at is not None:
        profile.sms_opted_in_at = None
        profile.save(update_fields=["sms_opted_in_at", "updated_at"])
        SmsConsentRecord.objects.create(
            volunteer=volunteer,
            number=profile.mobile,
            action=SmsConsentRecord.Action.OPT_OUT,
            source=source,
            at=now,
        )
    return profile


def sms_keyword_received(
    *, number: str, keyword: str, source: str = "reply", now: datetime.datetime | None = None
) -> int:
    """A STOP or START reply from `number` (E.164, from the provider's webhook), or a STOP the
    provider reported by refusing a text to it (error 21610, `source="provider"`). STOP stops texts
    to every volunteer with that number, recorded with its time and source; START restarts them
    only for someone who agreed on the site before (the reply is recorded as their new opt-in).
    Returns how many profiles changed."""
    now = now or timezone.now()
    stop_source = SmsConsentRecord.Source.PROVIDER if source == "provider" else SmsConsentRecord.Source.REPLY
    try:
        phone = _number(number)
    except TextsError:
        return 0
    changed = 0
    for profile in VolunteerProfile.objects.filter(mobile=phone).select_related("user"):
        if keyword == "stop" and profile.sms_opted_in_at is not None:
            sms_opt_out(volunteer=profile.user, source=stop_source, now=now)
            changed += 1
        elif keyword == "start" and profile.sms_opted_in_at is None:
            agreed = SmsConsentRecord.objects.filter(
                volunteer=profile.user, action=SmsConsentRecord.Action.OPT_IN
            ).exists()
            if not agreed:
                continue
            with transaction.atomic():
                VolunteerProfile.objects.filter(pk=profile.pk).update(sms_opted_in_at=now)
                SmsConsentRecord.objects.create(
                    volunteer=profile.user,
                    number=phone,
                    action=SmsConsentRecord.Action.OPT_IN,
                    source=SmsConsentRecord.Source.REPLY,
                    wording=_("Replied START to a text from %(org)s.") % {"org": settings.HAVEN_ORG_NAME},
                    at=now,
                )
            changed += 1
    return changed


# --- quiet hours -----------------------------------------------------------------------------------


def _quiet_window() -> tuple[datetime.time, datetime.time] | None:
    spec = (settings.HAVEN_SMS_QUIET_HOURS or "").strip()
    if not spec:
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def sms_due_at(due: datetime.datetime) -> datetime.datetime:
    """`due`, or the end of the quiet hours when it falls inside them (local time, TIME_ZONE). The
    window may run over midnight (21:00-08:00)."""
    window = _quiet_window()
    if window is None:
        return due
    start, end = window
    local = timezone.localtime(due)
    clock = local.time()
    if start <= end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + datetime.timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return due
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(end_day, end, tzinfo=zone).astimezone(datetime.UTC)


# --- the texts ---------------------------------------------------------------------------------------


def opted_in_profiles(volunteer_ids) -> dict[int, VolunteerProfile]:
    """In one query: the profiles (with their users) of those of `volunteer_ids` who may get texts
    (active, opted in, with a number), by user id. Empty when Haven cannot send texts."""
    if not texts_available():
        return {}
    profiles = VolunteerProfile.objects.filter(
        user_id__in=list(volunteer_ids), user__is_active=True, sms_opted_in_at__isnull=False
    ).select_related("user")
    return {p.user_id: p for p in profiles if p.mobile}


def text_draft(
    *,
    profile: VolunteerProfile | None,
    kind: str,
    about,
    dedupe_key: str,
    due_at: datetime.datetime | None = None,
    data: dict | None = None,
    volunteer: User | None = None,
) -> Message | None:
    """The outbox row of a text to the person of `profile` (`volunteer` is its user, when the caller
    has it loaded), at `due_at` moved out of the quiet hours, or None when texts are not available or
    they did not opt in. Nothing is written: `messages_queue` writes it."""
    if not texts_available() or profile is None or profile.sms_opted_in_at is None or not profile.mobile:
        return None
    person = volunteer if volunteer is not None else profile.user
    if not person.is_active:
        return None
    return message_draft(
        kind=kind,
        channel="sms",
        recipient=profile.mobile.as_e164,
        user=person,
        language=message_language(person),
        about=about,
        dedupe_key=dedupe_key,
        due_at=sms_due_at(due_at or timezone.now()),
        data=data or {},
    )


def text_queue(
    *,
    volunteer_id: int,
    kind: str,
    about,
    dedupe_key: str,
    due_at: datetime.datetime | None = None,
    data: dict | None = None,
) -> bool:
    """Queue a text to the volunteer if texts are available and they opted in, in the caller's
    transaction, at `due_at` moved out of the quiet hours. Returns whether one was queued."""
    draft = text_draft(
        profile=opted_in_profiles([volunteer_id]).get(volunteer_id),
        kind=kind,
        about=about,
        dedupe_key=dedupe_key,
        due_at=due_at,
        data=data,
    )
    if draft is None:
        return False
    messages_queue([draft])
    return True


def reminder_text_draft(
    *, booking: Booking, offset_hours: int, due_at: datetime.datetime, profile: VolunteerProfile | None
) -> Message | None:
    """The text twin of a reminder email, for the booking's volunteer (`profile`: theirs, loaded by
    the caller). Its key holds the due instant: a shift that moves gets a new reminder for the new
    time, and the old one is skipped by its renderer."""
    return text_draft(
        profile=profile,
        volunteer=booking.volunteer if profile is not None else None,
        kind=KIND_REMINDER_TEXT,
        about=booking,
        dedupe_key=f"{KIND_REMINDER_TEXT}:{booking.pk}:{offset_hours}:{due_at.astimezone(datetime.UTC).isoformat()}",
        due_at=due_at,
        data={
            "offset_hours": offset_hours,
            "starts_at": booking.shift.starts_at.astimezone(datetime.UTC).isoformat(),
        },
    )


def shift_message_text_drafts(*, message: ShiftMessage, bookings: list[Booking]) -> list[Message]:
    """A short text to each opted-in person a shift message goes to, pointing to their email (the
    profiles in one query; nothing written: `messages_queue` writes them)."""
    profiles = opted_in_profiles({b.volunteer_id for b in bookings})
    drafts = []
    for booking in bookings:
        draft = text_draft(
            profile=profiles.get(booking.volunteer_id),
            kind=KIND_SHIFT_MESSAGE_TEXT,
            about=message,
            dedupe_key=f"{KIND_SHIFT_MESSAGE_TEXT}:{message.pk}:{booking.volunteer_id}",
            data={"booking_id": booking.pk},
        )
        if draft is not None:
            drafts.append(draft)
    return drafts
