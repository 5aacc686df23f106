"""What donors are told after giving, queued in the transaction that records the fact (a monthly
gift changed or cancelled, money refunded); donations/messages.py renders them at send time."""

from __future__ import annotations

from messaging.services import message_queue

from ..models import RecurringAmountChange, RecurringGift, Refund

KIND_MONTHLY_CHANGED = "donations.monthly_changed"
KIND_MONTHLY_CANCELLED = "donations.monthly_cancelled"
KIND_REFUNDED = "donations.refunded"


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
