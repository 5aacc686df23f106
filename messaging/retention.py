"""The outbox's retention rule (accounts/retention.py runs it; the public privacy page states it from
the same setting): HAVEN_RETENTION_MESSAGE_BODY_DAYS after a message was sent, or after it was written
for one that was skipped or cancelled, its subject line stays but its text is emptied. Failed messages
keep theirs until staff send them again (a prerendered one could not be sent without it); bodies that
held a secret are emptied as soon as they are final anyway (messaging.services)."""

from __future__ import annotations

from django.db.models import Q

from accounts.retention import RetentionRule, RetentionRun

from .models import Message


def message_bodies_empty(run: RetentionRun) -> dict[str, int]:
    before = run.message_body_before
    done = Q(status=Message.Status.SENT, sent_at__lt=before) | Q(
        status__in=[Message.Status.SKIPPED, Message.Status.CANCELLED], created_at__lt=before
    )
    emptied = (
        Message.objects.filter(done).exclude(body_text="", body_html="").update(body_text="", body_html="")
    )
    return {"message_bodies_emptied": emptied}


RULES = [RetentionRule(name="messaging.message_bodies", apply=message_bodies_empty)]
