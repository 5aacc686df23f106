"""Every write of the outbox: queue a message (inside the caller's transaction), deliver it (claim,
render, send, mark), sweep what was lost, cancel what is no longer wanted, and the staff retry.

Never lost: the row is written with the business change that causes it, so a message exists exactly
when its cause does; a publish that fails, a broker that loses the task, or a worker killed mid-send
leave a row that the sweeper finds within two minutes.

Never twice: the dedupe key is unique, and delivery first claims the row with one UPDATE that only
one worker can win. The one window where a message can go out twice is between the channel accepting
it and the UPDATE that marks it sent (a few milliseconds: nothing else happens in between). If the
worker dies inside it, the claim goes stale, and the sweeper sends the message again after
HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS. No channel lets us make "accepted" and "marked" one atomic step.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit_record
from core.i18n import message_language

from .channels import PermanentChannelError, channel_for
from .models import Message
from .publish import task_publish, task_publish_on_commit
from .registry import Rendered, Skip, kind_get

logger = logging.getLogger(__name__)

DELIVER_TASK = "messaging.tasks.message_deliver"
Status = Message.Status


def _seconds(name: str) -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, name))


def message_draft(
    *,
    kind: str,
    recipient: str,
    dedupe_key: str,
    channel: str = "email",
    user: User | None = None,
    language: str | None = None,
    about: models.Model | None = None,
    data: dict[str, Any] | None = None,
    due_at: datetime.datetime | None = None,
    content: Rendered | None = None,
    now: datetime.datetime | None = None,
) -> Message:
    """An outbox row, checked and not yet saved: what `messages_queue` writes. The arguments are
    those of `message_queue`."""
    spec = kind_get(kind)
    if spec.prerendered and content is None:
        raise ValueError(f"The kind {kind!r} stores its content when queued: pass content.")
    if not spec.prerendered and content is not None:
        raise ValueError(f"The kind {kind!r} is rendered when it is sent: do not pass content.")
    if channel not in settings.HAVEN_MESSAGE_CHANNELS:
        raise ValueError(f"Unknown message channel {channel!r}.")
    if not recipient or not recipient.strip():
        raise ValueError("A message needs a recipient.")
    if about is not None and about.pk is None:
        raise ValueError("A message can only be about a saved object.")
    if due_at is not None and timezone.is_naive(due_at):
        raise ValueError("due_at must be an aware datetime (UTC in the database).")

    now = now or timezone.now()
    due_at = due_at or now
    message = Message(
        kind=kind,
        channel=channel,
        recipient=recipient.strip(),
        user=user,
        # The recipient's language: the caller's choice, else the account's, else the active one.
        language=language or message_language(user),
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=about.pk if about is not None else None,
        data=data or {},
        dedupe_key=dedupe_key,
        due_at=due_at,
        next_attempt_at=due_at,
        # Published once written when due now; a later one is published by the sweeper when it falls due.
        queued_at=now if due_at <= now else None,
        sensitive=spec.sensitive,
        prerendered=content is not None,
        created_at=now,
    )
    if content is not None:
        message.subject = content.subject[:300]
        message.body_text = content.text
        message.body_html = content.html
        if content.headers:
            message.data = {**message.data, "headers": dict(content.headers)}
    return message


def message_queue(
    *,
    kind: str,
    recipient: str,
    dedupe_key: str,
    channel: str = "email",
    user: User | None = None,
    language: str | None = None,
    about: models.Model | None = None,
    data: dict[str, Any] | None = None,
    due_at: datetime.datetime | None = None,
    content: Rendered | None = None,
) -> Message:
    """Write a message to the outbox in the caller's transaction and deliver it after commit (or, if
    `due_at` is later, when the sweeper finds it due). A second call with the same `dedupe_key` changes
    nothing and returns the row already there, so announcing a fact twice sends one message. Several
    messages caused by one change: `messages_queue` with `message_draft`s, in one INSERT.

    `about` is what the message is about (loaded again, by id, when it is rendered); `data` holds small
    non-secret parameters for the renderer. `content` is only for kinds registered with `render=None`,
    whose content exists only now (account mail): it is stored on the row."""
    draft = message_draft(
        kind=kind,
        recipient=recipient,
        dedupe_key=dedupe_key,
        channel=channel,
        user=user,
        language=language,
        about=about,
        data=data,
        due_at=due_at,
        content=content,
    )
    return messages_queue([draft])[0]


# Rows per INSERT: ~25 parameters a row stays far below PostgreSQL's 65,535 parameters a statement.
_BATCH = 500


def messages_queue(drafts: list[Message], *, through_sweeper: bool = False) -> list[Message]:
    """Write several outbox rows (from `message_draft`) in one INSERT, in the caller's transaction,
    with what `message_queue` promises for each: a dedupe key already there (in the table, or earlier
    in `drafts`) writes nothing and its row already there is returned in its place; each new row due
    now is delivered after commit (one task each, or, `through_sweeper`, one run of the sweeper for all
    of them: for hundreds of rows). Returns one message per draft, in order.

    The INSERT skips duplicate keys itself (`ON CONFLICT DO NOTHING`), so a duplicate needs no
    savepoint and never breaks the caller's transaction; any other failed constraint raises."""
    if not drafts:
        return []
    first: dict[str, Message] = {}
    for draft in drafts:
        first.setdefault(draft.dedupe_key, draft)
    fresh = list(first.values())
    if through_sweeper:
        due_now = any(message.queued_at is not None for message in fresh)
        for message in fresh:
            message.queued_at = None  # the sweeper publishes what is due
    inserted: dict[str, int] = {}
    for start in range(0, len(fresh), _BATCH):
        inserted.update(_insert_skipping_duplicates(fresh[start : start + _BATCH]))
    existing = [key for key in first if key not in inserted]
    if existing:
        found = {m.dedupe_key: m for m in Message.objects.filter(dedupe_key__in=existing)}
        if len(found) != len(existing):
            raise IntegrityError("An outbox row was neither written nor found by its dedupe key.")
        first.update(found)
    for message in fresh:
        if message.dedupe_key not in inserted:
            continue
        message.pk = inserted[message.dedupe_key]
        message._state.adding = False
        message._state.db = Message.objects.db
        if message.queued_at is not None:
            _publish_on_commit(message.pk)
    if through_sweeper and inserted and due_now:
        task_publish_on_commit("messaging.tasks.messages_sweep")
    return [first[draft.dedupe_key] for draft in drafts]


def _insert_skipping_duplicates(rows: list[Message]) -> dict[str, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, dedupe_key: the ids of the rows written, by key."""
    connection = transaction.get_connection(Message.objects.db)
    if not connection.features.can_return_rows_from_bulk_insert:
        return _insert_one_by_one(rows)
    opts = Message._meta
    query = InsertQuery(Message, on_conflict=OnConflict.IGNORE)
    query.insert_values([f for f in opts.concrete_fields if not f.primary_key], rows)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [opts.pk, opts.get_field("dedupe_key")]
    with connection.cursor() as cursor:
        for sql, params in compiler.as_sql():
            cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def _insert_one_by_one(rows: list[Message]) -> dict[str, int]:
    """For a database that cannot return the rows of a multi-row INSERT: one savepoint each."""
    inserted = {}
    for message in rows:
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            if not Message.objects.filter(dedupe_key=message.dedupe_key).exists():
                raise  # another constraint failed: a real error
            continue
        inserted[message.dedupe_key] = message.pk
    return inserted


def messages_queue_many(
    *,
    kind: str,
    about: models.Model,
    recipients: list[dict[str, Any]],
    due_at: datetime.datetime | None = None,
) -> int:
    """Many messages of one kind about one thing (a campaign update to its subscribers): `messages_queue`
    with one draft per recipient, handed to the broker by one run of the sweeper (in batches) rather
    than one task each. Each of `recipients` is a dict with `recipient`, `dedupe_key` and optionally
    `user_id`, `language` and `data`. Returns how many rows were new."""
    if about.pk is None:
        raise ValueError("A message can only be about a saved object.")
    drafts = []
    for row in recipients:
        draft = message_draft(
            kind=kind,
            recipient=row["recipient"],
            dedupe_key=row["dedupe_key"],
            language=row.get("language"),
            about=about,
            data=row.get("data"),
            due_at=due_at,
        )
        draft.user_id = row.get("user_id")
        drafts.append(draft)
    queued = messages_queue(drafts, through_sweeper=True)
    return len({id(message) for message in queued} & {id(draft) for draft in drafts})


def _publish_on_commit(message_id: int) -> None:
    def forget_publish() -> None:
        # Not with the broker: let the sweeper's next run send it rather than wait two minutes.
        Message.objects.filter(pk=message_id, status=Status.PENDING).update(queued_at=None)

    task_publish_on_commit(DELIVER_TASK, message_id, on_failure=forget_publish)


def _claimable(now: datetime.datetime) -> Q:
    stale = now - _seconds("HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS")
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=stale, attempts__lt=settings.HAVEN_MESSAGE_MAX_ATTEMPTS
    )


def message_claim(*, message_id: int, now: datetime.datetime | None = None) -> Message | None:
    """Take the message for sending: one UPDATE that only one worker can win (PostgreSQL re-checks the
    condition on the locked row; SQLite runs one writer at a time). A claim older than the claim timeout
    belongs to a dead worker and may be taken again. Returns the claimed row, or None."""
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(_claimable(now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Message.objects.select_related("about_type").get(pk=message_id)


def _render(message: Message) -> Rendered | Skip:
    if message.prerendered:
        return Rendered(
            subject=message.subject,
            text=message.body_text,
            html=message.body_html,
            headers=message.data.get("headers", {}),
        )
    spec = kind_get(message.kind)
    with translation.override(message.language):
        result = spec.render(message)
    if not isinstance(result, Rendered | Skip):
        raise TypeError(
            f"The renderer of {message.kind!r} returned {type(result).__name__}, not Rendered or Skip."
        )
    return result


def _wiped_if_sensitive(message: Message, fields: dict[str, Any]) -> dict[str, Any]:
    if message.sensitive:
        fields.update(body_text="", body_html="")
    return fields


def message_deliver(*, message_id: int) -> str:
    """Deliver one message: claim it, render it in its language, send it through its channel, mark it
    sent. Runs outside any transaction and holds no business row lock while it talks to the mail server.
    Safe to call any number of times, concurrently: only a claim winner sends. A failed attempt is
    retried after an exponential backoff (the sweeper publishes it when that has passed) up to
    HAVEN_MESSAGE_MAX_ATTEMPTS, then the message is marked failed. Returns what happened."""
    now = timezone.now()
    message = message_claim(message_id=message_id, now=now)
    if message is None:
        return "not claimed"
    mine = Message.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=now)
    try:
        content = _render(message)
    except Exception as exc:  # noqa: BLE001 - a renderer's bug or a missing row: retry, then fail visibly
        return _attempt_failed(message, mine, exc)
    if isinstance(content, Skip):
        mine.update(
            **_wiped_if_sensitive(message, {"status": Status.SKIPPED, "status_reason": content.reason[:200]})
        )
        logger.info("Message %s (%s) skipped: %s", message.pk, message.kind, content.reason)
        return "skipped"

    channel = channel_for(message.channel)
    try:
        channel.open()
        channel.send(message=message, content=content)
    except Exception as exc:  # noqa: BLE001 - SMTP and provider errors of every kind
        _close_quietly(channel)
        return _attempt_failed(message, mine, exc)
    # The message has left. Until the next statement commits, a crash would send it again (see the
    # module docstring): so nothing happens in between, not even hanging up on the mail server.
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        **_wiped_if_sensitive(
            message,
            {
                "status": Status.SENT,
                "sent_at": timezone.now(),
                "last_error": "",
                "subject": content.subject[:300],
                "body_text": content.text,
                "body_html": content.html,
            },
        )
    )
    _close_quietly(channel)
    return "sent"


def _close_quietly(channel) -> None:
    try:
        channel.close()
    except Exception:  # noqa: BLE001 - the message is already accepted (or already failed)
        logger.warning("Closing the %s channel failed.", type(channel).__name__, exc_info=True)


def message_backoff(*, attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt: base × 2^(attempts-1), capped."""
    seconds = settings.HAVEN_MESSAGE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.HAVEN_MESSAGE_RETRY_MAX_SECONDS))


def _attempt_failed(message: Message, mine: models.QuerySet, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, PermanentChannelError):
        # No retry can change it (the recipient unsubscribed): failed now, and its consequence recorded.
        mine.update(
            **_wiped_if_sensitive(
                message,
                {
                    "status": Status.FAILED,
                    "last_error": error,
                    "status_reason": "refused for good, not retried",
                },
            )
        )
        logger.warning("Message %s (%s) refused for good, not retried: %s", message.pk, message.kind, error)
        exc.settle(message)
        return "failed"
    if message.attempts >= settings.HAVEN_MESSAGE_MAX_ATTEMPTS:
        mine.update(**_wiped_if_sensitive(message, {"status": Status.FAILED, "last_error": error}))
        logger.error(
            "Message %s (%s) failed after %s attempts: %s", message.pk, message.kind, message.attempts, error
        )
        return "failed"
    retry_at = timezone.now() + message_backoff(attempts=message.attempts)
    # queued_at cleared: the sweeper publishes it once retry_at has passed.
    mine.update(status=Status.PENDING, next_attempt_at=retry_at, queued_at=None, last_error=error)
    logger.warning(
        "Message %s (%s) attempt %s failed, next at %s: %s",
        message.pk,
        message.kind,
        message.attempts,
        retry_at,
        error,
    )
    return "retrying"


def messages_sweep(*, batch_size: int = 500) -> int:
    """The safety net, run by beat every HAVEN_MESSAGE_SWEEP_SECONDS: publish every message that may go
    now and is not on its way — due now and never published (reminders, digests, retries after their
    backoff, publishes that failed), published but still unsent two minutes later (a task the broker
    lost), or claimed by a worker that died. Safe to run twice at once: rows are taken with
    `skip_locked`. Stops at the first refused publish (the broker is down; the next run goes on).
    Returns how many it published."""
    now = timezone.now()
    lost_after = now - _seconds("HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS")
    stale = now - _seconds("HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS")
    # A message that kills its worker every time would otherwise be retried for ever.
    Message.objects.filter(
        status=Status.SENDING, claimed_at__lt=stale, attempts__gte=settings.HAVEN_MESSAGE_MAX_ATTEMPTS
    ).update(status=Status.FAILED, last_error="The worker was lost while sending, on every attempt.")
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) & (
        Q(queued_at__isnull=True) | Q(queued_at__lt=lost_after)
    )
    abandoned = Q(status=Status.SENDING, claimed_at__lt=stale)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(due | abandoned)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        Message.objects.filter(pk__in=ids).update(queued_at=now)
    published = 0
    for position, message_id in enumerate(ids):
        if not task_publish(DELIVER_TASK, message_id):
            Message.objects.filter(pk__in=ids[position:], status=Status.PENDING, queued_at=now).update(
                queued_at=None
            )
            break
        published += 1
    if ids:
        logger.info("Sweeper published %s of %s messages.", published, len(ids))
    return published


def messages_cancel(*, about: models.Model, reason: str, kinds: list[str] | None = None) -> int:
    """Cancel the pending messages about `about` (of `kinds`, or all), inside the caller's transaction:
    e.g. the reminders of a cancelled booking. A message already being sent is left alone; its renderer
    sees the change and skips it. Returns how many were cancelled."""
    rows = Message.objects.filter(
        about_type=ContentType.objects.get_for_model(about), about_id=about.pk, status=Status.PENDING
    )
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    rows.filter(sensitive=True).update(body_text="", body_html="")
    return rows.update(status=Status.CANCELLED, status_reason=reason[:200])


def messages_erase(
    *,
    placeholder: str,
    user: User | None = None,
    recipients: list[str] | tuple[str, ...] = (),
    kind: str | None = None,
    about_model: type[models.Model] | None = None,
    about_ids: list[int] | None = None,
) -> int:
    """A person's data erased (accounts.privacy, a retention run), inside the caller's transaction:
    the messages to `user` or `recipients`, or those of `kind` about `about_ids` of `about_model` (a
    tribute notice names a third person), keep only that they existed. Unsent ones are cancelled, the
    recipient becomes `placeholder`, subject and bodies are emptied. Returns how many were erased."""
    if about_model is not None:
        match = Q(about_type=ContentType.objects.get_for_model(about_model), about_id__in=about_ids or [])
        if kind is not None:
            match &= Q(kind=kind)
    elif user is not None or recipients:
        match = Q(recipient__in=list(recipients))
        if user is not None:
            match |= Q(user=user)
    else:
        raise ValueError("Whose messages? Give a user, recipients, or what they are about.")
    rows = Message.objects.filter(match)
    rows.filter(status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.CANCELLED, status_reason="the person erased their data"
    )
    return rows.update(recipient=placeholder, subject="(erased)", body_text="", body_html="", data={})


@transaction.atomic
def message_retry(*, actor: User, message: Message) -> Message:
    """Staff send a failed or stuck message again, with a fresh set of attempts (audit-logged). A
    sensitive message whose body was wiped cannot be sent again: the person asks for a new one."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    now = timezone.now()
    stuck = Message.objects.stuck(now).filter(pk=message.pk).exists()
    if message.status != Status.FAILED and not stuck:
        raise ValidationError(
            gettext("Only a failed or stuck message can be sent again; this one is %(status)s.")
            % {"status": message.get_status_display().lower()}
        )
    if message.sensitive and message.prerendered and not message.body_text:
        raise ValidationError(
            gettext(
                "This message held a secret (a sign-in code or link) and was erased; "
                "the person can ask for a new one."
            )
        )
    audit_record(
        actor=actor,
        action="message.retry",
        target=message,
        data={"kind": message.kind, "status": message.status, "attempts": message.attempts},
    )
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = max(now, message.due_at)
    message.claimed_at = None
    message.queued_at = now
    message.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at", "queued_at"])
    _publish_on_commit(message.pk)
    return message
