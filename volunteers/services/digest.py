"""The coordinators' daily digest: shifts of their roles in the next 7 days that still need people,
at most once per coordinator per local day."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..coordination_emails import send_coordinator_digest
from ..models import DigestLog
from ..selectors import coordinator_digest_shifts

logger = logging.getLogger(__name__)


def coordinator_digest_send(*, coordinator: User, now: datetime.datetime | None = None) -> bool:
    """Email one coordinator the shifts of their roles in the next 7 days that still have open
    places, at most once per local day (the `DigestLog` row is unique per coordinator and date and
    is locked while sending). Nothing is sent when every shift is full. Returns whether it sent."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if DigestLog.objects.filter(coordinator=coordinator, date=today, sent_at__isnull=False).exists():
        return False
    shifts = coordinator_digest_shifts(coordinator=coordinator, now=now)
    if not shifts:
        return False
    with transaction.atomic():
        log, _ = DigestLog.objects.get_or_create(coordinator=coordinator, date=today)
        log = DigestLog.objects.select_for_update().get(pk=log.pk)
        if log.sent_at is not None:
            return False
        send_coordinator_digest(coordinator=coordinator, shifts=shifts, today=today)
        log.sent_at = timezone.now()
        log.shift_count = len(shifts)
        log.save(update_fields=["sent_at", "shift_count"])
    return True


def coordinator_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send today's digest to every active coordinator of an active role, from
    HAVEN_COORDINATOR_DIGEST_HOUR (local) on. Safe to run as often as beat likes."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.HAVEN_COORDINATOR_DIGEST_HOUR:
        return 0
    coordinators = (
        User.objects.filter(is_active=True, coordinated_roles__is_active=True).distinct().order_by("pk")
    )
    sent = 0
    for coordinator in coordinators:
        try:
            sent += coordinator_digest_send(coordinator=coordinator, now=now)
        except Exception as exc:  # noqa: BLE001  (one failing mailbox must not stop the others)
            logger.warning("coordinator digest for %s failed: %s", coordinator.pk, exc)
    return sent
