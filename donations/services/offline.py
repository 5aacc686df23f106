"""Cheque, cash and bank-transfer gifts that staff record by hand."""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Donation
from .checkout import Designation
from .errors import DonationError
from .payments import donation_mark_succeeded

Status = Donation.Status


def donation_record_offline(
    *,
    nonce: uuid.UUID,
    amount: int,
    method: str,
    designation: Designation,
    email: str,
    name: str,
    received_on: datetime.date,
    reference: str = "",
    is_anonymous: bool = False,
    recorded_by=None,
) -> tuple[Donation, bool]:
    """Record a cheque, cash or bank transfer gift as succeeded and issue its receipt. The nonce from
    the form makes a double submit return the first gift (created=False) instead of a second one."""
    if method not in (Donation.Method.CHEQUE, Donation.Method.CASH, Donation.Method.BANK_TRANSFER):
        raise DonationError(_("Choose cheque, cash or bank transfer."))
    existing = Donation.objects.filter(entry_nonce=nonce).first()
    if existing is not None:
        return existing, False
    received_at = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
    try:
        with transaction.atomic():
            donation = Donation(
                entry_nonce=nonce,
                donor_email=email.strip().lower(),
                donor_name=name,
                amount=amount,
                method=method,
                campaign=designation.campaign,
                fund=designation.fund,
                is_anonymous=is_anonymous,
                offline_reference=reference,
                received_on=received_on,
                recorded_by=recorded_by,
                status=Status.PENDING,
            )
            donation.full_clean(exclude=["entry_nonce"])
            donation.save()
            # Staff counted the money themselves: their entry is the payment report.
            donation_mark_succeeded(
                donation=donation, amount_paid=amount, currency=donation.currency, paid_at=received_at
            )
    except IntegrityError:
        # Two submits of the same form raced past the check above; the other one won.
        return Donation.objects.get(entry_nonce=nonce), False
    return donation, True
