"""The outbox renderers of swaps (registered from VolunteersConfig.ready()): the offer to a colleague
(who offers which shift, when, and the link to accept before the cut-off) and the notice to the
volunteer who offered once the colleague took the place. Never the address."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.models import Message
from messaging.registry import Rendered, Skip, kind_register

from .models import Booking, SwapOffer
from .services.swaps import KIND_SWAP_ACCEPTED, KIND_SWAP_OFFER, swap_offer_token


def render_swap_offer(message: Message) -> Rendered | Skip:
    offer = (
        SwapOffer.objects.select_related("booking__shift__role", "from_volunteer", "to_volunteer")
        .filter(pk=message.about_id)
        .first()
    )
    if offer is None or offer.status != SwapOffer.Status.PENDING or offer.expires_at <= timezone.now():
        return Skip("the offer is no longer open")
    if offer.booking.status != Booking.Status.BOOKED:
        return Skip("the booking was cancelled")
    shift = offer.booking.shift
    return Rendered(
        subject=_("[%(org)s] %(name)s offers you their place: %(shift)s")
        % {
            "org": settings.HAVEN_ORG_NAME,
            "name": offer.from_volunteer.get_short_name(),
            "shift": shift.display_title,
        },
        text=render_to_string(
            "volunteers/email/swap_offer.txt",
            {
                "org_name": settings.HAVEN_ORG_NAME,
                "person": offer.to_volunteer,
                "colleague": offer.from_volunteer.get_short_name(),
                "shift": shift,
                "starts": timezone.localtime(shift.starts_at),
                "ends": timezone.localtime(shift.ends_at),
                "expires": timezone.localtime(offer.expires_at),
                "offer_url": settings.SITE_URL
                + reverse("volunteers:swap_confirm", args=[swap_offer_token(offer)]),
            },
        ),
    )


def swap_taken(offer_id: int) -> SwapOffer | Skip:
    """The offer a "your place was taken" notice (email or text) is about, or why it need not go:
    the offer was not taken after all, or the colleague has cancelled since."""
    offer = (
        SwapOffer.objects.select_related(
            "booking__shift__role", "from_volunteer", "to_volunteer", "new_booking"
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or offer.status != SwapOffer.Status.ACCEPTED:
        return Skip("the offer was not taken")
    if offer.new_booking is None or offer.new_booking.status == Booking.Status.CANCELLED:
        return Skip("the colleague has cancelled since")
    return offer


def render_swap_accepted(message: Message) -> Rendered | Skip:
    offer = swap_taken(message.about_id)
    if isinstance(offer, Skip):
        return offer
    shift = offer.booking.shift
    return Rendered(
        subject=_("[%(org)s] %(name)s took your place: %(shift)s")
        % {
            "org": settings.HAVEN_ORG_NAME,
            "name": offer.to_volunteer.get_short_name(),
            "shift": shift.display_title,
        },
        text=render_to_string(
            "volunteers/email/swap_accepted.txt",
            {
                "org_name": settings.HAVEN_ORG_NAME,
                "person": offer.from_volunteer,
                "colleague": offer.to_volunteer.get_short_name(),
                "shift": shift,
                "starts": timezone.localtime(shift.starts_at),
                "ends": timezone.localtime(shift.ends_at),
                "my_shifts_url": settings.SITE_URL + reverse("volunteers:my_shifts"),
                "shifts_url": settings.SITE_URL + reverse("volunteers:shift_list"),
            },
        ),
    )


def register() -> None:
    kind_register(
        KIND_SWAP_ACCEPTED,
        render=render_swap_accepted,
        description="The volunteer who offered their place is told the named colleague took it.",
    )
    kind_register(
        KIND_SWAP_OFFER,
        render=render_swap_offer,
        description="A booked volunteer offers their place to a named colleague, who accepts by link.",
    )
