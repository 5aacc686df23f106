"""The outbox renderers of the gifts' emails (registered from DonationsConfig.ready()): receipts
(with their PDF, made at send time), annual statements, tribute notices, failed monthly payments, and
what donors are told after giving (a monthly gift changed, paused, resumed or cancelled, a refund).
Each runs at send time, in the message's language, outside any transaction; it loads what the
message is about by id and skips what no longer applies (an erased donor, a refunded gift)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.privacy import is_erased_address
from messaging.models import Message
from messaging.registry import Attachment, Rendered, Skip, kind_register

from .match_selectors import match_sponsor_name
from .models import Donation, Receipt, RecurringAmountChange, RecurringGift, Refund, Statement
from .services.notices import KIND_MONTHLY_CANCELLED, KIND_MONTHLY_CHANGED, KIND_REFUNDED
from .services.pauses import KIND_MONTHLY_PAUSED, KIND_MONTHLY_RESUMED
from .services.receipts import KIND_RECEIPT, KIND_TRIBUTE, receipt_pdf
from .services.recurring import KIND_RENEWAL_FAILED
from .services.statements import KIND_STATEMENT


def _giving_url() -> str:
    return settings.SITE_URL + reverse("donations:my_giving")


def _after_giving_context(**extra) -> dict:
    return {"org_name": settings.HAVEN_ORG_NAME, "giving_url": _giving_url(), **extra}


def _both(template: str, context: dict) -> tuple[str, str]:
    return render_to_string(f"{template}.txt", context), render_to_string(f"{template}.html", context)


def render_receipt(message: Message) -> Rendered | Skip:
    receipt = (
        Receipt.objects.select_related("donation", "donation__campaign", "donation__fund")
        .filter(pk=message.about_id)
        .first()
    )
    if receipt is None:
        return Skip("the receipt no longer exists")
    if is_erased_address(receipt.donation.donor_email):
        return Skip("the donor erased their data")
    content = receipt_pdf(receipt=receipt)
    text, html = _both(
        "donations/email/receipt",
        {
            "receipt": receipt,
            "donation": receipt.donation,
            "org_name": settings.HAVEN_ORG_NAME,
            "org_address": settings.HAVEN_ORG_ADDRESS,
            "org_tax_id": settings.HAVEN_ORG_TAX_ID,
            "giving_url": _giving_url(),
            "match_sponsor": match_sponsor_name(receipt.donation),
        },
    )
    return Rendered(
        subject=_("Your receipt %(number)s from %(org)s")
        % {"number": receipt.number, "org": settings.HAVEN_ORG_NAME},
        text=text,
        html=html,
        attachments=(Attachment(f"receipt-{receipt.number}.pdf", content, "application/pdf"),),
    )


def render_statement(message: Message) -> Rendered | Skip:
    statement = Statement.objects.filter(pk=message.about_id).first()
    if statement is None or is_erased_address(statement.email):
        return Skip("the statement's donor erased their data")
    period = statement.statement_period
    text, html = _both(
        "donations/email/statement",
        {
            "statement": statement,
            "period_label": period.label,
            "org_name": settings.HAVEN_ORG_NAME,
            "giving_url": _giving_url(),
        },
    )
    if statement.period == Statement.Period.FISCAL:
        subject = _("Your giving statement from %(org)s: %(period)s") % {
            "org": settings.HAVEN_ORG_NAME,
            "period": period.label,
        }
    else:
        subject = _("Your %(year)s giving statement from %(org)s") % {
            "year": statement.year,
            "org": settings.HAVEN_ORG_NAME,
        }
    return Rendered(
        subject=subject,
        text=text,
        html=html,
        attachments=(Attachment(f"{period.file_stem}.pdf", bytes(statement.pdf), "application/pdf"),),
    )


def render_tribute(message: Message) -> Rendered | Skip:
    donation = Donation.objects.filter(pk=message.about_id).first()
    if donation is None or not donation.tribute_type or not donation.tribute_notify_email:
        return Skip("the tribute was removed (the donor erased their data)")
    text, html = _both("donations/email/tribute", {"donation": donation, "org_name": settings.HAVEN_ORG_NAME})
    if donation.tribute_type == Donation.Tribute.MEMORY:
        subject = _("A gift to %(org)s in memory of %(name)s")
    else:
        subject = _("A gift to %(org)s in honour of %(name)s")
    return Rendered(
        subject=subject % {"org": settings.HAVEN_ORG_NAME, "name": donation.tribute_name},
        text=text,
        html=html,
    )


def render_renewal_failed(message: Message) -> Rendered | Skip:
    recurring = RecurringGift.objects.filter(pk=message.about_id).first()
    if recurring is None or is_erased_address(recurring.donor_email):
        return Skip("the donor erased their data")
    if recurring.status != RecurringGift.Status.PAST_DUE:
        return Skip("the monthly gift is no longer waiting for a new card")
    text, html = _both(
        "donations/email/renewal_failed",
        {"recurring": recurring, "org_name": settings.HAVEN_ORG_NAME, "giving_url": _giving_url()},
    )
    return Rendered(
        subject=_("Your monthly gift to %(org)s could not be charged") % {"org": settings.HAVEN_ORG_NAME},
        text=text,
        html=html,
    )


def render_monthly_changed(message: Message) -> Rendered | Skip:
    change = (
        RecurringAmountChange.objects.select_related("recurring_gift__campaign", "recurring_gift__fund")
        .filter(pk=message.about_id)
        .first()
    )
    if change is None or change.status != RecurringAmountChange.Status.APPLIED:
        return Skip("the change was not made")
    recurring = change.recurring_gift
    if recurring.status == RecurringGift.Status.CANCELED or is_erased_address(recurring.donor_email):
        return Skip("the monthly gift was cancelled or erased since")
    return Rendered(
        subject=_("Your monthly gift to %(org)s is changed") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/monthly_changed.txt", _after_giving_context(recurring=recurring, change=change)
        ),
    )


def render_monthly_cancelled(message: Message) -> Rendered | Skip:
    recurring = RecurringGift.objects.select_related("campaign", "fund").filter(pk=message.about_id).first()
    if recurring is None or recurring.status != RecurringGift.Status.CANCELED:
        return Skip("the monthly gift is not cancelled")
    if is_erased_address(recurring.donor_email):
        return Skip("the donor erased their data")
    return Rendered(
        subject=_("Your monthly gift to %(org)s is cancelled") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/monthly_cancelled.txt", _after_giving_context(recurring=recurring)
        ),
    )


def render_monthly_paused(message: Message) -> Rendered | Skip:
    recurring = RecurringGift.objects.select_related("campaign", "fund").filter(pk=message.about_id).first()
    if recurring is None or recurring.status == RecurringGift.Status.CANCELED:
        return Skip("the monthly gift was cancelled since")
    if is_erased_address(recurring.donor_email):
        return Skip("the donor erased their data")
    raw = (message.data or {}).get("resumes_at")
    resumes_at = datetime.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    return Rendered(
        subject=_("Your monthly gift to %(org)s is paused") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/monthly_paused.txt",
            _after_giving_context(recurring=recurring, resumes_at=resumes_at),
        ),
    )


def render_monthly_resumed(message: Message) -> Rendered | Skip:
    recurring = RecurringGift.objects.select_related("campaign", "fund").filter(pk=message.about_id).first()
    if recurring is None or recurring.status == RecurringGift.Status.CANCELED:
        return Skip("the monthly gift was cancelled since")
    if is_erased_address(recurring.donor_email):
        return Skip("the donor erased their data")
    period_end = recurring.current_period_end
    next_payment = (
        period_end if period_end and period_end > timezone.now() and not recurring.is_paused else None
    )
    return Rendered(
        subject=_("Your monthly gift to %(org)s is active again") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/monthly_resumed.txt",
            _after_giving_context(recurring=recurring, next_payment=next_payment),
        ),
    )


def render_refunded(message: Message) -> Rendered | Skip:
    refund = (
        Refund.objects.select_related("donation__campaign", "donation__fund")
        .filter(pk=message.about_id)
        .first()
    )
    if refund is None or refund.status not in Refund.COUNTED:
        return Skip("the refund did not go through")
    if is_erased_address(refund.donation.donor_email):
        return Skip("the donor erased their data")
    return Rendered(
        subject=_("%(org)s refunded your gift") % {"org": settings.HAVEN_ORG_NAME},
        text=render_to_string(
            "donations/email/refunded.txt", _after_giving_context(refund=refund, donation=refund.donation)
        ),
    )


def register() -> None:
    kind_register(KIND_RECEIPT, render=render_receipt, description="A gift's tax receipt, PDF attached.")
    kind_register(KIND_STATEMENT, render=render_statement, description="A donor's annual giving statement.")
    kind_register(
        KIND_TRIBUTE, render=render_tribute, description="A gift made in honour or memory of someone."
    )
    kind_register(
        KIND_RENEWAL_FAILED,
        render=render_renewal_failed,
        description="A monthly gift's payment failed: how to update the card.",
    )
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
        KIND_MONTHLY_PAUSED,
        render=render_monthly_paused,
        description="A monthly gift was paused (by the donor): no payments until its resume date.",
    )
    kind_register(
        KIND_MONTHLY_RESUMED,
        render=render_monthly_resumed,
        description="A paused monthly gift is active again (resumed early, or on its resume date).",
    )
    kind_register(
        KIND_REFUNDED,
        render=render_refunded,
        description="Money was refunded on a gift: how much, to the card it came from.",
    )
