"""A person's gifts, for the data export and for erasure: the "giving" part of accounts/privacy.py,
registered from DonationsConfig.ready().

A gift belongs to a person when it is linked to their account or was made with an email address they
verified (the same rule as the "My giving" page, so nobody can erase or read another person's gifts by
signing up with their address unverified).

Erasure keeps every gift: the books and the tax-receipt law need the amount, date, designation,
status, Stripe references and receipt number. What identifies the person is taken out: the name, the
email (replaced by the person's one placeholder, so a campaign still counts them as one donor), the
tribute fields, the link to the account; the gift becomes anonymous. Issued receipt and statement
PDFs stay as issued (they are the legal record of what was sent). Emails to the person are erased by
the outbox's own part (messaging/privacy.py); tribute notices about their gifts (which name the
tribute) are erased here, and those not yet sent are cancelled.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.privacy import Erasure, PrivacyPart
from campaigns.services import totals_refresh
from messaging.services import messages_erase

from .models import Donation, RecurringGift, Statement
from .selectors import verified_emails
from .services import KIND_TRIBUTE


def _owner_q(*, user, emails: list[str]) -> Q:
    """Gifts of the account `user` or made with one of `emails`. Without an account (retention of a
    guest donor's gifts) only the addresses count, and there must be some: never "every gift with
    no account"."""
    if user is None:
        if not emails:
            raise ValueError("Whose gifts? Neither an account nor an address was given.")
        return Q(donor_email__in=emails)
    return Q(donor=user) | Q(donor_email__in=emails) if emails else Q(donor=user)


def _iso(value):
    return value.isoformat() if value is not None else None


def export_for(user) -> dict:
    """Every gift and monthly gift of `user`, in three queries however many there are."""
    emails = verified_emails(user=user)
    gifts = (
        Donation.objects.filter(_owner_q(user=user, emails=emails))
        .select_related("campaign", "fund", "receipt", "recurring_gift")
        .order_by("created_at", "pk")
    )
    recurring = (
        RecurringGift.objects.filter(_owner_q(user=user, emails=emails))
        .select_related("campaign", "fund")
        .order_by("created_at", "pk")
    )
    return {
        "gifts": [
            {
                "id": str(gift.public_id),
                "created_at": _iso(gift.created_at),
                "succeeded_at": _iso(gift.succeeded_at),
                "status": gift.status,
                "amount_minor": gift.amount,
                "fee_covered_minor": gift.fee_covered,
                "amount_refunded_minor": gift.amount_refunded,
                "currency": gift.currency,
                "frequency": gift.frequency,
                "method": gift.method,
                "campaign": gift.campaign.title if gift.campaign else None,
                "fund": gift.fund.name,
                "donor_name": gift.donor_name,
                "donor_email": gift.donor_email,
                "is_anonymous": gift.is_anonymous,
                "show_name_publicly": gift.show_name_publicly,
                "public_name": gift.public_name,
                "tribute_type": gift.tribute_type,
                "tribute_name": gift.tribute_name,
                "tribute_notify_email": gift.tribute_notify_email,
                "receipt_number": _receipt_number(gift),
                "monthly_gift_id": str(gift.recurring_gift.public_id) if gift.recurring_gift else None,
            }
            for gift in gifts
        ],
        "monthly_gifts": [
            {
                "id": str(r.public_id),
                "created_at": _iso(r.created_at),
                "status": r.status,
                "canceled_at": _iso(r.canceled_at),
                "amount_minor": r.amount,
                "fee_covered_minor": r.fee_covered,
                "currency": r.currency,
                "campaign": r.campaign.title if r.campaign else None,
                "fund": r.fund.name,
                "donor_name": r.donor_name,
                "donor_email": r.donor_email,
                "is_anonymous": r.is_anonymous,
                "show_name_publicly": r.show_name_publicly,
                "public_name": r.public_name,
            }
            for r in recurring
        ],
    }


def _receipt_number(gift: Donation) -> str | None:
    try:
        return gift.receipt.number
    except Donation.receipt.RelatedObjectDoesNotExist:
        return None


def live_monthly_gifts(*, user, emails: list[str]) -> list[RecurringGift]:
    """Monthly gifts that still charge the person's card (active or retrying a failed payment)."""
    return list(
        RecurringGift.objects.filter(_owner_q(user=user, emails=emails)).filter(
            status__in=[RecurringGift.Status.ACTIVE, RecurringGift.Status.PAST_DUE]
        )
    )


def erasure_refusal(erasure: Erasure) -> str | None:
    """Cancelling a monthly gift talks to Stripe, which must not happen inside the erasure's
    transaction, and the person should see it stop on the "My giving" page: so they cancel first."""
    if live_monthly_gifts(user=erasure.user, emails=erasure.emails):
        return _(
            "You still have an active monthly gift. Please cancel it on your giving page first "
            "(/me/giving/), then come back to erase your data."
        )
    return None


def erase(erasure: Erasure) -> dict[str, int]:
    """Anonymise the person's gifts at their request (see anonymise)."""
    gifts = anonymise(user=erasure.user, emails=erasure.emails, placeholder=erasure.placeholder)
    return {"gifts_anonymised": gifts}


def anonymise(*, user, emails: list[str], placeholder: str) -> int:
    """Anonymise a donor's gifts (see erase_for) in the caller's transaction; after commit,
    recompute the cached totals of every affected campaign and fund, because they hold the names of
    opted-in supporters. Used by erasure at the person's request and by retention
    (donations/retention.py). Returns how many gifts were anonymised."""
    gifts, affected = erase_for(user=user, emails=emails, placeholder=placeholder)
    for campaign_id, fund_id in sorted(affected, key=lambda pair: (pair[0] or 0, pair[1])):
        transaction.on_commit(
            lambda c=campaign_id, f=fund_id: totals_refresh(campaign_id=c, fund_id=f), robust=True
        )
    return gifts


def erase_for(*, user, emails: list[str], placeholder: str) -> tuple[int, set[tuple[int | None, int]]]:
    """Anonymise the person's gifts, monthly gifts, statements and their emails, in the caller's
    transaction. Returns how many gifts were anonymised and the (campaign_id, fund_id) pairs whose
    cached totals (which hold the names of opted-in supporters) must be refreshed after commit. The
    caller has checked that no monthly gift is still live."""
    gifts = Donation.objects.filter(_owner_q(user=user, emails=emails))
    affected = set(gifts.values_list("campaign_id", "fund_id").distinct())
    gift_ids = list(gifts.values_list("pk", flat=True))
    Donation.objects.filter(pk__in=gift_ids).update(
        donor=None,
        donor_name="",
        donor_email=placeholder,
        is_anonymous=True,
        show_name_publicly=False,
        public_name="",
        tribute_type="",
        tribute_name="",
        tribute_notify_email="",
    )
    recurring = RecurringGift.objects.filter(_owner_q(user=user, emails=emails))
    affected |= set(recurring.values_list("campaign_id", "fund_id").distinct())
    recurring.update(
        donor=None,
        donor_name="",
        donor_email=placeholder,
        is_anonymous=True,
        show_name_publicly=False,
        public_name="",
    )
    # Emails to the person (a retention run has no account: by address), and tribute notices about
    # their gifts (those name the tribute): emptied, and those not yet sent never will be.
    messages_erase(user=user, recipients=emails, placeholder=placeholder)
    messages_erase(kind=KIND_TRIBUTE, about_model=Donation, about_ids=gift_ids, placeholder=placeholder)
    # A statement's email is its key per year; an index keeps two addresses' statements apart.
    for index, statement in enumerate(Statement.objects.filter(email__in=emails).order_by("pk")):
        local, _, domain = placeholder.partition("@")
        statement.email = f"{local}-s{index}@{domain}"
        statement.save(update_fields=["email"])
    return len(gift_ids), affected


PART = PrivacyPart(section="giving", export=export_for, erase=erase, erasure_refusal=erasure_refusal)
