"""Pausing a monthly gift for 1–3 months, and resuming it early.

A pause is Stripe's `pause_collection` on the subscription with behavior "void": the months that
fall due while it lasts are invoiced and voided at once, so nothing is charged, no gift is recorded
and no receipt is issued; the subscription stays active and Stripe resumes collection by itself at
`resumes_at`. Each request is a RecurringPause row written before Stripe is called, whose idempotency
key goes with the call (a double click or a retry after a timeout changes the subscription once). The
monthly gift changes only when Stripe confirms: from our call's answer, or from the subscription
event (`customer.subscription.updated`, and `.paused`/`.resumed` should Stripe send them), which is
the truth and is applied idempotently: the same state twice changes nothing and emails nobody twice.
"""

from __future__ import annotations

import calendar
import datetime
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.services import message_queue

from .. import stripe_gateway
from ..models import RecurringGift, RecurringPause
from .errors import DonationError
from .locks import lock_recurring, refresh_from_locked

KIND_MONTHLY_PAUSED = "donations.monthly_paused"
KIND_MONTHLY_RESUMED = "donations.monthly_resumed"

PAUSE_MONTHS = RecurringPause.MONTHS_CHOICES


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` later (the month's last day when it is shorter: Jan 31 + 1 →
    Feb 28/29), in the organisation's zone."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


# How long after the last skipped charge collection resumes, when "N months from now" would land on
# or just before that charge (a gift started today, whose next charge is exactly a month away).
# Stripe invoices a renewal at the period's end; a day's margin keeps that invoice inside the pause.
RESUME_AFTER_LAST_SKIPPED = datetime.timedelta(days=1)


def pause_resumes_at(
    *, now: datetime.datetime, months: int, next_charge: datetime.datetime | None
) -> datetime.datetime:
    """When a pause of `months` ends, so that it skips exactly `months` charges: `months` months from
    now, unless the last charge to skip (the next charge, `months - 1` months on) falls within a
    day of that or after it; then a day after that charge. Without a known next charge (Stripe has
    not told us yet), `months` months from now."""
    resumes = add_months(now, months)
    if next_charge is not None:
        resumes = max(resumes, add_months(next_charge, months - 1) + RESUME_AFTER_LAST_SKIPPED)
    return _seconds(resumes)


def _seconds(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=0)


def _timestamp(value) -> datetime.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 32_503_680_000:
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def pause_state(pause_collection) -> tuple[bool, datetime.datetime | None]:
    """(paused, resumes at) from a subscription's `pause_collection` (null, or an object with
    `behavior` and `resumes_at`)."""
    if not isinstance(pause_collection, dict) or not pause_collection.get("behavior"):
        return False, None
    return True, _timestamp(pause_collection.get("resumes_at"))


def recurring_pause_record(
    *, recurring: RecurringGift, pause_collection, at: datetime.datetime, confirmed: bool = False
) -> bool:
    """Apply the pause state Stripe reported at `at` (a subscription event, or with `confirmed` the
    answer to our own call). Older news never overwrites newer; a cancelled gift is left alone. The
    donor is emailed once per change: paused (with the resume date), resumed (early, or by itself).
    Returns True if the gift's pause state changed."""
    paused, until = pause_state(pause_collection)
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        last = locked.stripe_pause_at
        stale = not confirmed and last is not None and at < last
        if locked.status == RecurringGift.Status.CANCELED or stale:
            refresh_from_locked(recurring, locked)
            return False
        was_paused, was_until = locked.paused_at is not None, locked.paused_until
        locked.stripe_pause_at = max(last, _seconds(at)) if last else _seconds(at)
        changed = (paused, until) != (was_paused, was_until if was_paused else None)
        if changed and paused:
            locked.paused_at = locked.paused_at or at
            locked.paused_until = until
            _queue_paused(locked)
        elif changed:
            _queue_resumed(locked)
            locked.paused_at = None
            locked.paused_until = None
        locked.save(update_fields=["paused_at", "paused_until", "stripe_pause_at"])
    refresh_from_locked(recurring, locked)
    return changed


def _queue_paused(recurring: RecurringGift) -> None:
    until = recurring.paused_until
    message_queue(
        kind=KIND_MONTHLY_PAUSED,
        recipient=recurring.donor_email,
        user=recurring.donor,
        language=recurring.message_language,
        about=recurring,
        dedupe_key=f"monthly-paused:{recurring.pk}:{int(until.timestamp()) if until else 'open'}",
        data={"resumes_at": until.isoformat() if until else None},
    )


def _queue_resumed(recurring: RecurringGift) -> None:
    # One per pause: the pause's start tells two pauses of one gift apart.
    message_queue(
        kind=KIND_MONTHLY_RESUMED,
        recipient=recurring.donor_email,
        user=recurring.donor,
        language=recurring.message_language,
        about=recurring,
        dedupe_key=f"monthly-resumed:{recurring.pk}:{int(recurring.paused_at.timestamp())}",
    )


def _recurring_for_user(*, user, recurring_id: int) -> RecurringGift:
    from ..selectors import recurring_gifts_for_user

    recurring = recurring_gifts_for_user(user=user).filter(pk=recurring_id).first()
    if recurring is None:
        raise RecurringGift.DoesNotExist
    return recurring


def _request(
    *, user, recurring: RecurringGift, action: str, months: int | None, nonce: uuid.UUID
) -> RecurringPause | None:
    """The row for this form submission (the open one Stripe has not answered, resent with its key),
    or None when there is nothing to do (this form was already carried out, or the gift is already
    in the state asked for)."""
    with transaction.atomic():
        locked = lock_recurring(recurring.pk)
        same_form = locked.pauses.filter(entry_nonce=nonce).first()
        if same_form is not None and same_form.status == RecurringPause.Status.APPLIED:
            return None
        if same_form is not None and same_form.status == RecurringPause.Status.FAILED:
            raise DonationError(same_form.error)
        open_request = locked.pauses.filter(status=RecurringPause.Status.REQUESTED).first()
        if open_request is not None:
            if open_request.pk == getattr(same_form, "pk", None) or (
                open_request.action,
                open_request.months,
            ) == (action, months):
                return open_request
            # Stripe never answered that one; this one sets the whole pause state, so it replaces it.
            open_request.status = RecurringPause.Status.FAILED
            open_request.error = "Replaced by a later request before Stripe answered."
            open_request.save(update_fields=["status", "error", "updated_at"])
        if (action == RecurringPause.Action.PAUSE) == (locked.paused_at is not None):
            return None  # already so (a second tab, or Stripe's own resume came first)
        resumes_at = (
            pause_resumes_at(now=timezone.now(), months=months, next_charge=locked.current_period_end)
            if months
            else None
        )
        return RecurringPause.objects.create(
            recurring_gift=locked,
            action=action,
            months=months,
            resumes_at=resumes_at,
            entry_nonce=nonce,
            requested_by=user,
        )


def _send(*, recurring: RecurringGift, request: RecurringPause, unchanged: str) -> RecurringGift:
    subscription_id = recurring.stripe_subscription_id
    try:
        if request.action == RecurringPause.Action.PAUSE:
            subscription = stripe_gateway.subscription_pause(
                subscription_id=subscription_id,
                resumes_at=int(request.resumes_at.timestamp()),
                idempotency_key=str(request.idempotency_key),
            )
        else:
            subscription = stripe_gateway.subscription_resume_collection(
                subscription_id=subscription_id, idempotency_key=str(request.idempotency_key)
            )
    except stripe_gateway.GatewayUnavailable as exc:
        raise DonationError(
            _("We could not reach Stripe, so %(unchanged)s Please try again: it will be done once.")
            % {"unchanged": unchanged}
        ) from exc
    except stripe_gateway.GatewayError as exc:
        message = _("Stripe did not accept it (%(reason)s), so %(unchanged)s") % {
            "unchanged": unchanged,
            "reason": exc,
        }
        _fail(request, message)
        raise DonationError(message) from exc
    paused, until = pause_state(subscription.get("pause_collection"))
    expected = (True, request.resumes_at) if request.action == RecurringPause.Action.PAUSE else (False, None)
    if (paused, until) != expected:
        message = _("Stripe did not confirm it, so %(unchanged)s Please try again.") % {
            "unchanged": unchanged
        }
        _fail(request, message)
        raise DonationError(message)
    with transaction.atomic():
        # Confirmed by Stripe: applied now, whatever the order its event arrives in.
        recurring_pause_record(
            recurring=recurring,
            pause_collection=subscription.get("pause_collection"),
            at=timezone.now(),
            confirmed=True,
        )
        RecurringPause.objects.filter(pk=request.pk, status=RecurringPause.Status.REQUESTED).update(
            status=RecurringPause.Status.APPLIED, error=""
        )
    return recurring


def _fail(request: RecurringPause, message: str) -> None:
    with transaction.atomic():
        lock_recurring(request.recurring_gift_id)
        RecurringPause.objects.filter(pk=request.pk, status=RecurringPause.Status.REQUESTED).update(
            status=RecurringPause.Status.FAILED, error=message[:300]
        )


def recurring_pause(*, user, recurring_id: int, months: int, nonce: uuid.UUID) -> RecurringGift:
    """The donor pauses a monthly gift for `months` (1–3) from now: no payment is taken until the
    resume date, then the gift carries on by itself. `nonce` comes from the form: submitting the same
    form twice pauses once."""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if months not in PAUSE_MONTHS:
        raise DonationError(_("Choose a pause of 1, 2 or 3 months."))
    if not recurring.is_live or not recurring.stripe_subscription_id:
        raise DonationError(_("Only an active monthly gift can be paused."))
    request = _request(
        user=user, recurring=recurring, action=RecurringPause.Action.PAUSE, months=months, nonce=nonce
    )
    if request is None:
        return recurring
    return _send(recurring=recurring, request=request, unchanged=_("your monthly gift is not paused."))


def recurring_resume(*, user, recurring_id: int, nonce: uuid.UUID) -> RecurringGift:
    """The donor resumes a paused monthly gift before its resume date: the next payment is taken on
    its usual day of the month."""
    recurring = _recurring_for_user(user=user, recurring_id=recurring_id)
    if not recurring.is_live or not recurring.stripe_subscription_id:
        raise DonationError(_("Only an active monthly gift can be resumed."))
    request = _request(
        user=user, recurring=recurring, action=RecurringPause.Action.RESUME, months=None, nonce=nonce
    )
    if request is None:
        return recurring
    return _send(recurring=recurring, request=request, unchanged=_("your monthly gift is still paused."))
