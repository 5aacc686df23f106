"""A volunteer books a place on a shift, takes a place held for them by a waitlist offer, or
cancels. Every booking runs the checks of `volunteers.booking_rules` under the locks of locks.py."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from accounts.models import User
from core.i18n import local_format, message_language
from core.sql import QueryTemplate
from messaging.models import Message
from messaging.services import message_draft, messages_queue

from .. import booking_rules
from ..booking_rules import BookingError, VolunteerStanding
from ..models import Agreement, AgreementSignature, Booking, Requirement, Role, Shift, WaitlistEntry
from ..selectors import correlated_count
from . import locks
from .reminders import reminder_drafts, reminders_cancel
from .waitlist import waitlist_offer_next

KIND_BOOKING_CONFIRMATION = "volunteers.booking_confirmation"


def shift_book(
    *, shift: Shift, volunteer: User, source: str = Booking.Source.DIRECT, places: int = 1
) -> Booking:
    """Book a place for `volunteer` on `shift` (or `places` places for a group, where the role allows
    groups), or raise a `BookingError` saying why not.

    Under the locks (profile, then shift): the person's eligibility, no active booking on this shift,
    no overlapping shift, and a free place (active bookings plus held waitlist offers below
    capacity). A place held for this person by a waitlist offer is theirs to take, from the email
    link or from the shift page."""
    with transaction.atomic():
        profile, shift = locks.lock_profile_then_shift(volunteer=volunteer, shift=shift)
        now = timezone.now()
        facts = _facts(shift=shift, volunteer=volunteer, now=now)
        own_offer = WaitlistEntry(pk=facts["my_offer"]) if facts["my_offer"] else None
        if places != 1:
            booking_rules.check_group_size(shift.role, places)
        return _book_locked(
            shift=shift,
            volunteer=volunteer,
            profile=profile,
            facts=facts,
            source=source,
            offer=own_offer,
            now=now,
            places=places,
        )


def waitlist_offer_accept(*, entry: WaitlistEntry, volunteer: User) -> Booking:
    """Turn an open, unexpired offer into a booking (the held place is this person's)."""
    if entry.volunteer_id != volunteer.pk:
        raise booking_rules.OfferNotAvailable()
    with transaction.atomic():
        profile, shift = locks.lock_profile_then_shift(volunteer=volunteer, shift=entry.shift)
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        now = timezone.now()
        if entry.status != WaitlistEntry.Status.OFFERED or entry.offer_expires_at <= now:
            raise booking_rules.OfferNotAvailable()
        return _book_locked(
            shift=shift,
            volunteer=volunteer,
            profile=profile,
            facts=_facts(shift=shift, volunteer=volunteer, now=now),
            source=Booking.Source.WAITLIST,
            offer=entry,
            now=now,
        )


def _facts_queryset(*, shift_id: int, volunteer_id: int, now: datetime.datetime):
    """The booking facts of `_facts`, as one `.values()` query over the shift's row."""
    mine = {"shift": OuterRef("pk"), "volunteer_id": volunteer_id}
    active = Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES)
    current = Agreement.objects.filter(published_at__isnull=False, published_at__lte=now).order_by("-version")
    return (
        Shift.objects.filter(pk=shift_id)
        .annotate(
            booked=Coalesce(
                Subquery(
                    active.filter(shift=OuterRef("pk"))
                    .values("shift")
                    .annotate(taken=Sum("places"))
                    .values("taken")[:1]
                ),
                0,
            ),
            offered=correlated_count(
                WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED), on="shift"
            ),
            my_booking=Exists(Booking.objects.filter(**mine, status__in=Booking.ACTIVE_STATUSES)),
            my_offer=Subquery(
                WaitlistEntry.objects.filter(
                    **mine, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
                ).values("pk")[:1]
            ),
            my_waiting=Exists(WaitlistEntry.objects.filter(**mine, status=WaitlistEntry.Status.WAITING)),
            requirement_count=correlated_count(
                Role.requirements.through.objects.all(), on="role", outer="role_id"
            ),
            agreement_id=Subquery(current.values("pk")[:1]),
            agreement_version=Subquery(current.values("version")[:1]),
            signed_current=Exists(
                AgreementSignature.objects.filter(
                    volunteer_id=volunteer_id, agreement_id=Subquery(current.values("pk")[:1])
                )
            ),
            signed_any=Exists(AgreementSignature.objects.filter(volunteer_id=volunteer_id)),
        )
        .values(*FACTS)
    )


FACTS = (
    "booked",
    "offered",
    "my_booking",
    "my_offer",
    "my_waiting",
    "requirement_count",
    "agreement_id",
    "agreement_version",
    "signed_current",
    "signed_any",
)
# Compiled once per process: the facts query is the same on every booking but for these three values,
# and compiling its eight subqueries cost more CPU than the rest of the booking's queries together.
_FACTS_SQL = QueryTemplate(_facts_queryset, shift_id=int, volunteer_id=int, now=datetime.datetime)


def _facts(*, shift: Shift, volunteer: User, now: datetime.datetime) -> dict:
    """In one query, under the caller's locks: the shift's active bookings and held offers, this
    person's active booking, open offer and waiting entry on it, how many requirements the role has,
    and the current agreement and whether they signed it (or an earlier one). The SQL of
    `_facts_queryset`, compiled once (core.sql.QueryTemplate)."""
    (facts,) = _FACTS_SQL.rows(shift_id=shift.pk, volunteer_id=volunteer.pk, now=now)
    return facts


def _standing(*, volunteer: User, profile, shift: Shift, facts: dict) -> VolunteerStanding:
    """The person's standing for this shift's role. A role without requirements or approval needs only
    the profile (locked already) and the agreement (in `facts`); any other loads the full standing."""
    role = shift.role
    if facts["requirement_count"] or role.requires_approval:
        return VolunteerStanding.load(volunteer)
    current = (
        Agreement(pk=facts["agreement_id"], version=facts["agreement_version"])
        if facts["agreement_id"]
        else None
    )
    signed = set()
    if facts["signed_current"]:
        signed.add(current.pk)
    elif facts["signed_any"]:
        signed.add(0)  # an earlier version only: check_agreement says the agreement changed
    # No requirements: the rules' loop over them needs no query.
    role._prefetched_objects_cache = {
        **getattr(role, "_prefetched_objects_cache", {}),
        "requirements": Requirement.objects.none(),
    }
    return VolunteerStanding(profile=profile, current_agreement=current, signed_agreement_ids=signed)


def _book_locked(
    *,
    shift: Shift,
    volunteer: User,
    profile,
    facts: dict,
    source: str,
    offer: WaitlistEntry | None,
    now: datetime.datetime,
    places: int = 1,
) -> Booking:
    """The booking itself, with the profile and the shift locked by the caller and `facts` read under
    those locks. `offer` is the person's own open offer on this shift, whose held place they take."""
    standing = _standing(volunteer=volunteer, profile=profile, shift=shift, facts=facts)
    booking_rules.check_volunteer_may_take(standing, shift, now)
    if facts["my_booking"]:
        raise booking_rules.AlreadyBooked()
    _check_no_overlap(shift=shift, volunteer=volunteer)
    # Places taken by active bookings (a group takes several) plus places held for open offers, but
    # not the one this person holds; `places` places fit when the last of them does.
    booking_rules.check_capacity(shift, facts["booked"] + facts["offered"] - (offer is not None) + places - 1)
    if offer is not None and source == Booking.Source.DIRECT:
        source = Booking.Source.WAITLIST
    try:
        # No savepoint: a failed INSERT raises out of the caller's atomic block, which rolls it back.
        booking = Booking.objects.create(
            shift=shift, volunteer=volunteer, source=source, created_at=now, places=places
        )
    except IntegrityError as exc:
        # The partial unique constraint caught a second active booking that slipped past the check.
        raise booking_rules.AlreadyBooked() from exc
    if offer is not None:
        WaitlistEntry.objects.filter(pk=offer.pk).update(
            status=WaitlistEntry.Status.ACCEPTED, responded_at=now
        )
    if facts["my_waiting"]:
        # A person who books directly no longer needs their place in the queue.
        WaitlistEntry.objects.filter(
            shift=shift, volunteer=volunteer, status=WaitlistEntry.Status.WAITING
        ).update(status=WaitlistEntry.Status.WITHDRAWN, responded_at=now)
    # The reminders (and their texts, with the profile locked above) and the confirmation: one INSERT.
    # A new booking has no earlier reminders to move.
    messages_queue(
        [
            *reminder_drafts(booking=booking, now=now, profile=profile),
            booking_confirmation_draft(booking=booking, volunteer=volunteer),
        ]
    )
    return booking


def booking_confirmation_draft(*, booking: Booking, volunteer: User) -> Message:
    """The booking's confirmation email (sent once), for `messages_queue`."""
    return message_draft(
        kind=KIND_BOOKING_CONFIRMATION,
        recipient=volunteer.email,
        user=volunteer,
        language=message_language(volunteer),
        about=booking,
        dedupe_key=f"{KIND_BOOKING_CONFIRMATION}:{booking.pk}",
    )


def booking_confirmation_queue(*, booking: Booking, volunteer: User) -> None:
    """The booking's confirmation email, written in the booking's transaction (sent once)."""
    messages_queue([booking_confirmation_draft(booking=booking, volunteer=volunteer)])


def _clash_queryset(
    *, volunteer_id: int, shift_id: int, starts_at: datetime.datetime, ends_at: datetime.datetime
):
    """The person's first active booking on another shift, not cancelled, that overlaps
    [starts_at, ends_at): what the refusal names."""
    return (
        Booking.objects.filter(
            volunteer_id=volunteer_id,
            status__in=Booking.ACTIVE_STATUSES,
            shift__is_cancelled=False,
            shift__starts_at__lt=ends_at,
            shift__ends_at__gt=starts_at,
        )
        .exclude(shift_id=shift_id)
        .order_by("pk")
        .values("shift__title", "shift__starts_at", "shift__role__name")[:1]
    )


# Compiled once per process, as the facts are: the same query on every booking but for these values.
_CLASH_SQL = QueryTemplate(
    _clash_queryset, volunteer_id=int, shift_id=int, starts_at=datetime.datetime, ends_at=datetime.datetime
)


def _check_no_overlap(*, shift: Shift, volunteer: User) -> None:
    clashes = _CLASH_SQL.rows(
        volunteer_id=volunteer.pk, shift_id=shift.pk, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    if clashes:
        (clash,) = clashes
        other = Shift(
            title=clash["shift__title"],
            starts_at=clash["shift__starts_at"],
            role=Role(name=clash["shift__role__name"]),
        )
        start = dateformat.format(timezone.localtime(other.starts_at), local_format("HAVEN_MONTH_DAY_TIME"))
        raise booking_rules.OverlappingBooking(
            gettext("You are already booked on %(shift)s at %(start)s, which overlaps this shift.")
            % {"shift": other.display_title, "start": start}
        )


@transaction.atomic
def booking_cancel(*, booking: Booking, volunteer: User) -> Booking:
    """The volunteer cancels their own booking, until the shift's cut-off. Pending reminders are
    cancelled and the freed place is offered to the first person on the waitlist."""
    if booking.volunteer_id != volunteer.pk:
        raise BookingError(gettext("This is not your booking."))
    locks.lock_profile_then_shift(volunteer=volunteer, shift=booking.shift)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("shift__role").get(pk=booking.pk)
    now = timezone.now()
    booking_rules.check_cancellable(booking, now)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at"])
    reminders_cancel(booking=booking, reason="the booking was cancelled")
    # A place offered to a colleague is no longer there to take.
    booking.swap_offers.filter(status="pending").update(status="withdrawn", responded_at=now)
    waitlist_offer_next(shift=booking.shift)
    return booking
