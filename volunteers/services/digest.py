"""The coordinators' daily digest: shifts of their roles in the next 7 days that still need people,
at most once per coordinator per local day (the outbox message's dedupe key says so)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from messaging.models import Message
from messaging.services import message_queue

from ..selectors import coordinator_digest_shifts

KIND_COORDINATOR_DIGEST = "volunteers.coordinator_digest"


def digest_dedupe_key(*, coordinator: User, day: datetime.date) -> str:
    return f"{KIND_COORDINATOR_DIGEST}:{coordinator.pk}:{day.isoformat()}"


def coordinator_digest_send(*, coordinator: User, now: datetime.datetime | None = None) -> bool:
    """Queue one coordinator's digest of the shifts of their roles in the next 7 days that still
    have open places, at most once per local day (the dedupe key holds the coordinator and the
    date). Nothing is queued when every shift is full. Returns whether a new message was queued;
    the renderer lists the shifts as they are when it is sent."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    key = digest_dedupe_key(coordinator=coordinator, day=today)
    if Message.objects.filter(dedupe_key=key).exists():
        return False
    if not coordinator_digest_shifts(coordinator=coordinator, now=now):
        return False
    with transaction.atomic():
        message_queue(
            kind=KIND_COORDINATOR_DIGEST,
            recipient=coordinator.email,
            user=coordinator,
            about=coordinator,
            dedupe_key=key,
            data={"date": today.isoformat()},
        )
    return True


def coordinator_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Queue today's digest for every active coordinator of an active role, from
    HAVEN_COORDINATOR_DIGEST_HOUR (local) on. Safe to run as often as beat likes."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.HAVEN_COORDINATOR_DIGEST_HOUR:
        return 0
    coordinators = (
        User.objects.filter(is_active=True, coordinated_roles__is_active=True).distinct().order_by("pk")
    )
    return sum(coordinator_digest_send(coordinator=c, now=now) for c in coordinators)
