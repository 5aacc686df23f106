"""The waitlist of a full shift: joining and leaving it, offering freed places in order (each held
for the person until the offer expires), and the signed links those offers carry."""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from messaging.services import message_queue

from .. import booking_rules
from ..booking_rules import BookingError, VolunteerStanding
from ..models import Booking, Shift, WaitlistEntry
from .capacity import active_bookings, taken_places
from .locks import lock_profile_then_shift, lock_shift

OFFER_SIGNING_SALT = "volunteers.waitlist-offer"
KIND_WAITLIST_OFFER = "volunteers.waitlist_offer"


@transaction.atomic
def waitlist_join(*, shift: Shift, volunteer: User) -> WaitlistEntry:
    """Join the queue for a full shift. Only someone who could otherwise book it may join, so an offer
    never goes to a person who then cannot take it."""
    _, shift = lock_profile_then_shift(volunteer=volunteer, shift=shift)
    now = timezone.now()
    booking_rules.check_volunteer_may_take(VolunteerStanding.load(volunteer), shift, now)
    if Booking.objects.filter(shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES).exists():
        raise booking_rules.AlreadyBooked()
    if WaitlistEntry.objects.filter(
        shift=shift, volunteer=volunteer, status__in=WaitlistEntry.OPEN_STATUSES
    ).exists():
        raise booking_rules.AlreadyWaitlisted()
    if taken_places(shift) < shift.capacity:
        raise BookingError(gettext("This shift still has a free place: you can book it directly."))
    return WaitlistEntry.objects.create(shift=shift, volunteer=volunteer, created_at=now)


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry, volunteer: User) -> WaitlistEntry:
    """Leave a waitlist (or decline an offer, which passes the place to the next person)."""
    if entry.volunteer_id != volunteer.pk:
        raise BookingError(gettext("This is not your waitlist entry."))
    shift = lock_shift(shift_id=entry.shift_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status not in WaitlistEntry.OPEN_STATUSES:
        return entry
    was_offered = entry.status == WaitlistEntry.Status.OFFERED
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.responded_at = timezone.now()
    entry.save(update_fields=["status", "responded_at"])
    if was_offered:
        waitlist_offer_next(shift=shift)
    return entry


@transaction.atomic
def waitlist_offer_next(*, shift: Shift) -> list[WaitlistEntry]:
    """Offer each free place of `shift` to the next waiting person, holding it until the offer
    expires (HAVEN_WAITLIST_OFFER_HOURS, but never past the start). Call after a place frees up or the
    capacity grows; it locks the shift (at once when the caller already holds that lock). Returns the
    entries offered; their emails are written to the outbox in the same transaction."""
    shift = lock_shift(shift_id=shift.pk)
    now = timezone.now()
    if shift.is_cancelled or shift.starts_at <= now:
        return []
    free = shift.capacity - taken_places(shift)
    if free <= 0:
        return []
    expires_at = min(now + datetime.timedelta(hours=settings.HAVEN_WAITLIST_OFFER_HOURS), shift.starts_at)
    offered = list(
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .filter(shift=shift, status=WaitlistEntry.Status.WAITING)
        .order_by("created_at", "id")[:free]
    )
    for entry in offered:
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = expires_at
        entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
        _offer_notify(entry)
    return offered


def offer_stamp(entry: WaitlistEntry) -> str:
    """Which offer a message announces: each offer of an entry is a fact of its own."""
    return entry.offered_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%f")


def _offer_notify(entry: WaitlistEntry) -> None:
    """The offer's email, written with the offer. Its link is signed at send time (never stored
    before then, never in a task's arguments), and the body is wiped once it is sent."""
    volunteer = entry.volunteer
    message_queue(
        kind=KIND_WAITLIST_OFFER,
        recipient=volunteer.email,
        user=volunteer,
        about=entry,
        dedupe_key=f"{KIND_WAITLIST_OFFER}:{entry.pk}:{offer_stamp(entry)}",
        data={"offered_at": entry.offered_at.astimezone(datetime.UTC).isoformat()},
    )


def waitlist_fit_capacity(*, shift: Shift) -> None:
    """After a capacity change on a shift locked and saved in the caller's transaction: offer new
    places to the waitlist, or, when places held for open offers no longer fit, put the newest offers
    back in the queue (they keep their position; their link stops working because it is signed over
    the offer time)."""
    booked = active_bookings(shift)
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
            entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    else:
        waitlist_offer_next(shift=shift)


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
            waitlist_offer_next(shift=shift)
    WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN_STATUSES).filter(
        Q(shift__starts_at__lte=now) | Q(shift__is_cancelled=True)
    ).update(status=WaitlistEntry.Status.CLOSED, responded_at=now)
    return expired
