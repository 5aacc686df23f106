"""Every write about gifts, keyword-only, typed, transactional; one module per concern:

- `fees`: Stripe's processing fee ("cover the fee").
- `checkout`: the donor's path, a pending gift and its Stripe Checkout session.
- `payments`: the donation state machine (each transition locks its own row).
- `locks`: the row locks and the one order they are taken in.
- `refunds`, `disputes`: money given back, chargebacks.
- `recurring`: monthly gifts (subscriptions).
- `pauses`: pausing a monthly gift for 1–3 months (Stripe's pause of collection), resuming early.
- `offline`: cheque, cash and bank-transfer gifts.
- `receipts`, `statements`: tax receipts and giving statements, per calendar or fiscal year (their
  emails are outbox messages, rendered by donations/messages.py).

Callers use this package's names (`services.donation_mark_succeeded(...)`), not the modules.
"""

from .checkout import Designation, donation_checkout_start, donation_create
from .disputes import dispute_record
from .errors import DonationError
from .fees import fee_for, fee_gross_up
from .locks import LockOrderError
from .offline import donation_record_offline
from .pauses import (
    KIND_MONTHLY_PAUSED,
    KIND_MONTHLY_RESUMED,
    PAUSE_MONTHS,
    add_months,
    pause_resumes_at,
    recurring_pause,
    recurring_pause_record,
    recurring_resume,
)
from .payments import (
    PAID_STATUSES,
    donation_link_stripe_ids,
    donation_mark_failed,
    donation_mark_succeeded,
    donation_review_release,
    donation_status,
)
from .receipts import KIND_RECEIPT, KIND_TRIBUTE, receipt_dedupe_key, receipt_issue, receipt_pdf
from .recurring import (
    KIND_RENEWAL_FAILED,
    recurring_cancel,
    recurring_card_update_url,
    recurring_change_amount,
    recurring_link,
    recurring_renewal_donation,
    recurring_renewal_failed_notify,
    recurring_set_status,
)
from .refunds import refund_record, refund_request
from .statements import (
    KIND_STATEMENT,
    statement_content,
    statement_dedupe_key,
    statement_issue,
    statements_send_for_period,
    statements_send_for_year,
)

__all__ = [
    "KIND_MONTHLY_PAUSED",
    "KIND_MONTHLY_RESUMED",
    "PAUSE_MONTHS",
    "add_months",
    "pause_resumes_at",
    "recurring_pause",
    "recurring_pause_record",
    "recurring_resume",
    "KIND_RECEIPT",
    "KIND_RENEWAL_FAILED",
    "KIND_STATEMENT",
    "KIND_TRIBUTE",
    "PAID_STATUSES",
    "Designation",
    "DonationError",
    "LockOrderError",
    "dispute_record",
    "donation_checkout_start",
    "donation_create",
    "donation_link_stripe_ids",
    "donation_mark_failed",
    "donation_mark_succeeded",
    "donation_record_offline",
    "donation_review_release",
    "donation_status",
    "fee_for",
    "fee_gross_up",
    "receipt_dedupe_key",
    "receipt_issue",
    "receipt_pdf",
    "recurring_cancel",
    "recurring_card_update_url",
    "recurring_change_amount",
    "recurring_link",
    "recurring_renewal_donation",
    "recurring_renewal_failed_notify",
    "recurring_set_status",
    "refund_record",
    "refund_request",
    "statement_content",
    "statement_dedupe_key",
    "statement_issue",
    "statements_send_for_period",
    "statements_send_for_year",
]
