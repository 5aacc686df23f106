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
        checks.check_capacity(shift, _taken_places(shift, excluding_offer=_offer))
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
        reminder, _ = Reminder.objects.update_or_create(
            booking=booking,
            offset_hours=offset,
            defaults={"due_at": due_at, "sent_at": None, "skipped_at": None},
        )
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
