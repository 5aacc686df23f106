"""Tax receipts: numbered in the confirming transaction, made into a PDF once, emailed once through
the outbox (the email is a message row written in the same transaction; donations/messages.py renders
it, PDF attached, when it is sent)."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from messaging.services import message_queue

from .. import pdf
from ..match_selectors import match_sponsor_name
from ..models import Donation, Receipt
from .locks import receipt_number_take

KIND_RECEIPT = Receipt.MESSAGE_KIND
KIND_TRIBUTE = "donations.tribute"


def receipt_dedupe_key(receipt: Receipt) -> str:
    return receipt.message_dedupe_key


def receipt_issue(*, donation: Donation) -> Receipt:
    """Number the receipt for a gift that just succeeded, in the caller's transaction. The counter row
    is locked while the number is taken and rolls back with the transaction: no gaps, no repeats.
    Its email is written to the outbox in the same transaction and goes out after commit."""
    existing = Receipt.objects.filter(donation=donation).first()
    if existing is not None:
        return existing
    year = timezone.localtime(donation.succeeded_at or timezone.now()).year
    sequence = receipt_number_take(year)
    receipt = Receipt.objects.create(
        donation=donation, year=year, sequence=sequence, number=f"{year}-{sequence:06d}"
    )
    message_queue(
        kind=KIND_RECEIPT,
        recipient=donation.donor_email,
        user=donation.donor,
        # The email and its PDF in the donor's language (their account's, else the gift page's).
        language=donation.message_language,
        about=receipt,
        dedupe_key=receipt_dedupe_key(receipt),
    )
    return receipt


def receipt_pdf(*, receipt: Receipt) -> bytes:
    """The receipt's PDF, made once and kept (so the hash on file matches every later download)."""
    if receipt.pdf:
        return bytes(receipt.pdf)
    with transaction.atomic():
        locked = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation", "donation__campaign", "donation__fund")
            .get(pk=receipt.pk)
        )
        if not locked.pdf:
            content = pdf.receipt_pdf(receipt=locked, matched_by=match_sponsor_name(locked.donation))
            locked.pdf = content
            locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256"])
        receipt.pdf, receipt.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return bytes(receipt.pdf)


def tribute_notify(donation: Donation) -> None:
    """Tell the person a gift was made in honour or memory of (once per gift), in the confirming
    transaction."""
    message_queue(
        kind=KIND_TRIBUTE,
        recipient=donation.tribute_notify_email,
        # In the language of the page the gift was made on (the person told is not the donor).
        language=donation.language,
        about=donation,
        dedupe_key=f"{KIND_TRIBUTE}:{donation.pk}",
    )
