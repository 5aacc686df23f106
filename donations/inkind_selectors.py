"""Reads of in-kind needs: what is still needed (one query, progress included), the "How you can help"
section, a person's received gifts, and staff lists."""

from __future__ import annotations

from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import ways_to_help

from .models import InKindNeed, InKindPledge

Status = InKindPledge.Status


def needs_with_progress(queryset: QuerySet | None = None) -> QuerySet:
    """Needs annotated with `pledged` (open pledges), `received` and `promised` (both)."""
    queryset = InKindNeed.objects.all() if queryset is None else queryset
    zero = Value(0, output_field=IntegerField())
    return queryset.annotate(
        pledged=Coalesce(Sum("pledges__quantity", filter=Q(pledges__status=Status.PLEDGED)), zero),
        received=Coalesce(Sum("pledges__quantity_received", filter=Q(pledges__status=Status.RECEIVED)), zero),
    )


def open_needs() -> list[InKindNeed]:
    """Published needs whose deadline has not passed, soonest first, with their progress (one query)."""
    needs = list(
        needs_with_progress(
            InKindNeed.objects.filter(is_published=True, deadline__gte=timezone.localdate()).select_related(
                "campaign"
            )
        ).order_by("deadline", "pk")
    )
    for need in needs:
        _progress(need)
    return needs


def _progress(need: InKindNeed) -> InKindNeed:
    need.promised = need.pledged + need.received
    need.remaining = max(need.quantity_needed - need.promised, 0)
    need.received_percent = min(100, round(100 * need.received / need.quantity_needed))
    need.pledged_percent = min(100 - need.received_percent, round(100 * need.pledged / need.quantity_needed))
    return need


def open_need(public_id) -> InKindNeed | None:
    need = (
        needs_with_progress(InKindNeed.objects.filter(public_id=public_id, is_published=True))
        .select_related("campaign")
        .first()
    )
    return _progress(need) if need is not None else None


def help_section() -> ways_to_help.HelpSection | None:
    """The "How you can help" page's section: items still needed (one query), or nothing."""
    needs = [need for need in open_needs() if need.remaining]
    if not needs:
        return None
    return ways_to_help.HelpSection(
        heading=_("Things we need"),
        intro=_("Goods people bring to us, as much help as money. Pledge what you can bring."),
        items=[
            ways_to_help.HelpItem(
                title=need.title,
                detail=ngettext("%(count)s still needed", "%(count)s still needed", need.remaining)
                % {"count": need.remaining},
                url=reverse("donations:inkind_pledge", args=[need.public_id]),
            )
            for need in needs[:6]
        ],
        more_url=reverse("donations:inkind_needs"),
        more_label=_("Everything we need"),
    )


def received_gifts_for_user(*, user) -> QuerySet:
    """In-kind gifts a person brought and staff received, newest first."""
    return (
        InKindPledge.objects.filter(user=user, status=Status.RECEIVED)
        .select_related("need")
        .order_by("-received_at", "-pk")
    )


def staff_needs() -> list[InKindNeed]:
    needs = list(
        needs_with_progress(InKindNeed.objects.select_related("campaign")).order_by("-deadline", "-pk")
    )
    return [_progress(need) for need in needs]


def staff_pledges(*, need: InKindNeed) -> QuerySet:
    return need.pledges.select_related("user").order_by("status", "-created_at")
