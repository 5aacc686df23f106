"""Gifts. A Donation is one payment (a one-time gift, or one month of a monthly gift). Its status only
moves forward through the guarded transitions in donations/services.py; refunds are recorded as
amounts on top, never by changing `amount`."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce


class DonationQuerySet(models.QuerySet):
    def counted(self):
        """Gifts whose money the organisation holds: succeeded (net of refunds). Pending, failed,
        fully refunded and disputed gifts are not counted."""
        return self.filter(status=Donation.Status.SUCCEEDED)

    def net_total(self) -> int:
        return self.counted().aggregate(total=Coalesce(Sum(F("amount") - F("amount_refunded")), 0))["total"]


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"
        DISPUTED = "disputed", "Disputed"
        DISPUTE_LOST = "dispute_lost", "Dispute lost"

    class Frequency(models.TextChoices):
        ONE_TIME = "one_time", "One-time"
        MONTHLY = "monthly", "Monthly"

    class Method(models.TextChoices):
        CARD = "stripe", "Online (Stripe)"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"

    class Tribute(models.TextChoices):
        NONE = "", "No tribute"
        HONOUR = "honour", "In honour of"
        MEMORY = "memory", "In memory of"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations"
    )
    donor_email = models.EmailField()
    donor_name = models.CharField(max_length=200, blank=True)
    # The gift the charity should net, in minor units; `fee_covered` is added on top when the donor
    # chose to cover the processing fee. `amount_refunded` grows with each refund.
    amount = models.PositiveBigIntegerField()
    fee_covered = models.PositiveBigIntegerField(default=0)
    amount_refunded = models.PositiveBigIntegerField(default=0)
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ONE_TIME)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.CARD)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)

    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    fund = models.ForeignKey("campaigns.Fund", on_delete=models.PROTECT, related_name="donations")

    is_anonymous = models.BooleanField(default=False, help_text="Never shown publicly, anywhere.")
    show_name_publicly = models.BooleanField(
        default=False, help_text="Opt-in: first name and initial may appear among recent supporters."
    )
    tribute_type = models.CharField(max_length=10, choices=Tribute.choices, blank=True, default="")
    tribute_name = models.CharField(max_length=200, blank=True)
    tribute_notify_email = models.EmailField(blank=True)

    # Stripe references. The idempotency key is sent with every create call for this gift.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount") + F("fee_covered")),
                name="donation_refund_not_above_charge",
            ),
            models.UniqueConstraint(
                fields=["stripe_invoice_id"],
                condition=~Q(stripe_invoice_id=""),
                name="one_donation_per_stripe_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="donation_campaign_status"),
            models.Index(fields=["fund", "status"], name="donation_fund_status"),
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} gift {self.public_id}"

    @property
    def charged_amount(self) -> int:
        """What the donor's card is charged: the gift plus any fee they chose to cover."""
        return self.amount + self.fee_covered

    @property
    def net_amount(self) -> int:
        if self.status != self.Status.SUCCEEDED:
            return 0
        return max(self.amount - self.amount_refunded, 0)
