"""The outbox: one row per message Haven sends, on any channel.

A row is written inside the business transaction that causes the message (so the message exists
exactly when its cause does), then delivered by one task that takes the row's id. The life of a row:

    pending ──claim──▶ sending ──sent──▶ sent
       ▲                  │
       └──retry (backoff)─┤──too many attempts──▶ failed ──staff retry──▶ pending
                          └──renderer: no longer relevant──▶ skipped
    pending ──the business cancels it (booking cancelled…)──▶ cancelled
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no longer relevant)")
    CANCELLED = "cancelled", _("Cancelled")


class MessageQuerySet(models.QuerySet):
    def stuck(self, now: datetime.datetime) -> "MessageQuerySet":
        """Could have gone out more than HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS ago and has not, or claimed
        by a worker that has not finished within the claim timeout."""
        waited = now - datetime.timedelta(seconds=settings.HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS)
        stale = now - datetime.timedelta(seconds=settings.HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS)
        return self.filter(
            Q(status=Message.Status.PENDING, next_attempt_at__lt=waited)
            | Q(status=Message.Status.SENDING, claimed_at__lt=stale)
        )


class Message(models.Model):
    Status = MessageStatus

    # States a message never leaves by itself (staff may retry a failed one).
    FINAL_STATUSES = (Status.SENT, Status.FAILED, Status.SKIPPED, Status.CANCELLED)

    # What it is: `<app>.<what>`, e.g. "donations.receipt"; a renderer is registered per kind.
    kind = models.CharField(_("kind"), max_length=64)
    # Which channel backend delivers it ("email"; later "sms"): settings.HAVEN_MESSAGE_CHANNELS.
    # No choices here on purpose, so a new channel is a setting and a backend, not a migration.
    channel = models.CharField(_("channel"), max_length=16, default="email")
    # Email address (or, for SMS, a phone number) as it was when the message was queued.
    recipient = models.CharField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    language = models.CharField(_("language"), max_length=16)
    # What the message is about (a booking, a receipt…): loaded by id when it is rendered.
    about_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # Small, non-secret parameters a renderer needs besides `about` (an offset, a sender id…).
    data = models.JSONField(default=dict, blank=True)
    # The same fact announced twice is one message: the database keeps this unique.
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # Why a message was skipped or cancelled (shown to staff).
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # When it should go out (reminders, digests: an aware UTC instant; otherwise when it was queued).
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    # Not before this (due_at, or later while backing off after a failed attempt).
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When its delivery task was last handed to the broker; the sweeper hands it again if it is still
    # unsent two minutes later (a lost publish), or at once if this is empty (publish failed, or due later).
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    # What was sent, kept for staff and for retention rules. Rendered at send time, except for kinds
    # whose content only exists in the request (account mail), which store it when queued.
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    prerendered = models.BooleanField(default=False)
    # Bodies carry a secret (reset link, sign-in code): never shown, wiped once the message is final.
    sensitive = models.BooleanField(_("sensitive"), default=False)

    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper and the claim: pending rows by the time they may go.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="message_pending_due"
            ),
            # The sweeper: claims abandoned by a dead worker.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="message_sending_claim"),
            # The staff page: by status or kind, newest first.
            models.Index(fields=["status", "-created_at"], name="message_status_created"),
            models.Index(fields=["kind", "-created_at"], name="message_kind_created"),
            # "Cancel the reminders of this booking".
            models.Index(fields=["about_type", "about_id"], name="message_about"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_attempt_at__gte=F("due_at")), name="message_not_before_due"
            ),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_known"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
            models.CheckConstraint(
                condition=Q(about_type__isnull=True, about_id__isnull=True)
                | Q(about_type__isnull=False, about_id__isnull=False),
                name="message_about_whole",
            ),
        ]

    def __str__(self):
        # Used in the audit log: no recipient, nothing personal.
        return f"{self.kind} message #{self.pk}"
