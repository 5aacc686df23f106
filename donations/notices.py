"""The outbox renderers of what donors are told about their gifts after giving (registered from
DonationsConfig.ready()): a monthly gift changed, a monthly gift cancelled, money refunded. Queued with
`messaging.services.message_queue` in the transaction that records the fact; rendered at send time in
the gift's language (the donor's account's, else the page's they gave on), from the rows as they are
then (a notice that is no longer true is skipped)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register
from messaging.services import message_queue

from .models import RecurringAmountChange, RecurringGift, Refund

KIND_MONTHLY_CHANGED = "donations.monthly_changed"
KIND_MONTHLY_CANCELLED = "donations.monthly_cancelled"
KIND_REFUNDED = "donations.refunded"


def _context(**extra) -> dict:
    return {
        "org_name": settings.HAVEN_ORG_NAME,
        "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
        **extra,
    }


# --- queueing (inside the caller's transaction) -----------------------------------------------------


def monthly_changed_queue(*, change: RecurringAmountChange) -> None:
    recurring = change.recurring_gift
    message_queue(
        kind=KIND_MONTHLY_CHANGED,
        recipient=recurring.donor_email,
        user=recurring.donor,
        language=recurring.message_language,
        about=change,
        dedupe_key=f"monthly-changed:{change.pk}",
    )


def monthly_cancelled_queue(*, recurring: RecurringGift) -> None:
    message_queue(
        kind=KIND_MONTHLY_CANCELLED,
        recipient=recurring.donor_email,
        user=recurring.donor,
        language=recurring.message_language,
        about=recurring,
        dedupe_key=f"monthly-cancelled:{recurring.pk}",
    )


def refunded_queue(*, refund: Refund) -> None:
    donation = refund.donation
    message_queue(
        kind=KIND_REFUNDED,
        recipient=donation.donor_email,
        user=donation.donor,
        language=donation.message_language,
        about=refund,
        dedupe_key=f"refunded:{refund.pk}",
    )


# --- rendering (at send time) -------------------------------------------------------------------------


def _erased(email: str) -> bool:
    return email.endswith("@invalid")


def render_monthly_changed(message: Message) -> Rendered | Skip:
    change = (
        RecurringAmountChange.objects.select_related("recurring_gift__campaign", "recurring_gift__fund")
        .filter(pk=message.about_id)
        .first()
    )
    if change is None or change.status != RecurringAmountChange.Status.APPLIED:
        return Skip("the change was not made")
    recurring = change.recurring_gift
    if recurring.status == RecurringGift.Status.CANCELED or _erased(recurring.donor_email):
        return Skip("the monthly gift was cancelled or erased since")
    return Rendered(
        subject=_("Your monthly gift to %(org)s is changed") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/monthly_changed.txt", _context(recurring=recurring, change=change)
        ),
    )


def render_monthly_cancelled(message: Message) -> Rendered | Skip:
    recurring = RecurringGift.objects.select_related("campaign", "fund").filter(pk=message.about_id).first()
    if recurring is None or recurring.status != RecurringGift.Status.CANCELED:
        return Skip("the monthly gift is not cancelled")
    if _erased(recurring.donor_email):
        return Skip("the donor erased their data")
    return Rendered(
        subject=_("Your monthly gift to %(org)s is cancelled") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string("donations/email/monthly_cancelled.txt", _context(recurring=recurring)),
    )


def render_refunded(message: Message) -> Rendered | Skip:
    refund = (
        Refund.objects.select_related("donation__campaign", "donation__fund")
        .filter(pk=message.about_id)
        .first()
    )
    if refund is None or refund.status not in Refund.COUNTED:
        return Skip("the refund did not go through")
    if _erased(refund.donation.donor_email):
        return Skip("the donor erased their data")
    return Rendered(
        subject=_("%(org)s refunded your gift") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/refunded.txt", _context(refund=refund, donation=refund.donation)
        ),
    )


def register() -> None:
    kind_register(
        KIND_MONTHLY_CHANGED,
        render=render_monthly_changed,
        description="A donor changed the amount of their monthly gift: the new amount, from when.",
    )
    kind_register(
        KIND_MONTHLY_CANCELLED,
        render=render_monthly_cancelled,
        description="A monthly gift was cancelled (by the donor, or at Stripe): no further payments.",
    )
    kind_register(
        KIND_REFUNDED,
        render=render_refunded,
        description="Money was refunded on a gift: how much, to the card it came from.",
    )
