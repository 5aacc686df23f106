"""In-kind needs: staff publish what is needed, supporters pledge quantities, staff mark pledges
received (all or part) or cancelled.

Never over-pledged. A pledge locks its need's row first (`need_lock`), then counts what is already
promised (pledged, plus received) and refuses a quantity beyond what is still needed: two supporters
pledging the last coats at once are serialised on that row, and the second is told how many are left
(tests/donations/test_inkind_race.py, with a control that takes the lock out).

Lock order: the need, then the pledge. Staff transitions take both, so a receipt and a new pledge on
the same need never interleave. Each transition returns early when already done.

Messages: the drop-off instructions (the address is private: only in this email) when a pledge is
made, and an acknowledgement, which states no value, when it is received. Both in the supporter's
language, rendered by donations/inkind_messages.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import audit_record
from core.i18n import active_language, in_default_language
from messaging.services import message_queue

from ..models import InKindNeed, InKindPledge

Status = InKindPledge.Status


class InKindError(ValidationError):
    """A pledge or a transition that cannot be made, with a message for the person."""


def need_lock(*, need_id: int) -> InKindNeed:
    """The need's row, locked until the end of the transaction (patched out by the race test's control)."""
    return InKindNeed.objects.select_for_update().get(pk=need_id)


def need_promised(*, need_id: int) -> int:
    """Items promised for the need: open pledges in full, received ones as far as they came."""
    return InKindPledge.objects.filter(need_id=need_id).aggregate(
        promised=Coalesce(Sum("quantity", filter=Q(status=Status.PLEDGED)), 0)
        + Coalesce(Sum("quantity_received", filter=Q(status=Status.RECEIVED)), 0)
    )["promised"]


def _need_fields(values: dict) -> dict:
    values = dict(values)
    for name in ("title", "title_es", "description", "description_es", "dropoff"):
        if name in values:
            values[name] = (values[name] or "").strip()
    return in_default_language(InKindNeed, values)


@transaction.atomic
def inkind_need_create(*, actor: User, **values) -> InKindNeed:
    """Publish (or draft) a need: title, description (English, optional Spanish), quantity needed,
    deadline, optional campaign, and the private drop-off text."""
    need = InKindNeed(**_need_fields(values))
    need.full_clean()
    need.save()
    audit_record(
        actor=actor, action="inkind.need_create", target=need, data={"quantity": need.quantity_needed}
    )
    return need


@transaction.atomic
def inkind_need_edit(*, actor: User, need: InKindNeed, **values) -> InKindNeed:
    """Change a need. The quantity needed cannot drop below what is already promised."""
    need = need_lock(need_id=need.pk)
    for name, value in _need_fields(values).items():
        setattr(need, name, value)
    promised = need_promised(need_id=need.pk)
    if need.quantity_needed < promised:
        raise InKindError(
            {
                "quantity_needed": _("%(count)s are already pledged or received: the need cannot be lower.")
                % {"count": promised}
            }
        )
    need.full_clean()
    need.save()
    audit_record(actor=actor, action="inkind.need_edit", target=need, data={"quantity": need.quantity_needed})
    return need


@transaction.atomic
def inkind_pledge_create(
    *, need: InKindNeed, quantity: int, name: str, email: str, user: User | None = None, language: str = ""
) -> InKindPledge:
    """A supporter promises `quantity` items. Refused (InKindError) when the need is closed or the
    quantity is more than is still needed; otherwise the pledge is written and the drop-off
    instructions are queued, in the same transaction."""
    if quantity < 1:
        raise InKindError(_("Enter how many you can bring (at least 1)."))
    need = need_lock(need_id=need.pk)
    if not need.is_published or need.deadline < timezone.localdate():
        raise InKindError(_("This need is closed: thank you, nothing more is needed."))
    remaining = max(need.quantity_needed - need_promised(need_id=need.pk), 0)
    if quantity > remaining:
        if remaining == 0:
            raise InKindError(_("Everything needed is already pledged: thank you, nothing more is needed."))
        raise InKindError(
            ngettext(
                "Only %(count)s is still needed: please pledge %(count)s or fewer.",
                "Only %(count)s are still needed: please pledge %(count)s or fewer.",
                remaining,
            )
            % {"count": remaining}
        )
    pledge = InKindPledge.objects.create(
        need=need,
        user=user if user is not None and user.is_authenticated else None,
        name=" ".join(name.split()),
        email=email.strip(),
        language=language or active_language(),
        quantity=quantity,
    )
    message_queue(
        kind=InKindPledge.KIND_DROPOFF,
        recipient=pledge.email,
        dedupe_key=f"{InKindPledge.KIND_DROPOFF}:{pledge.pk}",
        user=pledge.user,
        language=pledge.language,
        about=pledge,
    )
    return pledge


def _locked_pledge(pledge: InKindPledge) -> InKindPledge:
    need_lock(need_id=pledge.need_id)
    return InKindPledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)


@transaction.atomic
def inkind_pledge_receive(*, actor: User, pledge: InKindPledge, quantity: int) -> InKindPledge:
    """Staff mark what arrived: all of the pledge or part of it (the rest is free for others). The
    supporter gets an acknowledgement. Marking it again changes nothing."""
    pledge = _locked_pledge(pledge)
    if pledge.status == Status.RECEIVED:
        return pledge
    if pledge.status == Status.CANCELLED:
        raise InKindError(_("This pledge was cancelled; it cannot be marked received."))
    if not 1 <= quantity <= pledge.quantity:
        raise InKindError(_("Enter how many arrived: from 1 to %(count)s.") % {"count": pledge.quantity})
    pledge.status = Status.RECEIVED
    pledge.quantity_received = quantity
    pledge.received_at = timezone.now()
    pledge.save(update_fields=["status", "quantity_received", "received_at"])
    audit_record(
        actor=actor,
        action="inkind.pledge_receive",
        target=pledge,
        data={"quantity": quantity, "pledged": pledge.quantity},
    )
    message_queue(
        kind=InKindPledge.KIND_RECEIVED,
        recipient=pledge.email,
        dedupe_key=f"{InKindPledge.KIND_RECEIVED}:{pledge.pk}",
        user=pledge.user,
        language=pledge.language,
        about=pledge,
    )
    return pledge


@transaction.atomic
def inkind_pledge_cancel(*, actor: User, pledge: InKindPledge) -> InKindPledge:
    """Staff cancel a pledge that will not come: its items are free for others again."""
    pledge = _locked_pledge(pledge)
    if pledge.status == Status.CANCELLED:
        return pledge
    if pledge.status == Status.RECEIVED:
        raise InKindError(_("This pledge was received; it cannot be cancelled."))
    pledge.status = Status.CANCELLED
    pledge.cancelled_at = timezone.now()
    pledge.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action="inkind.pledge_cancel", target=pledge, data={"pledged": pledge.quantity})
    return pledge
