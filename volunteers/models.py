"""Volunteers, roles, shifts, bookings, waitlists and coordinator messaging (every email is an
outbox message: messaging.Message).

Times are aware UTC in the database. A shift's wall-clock time is computed from its series' time zone
when generated and stored as UTC instants; reminders (outbox messages) are due at UTC instants, so a
daylight-saving change moves nothing. Business rules that need several rows (capacity, overlap,
requirements) live in `volunteers.services`; what a single row or pair of columns can guarantee is a
database constraint here.
"""

import datetime
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

USER = settings.AUTH_USER_MODEL


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayPart(models.TextChoices):
    MORNING = "morning", _("Morning (before noon)")
    AFTERNOON = "afternoon", _("Afternoon (noon to 5 pm)")
    EVENING = "evening", _("Evening (after 5 pm)")


class VolunteerProfile(models.Model):
    """What a volunteer tells us at onboarding. One per user; its row is also the per-volunteer lock
    that `shift_book` takes first (so one person's concurrent bookings are serialised).

    `availability` is a list of "<weekday>-<daypart>" keys, e.g. ["0-morning", "5-evening"].
    `onboarded_at` is set once the profile is complete and the current agreement is signed."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="volunteer_profile")
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="The volunteer's own phone, for the roster."
    )
    emergency_contact_name = models.CharField(max_length=200)
    emergency_contact_phone = models.CharField(max_length=40)
    emergency_contact_relationship = models.CharField(max_length=80, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    # A short PIN of the volunteer's own for the check-in kiosk, hashed like a password (empty: none).
    check_in_pin_hash = models.CharField(max_length=128, blank=True)
    # Text messages: the mobile number (validated, stored in E.164) and the current opt-in. Every
    # opt-in and opt-out, with its time and the words agreed to, is kept in SmsConsentRecord.
    mobile = PhoneNumberField(_("mobile number for text messages"), blank=True)
    sms_opted_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Volunteer profile of {self.user}"

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None


class SmsConsentRecord(models.Model):
    """One opt-in to or opt-out of text messages: when, for which number, how (the form on the site,
    a STOP/START reply, or the provider refusing a text because the number replied STOP), and for an
    opt-in the exact words the volunteer agreed to."""

    class Action(models.TextChoices):
        OPT_IN = "opt_in", _("Agreed to texts")
        OPT_OUT = "opt_out", _("Stopped texts")

    class Source(models.TextChoices):
        WEB = "web", _("On the site")
        REPLY = "reply", _("By replying to a text")
        PROVIDER = "provider", _("The text provider reported a STOP reply")

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="sms_consents")
    number = PhoneNumberField()
    action = models.CharField(max_length=8, choices=Action.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    wording = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="opt_in") | ~Q(wording=""), name="sms_opt_in_records_wording"
            )
        ]

    def __str__(self):
        return f"{self.volunteer} {self.action} {self.number} at {self.at}"


class Agreement(models.Model):
    """A version of the confidentiality agreement. The current one is the highest published version;
    publishing a new version means everyone signs again before their next booking."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Confidentiality agreement")
    text = models.TextField()
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="agreement_version_positive")]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @classmethod
    def current(cls) -> "Agreement | None":
        return (
            cls.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
            .order_by("-version")
            .first()
        )


class AgreementSignature(models.Model):
    """A volunteer signed one version of the agreement at a given time. The version is copied so the
    record stays readable even if agreements are renumbered."""

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="agreement_signatures")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    version = models.PositiveIntegerField()
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "agreement"], name="one_signature_per_agreement")
        ]

    def __str__(self):
        return f"{self.volunteer} signed v{self.version}"


class Requirement(models.Model):
    """Something a role needs from a volunteer: a training, a background check, another check.
    Coordinators record only that it was verified, when and by whom, never the content of a check."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        BACKGROUND_CHECK = "background_check", _("Background check")
        OTHER = "other", pgettext_lazy("kind of requirement", "Other")

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    description = models.TextField(blank=True)
    # How long a verification stays valid by default (coordinators may set another expiry date).
    valid_for_days = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: never expires.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.Model):
    """A kind of work (shelter meal prep, hotline support, driver...). Lists its requirements, whether
    a coordinator must approve each volunteer, and which coordinators look after it (they see only
    volunteers booked on shifts of their roles)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    requirements = models.ManyToManyField(Requirement, blank=True, related_name="roles")
    requires_agreement = models.BooleanField(
        default=True, help_text="The volunteer must have signed the current confidentiality agreement."
    )
    requires_approval = models.BooleanField(
        default=False, help_text="A coordinator approves each volunteer for this role before they book."
    )
    coordinators = models.ManyToManyField(USER, blank=True, related_name="coordinated_roles")
    is_active = models.BooleanField(default=True)
    allows_groups = models.BooleanField(
        _("group sign-up"),
        default=False,
        help_text=_("A volunteer may book several places for a group and name the members later."),
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("largest group"),
        default=6,
        help_text=_("Places one group booking may take, the volunteer included."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RequirementVerification(models.Model):
    """ "Verified on <date> by <coordinator>, valid until <date>". Several rows per volunteer and
    requirement form the history; the one with the latest expiry counts."""

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="requirement_verifications")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="verifications")
    verified_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty: never expires.")
    verified_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-verified_on", "-id"]
        indexes = [models.Index(fields=["volunteer", "requirement"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("verified_on")),
                name="verification_expires_after_verified",
            )
        ]

    def __str__(self):
        return f"{self.requirement} for {self.volunteer} on {self.verified_on}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.verified_on <= day and (self.expires_on is None or self.expires_on >= day)


class RoleApproval(models.Model):
    """A coordinator approved a volunteer for a role that requires approval."""

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="role_approvals")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="approvals")
    approved_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["volunteer", "role"], name="one_approval_per_role")]

    def __str__(self):
        return f"{self.volunteer} approved for {self.role}"


class RoleApplication(models.Model):
    """A volunteer asks to be approved for a role that requires approval; coordinators of the role
    decide. At most one pending application per volunteer and role."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("role application", "Pending")
        APPROVED = "approved", pgettext_lazy("role application", "Approved")
        DECLINED = "declined", pgettext_lazy("role application", "Declined")

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="role_applications")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "role"],
                condition=Q(status="pending"),
                name="one_pending_application_per_role",
            )
        ]

    def __str__(self):
        return f"{self.volunteer} applies for {self.role} ({self.status})"


class ShiftSeries(models.Model):
    """A recurring pattern that generates `Shift` rows. Start time and duration are wall-clock in
    `time_zone`, so a 09:00 shift stays at 09:00 local across daylight-saving changes (its UTC instant
    moves). `weekdays` (list of 0=Monday..6=Sunday) applies to the weekly frequency."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Weekly, on chosen days")

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(max_length=160, blank=True)
    start_date = models.DateField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekdays = models.JSONField(default=list, blank=True)
    until_date = models.DateField()
    capacity = models.PositiveIntegerField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    address = models.TextField(blank=True)
    cancellation_cutoff_hours = models.PositiveIntegerField(default=24)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "start_time"]
        verbose_name_plural = "shift series"
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="series_duration_positive"),
            models.CheckConstraint(
                condition=Q(until_date__gte=F("start_date")), name="series_until_after_start"
            ),
        ]

    def __str__(self):
        return self.title or f"{self.role} series from {self.start_date}"

    def occurrence_dates(self) -> list[datetime.date]:
        """Every date the pattern produces, from start_date to until_date inclusive."""
        days = []
        day = self.start_date
        weekdays = {int(d) for d in self.weekdays or []}
        while day <= self.until_date:
            if self.frequency == self.Frequency.DAILY or day.weekday() in weekdays:
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    def occurrence_instants(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """Start and end of the occurrence on `day` as aware UTC instants. The wall-clock start is
        interpreted in the series' zone, so 09:00 stays 09:00 local across daylight-saving changes
        (a start that does not exist on a spring-forward day resolves as zoneinfo's fold=0 does)."""
        zone = ZoneInfo(self.time_zone)
        local_start = datetime.datetime.combine(day, self.start_time, tzinfo=zone)
        start = local_start.astimezone(datetime.UTC)
        return start, start + datetime.timedelta(minutes=self.duration_minutes)


def new_check_in_code() -> str:
    """The secret of a shift's check-in QR code: 10 characters, letters and digits."""
    return secrets.token_urlsafe(8)[:10]


class Shift(models.Model):
    """One period of work for a role, with a capacity. `address` is shown only to volunteers booked
    on it; everyone else sees `neighbourhood` (or "location shared after booking").

    A shift generated by a series keeps `series` and `occurrence_date` (unique together, so
    regenerating a series never duplicates). `is_series_exception` marks a shift edited on its own,
    which "edit all future shifts" leaves alone. Capacity must never drop below the number of active
    bookings; the database cannot check that across rows, so `volunteers.services` does."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="shifts")
    series = models.ForeignKey(
        ShiftSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    occurrence_date = models.DateField(null=True, blank=True)
    is_series_exception = models.BooleanField(default=False)
    title = models.CharField(max_length=160, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    neighbourhood = models.CharField(max_length=120, blank=True)
    address = models.TextField(blank=True)
    cancellation_cutoff_hours = models.PositiveIntegerField(
        default=24, help_text="Volunteers may cancel until this many hours before the start."
    )
    is_cancelled = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    # In the shift's check-in QR code (shown at the door on the kiosk): a booked volunteer who scans it
    # on their own phone checks themselves in. It says nothing to anyone who is not booked.
    check_in_code = models.CharField(max_length=16, default=new_check_in_code)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["role", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(
                condition=Q(is_cancelled=False, cancelled_at__isnull=True)
                | Q(is_cancelled=True, cancelled_at__isnull=False),
                name="shift_cancelled_has_time",
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                condition=Q(series__isnull=False),
                name="one_shift_per_series_occurrence",
            ),
        ]

    def __str__(self):
        return f"{self.display_title} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def display_title(self) -> str:
        return self.title or self.role.name

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def cancel_deadline(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(hours=self.cancellation_cutoff_hours)


class Booking(models.Model):
    """A volunteer's place on a shift. At most one non-cancelled booking per volunteer and shift (a
    partial unique constraint: someone may book again after cancelling). `minutes` is the time worked,
    stored when a coordinator marks attendance (from check-in/out, else the shift's length)."""

    class Status(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("booking", "Booked")
        CANCELLED = "cancelled", pgettext_lazy("booking", "Cancelled")
        ATTENDED = "attended", pgettext_lazy("booking", "Attended")
        NO_SHOW = "no_show", pgettext_lazy("booking", "No-show")

    class Source(models.TextChoices):
        DIRECT = "direct", _("Booked directly")
        WAITLIST = "waitlist", _("From the waitlist")
        COORDINATOR = "coordinator", _("Added by a coordinator")
        WALK_IN = "walk_in", _("Walked in, added at the door")
        SWAP = "swap", _("Taken over from a colleague")

    class HoldReason(models.TextChoices):
        """Why a booked volunteer is no longer cleared for the shift (volunteers.clearance)."""

        PROFILE = "profile", _("Volunteer profile missing")
        AGREEMENT = "agreement", _("New agreement not signed")
        APPROVAL = "approval", _("Approval withdrawn")
        REQUIREMENT = "requirement", _("Requirement not valid on the day")

    ACTIVE_STATUSES = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="bookings")
    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="shift_bookings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.DIRECT)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    # Places this booking takes: 1, or more for a group (the booker and the members they name later,
    # GroupMember). Capacity counts places, not bookings.
    places = models.PositiveSmallIntegerField(default=1)
    # Set while the volunteer is not cleared for the shift, by volunteers.services.booking_holds_sync,
    # which tells them once per hold and once when it lifts. What a page shows never waits for this:
    # whether someone may see the address is decided afresh on every read (volunteers.clearance).
    on_hold_since = models.DateTimeField(null=True, blank=True)
    hold_reason = models.CharField(max_length=12, choices=HoldReason.choices, blank=True)

    class Meta:
        ordering = ["shift__starts_at", "id"]
        indexes = [models.Index(fields=["volunteer", "status"]), models.Index(fields=["shift", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=~Q(status="cancelled"),
                name="one_active_booking_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "attended", "no_show"]),
                name="booking_status_valid",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="booking_takes_a_place"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | (Q(checked_in_at__isnull=False) & Q(checked_out_at__gte=F("checked_in_at"))),
                name="booking_checkout_after_checkin",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="booking_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(on_hold_since__isnull=True, hold_reason="")
                | (Q(on_hold_since__isnull=False) & ~Q(hold_reason="")),
                name="booking_hold_has_time_and_reason",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} on {self.shift} ({self.status})"

    @property
    def hours(self) -> float:
        return round((self.minutes or 0) / 60, 2)

    @property
    def check_in_code(self) -> str:
        """The six-digit code of this booking for the kiosk at the door (in the confirmation email).
        Derived from the booking id with the site's secret, so nothing is stored and every renderer of
        the confirmation can print it."""
        digest = salted_hmac("haven.volunteers.booking-check-in", str(self.pk)).hexdigest()
        return f"{int(digest[:12], 16) % 1_000_000:06d}"

    def worked_minutes(self) -> int:
        """Minutes from check-in to check-out when both are known, else the shift's length."""
        if self.checked_in_at and self.checked_out_at:
            return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)
        return int(self.shift.duration.total_seconds() // 60)


class GroupMember(models.Model):
    """A member of a group booking, named by the volunteer who booked it (a first name is enough).
    At most `booking.places - 1` of them: the booker takes the first place."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="group_members")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["booking", "position"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "position"], name="one_group_member_per_place")
        ]

    def __str__(self):
        return f"{self.name} (group of booking {self.booking_id})"


class WaitlistEntry(models.Model):
    """A volunteer waiting for a place on a full shift, first come first served. When a place frees
    up, the first waiting entry is offered it: the place is held for them until `offer_expires_at`
    (shift_book counts open offers as taken), and the emailed link is signed over the entry id and
    `offered_at` (nothing secret is stored; a new offer invalidates an old link, and the link is
    single-use because accepting changes the status)."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("waitlist entry", "Waiting")
        OFFERED = "offered", _("Offered a place")
        ACCEPTED = "accepted", pgettext_lazy("waitlist entry", "Accepted")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Left the waitlist")
        CLOSED = "closed", _("Shift cancelled or started")

    OPEN_STATUSES = (Status.WAITING, Status.OFFERED)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="waitlist_entries")
    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["status", "offer_expires_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_open_waitlist_entry_per_shift",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | (Q(offered_at__isnull=False) & Q(offer_expires_at__isnull=False)),
                name="waitlist_offer_has_times",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} waiting for {self.shift} ({self.status})"


class CalendarToken(models.Model):
    """The secret in a volunteer's private calendar feed URL. Only a SHA-256 hash is stored (unique);
    resetting replaces it, so the old URL stops working. A deactivated user's feed answers 404."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="calendar_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar token of {self.user}"


class SwapOffer(models.Model):
    """A booked volunteer offers their place to a named colleague cleared for the role. The colleague
    accepts by the emailed link (signed over the offer id and its creation time) before `expires_at`
    (the swap cut-off before the start); the booking then moves to them in one transaction. At most
    one pending offer per booking."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the colleague")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="swap_offers")
    from_volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="swap_offers_made")
    to_volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="swap_offers_received")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    new_booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="swapped_from"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="pending"), name="one_pending_swap_per_booking"
            ),
            models.CheckConstraint(
                condition=~Q(from_volunteer=F("to_volunteer")), name="swap_to_someone_else"
            ),
        ]

    def __str__(self):
        return f"Swap of booking {self.booking_id} to {self.to_volunteer} ({self.status})"


class Kiosk(models.Model):
    """A tablet at the door showing one shift's check-in page. Opened by a coordinator of the shift's
    role, it has its own token (a cookie on that device; only its SHA-256 is stored) and no session:
    opening it signs the coordinator out on the device. It closes itself at the end of the shift
    (`expires_at`) or when a coordinator closes it (`closed_at`)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="kiosks")
    token_hash = models.CharField(max_length=64, unique=True)
    opened_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="kiosk_expires_after_open"
            )
        ]

    def __str__(self):
        return f"Kiosk for shift {self.shift_id}"

    def is_open(self, now: datetime.datetime) -> bool:
        return self.closed_at is None and now < self.expires_at


class HoursCategory(models.TextChoices):
    """What off-roster time was spent on. A fixed list on purpose: there is no free-text field that
    would invite details about a survivor."""

    REMOTE_CALLBACKS = "remote_callbacks", _("Remote callbacks")
    TRAINING = "training", _("Training")
    PREPARATION = "preparation", _("Preparation and set-up")
    ADMIN = "admin", _("Office and admin work")
    OUTREACH = "outreach", _("Outreach and events")
    TRAVEL = "travel", _("Travel for the role")


class HoursReport(models.Model):
    """Time a volunteer gave outside the roster, reported by them (a role, a date, minutes and a
    category) and approved or declined by a coordinator of that role. Approved reports count in the
    volunteer's hours, the staff's hours report and the service letter."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    MAX_MINUTES = 24 * 60

    volunteer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="hours_reports")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="hours_reports")
    date = models.DateField()
    minutes = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=HoursCategory.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["role", "status"]), models.Index(fields=["volunteer", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="hours_report_minutes_in_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined"]), name="hours_report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="hours_report_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.minutes} min of {self.role} on {self.date} by {self.volunteer} ({self.status})"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class ShiftMessage(models.Model):
    """A coordinator's message to everyone booked on a shift. Each recipient gets their own email
    (an outbox message about this row, kind `volunteers.shift_message`), so nobody sees anyone
    else's address."""

    # The outbox kind of each person's copy.
    MESSAGE_KIND = "volunteers.shift_message"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class BulkMessage(models.Model):
    """A coordinator's message to everyone booked on the shifts of one day, or of one role (its
    upcoming shifts), or of both. Each person gets one email (and one text if they opted in), however
    many of those shifts they are booked on: one outbox message each, keyed by this row and them."""

    sender = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__isnull=False) | Q(day__isnull=False), name="bulk_message_has_a_scope"
            )
        ]

    def __str__(self):
        return self.subject
