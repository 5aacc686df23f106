"""Reads for the staff messages page."""

import datetime

from django.db.models import QuerySet

from .models import Message

# A pseudo-status on the staff page: what should have gone out by now and has not.
STUCK = "stuck"


def messages_for_staff(*, now: datetime.datetime, status: str = "", kind: str = "") -> QuerySet[Message]:
    """Messages newest first, filtered by status (or "stuck") and kind; with what they are about and
    for whom in the same query."""
    rows = Message.objects.select_related("about_type", "user").defer("body_text", "body_html")
    if status == STUCK:
        rows = rows.stuck(now)
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-pk")


def messages_attention_counts(*, now: datetime.datetime) -> dict[str, int]:
    """How many messages failed and how many are stuck (the page's summary)."""
    return {
        "failed": Message.objects.filter(status=Message.Status.FAILED).count(),
        STUCK: Message.objects.stuck(now).count(),
    }


def message_kinds() -> list[str]:
    return list(Message.objects.order_by("kind").values_list("kind", flat=True).distinct())
