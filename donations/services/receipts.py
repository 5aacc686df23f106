"""Tax receipts: numbered in the confirming transaction, made into a PDF once, emailed once."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import pdf
from ..models import Donation, OutboxEmail, Receipt
from .locks import lock_receipt_counter
from .outbox import outbox_enqueue, outbox_send


def receipt_issue(*, donation: Donation) -> Receipt:
    """Number the receipt for a gift that just succeeded, in the caller's transaction. The counter row
    is locked while the number is taken and rolls back with the transaction: no gaps, no repeats.
    The email goes out from a task queued after commit."""
    existing = Receipt.objects.filter(donation=donation).first()
    if existing is not None:
        return existing
    year = timezone.localtime(donation.succeeded_at or timezone.now()).year
    counter = lock_receipt_counter(year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    sequence = counter.last_number
    receipt = Receipt.objects.create(
        donation=donation, year=year, sequence=sequence, number=f"{year}-{sequence:06d}"
    )
    from ..tasks import receipt_send

    receipt_id = receipt.pk
    # robust: if the broker is down the receipt stays unsent and outbox_sweep queues it again.
    transaction.on_commit(lambda: receipt_send.delay(receipt_id), robust=True)
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
            content = pdf.receipt_pdf(receipt=locked)
            locked.pdf = content
            locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
            locked.save(update_fields=["pdf", "pdf_sha256"])
        receipt.pdf, receipt.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return bytes(receipt.pdf)


def receipt_deliver(*, receipt_id: int) -> bool:
    """Make the receipt PDF and email it, once. Safe to run any number of times, concurrently."""
    receipt = Receipt.objects.select_related(
        "donation", "donation__campaign", "donation__fund", "donation__donor"
    ).get(pk=receipt_id)
    if receipt.sent_at is not None:
        return False
    # The email and its PDF in the donor's language (their account's, else the gift page's).
    with translation.override(receipt.donation.message_language):
        return _receipt_deliver(receipt)


def _receipt_deliver(receipt: Receipt) -> bool:
    content = receipt_pdf(receipt=receipt)
    donation = receipt.donation
    context = {
        "receipt": receipt,
        "donation": donation,
        "org_name": settings.HAVEN_ORG_NAME,
        "org_address": settings.HAVEN_ORG_ADDRESS,
        "org_tax_id": settings.HAVEN_ORG_TAX_ID,
        "giving_url": settings.SITE_URL + reverse("donations:my_giving"),
    }
    with transaction.atomic():
        email = outbox_enqueue(
            dedupe_key=f"receipt:{receipt.pk}",
            to=donation.donor_email,
            subject=_("Your receipt %(number)s from %(org)s")
            % {"number": receipt.number, "org": settings.HAVEN_ORG_NAME},
            template="donations/email/receipt",
            context=context,
            attachment=(f"receipt-{receipt.number}.pdf", "application/pdf", content),
            queue=False,
        )
    if email is None:
        email = OutboxEmail.objects.get(dedupe_key=f"receipt:{receipt.pk}")
    sent = outbox_send(email_id=email.pk)
    if sent or OutboxEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists():
        Receipt.objects.filter(pk=receipt.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return sent


def tribute_notify(donation: Donation) -> None:
    # In the language of the page the gift was made on (the person told is not the donor).
    with translation.override(donation.language):
        if donation.tribute_type == Donation.Tribute.MEMORY:
            subject = _("A gift to %(org)s in memory of %(name)s")
        else:
            subject = _("A gift to %(org)s in honour of %(name)s")
        outbox_enqueue(
            dedupe_key=f"tribute:{donation.pk}",
            to=donation.tribute_notify_email,
            subject=subject % {"org": settings.HAVEN_ORG_NAME, "name": donation.tribute_name},
            template="donations/email/tribute",
            context={"donation": donation, "org_name": settings.HAVEN_ORG_NAME},
        )
