"""The gifts' email outbox: a row per email written in the business transaction, claimed atomically,
sent once."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import OutboxEmail, Receipt, Statement

OUTBOX_CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
# After this many failed sends an email stays in the outbox for a person to look at (bad address).
OUTBOX_MAX_ATTEMPTS = 10


def outbox_enqueue(
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    attachment: tuple[str, str, bytes] | None = None,
    queue: bool = True,
) -> OutboxEmail | None:
    """Write an email to the outbox in the caller's transaction, once per dedupe_key (None if it was
    already there), and queue its sending after commit."""
    if OutboxEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    name, mimetype, content = attachment or ("", "", b"")
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                dedupe_key=dedupe_key,
                to=to,
                subject=subject[:200],
                body_text=render_to_string(f"{template}.txt", context),
                body_html=render_to_string(f"{template}.html", context),
                attachment_name=name,
                attachment_mimetype=mimetype,
                attachment=content,
            )
    except IntegrityError:
        return None
    if queue:
        from ..tasks import outbox_send_task

        email_id = email.pk
        transaction.on_commit(lambda: outbox_send_task.delay(email_id), robust=True)
    return email


def outbox_send(*, email_id: int) -> bool:
    """Claim one outbox email atomically (an UPDATE that only one worker can win), send it, mark it
    sent. A claim older than OUTBOX_CLAIM_TIMEOUT is considered abandoned (the worker died) and may be
    taken again. Returns True if this call sent it."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(pk=email_id, sent_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - OUTBOX_CLAIM_TIMEOUT))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to]
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, bytes(email.attachment), email.attachment_mimetype)
    try:
        message.send()
    except Exception as exc:
        # Release the claim so the retry (or the sweeper) can try again.
        OutboxEmail.objects.filter(pk=email_id).update(claimed_at=None, last_error=str(exc)[:300])
        raise
    OutboxEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), last_error="")
    kind, _, pk = email.dedupe_key.partition(":")
    model = {"statement": Statement, "receipt": Receipt}.get(kind)
    if model is not None:
        model.objects.filter(pk=int(pk), sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def outbox_sweep() -> int:
    """Re-queue what should have been sent by now (a lost task, a crashed worker): never lost."""
    from ..tasks import outbox_send_task, receipt_send

    now = timezone.now()
    count = 0
    unsent = OutboxEmail.objects.filter(
        sent_at__isnull=True,
        attempts__lt=OUTBOX_MAX_ATTEMPTS,
        created_at__lt=now - datetime.timedelta(minutes=5),
    )
    for email_id in unsent.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - OUTBOX_CLAIM_TIMEOUT)
    ).values_list("pk", flat=True):
        outbox_send_task.delay(email_id)
        count += 1
    for receipt_id in Receipt.objects.filter(
        sent_at__isnull=True, issued_at__lt=now - datetime.timedelta(minutes=5)
    ).values_list("pk", flat=True):
        receipt_send.delay(receipt_id)
        count += 1
    return count
