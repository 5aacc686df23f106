"""Every write in the volunteers app. Keyword-only, typed, transactional.

Lock order, everywhere both are taken: the volunteer's profile row first, then the shift row (as
ephios does: user, then shift). Two transactions that both need the same pair of rows therefore wait
for each other in line instead of deadlocking. The profile lock serialises one person's bookings (so
the overlap check cannot race); the shift lock serialises the capacity count of one shift.
"""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role as AccountRole
from accounts.models import User
from accounts.roles import user_grant_role

from . import checks
from .checks import BookingError, VolunteerStanding
from .models import (
    Agreement,
    AgreementSignature,
    Booking,
    CalendarToken,
    Reminder,
    Role,
    RoleApplication,
    RoleApproval,
    Shift,
    VolunteerProfile,
    WaitlistEntry,
)

logger = logging.getLogger(__name__)

OFFER_SIGNING_SALT = "volunteers.waitlist-offer"


# --- onboarding and agreement ----------------------------------------------------------------


@transaction.atomic
def volunteer_profile_save(
    *,
    user: User,
    skills: list[str],
    languages: list[str],
    availability: list[str],
    emergency_contact_name: str,
    emergency_contact_phone: str,
    emergency_contact_relationship: str = "",
    phone: str = "",
    agreement: Agreement | None = None,
) -> VolunteerProfile:
    """Create or update a volunteer's onboarding profile (signing `agreement` too, when given), then
    complete onboarding if the current agreement is signed."""
    profile, _ = VolunteerProfile.objects.select_for_update().get_or_create(
        user=user,
        defaults={
            "emergency_contact_name": emergency_contact_name,
            "emergency_contact_phone": emergency_contact_phone,
        },
    )
    profile.skills = skills
    profile.languages = languages
    profile.availability = availability
    profile.emergency_contact_name = emergency_contact_name
    profile.emergency_contact_phone = emergency_contact_phone
    profile.emergency_contact_relationship = emergency_contact_relationship
    profile.phone = phone
    profile.full_clean()
    profile.save()
    if agreement is not None:
        agreement_sign(volunteer=user, agreement=agreement)
    volunteer_onboarding_complete(user=user)
    profile.refresh_from_db()
    return profile


@transaction.atomic
def agreement_sign(*, volunteer: User, agreement: Agreement) -> AgreementSignature:
    """Record that the volunteer signed this version (signing twice is a no-op)."""
    if agreement.published_at is None:
        raise ValueError("Only a published agreement can be signed.")
    signature, _ = AgreementSignature.objects.get_or_create(
        volunteer=volunteer, agreement=agreement, defaults={"version": agreement.version}
    )
    volunteer_onboarding_complete(user=volunteer)
    return signature


def volunteer_onboarding_complete(*, user: User) -> bool:
    """Once the profile exists and the current agreement is signed, mark onboarding complete and grant
    the volunteer role. Returns whether the person is onboarded."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return False
    if profile.onboarded_at is not None:
        return True
    current = Agreement.current()
    if current is None or not AgreementSignature.objects.filter(volunteer=user, agreement=current).exists():
        return False
    VolunteerProfile.objects.filter(pk=profile.pk, onboarded_at__isnull=True).update(
        onboarded_at=timezone.now()
    )
    user_grant_role(user=user, role=AccountRole.VOLUNTEER)
    return True


@transaction.atomic
def role_apply(*, volunteer: User, role: Role) -> RoleApplication:
    """Ask the role's coordinators for approval. Applying again while one is pending returns it."""
    if not role.requires_approval:
        raise BookingError(f"{role.name} does not need an approval.")
    if not VolunteerProfile.objects.filter(user=volunteer, onboarded_at__isnull=False).exists():
        raise checks.NotOnboarded()
    if RoleApproval.objects.filter(volunteer=volunteer, role=role).exists():
        raise BookingError(f"You are already approved for {role.name}.")
    pending = RoleApplication.objects.filter(
        volunteer=volunteer, role=role, status=RoleApplication.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    return RoleApplication.objects.create(volunteer=volunteer, role=role)


# --- booking ---------------------------------------------------------------------------------


def _taken_places(shift: Shift, *, excluding_offer: WaitlistEntry | None = None) -> int:
    """Active bookings plus places held for open waitlist offers."""
    booked = shift.bookings.filter(status__in=Booking.ACTIVE_STATUSES).count()
    offers = shift.waitlist_entries.filter(status=WaitlistEntry.Status.OFFERED)
    if excluding_offer is not None:
        offers = offers.exclude(pk=excluding_offer.pk)
    return booked + offers.count()


def _check_no_overlap(*, shift: Shift, volunteer: User) -> None:
    clash = (
        Booking.objects.filter(
            volunteer=volunteer,
            status__in=Booking.ACTIVE_STATUSES,
            shift__is_cancelled=False,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .select_related("shift__role")
        .first()
    )
    if clash is not None:
        start = timezone.localtime(clash.shift.starts_at)
        raise checks.OverlappingBooking(
            f"You are already booked on {clash.shift.display_title} at {start:%b %-d, %-I:%M %p}, "
            "which overlaps this shift."
        )


def _lock_volunteer_and_shift(*, volunteer: User, shift: Shift, lock: bool) -> tuple[VolunteerProfile, Shift]:
    # Fixed order: profile, then shift (see the module docstring). A missing profile means the person
    # has not onboarded; that is a booking error, not a crash.
    profiles = VolunteerProfile.objects.select_for_update() if lock else VolunteerProfile.objects
    shifts = Shift.objects.select_for_update() if lock else Shift.objects
    profile = profiles.filter(user=volunteer).first()
    if profile is None:
        raise checks.NotOnboarded()
    return profile, shifts.select_related("role").get(pk=shift.pk)


def shift_book(
    *,
    shift: Shift,
    volunteer: User,
    source: str = Booking.Source.DIRECT,
    _offer: WaitlistEntry | None = None,
    _lock: bool = True,
    _between_count_and_insert: Callable[[], None] | None = None,
) -> Booking:
    """Book a place for `volunteer` on `shift`, or raise a `BookingError` saying why not.

    Under the locks: the person's eligibility, no active booking on this shift, no overlapping shift,
    and a free place (active bookings plus held waitlist offers below capacity). `_lock=False` and
    `_between_count_and_insert` exist only for the race test's control run, which shows that without
    the lock the same logic overbooks."""
    with transaction.atomic():
        profile, shift = _lock_volunteer_and_shift(volunteer=volunteer, shift=shift, lock=_lock)
        now = timezone.now()
        standing = VolunteerStanding.load(volunteer)
        checks.check_volunteer_may_take(standing, shift, now)
        if Booking.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES
        ).exists():
            raise checks.AlreadyBooked()
        _check_no_overlap(shift=shift, volunteer=volunteer)
        # A place held for this person by a waitlist offer is theirs to take, from the email link or
        # from the shift page.
        own_offer = _offer or (
            WaitlistEntry.objects.filter(
                shift=shift,
                volunteer=volunteer,
                status=WaitlistEntry.Status.OFFERED,
                offer_expires_at__gt=now,
            ).first()
        )
        checks.check_capacity(shift, _taken_places(shift, excluding_offer=own_offer))
        if _between_count_and_insert is not None:
            _between_count_and_insert()
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    shift=shift, volunteer=volunteer, source=source, created_at=now
                )
        except IntegrityError as exc:
            # The partial unique constraint caught a second active booking that slipped past the check.
            raise checks.AlreadyBooked() from exc
        if own_offer is not None:
            WaitlistEntry.objects.filter(pk=own_offer.pk).update(
                status=WaitlistEntry.Status.ACCEPTED, responded_at=now
            )
            if booking.source == Booking.Source.DIRECT:
                booking.source = Booking.Source.WAITLIST
                booking.save(update_fields=["source"])
        # A person who books directly no longer needs their place in the queue.
        WaitlistEntry.objects.filter(
            shift=shift, volunteer=volunteer, status=WaitlistEntry.Status.WAITING
        ).update(status=WaitlistEntry.Status.WITHDRAWN, responded_at=now)
        reminders_schedule(booking=booking, now=now)
        _queue(lambda: _tasks().booking_confirmation_send.delay(booking.pk))
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, volunteer: User) -> Booking:
    """The volunteer cancels their own booking, until the shift's cut-off. Unsent reminders are
    deleted and the freed place is offered to the first person on the waitlist."""
    if booking.volunteer_id != volunteer.pk:
        raise BookingError("This is not your booking.")
    _lock_volunteer_and_shift(volunteer=volunteer, shift=booking.shift, lock=True)
    booking = Booking.objects.select_for_update().select_related("shift__role").get(pk=booking.pk)
    now = timezone.now()
    checks.check_cancellable(booking, now)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    booking.reminders.filter(sent_at__isnull=True).delete()
    waitlist_offer_next(shift=booking.shift, _locked=True)
    return booking


# --- waitlist --------------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(*, shift: Shift, volunteer: User) -> WaitlistEntry:
    """Join the queue for a full shift. Only someone who could otherwise book it may join, so an offer
    never goes to a person who then cannot take it."""
    _, shift = _lock_volunteer_and_shift(volunteer=volunteer, shift=shift, lock=True)
    now = timezone.now()
    checks.check_volunteer_may_take(VolunteerStanding.load(volunteer), shift, now)
    if Booking.objects.filter(shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES).exists():
        raise checks.AlreadyBooked()
    if WaitlistEntry.objects.filter(
        shift=shift, volunteer=volunteer, status__in=WaitlistEntry.OPEN_STATUSES
    ).exists():
        raise checks.AlreadyWaitlisted()
    if _taken_places(shift) < shift.capacity:
        raise BookingError("This shift still has a free place: you can book it directly.")
    return WaitlistEntry.objects.create(shift=shift, volunteer=volunteer, created_at=now)


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, volunteer: User) -> WaitlistEntry:
    """Leave a waitlist (or decline an offer, which passes the place to the next person)."""
    if entry.volunteer_id != volunteer.pk:
        raise BookingError("This is not your waitlist entry.")
    Shift.objects.select_for_update().get(pk=entry.shift_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status not in WaitlistEntry.OPEN_STATUSES:
        return entry
    was_offered = entry.status == WaitlistEntry.Status.OFFERED
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.responded_at = timezone.now()
    entry.save(update_fields=["status", "responded_at"])
    if was_offered:
        waitlist_offer_next(shift=entry.shift, _locked=True)
    return entry


def waitlist_offer_next(*, shift: Shift, _locked: bool = False) -> list[WaitlistEntry]:
    """Offer each free place of `shift` to the next waiting person, holding it until the offer
    expires (HAVEN_WAITLIST_OFFER_HOURS, but never past the start). Call after a place frees up or the
    capacity grows. Returns the entries offered; their emails are queued after commit."""
    with transaction.atomic():
        if not _locked:
            shift = Shift.objects.select_for_update().get(pk=shift.pk)
        now = timezone.now()
        if shift.is_cancelled or shift.starts_at <= now:
            return []
        free = shift.capacity - _taken_places(shift)
        if free <= 0:
            return []
        expires_at = min(now + datetime.timedelta(hours=settings.HAVEN_WAITLIST_OFFER_HOURS), shift.starts_at)
        offered = list(
            WaitlistEntry.objects.select_for_update()
            .filter(shift=shift, status=WaitlistEntry.Status.WAITING)
            .order_by("created_at", "id")[:free]
        )
        for entry in offered:
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_at = now
            entry.offer_expires_at = expires_at
            entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
            _queue(lambda pk=entry.pk: _tasks().waitlist_offer_send.delay(pk))
        return offered


def waitlist_offer_token(entry: WaitlistEntry) -> str:
    """The secret in an offer link: signed over the entry and the moment it was offered, so a later
    offer to the same entry gets a different link and nothing secret is stored."""
    return signing.dumps({"e": entry.pk, "o": entry.offered_at.isoformat()}, salt=OFFER_SIGNING_SALT)


def waitlist_offer_from_token(token: str) -> WaitlistEntry | None:
    """The entry an offer link points to, if the signature is good and the offer still current."""
    try:
        data = signing.loads(token, salt=OFFER_SIGNING_SALT)
    except signing.BadSignature:
        return None
    entry = WaitlistEntry.objects.select_related("shift__role").filter(pk=data.get("e")).first()
    if entry is None or entry.offered_at is None or entry.offered_at.isoformat() != data.get("o"):
        return None
    return entry


def waitlist_offer_accept(*, entry: WaitlistEntry, volunteer: User) -> Booking:
    """Turn an open, unexpired offer into a booking (the held place is this person's)."""
    if entry.volunteer_id != volunteer.pk:
        raise checks.OfferNotAvailable()
    with transaction.atomic():
        profile, shift = _lock_volunteer_and_shift(volunteer=volunteer, shift=entry.shift, lock=True)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        now = timezone.now()
        if entry.status != WaitlistEntry.Status.OFFERED or entry.offer_expires_at <= now:
            raise checks.OfferNotAvailable()
        booking = shift_book(shift=shift, volunteer=volunteer, source=Booking.Source.WAITLIST, _offer=entry)
        entry.status = WaitlistEntry.Status.ACCEPTED
        entry.responded_at = now
        entry.save(update_fields=["status", "responded_at"])
    return booking


def waitlist_offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire offers past their time and pass each place to the next person; close queues of shifts
    that started or were cancelled. Safe to run concurrently (rows are claimed with skip_locked).
    Returns how many offers expired."""
    now = now or timezone.now()
    expired = 0
    shift_ids = set(
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
        ).values_list("shift_id", flat=True)
    )
    for shift_id in shift_ids:
        with transaction.atomic():
            shift = Shift.objects.select_for_update(skip_locked=True).filter(pk=shift_id).first()
            if shift is None:
                continue  # another worker is handling this shift right now
            expired += WaitlistEntry.objects.filter(
                shift=shift, status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
            ).update(status=WaitlistEntry.Status.EXPIRED, responded_at=now)
            waitlist_offer_next(shift=shift, _locked=True)
    WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN_STATUSES).filter(
        Q(shift__starts_at__lte=now) | Q(shift__is_cancelled=True)
    ).update(status=WaitlistEntry.Status.CLOSED, responded_at=now)
    return expired


# --- reminders -------------------------------------------------------------------------------


def reminders_schedule(*, booking: Booking, now: datetime.datetime | None = None) -> list[Reminder]:
    """Create (or move) one reminder per configured offset. Due instants are UTC: `starts_at` minus a
    fixed number of hours is the same instant whatever the local clock does. Offsets already in the
    past are not created (a 48 h reminder for a shift booked 5 hours ahead makes no sense)."""
    now = now or timezone.now()
    offsets = sorted(set(settings.HAVEN_SHIFT_REMINDER_OFFSETS_HOURS), reverse=True)
    created = []
    for offset in offsets:
        due_at = booking.shift.starts_at - datetime.timedelta(hours=offset)
        if due_at <= now:
            booking.reminders.filter(offset_hours=offset, sent_at__isnull=True).delete()
            continue
        reminder, made = Reminder.objects.get_or_create(
            booking=booking, offset_hours=offset, defaults={"due_at": due_at}
        )
        if not made and reminder.due_at != due_at:
            # The shift moved: remind again for the new time, even if the old reminder went out.
            reminder.due_at, reminder.sent_at, reminder.skipped_at, reminder.attempts = due_at, None, None, 0
            reminder.save(update_fields=["due_at", "sent_at", "skipped_at", "attempts"])
        created.append(reminder)
    return created


@transaction.atomic
def reminders_reschedule_for_shift(*, shift: Shift) -> int:
    """After a shift's time changed: recompute every active booking's reminders (sent ones for the
    old time are replaced, since the volunteer needs to hear about the new time)."""
    count = 0
    for booking in shift.bookings.filter(status=Booking.Status.BOOKED).select_related("shift"):
        count += len(reminders_schedule(booking=booking))
    return count


def reminders_send_due(*, now: datetime.datetime | None = None, batch_size: int = 100) -> int:
    """Send every reminder that is due. Rows are claimed with `select_for_update(skip_locked=True)`
    (PostgreSQL; SQLite has no row locks and runs one writer at a time), sent, and marked sent in the
    same transaction, so two beat workers never send the same reminder. Returns how many were sent."""
    from .emails import send_reminder  # noqa: PLC0415  (emails imports selectors which import models)

    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True, skipped_at__isnull=True, due_at__lte=now)
                .select_related("booking__shift__role", "booking__volunteer")
                .order_by("due_at", "id")[:batch_size]
            )
            if not due:
                return sent
            for reminder in due:
                booking = reminder.booking
                shift = booking.shift
                if (
                    booking.status != Booking.Status.BOOKED
                    or shift.is_cancelled
                    or shift.starts_at <= now
                    or not booking.volunteer.is_active
                ):
                    reminder.skipped_at = now
                    reminder.save(update_fields=["skipped_at"])
                    continue
                reminder.attempts += 1
                try:
                    send_reminder(reminder)
                except Exception as exc:  # noqa: BLE001  (a mail server error must not stop the batch)
                    logger.warning("reminder %s failed: %s", reminder.pk, exc)
                    reminder.last_error = str(exc)[:500]
                    if reminder.attempts >= settings.HAVEN_REMINDER_MAX_ATTEMPTS:
                        reminder.skipped_at = now
                    reminder.save(update_fields=["attempts", "last_error", "skipped_at"])
                    continue
                reminder.sent_at = now
                reminder.save(update_fields=["attempts", "sent_at"])
                sent += 1
            if len(due) < batch_size:
                return sent


# --- emails (called by tasks; each marks what it sent, so a second run sends nothing) ------------


def booking_confirmation_deliver(*, booking_id: int) -> bool:
    """Email the booking confirmation once. Returns whether an email went out."""
    from .emails import send_booking_confirmation  # noqa: PLC0415

    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("shift__role", "volunteer")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.confirmation_sent_at or booking.status != Booking.Status.BOOKED:
            return False
        send_booking_confirmation(booking)
        booking.confirmation_sent_at = timezone.now()
        booking.save(update_fields=["confirmation_sent_at"])
    return True


def waitlist_offer_deliver(*, entry_id: int) -> bool:
    """Email a waitlist offer with its confirm link, once per offer."""
    from .emails import send_waitlist_offer  # noqa: PLC0415

    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("shift__role", "volunteer")
            .filter(pk=entry_id)
            .first()
        )
        if entry is None or entry.status != WaitlistEntry.Status.OFFERED:
            return False
        if entry.offer_sent_at and entry.offer_sent_at >= entry.offered_at:
            return False
        send_waitlist_offer(entry, token=waitlist_offer_token(entry))
        entry.offer_sent_at = timezone.now()
        entry.save(update_fields=["offer_sent_at"])
    return True


# --- calendar --------------------------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_reset(*, user: User) -> str:
    """Create or replace the volunteer's calendar secret and return it (shown once: only its hash is
    stored, so the old feed URL stops working at once)."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(token), "created_at": timezone.now()}
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> None:
    CalendarToken.objects.filter(user=user).delete()


def calendar_user_for_token(token: str) -> User | None:
    """The active user whose feed this secret opens, or None (deactivated users' feeds stop working)."""
    row = CalendarToken.objects.select_related("user").filter(token_hash=calendar_token_hash(token)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


# --- helpers ---------------------------------------------------------------------------------


def _tasks():
    from . import tasks  # noqa: PLC0415  (tasks import services)

    return tasks


def _queue(callback: Callable[[], object]) -> None:
    transaction.on_commit(callback)


# --- coordination
# Writes for the coordinator side (volunteers/coordination_views.py). Lock order stays the module's:
# a volunteer's profile before a shift; these services never take a profile lock, only the shift and
# then its rows, so they queue behind (never cross) a booking in progress.

from zoneinfo import ZoneInfo  # noqa: E402

from django.db.models import Count  # noqa: E402

from accounts.services import audit_record  # noqa: E402

from .models import (  # noqa: E402
    Requirement,
    RequirementVerification,
    ShiftMessage,
    ShiftMessageDelivery,
    ShiftSeries,
)

# A series longer than this is almost certainly a typo in the end date.
SERIES_MAX_SHIFTS = 400
# Check-in opens this long before the start (people arrive early to set up).
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=2)


class CoordinationError(Exception):
    """A coordinator action that cannot be done, in words the coordinator reads."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


class CapacityBelowBooked(CoordinationError):
    pass


def local_instant(day: datetime.date, time: datetime.time, *, zone: str | None = None) -> datetime.datetime:
    """The aware UTC instant of wall-clock `time` on `day` in the organisation's zone (or `zone`)."""
    local = datetime.datetime.combine(day, time, tzinfo=ZoneInfo(zone or settings.TIME_ZONE))
    return local.astimezone(datetime.UTC)


def _format_when(instant: datetime.datetime) -> str:
    local = timezone.localtime(instant)
    return f"{local:%A, %B} {local.day}, {local:%Y} at {local:%-I:%M %p %Z}"


def _active_count(shift: Shift) -> int:
    return shift.bookings.filter(status__in=Booking.ACTIVE_STATUSES).count()


def _capacity_check(*, shift: Shift, capacity: int, booked: int) -> None:
    if capacity < booked:
        people = "person is" if booked == 1 else "people are"
        raise CapacityBelowBooked(
            f"{booked} {people} booked on the shift of {_format_when(shift.starts_at)}, so its capacity "
            f"cannot go below {booked}. Cancel bookings first if fewer people are needed."
        )


def _capacity_settle(*, shift: Shift) -> None:
    """After a capacity change on a locked, saved shift: offer new places to the waitlist, or, when
    places held for open offers no longer fit, put the newest offers back in the queue (they keep
    their position; their link stops working because it is signed over the offer time)."""
    booked = _active_count(shift)
    held = list(
        WaitlistEntry.objects.select_for_update()
        .filter(shift=shift, status=WaitlistEntry.Status.OFFERED)
        .order_by("-offered_at", "-id")
    )
    excess = booked + len(held) - shift.capacity
    if excess > 0:
        for entry in held[:excess]:
            entry.status = WaitlistEntry.Status.WAITING
            entry.offered_at = None
            entry.offer_expires_at = None
            entry.offer_sent_at = None
            entry.save(update_fields=["status", "offered_at", "offer_expires_at", "offer_sent_at"])
    else:
        waitlist_offer_next(shift=shift, _locked=True)


def _shift_notice(
    *, shift: Shift, sender: User | None, subject: str, body: str, bookings: list[Booking]
) -> ShiftMessage | None:
    """Tell these booked people something about their shift: a `ShiftMessage` with one delivery per
    person, emailed individually by a task after commit (the outbox makes a re-run send nothing)."""
    if not bookings:
        return None
    message = ShiftMessage.objects.create(shift=shift, sender=sender, subject=subject, body=body)
    ShiftMessageDelivery.objects.bulk_create(
        [ShiftMessageDelivery(message=message, volunteer_id=b.volunteer_id, booking=b) for b in bookings]
    )
    _queue(lambda: _tasks().shift_message_deliver.delay(message.pk))
    return message


def _notify_moved(*, shift: Shift, sender: User | None) -> None:
    bookings = list(shift.bookings.filter(status=Booking.Status.BOOKED))
    _shift_notice(
        shift=shift,
        sender=sender,
        subject=f"New time: {shift.display_title}",
        body=(
            f"The {shift.role.name} shift you are booked on has moved. It now starts "
            f"{_format_when(shift.starts_at)} and ends {_format_when(shift.ends_at)}.\n\n"
            "If you can no longer come, please cancel from your shifts page so someone else can take "
            "the place."
        ),
        bookings=bookings,
    )


@transaction.atomic
def shift_create(
    *,
    role: Role,
    created_by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    title: str = "",
    description: str = "",
    neighbourhood: str = "",
    address: str = "",
    cancellation_cutoff_hours: int = 24,
) -> Shift:
    """A one-off shift."""
    if starts_at <= timezone.now():
        raise CoordinationError("A new shift must start in the future.")
    shift = Shift(
        role=role,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        title=title,
        description=description,
        neighbourhood=neighbourhood,
        address=address,
        cancellation_cutoff_hours=cancellation_cutoff_hours,
    )
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shift_series_create(
    *,
    role: Role,
    created_by: User,
    start_date: datetime.date,
    until_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    frequency: str,
    weekdays: list[int],
    capacity: int,
    title: str = "",
    neighbourhood: str = "",
    address: str = "",
    cancellation_cutoff_hours: int = 24,
    time_zone: str | None = None,
) -> tuple[ShiftSeries, list[Shift]]:
    """A recurring series (daily, or weekly on `weekdays`, 0 = Monday) from `start_date` to
    `until_date` inclusive, and its shifts. Each occurrence is the wall-clock `start_time` in the
    organisation's zone on its own date, converted to UTC: a 09:00 series stays at 09:00 local across
    daylight-saving changes (its UTC instant moves by an hour)."""
    weekdays = sorted({int(day) for day in weekdays})
    if frequency == ShiftSeries.Frequency.WEEKLY and not weekdays:
        raise CoordinationError("Choose at least one weekday for a weekly series.")
    if any(day < 0 or day > 6 for day in weekdays):
        raise CoordinationError("Weekdays are 0 (Monday) to 6 (Sunday).")
    series = ShiftSeries(
        role=role,
        title=title,
        start_date=start_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=time_zone or settings.TIME_ZONE,
        frequency=frequency,
        weekdays=weekdays if frequency == ShiftSeries.Frequency.WEEKLY else [],
        until_date=until_date,
        capacity=capacity,
        neighbourhood=neighbourhood,
        address=address,
        cancellation_cutoff_hours=cancellation_cutoff_hours,
        created_by=created_by,
    )
    series.full_clean()
    now = timezone.now()
    occurrences = [(day, *series.occurrence_instants(day)) for day in series.occurrence_dates()]
    occurrences = [o for o in occurrences if o[1] > now]
    if not occurrences:
        raise CoordinationError("These dates and weekdays produce no shift in the future.")
    if len(occurrences) > SERIES_MAX_SHIFTS:
        raise CoordinationError(
            f"This series would create {len(occurrences)} shifts; the most at once is {SERIES_MAX_SHIFTS}. "
            "Please choose an earlier end date."
        )
    series.save()
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                role=role,
                series=series,
                occurrence_date=day,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                neighbourhood=neighbourhood,
                address=address,
                cancellation_cutoff_hours=cancellation_cutoff_hours,
            )
            for day, starts_at, ends_at in occurrences
        ]
    )
    return series, shifts


@transaction.atomic
def shift_update(
    *,
    shift: Shift,
    by: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    title: str,
    description: str,
    neighbourhood: str,
    address: str,
    cancellation_cutoff_hours: int,
) -> Shift:
    """Edit one shift. A shift of a series becomes an exception that "edit all future shifts" leaves
    alone. Capacity never goes below the active bookings; a new time moves the booked people's
    reminders and tells them; more places are offered to the waitlist."""
    shift = Shift.objects.select_for_update().select_related("role").get(pk=shift.pk)
    if shift.is_cancelled:
        raise CoordinationError("This shift is cancelled and can no longer be edited.")
    moved = starts_at != shift.starts_at or ends_at != shift.ends_at
    if moved and starts_at <= timezone.now():
        raise CoordinationError("A shift cannot be moved to a time that has already passed.")
    _capacity_check(shift=shift, capacity=capacity, booked=_active_count(shift))
    shift.starts_at = starts_at
    shift.ends_at = ends_at
    shift.capacity = capacity
    shift.title = title
    shift.description = description
    shift.neighbourhood = neighbourhood
    shift.address = address
    shift.cancellation_cutoff_hours = cancellation_cutoff_hours
    if shift.series_id is not None:
        shift.is_series_exception = True
    shift.full_clean()
    shift.save()
    if moved:
        reminders_reschedule_for_shift(shift=shift)
        _notify_moved(shift=shift, sender=by)
    _capacity_settle(shift=shift)
    return shift


@transaction.atomic
def shift_series_update_future(
    *,
    shift: Shift,
    by: User,
    start_time: datetime.time,
    duration_minutes: int,
    capacity: int,
    title: str,
    neighbourhood: str,
    address: str,
    cancellation_cutoff_hours: int,
) -> list[Shift]:
    """Edit this shift and every later, not yet started, not cancelled shift of its series (shifts
    edited on their own are left alone), and the series itself. Times are wall-clock in the series'
    zone on each shift's own date. All or nothing: if any shift has more bookings than the new
    capacity, nothing changes."""
    if shift.series_id is None:
        raise CoordinationError("This shift is not part of a series.")
    series = ShiftSeries.objects.select_for_update().get(pk=shift.series_id)
    now = timezone.now()
    # Locked in primary-key order, so two overlapping edits of one series queue up instead of deadlocking.
    targets = list(
        Shift.objects.select_for_update()
        .select_related("role")
        .filter(
            series=series, occurrence_date__gte=shift.occurrence_date, is_cancelled=False, starts_at__gt=now
        )
        .filter(Q(is_series_exception=False) | Q(pk=shift.pk))
        .order_by("pk")
    )
    booked = dict(
        Booking.objects.filter(shift__in=targets, status__in=Booking.ACTIVE_STATUSES)
        .values_list("shift")
        .annotate(n=Count("pk"))
        .values_list("shift", "n")
    )
    for target in sorted(targets, key=lambda s: s.starts_at):
        _capacity_check(shift=target, capacity=capacity, booked=booked.get(target.pk, 0))
    series.start_time = start_time
    series.duration_minutes = duration_minutes
    series.capacity = capacity
    series.title = title
    series.neighbourhood = neighbourhood
    series.address = address
    series.cancellation_cutoff_hours = cancellation_cutoff_hours
    series.full_clean()
    moved_shifts = []
    for target in targets:
        starts_at, ends_at = series.occurrence_instants(target.occurrence_date)
        if (starts_at, ends_at) != (target.starts_at, target.ends_at):
            if starts_at <= now:
                raise CoordinationError(
                    f"The shift on {target.occurrence_date:%B} {target.occurrence_date.day} would start "
                    "in the past."
                )
            moved_shifts.append(target)
        target.starts_at = starts_at
        target.ends_at = ends_at
        target.capacity = capacity
        target.title = title
        target.neighbourhood = neighbourhood
        target.address = address
        target.cancellation_cutoff_hours = cancellation_cutoff_hours
        target.is_series_exception = False
    series.save()
    Shift.objects.bulk_update(
        targets,
        [
            "starts_at",
            "ends_at",
            "capacity",
            "title",
            "neighbourhood",
            "address",
            "cancellation_cutoff_hours",
            "is_series_exception",
            "updated_at",
        ],
    )
    for target in moved_shifts:
        reminders_reschedule_for_shift(shift=target)
        _notify_moved(shift=target, sender=by)
    for target in targets:
        _capacity_settle(shift=target)
    return targets


@transaction.atomic
def shift_capacity_set(*, shift: Shift, capacity: int, by: User) -> Shift:
    """Change one shift's capacity: never below the active bookings (CapacityBelowBooked says how
    many are booked); new places are offered to the waitlist at once."""
    shift = Shift.objects.select_for_update().select_related("role").get(pk=shift.pk)
    if shift.is_cancelled:
        raise CoordinationError("This shift is cancelled.")
    _capacity_check(shift=shift, capacity=capacity, booked=_active_count(shift))
    shift.capacity = capacity
    # Like any edit of one shift, this makes it an exception that a later series edit leaves alone.
    shift.is_series_exception = shift.series_id is not None
    shift.save(update_fields=["capacity", "is_series_exception", "updated_at"])
    _capacity_settle(shift=shift)
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, by: User, reason: str = "") -> Shift:
    """Cancel a shift that has not started: its bookings are cancelled, unsent reminders deleted,
    its waitlist closed, and every booked person is emailed individually (after commit). Cancelling
    twice does nothing the second time."""
    shift = Shift.objects.select_for_update().select_related("role").get(pk=shift.pk)
    if shift.is_cancelled:
        return shift
    now = timezone.now()
    if shift.starts_at <= now:
        raise CoordinationError("This shift has already started, so it can no longer be cancelled.")
    shift.is_cancelled = True
    shift.cancelled_at = now
    shift.cancellation_reason = reason
    shift.save(update_fields=["is_cancelled", "cancelled_at", "cancellation_reason", "updated_at"])
    bookings = list(
        Booking.objects.select_for_update().filter(shift=shift, status=Booking.Status.BOOKED).order_by("pk")
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=Booking.Status.CANCELLED, cancelled_at=now
    )
    Reminder.objects.filter(booking__shift=shift, sent_at__isnull=True).delete()
    audit_record(
        actor=by, action="volunteers.shift_cancel", target=shift, data={"bookings_cancelled": len(bookings)}
    )
    WaitlistEntry.objects.filter(shift=shift, status__in=WaitlistEntry.OPEN_STATUSES).update(
        status=WaitlistEntry.Status.CLOSED, responded_at=now
    )
    body = (
        f"The {shift.role.name} shift on {_format_when(shift.starts_at)} is cancelled, and your booking "
        "with it."
    )
    if reason.strip():
        body += f"\n\nFrom the coordinator: {reason.strip()}"
    body += "\n\nWe are sorry for the change, and thank you for offering your time."
    _shift_notice(
        shift=shift, sender=by, subject=f"Cancelled: {shift.display_title}", body=body, bookings=bookings
    )
    return shift


# --- attendance: hours are check-in to check-out when both are recorded; a person marked attended
# without times (or checked in but never out) gets the scheduled length of the shift.


def _attendance_booking(booking: Booking) -> Booking:
    booking = Booking.objects.select_for_update(of=("self",)).select_related("shift").get(pk=booking.pk)
    if booking.status == Booking.Status.CANCELLED:
        raise CoordinationError("This booking was cancelled.")
    if booking.shift.is_cancelled:
        raise CoordinationError("This shift was cancelled.")
    return booking


@transaction.atomic
def booking_check_in(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Record arrival (from two hours before the start). Checking in twice keeps the first time."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at - CHECK_IN_OPENS_BEFORE:
        raise CoordinationError("Check-in opens two hours before the shift starts.")
    if booking.checked_in_at is None:
        booking.checked_in_at = now
        booking.checked_out_at = None
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "checked_in_at", "checked_out_at", "minutes"])
    booking.reminders.filter(sent_at__isnull=True).delete()
    return booking


@transaction.atomic
def booking_check_out(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Record departure; hours become check-in to check-out."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if booking.checked_in_at is None:
        raise CoordinationError("Check this person in before checking them out.")
    if booking.checked_out_at is None:
        booking.checked_out_at = max(now, booking.checked_in_at)
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "checked_out_at", "minutes"])
    return booking


@transaction.atomic
def booking_mark_attended(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """Attended without recorded times: hours are the scheduled length (or check-in to check-out
    when those were recorded)."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at:
        raise CoordinationError("Attendance can be marked once the shift has started.")
    booking.status = Booking.Status.ATTENDED
    booking.minutes = booking.worked_minutes()
    booking.save(update_fields=["status", "minutes"])
    booking.reminders.filter(sent_at__isnull=True).delete()
    return booking


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, by: User, now: datetime.datetime | None = None) -> Booking:
    """The person did not come (once the shift has started): no times, no hours."""
    now = now or timezone.now()
    booking = _attendance_booking(booking)
    if now < booking.shift.starts_at:
        raise CoordinationError("A no-show can be marked once the shift has started.")
    booking.status = Booking.Status.NO_SHOW
    booking.checked_in_at = None
    booking.checked_out_at = None
    booking.minutes = None
    booking.save(update_fields=["status", "checked_in_at", "checked_out_at", "minutes"])
    booking.reminders.filter(sent_at__isnull=True).delete()
    return booking


# --- messages to a shift --------------------------------------------------------------------


@transaction.atomic
def shift_message_send(*, shift: Shift, sender: User, subject: str, body: str) -> ShiftMessage:
    """Write to everyone booked on the shift. One delivery row per person; each gets their own email
    (To: only them, no CC), sent by a task after commit."""
    shift = Shift.objects.select_for_update().select_related("role").get(pk=shift.pk)
    bookings = list(
        shift.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED]).order_by("pk")
    )
    if not bookings:
        raise CoordinationError("Nobody is booked on this shift, so there is no one to write to.")
    return _shift_notice(
        shift=shift, sender=sender, subject=subject.strip(), body=body.strip(), bookings=bookings
    )


def shift_message_deliver(*, message_id: int) -> int:
    """Email every unsent delivery of a message, each in its own transaction: the row is claimed with
    `select_for_update(skip_locked=True)`, sent, and marked sent, so a re-run (or a second worker)
    sends nothing twice. A failed send stays unsent for the next run. Returns how many were sent."""
    from .coordination_emails import send_shift_message  # noqa: PLC0415

    sent = 0
    pending = list(
        ShiftMessageDelivery.objects.filter(message_id=message_id, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for delivery_id in pending:
        with transaction.atomic():
            delivery = (
                ShiftMessageDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("message__shift__role", "volunteer")
                .filter(pk=delivery_id, sent_at__isnull=True)
                .first()
            )
            if delivery is None or not delivery.volunteer.is_active:
                continue
            delivery.attempts += 1
            try:
                send_shift_message(delivery)
            except Exception as exc:  # noqa: BLE001  (one bad address must not stop the others)
                logger.warning("shift message delivery %s failed: %s", delivery.pk, exc)
                delivery.save(update_fields=["attempts"])
                continue
            delivery.sent_at = timezone.now()
            delivery.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent


# --- approvals and requirement verifications --------------------------------------------------


@transaction.atomic
def role_approval_grant(*, role: Role, volunteer: User, by: User) -> RoleApproval:
    """Approve a volunteer for a role (approving twice keeps the first approval)."""
    approval = RoleApproval.objects.filter(role=role, volunteer=volunteer).first()
    if approval is None:
        try:
            with transaction.atomic():
                approval = RoleApproval.objects.create(role=role, volunteer=volunteer, approved_by=by)
        except IntegrityError:
            approval = RoleApproval.objects.get(role=role, volunteer=volunteer)
        else:
            audit_record(
                actor=by, action="volunteers.role_approve", target=volunteer, data={"role": role.name}
            )
    # An approval answers any pending application for the role (and the volunteer hears of it).
    answered = list(
        RoleApplication.objects.filter(
            role=role, volunteer=volunteer, status=RoleApplication.Status.PENDING
        ).values_list("pk", flat=True)
    )
    RoleApplication.objects.filter(pk__in=answered).update(
        status=RoleApplication.Status.APPROVED, decided_by=by, decided_at=timezone.now()
    )
    for application_id in answered:
        _queue(lambda pk=application_id: _tasks().role_application_notify.delay(pk))
    return approval


@transaction.atomic
def role_application_decide(*, application: RoleApplication, approve: bool, by: User) -> RoleApplication:
    """Approve (which also records the `RoleApproval`) or decline a pending application. Deciding an
    application that is no longer pending changes nothing."""
    application = RoleApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != RoleApplication.Status.PENDING:
        return application
    if approve:
        # role_approval_grant answers this application and queues the volunteer's email.
        role_approval_grant(role=application.role, volunteer=application.volunteer, by=by)
        application.refresh_from_db()
        return application
    audit_record(
        actor=by,
        action="volunteers.role_application_decline",
        target=application.volunteer,
        data={"role": application.role.name},
    )
    application.status = RoleApplication.Status.DECLINED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    _queue(lambda: _tasks().role_application_notify.delay(application.pk))
    return application


def role_application_notify(*, application_id: int) -> bool:
    """Email the volunteer the decision on their application, once (`notified_at` marks it sent)."""
    from .coordination_emails import send_application_decision  # noqa: PLC0415

    with transaction.atomic():
        application = (
            RoleApplication.objects.select_for_update(of=("self",))
            .select_related("volunteer", "role")
            .filter(pk=application_id)
            .first()
        )
        if (
            application is None
            or application.status == RoleApplication.Status.PENDING
            or application.notified_at is not None
            or not application.volunteer.is_active
        ):
            return False
        send_application_decision(application)
        application.notified_at = timezone.now()
        application.save(update_fields=["notified_at"])
    return True


@transaction.atomic
def role_approval_revoke(*, role: Role, volunteer: User, by: User) -> bool:
    """Withdraw an approval: the person can no longer book the role (existing bookings stay)."""
    deleted, _ = RoleApproval.objects.filter(role=role, volunteer=volunteer).delete()
    if deleted:
        audit_record(
            actor=by, action="volunteers.role_approval_revoke", target=volunteer, data={"role": role.name}
        )
    return bool(deleted)


@transaction.atomic
def requirement_verification_record(
    *,
    volunteer: User,
    requirement: Requirement,
    verified_on: datetime.date,
    by: User,
    expires_on: datetime.date | None = None,
) -> RequirementVerification:
    """Record that a requirement was verified on a date, by whom, and until when (by default the
    requirement's validity period; empty when it never expires). Only these facts are stored, never
    what a check found."""
    if verified_on > timezone.localdate():
        raise CoordinationError("The verification date cannot be in the future.")
    if expires_on is None and requirement.valid_for_days:
        expires_on = verified_on + datetime.timedelta(days=requirement.valid_for_days)
    if expires_on is not None and expires_on < verified_on:
        raise CoordinationError("The expiry date cannot be before the verification date.")
    verification = RequirementVerification(
        volunteer=volunteer,
        requirement=requirement,
        verified_on=verified_on,
        expires_on=expires_on,
        verified_by=by,
    )
    verification.full_clean()
    verification.save()
    audit_record(
        actor=by,
        action="volunteers.requirement_verify",
        target=volunteer,
        data={
            "requirement": requirement.name,
            "verified_on": verified_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return verification


# --- the coordinators' daily digest -------------------------------------------------------------


def coordinator_digest_send(*, coordinator: User, now: datetime.datetime | None = None) -> bool:
    """Email one coordinator the shifts of their roles in the next 7 days that still have open
    places, at most once per local day (the `DigestLog` row is unique per coordinator and date and
    is locked while sending). Nothing is sent when every shift is full. Returns whether it sent."""
    from .coordination_emails import send_coordinator_digest  # noqa: PLC0415
    from .models import DigestLog  # noqa: PLC0415
    from .selectors import coordinator_digest_shifts  # noqa: PLC0415

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if DigestLog.objects.filter(coordinator=coordinator, date=today, sent_at__isnull=False).exists():
        return False
    shifts = coordinator_digest_shifts(coordinator=coordinator, now=now)
    if not shifts:
        return False
    with transaction.atomic():
        log, _ = DigestLog.objects.get_or_create(coordinator=coordinator, date=today)
        log = DigestLog.objects.select_for_update().get(pk=log.pk)
        if log.sent_at is not None:
            return False
        send_coordinator_digest(coordinator=coordinator, shifts=shifts, today=today)
        log.sent_at = timezone.now()
        log.shift_count = len(shifts)
        log.save(update_fields=["sent_at", "shift_count"])
    return True


def coordinator_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send today's digest to every active coordinator of an active role, from
    HAVEN_COORDINATOR_DIGEST_HOUR (local) on. Safe to run as often as beat likes."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < settings.HAVEN_COORDINATOR_DIGEST_HOUR:
        return 0
    coordinators = (
        User.objects.filter(is_active=True, coordinated_roles__is_active=True).distinct().order_by("pk")
    )
    sent = 0
    for coordinator in coordinators:
        try:
            sent += coordinator_digest_send(coordinator=coordinator, now=now)
        except Exception as exc:  # noqa: BLE001  (one failing mailbox must not stop the others)
            logger.warning("coordinator digest for %s failed: %s", coordinator.pk, exc)
    return sent
