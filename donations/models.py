"""Gifts. A Donation is one payment (a one-time gift, or one month of a monthly gift). Its status only
moves forward through the guarded transitions in donations/services/payments.py; refunds are recorded as
amounts on top, never by changing `amount`."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# What a donor may ask to be shown as among the people giving ("Maria", "The Lee family").
PUBLIC_NAME_MAX_LENGTH = 60


class DonationQuerySet(models.QuerySet):
    def counted(self):
        """Gifts whose money the organisation holds: succeeded (net of refunds). Pending, failed,
        fully refunded and disputed gifts are not counted."""
        return self.filter(status=Donation.Status.SUCCEEDED)

    def net_total(self) -> int:
        return self.counted().aggregate(total=Coalesce(Sum(F("amount") - F("amount_refunded")), 0))["total"]


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Processing")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")
        DISPUTE_LOST = "dispute_lost", _("Dispute lost")

    class Frequency(models.TextChoices):
        ONE_TIME = "one_time", _("One-time")
        MONTHLY = "monthly", _("Monthly")

    class Method(models.TextChoices):
        CARD = "stripe", _("Online (Stripe)")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")

    class Tribute(models.TextChoices):
        NONE = "", _("No tribute")
        HONOUR = "honour", _("In honour of")
        MEMORY = "memory", _("In memory of")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations"
    )
    donor_email = models.EmailField()
    donor_name = models.CharField(max_length=200, blank=True)
    # The language of the page the gift was made on: its emails (receipt, tribute card, failed
    # renewal) are written in it when the donor has no account, or in the account's language.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
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
        default=False, help_text="Opt-in: the public name below may appear among the people giving."
    )
    # Exactly what public pages show when the donor opted in: asked for on its own, never derived from
    # `donor_name` (a family-name-first or "Surname, Given" name would show the family name).
    public_name = models.CharField(max_length=PUBLIC_NAME_MAX_LENGTH, blank=True)
    tribute_type = models.CharField(max_length=10, choices=Tribute.choices, blank=True, default="")
    tribute_name = models.CharField(max_length=200, blank=True)
    tribute_notify_email = models.EmailField(blank=True)

    # Stripe references. The idempotency key is sent with every create call for this gift.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)

    recurring_gift = models.ForeignKey(
        "donations.RecurringGift", null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    # A payment whose amount differs from what we asked for is held here for a person to look at.
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reason = models.CharField(max_length=300, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    # Offline gifts (cheque, cash, bank transfer) entered by staff. The nonce comes from a hidden form
    # field, so submitting the same form twice creates one gift.
    entry_nonce = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    offline_reference = models.CharField(
        max_length=120, blank=True, help_text="Cheque number, bank reference."
    )
    received_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A gift made through a supporter's fundraising page (one-time only): it counts for that page and,
    # like every gift, once for its campaign (`campaign` is the page's campaign).
    supporter_page = models.ForeignKey(
        "campaigns.SupporterPage", null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )

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
            models.CheckConstraint(
                condition=~(Q(is_anonymous=True) & Q(show_name_publicly=True)),
                name="donation_anonymous_never_named",
            ),
            models.CheckConstraint(
                condition=Q(show_name_publicly=True) | Q(public_name=""),
                name="donation_public_name_only_when_named",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="donation_campaign_status"),
            models.Index(fields=["fund", "status"], name="donation_fund_status"),
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} gift {self.public_id}"

    @property
    def message_language(self) -> str:
        """The language of emails about this gift: the donor's account's, else the gift's own."""
        if self.donor_id and self.donor.language:
            return self.donor.language
        return self.language

    @property
    def charged_amount(self) -> int:
        """What the donor's card is charged: the gift plus any fee they chose to cover."""
        return self.amount + self.fee_covered

    @property
    def net_amount(self) -> int:
        if self.status != self.Status.SUCCEEDED:
            return 0
        return max(self.amount - self.amount_refunded, 0)

    @property
    def is_offline(self) -> bool:
        return self.method != self.Method.CARD


class RecurringGift(models.Model):
    """A monthly gift: one Stripe subscription. Each paid month is its own Donation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for first payment")
        ACTIVE = "active", pgettext_lazy("monthly gift", "Active")
        PAST_DUE = "past_due", _("Payment failed, retrying")
        CANCELED = "canceled", pgettext_lazy("monthly gift", "Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    donor_email = models.EmailField()
    donor_name = models.CharField(max_length=200, blank=True)
    amount = models.PositiveBigIntegerField(help_text="Monthly amount the charity nets, minor units.")
    fee_covered = models.PositiveBigIntegerField(default=0)
    # The language of the page the gift was made on: its emails (receipt, tribute card, failed
    # renewal) are written in it when the donor has no account, or in the account's language.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey("campaigns.Fund", on_delete=models.PROTECT, related_name="+")
    is_anonymous = models.BooleanField(default=False)
    show_name_publicly = models.BooleanField(default=False)
    public_name = models.CharField(max_length=PUBLIC_NAME_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    # Subscription events can arrive out of order: only a newer event may change the status.
    stripe_status_at = models.DateTimeField(null=True, blank=True)
    # The end of the month Stripe last reported as paid for (the subscription item's
    # `current_period_end`): the next charge date while the gift is live.
    current_period_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    # Paused (Stripe's `pause_collection`, behavior "void": the months due meanwhile are not
    # charged): since when (None = not paused), and when collection resumes by itself (None with
    # `paused_at` set = until resumed; a pause from Stripe's dashboard may have no date). Set only
    # from what Stripe confirmed (our call's answer, or a subscription event not older than
    # `stripe_pause_at`).
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    stripe_pause_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recurring_amount_positive"),
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~Q(stripe_subscription_id=""),
                name="one_recurring_gift_per_subscription",
            ),
            models.CheckConstraint(
                condition=Q(show_name_publicly=True, is_anonymous=False) | Q(public_name=""),
                name="recurring_public_name_only_when_named",
            ),
        ]

    def __str__(self):
        return f"Monthly gift {self.public_id}"

    @property
    def message_language(self) -> str:
        """The language of emails about this gift: the donor's account's, else the gift's own."""
        if self.donor_id and self.donor.language:
            return self.donor.language
        return self.language

    @property
    def charged_amount(self) -> int:
        return self.amount + self.fee_covered

    @property
    def is_live(self) -> bool:
        return self.status in {self.Status.ACTIVE, self.Status.PAST_DUE}

    @property
    def is_paused(self) -> bool:
        return self.is_live and self.paused_at is not None


class RecurringPause(models.Model):
    """One request to pause a monthly gift (for 1–3 months) or to resume it early, sent to Stripe
    with this row's idempotency key. Like RecurringAmountChange: an attempt Stripe never answered stays
    open, and the next submit sends the same key and the same `resumes_at`, so Stripe changes the
    subscription once; the monthly gift changes only when Stripe has confirmed."""

    class Action(models.TextChoices):
        PAUSE = "pause", "Pause"
        RESUME = "resume", "Resume"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for Stripe"
        APPLIED = "applied", "Done"
        FAILED = "failed", "Not done"

    MONTHS_CHOICES = (1, 2, 3)

    recurring_gift = models.ForeignKey(RecurringGift, on_delete=models.PROTECT, related_name="pauses")
    action = models.CharField(max_length=10, choices=Action.choices)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    resumes_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # From a hidden field of the form: the same form submitted twice is one request.
    entry_nonce = models.UUIDField(editable=False)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recurring_gift"],
                condition=Q(status="requested"),
                name="one_open_pause_per_recurring_gift",
            ),
            models.UniqueConstraint(fields=["recurring_gift", "entry_nonce"], name="one_pause_per_form"),
            models.CheckConstraint(
                condition=Q(action="resume", months__isnull=True, resumes_at__isnull=True)
                | Q(action="pause", months__gte=1, months__lte=3, resumes_at__isnull=False),
                name="pause_has_months_and_resume_date",
            ),
        ]

    def __str__(self):
        return f"{self.action} of {self.recurring_gift} ({self.status})"


class RecurringAmountChange(models.Model):
    """One attempt to change a monthly gift's amount at Stripe. Its idempotency key goes with the
    Stripe call, and an attempt Stripe never answered stays open: a double submit, or a retry after a
    timeout, sends the same key again, so Stripe changes the subscription once. The monthly gift's
    amount changes only when Stripe has confirmed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for Stripe")
        APPLIED = "applied", pgettext_lazy("change of a monthly gift", "Changed")
        FAILED = "failed", pgettext_lazy("change of a monthly gift", "Not changed")

    recurring_gift = models.ForeignKey(RecurringGift, on_delete=models.PROTECT, related_name="amount_changes")
    amount = models.PositiveBigIntegerField()
    fee_covered = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="amount_change_positive"),
            models.UniqueConstraint(
                fields=["recurring_gift"],
                condition=Q(status="requested"),
                name="one_open_amount_change_per_recurring_gift",
            ),
        ]

    def __str__(self):
        return f"Change of {self.recurring_gift} to {self.amount} ({self.status})"

    @property
    def charged_amount(self) -> int:
        return self.amount + self.fee_covered


class Refund(models.Model):
    """Money given back on one gift. `donation.amount_refunded` is the sum of the counted refunds."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Refund requested")  # asked Stripe; the webhook confirms it
        PENDING = "pending", _("Pending at Stripe")
        SUCCEEDED = "succeeded", pgettext_lazy("refund", "Refunded")
        FAILED = "failed", pgettext_lazy("refund", "Failed")
        CANCELED = "canceled", pgettext_lazy("refund", "Cancelled")

    COUNTED = (Status.PENDING, Status.SUCCEEDED)

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=200, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"Refund {self.stripe_refund_id or self.pk} of {self.amount}"


class Dispute(models.Model):
    """A chargeback. While it is open the gift is not counted; won gives it back, lost loses it."""

    OPEN_STATUSES = ("warning_needs_response", "warning_under_review", "needs_response", "under_review")
    WON_STATUSES = ("won", "warning_closed", "prevented")
    LOST_STATUSES = ("lost",)

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=40)
    reason = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Dispute {self.stripe_dispute_id} ({self.status})"

    @property
    def is_closed(self) -> bool:
        return self.status in self.WON_STATUSES or self.status in self.LOST_STATUSES


class StripeEvent(models.Model):
    """Every webhook event we accepted, once (Stripe delivers at least once, in any order)."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # A refund or dispute that arrived before the payment it belongs to waits for this id.
    waiting_for = models.CharField(max_length=255, blank=True, db_index=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.stripe_id}"


class ReceiptCounter(models.Model):
    """One row per year; locked with select_for_update while a number is taken, so numbers have no
    gaps (taken in the same transaction as the receipt row) and no repeats."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Receipt(models.Model):
    """The tax receipt for one gift. The number is assigned when the payment is confirmed; its email
    is an outbox message (messaging.Message, dedupe key `donations.receipt:<id>`)."""

    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="receipt")
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=20, unique=True)
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)

    # The outbox kind of its email; the message's dedupe key is `message_dedupe_key`.
    MESSAGE_KIND = "donations.receipt"

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="receipt_year_sequence")]

    def __str__(self):
        return self.number

    @property
    def message_dedupe_key(self) -> str:
        return f"{self.MESSAGE_KIND}:{self.pk}"


class Statement(models.Model):
    """The giving statement for one email address and one year (sent once): a calendar year, or a
    fiscal year (HAVEN_FISCAL_YEAR_START_MONTH), which is numbered by the year it starts in."""

    class Period(models.TextChoices):
        CALENDAR = "calendar", _("Calendar year")
        FISCAL = "fiscal", _("Fiscal year")

    email = models.EmailField()
    year = models.PositiveIntegerField()
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.CALENDAR)
    total = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default=settings.HAVEN_CURRENCY)
    pdf = models.BinaryField(blank=True, default=b"", editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "email"]
        constraints = [
            models.UniqueConstraint(fields=["email", "year", "period"], name="one_statement_per_email_period")
        ]

    def __str__(self):
        return f"{self.year} {self.period} statement for {self.email}"

    @property
    def statement_period(self):
        from .periods import StatementPeriod

        return StatementPeriod(self.period, self.year)


class MatchAllocation(models.Model):
    """A sponsor's match of one gift (campaigns.MatchOffer), written by donations.services.matching
    under the gift's and the offer's locks. `granted` is what was matched when the gift succeeded;
    `amount` what stands now: scaled down in proportion to refunds, 0 once fully refunded or a
    dispute is lost. While a dispute is open the amount is `is_held` (kept from the cap, not owed).
    The match is the sponsor's money: it is never part of the donor's gift, receipt or statement."""

    offer = models.ForeignKey("campaigns.MatchOffer", on_delete=models.PROTECT, related_name="allocations")
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="match")
    granted = models.PositiveBigIntegerField()
    amount = models.PositiveBigIntegerField()
    is_held = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(granted__gt=0), name="match_granted_positive"),
            models.CheckConstraint(condition=Q(amount__lte=F("granted")), name="match_amount_within_granted"),
        ]

    def __str__(self):
        return f"Match of {self.donation_id}: {self.amount} of {self.granted}"


# --- In-kind needs: goods people give instead of money ------------------------------------------------


class InKindNeed(models.Model):
    """Something staff ask supporters to bring (hygiene kits, winter coats, bus passes), how many, and
    by when. The title and description are staff-written and translated (donations/translation.py).
    Where to bring it is private: it goes by email to those who pledge, never on a public page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("item"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    quantity_needed = models.PositiveIntegerField(_("quantity needed"))
    deadline = models.DateField(_("needed by"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inkind_needs",
    )
    # Staff only: where and when to bring the items. Empty: settings.HAVEN_INKIND_DROPOFF.
    dropoff = models.TextField(_("drop-off address and hours"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_needed__gt=0), name="inkind_need_quantity_positive")
        ]

    def __str__(self):
        return self.title

    @property
    def dropoff_text(self) -> str:
        return self.dropoff.strip() or settings.HAVEN_INKIND_DROPOFF


class InKindPledge(models.Model):
    """A supporter's promise to bring `quantity` of a need. Pledged until staff mark it received (all or
    part of it: `quantity_received`) or cancelled. Pledged and received items count against the need;
    the part of a pledge that never came is free again."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    KIND_DROPOFF = "donations.inkind_dropoff"
    KIND_RECEIVED = "donations.inkind_received"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    need = models.ForeignKey(InKindNeed, on_delete=models.PROTECT, related_name="pledges")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(max_length=16)
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_received = models.PositiveIntegerField(_("quantity received"), default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLEDGED)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["need", "status"], name="inkind_pledge_need_status")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inkind_pledge_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity")), name="inkind_received_within_pledge"
            ),
            models.CheckConstraint(
                condition=~Q(status="received") | Q(quantity_received__gt=0, received_at__isnull=False),
                name="inkind_received_has_quantity",
            ),
        ]

    def __str__(self):
        # Audit log: no name, no email.
        return f"In-kind pledge #{self.pk}"
