"""A coordinator writes to everyone booked on the shifts of a day, or of a role, at once. One email
per person (and one text to those who opted in), however many of the shifts they are on: each is an
outbox message keyed by the bulk message and the person, queued in this transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.i18n import message_language
from messaging.services import message_draft, messages_queue

from ..models import Booking, BulkMessage, Role, Shift
from .errors import CoordinationError
from .texts import opted_in_profiles, text_draft

KIND_BULK_MESSAGE = "volunteers.bulk_message"
KIND_BULK_MESSAGE_TEXT = "volunteers.bulk_message_text"


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def bulk_message_shifts(*, roles, role: Role | None, day: datetime.date | None, now: datetime.datetime):
    """The not cancelled, not yet ended shifts in scope, of the roles the sender may write to."""
    shifts = Shift.objects.filter(role__in=roles, is_cancelled=False, ends_at__gt=now)
    if role is not None:
        shifts = shifts.filter(role=role)
    if day is not None:
        shifts = shifts.filter(
            starts_at__gte=_local_midnight(day),
            starts_at__lt=_local_midnight(day + datetime.timedelta(days=1)),
        )
    return shifts


@transaction.atomic
def bulk_message_send(
    *,
    sender: User,
    roles,
    subject: str,
    body: str,
    role: Role | None = None,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> BulkMessage:
    """`roles`: what the sender coordinates (staff: every role); `role` and/or `day` narrow it."""
    now = now or timezone.now()
    if role is None and day is None:
        raise CoordinationError(_("Choose a day, a role, or both."))
    if role is not None and not roles.filter(pk=role.pk).exists():
        raise CoordinationError(_("You do not coordinate this role."))
    shifts = bulk_message_shifts(roles=roles, role=role, day=day, now=now)
    people = list(
        User.objects.filter(
            shift_bookings__shift__in=shifts,
            shift_bookings__status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED],
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    if not people:
        raise CoordinationError(_("Nobody is booked on those shifts, so there is no one to write to."))
    message = BulkMessage.objects.create(
        sender=sender,
        role=role,
        day=day,
        subject=subject.strip(),
        body=body.strip(),
        recipients=len(people),
        created_at=now,
    )
    profiles = opted_in_profiles(person.pk for person in people)
    drafts = []
    for person in people:
        drafts.append(
            message_draft(
                kind=KIND_BULK_MESSAGE,
                recipient=person.email,
                user=person,
                language=message_language(person),
                about=message,
                dedupe_key=f"{KIND_BULK_MESSAGE}:{message.pk}:{person.pk}",
            )
        )
        text = text_draft(
            profile=profiles.get(person.pk),
            volunteer=person,
            kind=KIND_BULK_MESSAGE_TEXT,
            about=message,
            dedupe_key=f"{KIND_BULK_MESSAGE_TEXT}:{message.pk}:{person.pk}",
        )
        if text is not None:
            drafts.append(text)
    # Every email and text in one INSERT (each keeps its own dedupe key).
    messages_queue(drafts)
    return message
