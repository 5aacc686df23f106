"""Swaps: a booked volunteer offers their place to a named colleague who is cleared for the role;
the colleague accepts by the emailed link before the swap cut-off, and the booking moves to them in
one transaction (the old booking is cancelled, a new one made for the colleague, nothing in between
can take the place). Offering to the waitlist is what cancelling does (`booking_cancel`).

Locks, in the app's order (locks.py): the accepting colleague's profile, then the shift, then the
offer and the booking. A cancel by the owner takes the owner's profile, then the same shift, so the
two wait for each other and exactly one of them happens.

When the colleague accepts, the volunteer who offered is told in the same transaction: an email, and
a text if they opted in to texts (both through the outbox, in their own language, without the
shift's address)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.i18n import message_language
from messaging.services import message_queue, messages_queue

from .. import booking_rules
from ..booking_rules import BookingError, VolunteerStanding
from ..models import Booking, SwapOffer
from . import locks
from .booking import booking_confirmation_draft
from .reminders import reminder_drafts, reminders_cancel
from .texts import text_queue

KIND_SWAP_OFFER = "volunteers.swap_offer"
KIND_SWAP_ACCEPTED = "volunteers.swap_accepted"
KIND_SWAP_ACCEPTED_TEXT = "volunteers.swap_accepted_text"
SIGNING_SALT = "volunteers.swap-offer"


class SwapError(BookingError):
    """A swap that cannot be made or taken, in words the volunteer reads."""


def swap_cutoff(booking: Booking) -> datetime.datetime:
    """Until when a swap may be offered and accepted: HAVEN_SWAP_CUTOFF_HOURS before the start."""
    return booking.shift.starts_at - datetime.timedelta(hours=settings.HAVEN_SWAP_CUTOFF_HOURS)


def swap_offer_token(offer: SwapOffer) -> str:
    return signing.dumps({"s": offer.pk, "c": offer.created_at.isoformat()}, salt=SIGNING_SALT)


def swap_offer_from_token(token: str) -> SwapOffer | None:
    try:
        data = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None
    offer = (
        SwapOffer.objects.select_related("booking__shift__role", "from_volunteer", "to_volunteer")
        .filter(pk=data.get("s"))
        .first()
    )
    if offer is None or offer.created_at.isoformat() != data.get("c"):
        return None
    return offer


def _colleague_by_email(email: str) -> User | None:
    return User.objects.filter(
        email__iexact=email.strip(), is_active=True, volunteer_profile__onboarded_at__isnull=False
    ).first()


def swap_offer_make(
    *, booking: Booking, volunteer: User, colleague_email: str, now: datetime.datetime | None = None
) -> SwapOffer:
    """Offer the place of `volunteer`'s own booking to the colleague with that email. One message to
    them through the outbox. A new offer replaces a pending one."""
    now = now or timezone.now()
    if booking.volunteer_id != volunteer.pk:
        raise SwapError(_("This is not your booking."))
    colleague = _colleague_by_email(colleague_email)
    cannot = _(
        "This colleague cannot take this shift: they need an account with a completed volunteer profile "
        "and to be cleared for the role. Ask them, or offer the place to the waitlist by cancelling."
    )
    if colleague is None:
        raise SwapError(cannot)
    if colleague.pk == volunteer.pk:
        raise SwapError(_("Offer your place to someone else."))
    with transaction.atomic():
        _profile, shift = locks.lock_profile_then_shift(volunteer=volunteer, shift=booking.shift)
        booking = (
            Booking.objects.select_for_update(of=("self",)).select_related("shift__role").get(pk=booking.pk)
        )
        if booking.status != Booking.Status.BOOKED:
            raise SwapError(_("This booking is no longer active."))
        if shift.is_cancelled or now >= swap_cutoff(booking):
            raise SwapError(
                _("Swaps close %(hours)s hours before the start; please contact the coordinator.")
                % {"hours": settings.HAVEN_SWAP_CUTOFF_HOURS}
            )
        try:
            booking_rules.check_volunteer_may_take(VolunteerStanding.load(colleague), shift, now)
        except BookingError as error:
            raise SwapError(cannot) from error
        if Booking.objects.filter(
            shift=shift, volunteer=colleague, status__in=Booking.ACTIVE_STATUSES
        ).exists():
            raise SwapError(_("This colleague is already booked on this shift."))
        booking.swap_offers.filter(status=SwapOffer.Status.PENDING).update(
            status=SwapOffer.Status.WITHDRAWN, responded_at=now
        )
        offer = SwapOffer.objects.create(
            booking=booking,
            from_volunteer=volunteer,
            to_volunteer=colleague,
            created_at=now,
            expires_at=swap_cutoff(booking),
        )
        message_queue(
            kind=KIND_SWAP_OFFER,
            recipient=colleague.email,
            user=colleague,
            language=message_language(colleague),
            about=offer,
            dedupe_key=f"{KIND_SWAP_OFFER}:{offer.pk}",
        )
    return offer


def swap_offer_accept(*, offer: SwapOffer, volunteer: User, now: datetime.datetime | None = None) -> Booking:
    """The colleague takes the place: atomically, the owner's booking is cancelled and theirs made.
    Raises SwapError (or another BookingError) saying why not."""
    now = now or timezone.now()
    if offer.to_volunteer_id != volunteer.pk:
        raise SwapError(_("This offer is not for you."))
    if now >= offer.expires_at:
        SwapOffer.objects.filter(pk=offer.pk, status=SwapOffer.Status.PENDING).update(
            status=SwapOffer.Status.EXPIRED, responded_at=now
        )
        raise SwapError(_("This offer closed before the shift; please contact the coordinator."))
    with transaction.atomic():
        profile, shift = locks.lock_profile_then_shift(volunteer=volunteer, shift=offer.booking.shift)
        offer = SwapOffer.objects.select_for_update().get(pk=offer.pk)
        old = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("shift__role")
            .get(pk=offer.booking_id)
        )
        if offer.status != SwapOffer.Status.PENDING:
            raise SwapError(_("This offer is no longer open."))
        if old.status != Booking.Status.BOOKED or old.volunteer_id != offer.from_volunteer_id:
            raise SwapError(
                _("Your colleague is no longer booked on this shift, so there is no place to take.")
            )
        booking_rules.check_volunteer_may_take(VolunteerStanding.load(volunteer), shift, now)
        if Booking.objects.filter(
            shift=shift, volunteer=volunteer, status__in=Booking.ACTIVE_STATUSES
        ).exists():
            raise booking_rules.AlreadyBooked()
        clash = (
            Booking.objects.filter(
                volunteer=volunteer,
                status__in=Booking.ACTIVE_STATUSES,
                shift__is_cancelled=False,
                shift__starts_at__lt=shift.ends_at,
                shift__ends_at__gt=shift.starts_at,
            )
            .exclude(shift=shift)
            .exists()
        )
        if clash:
            raise booking_rules.OverlappingBooking(_("You are booked on another shift at the same time."))
        old.status, old.cancelled_at = Booking.Status.CANCELLED, now
        old.save(update_fields=["status", "cancelled_at"])
        reminders_cancel(booking=old, reason="the place was swapped to a colleague")
        try:
            with transaction.atomic():
                new = Booking.objects.create(
                    shift=shift, volunteer=volunteer, source=Booking.Source.SWAP, created_at=now
                )
        except IntegrityError as exc:
            raise booking_rules.AlreadyBooked() from exc
        offer.status, offer.responded_at, offer.new_booking = SwapOffer.Status.ACCEPTED, now, new
        offer.save(update_fields=["status", "responded_at", "new_booking"])
        # The new booking's reminders and confirmation, in one INSERT.
        messages_queue(
            [
                *reminder_drafts(booking=new, now=now, profile=profile),
                booking_confirmation_draft(booking=new, volunteer=volunteer),
            ]
        )
        swap_accepted_notices_queue(offer=offer)
    return new


def swap_accepted_notices_queue(*, offer: SwapOffer) -> None:
    """Tell the volunteer who offered their place that the colleague took it: an email, and a text
    if they opted in. In the caller's transaction; one of each per offer (the dedupe keys)."""
    owner = offer.from_volunteer
    message_queue(
        kind=KIND_SWAP_ACCEPTED,
        recipient=owner.email,
        user=owner,
        language=message_language(owner),
        about=offer,
        dedupe_key=f"{KIND_SWAP_ACCEPTED}:{offer.pk}",
    )
    text_queue(
        volunteer_id=owner.pk,
        kind=KIND_SWAP_ACCEPTED_TEXT,
        about=offer,
        dedupe_key=f"{KIND_SWAP_ACCEPTED_TEXT}:{offer.pk}",
    )


@transaction.atomic
def swap_offer_respond(*, offer: SwapOffer, volunteer: User, decline: bool = True) -> SwapOffer:
    """The colleague declines, or the owner withdraws, a pending offer."""
    offer = SwapOffer.objects.select_for_update().get(pk=offer.pk)
    if volunteer.pk not in (offer.to_volunteer_id, offer.from_volunteer_id):
        raise SwapError(_("This offer is not for you."))
    if offer.status == SwapOffer.Status.PENDING:
        mine = volunteer.pk == offer.from_volunteer_id
        offer.status = SwapOffer.Status.WITHDRAWN if mine else SwapOffer.Status.DECLINED
        offer.responded_at = timezone.now()
        offer.save(update_fields=["status", "responded_at"])
    return offer
