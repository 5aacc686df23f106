"""Swaps, the volunteer's side: offer my place to a named colleague, and the colleague's page behind
the emailed link (GET shows the offer, POST takes or declines it, so link scanners use nothing)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import signed_in

from . import services
from .booking_rules import BookingError
from .models import Booking, SwapOffer
from .services.swaps import swap_cutoff


class SwapOfferForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your colleague's email address"))


@signed_in
def swap_offer(request, booking_id: int):
    booking = get_object_or_404(
        Booking.objects.select_related("shift__role"), pk=booking_id, volunteer=request.user
    )
    form = SwapOfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.swap_offer_make(
                booking=booking, volunteer=request.user, colleague_email=form.cleaned_data["email"]
            )
        except BookingError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Your colleague has been emailed. The place is yours until they take it.")
            )
            return redirect("volunteers:my_shifts")
    pending = (
        booking.swap_offers.filter(status=SwapOffer.Status.PENDING).select_related("to_volunteer").first()
    )
    return render(
        request,
        "volunteers/swap_offer.html",
        {
            "booking": booking,
            "shift": booking.shift,
            "form": form,
            "pending": pending,
            "cutoff": timezone.localtime(swap_cutoff(booking)),
        },
        status=400 if form.errors else 200,
    )


@signed_in
@require_POST
def swap_withdraw(request, offer_id: int):
    offer = get_object_or_404(SwapOffer, pk=offer_id, from_volunteer=request.user)
    services.swap_offer_respond(offer=offer, volunteer=request.user)
    messages.success(request, _("The offer is withdrawn."))
    return redirect("volunteers:my_shifts")


@signed_in
def swap_confirm(request, token: str):
    offer = services.swap_offer_from_token(token)
    if offer is None or offer.to_volunteer_id != request.user.pk:
        raise Http404("No such offer")
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            services.swap_offer_respond(offer=offer, volunteer=request.user)
            messages.info(request, _("You declined the offer. Thank you for answering."))
            return redirect("volunteers:my_shifts")
        try:
            booking = services.swap_offer_accept(offer=offer, volunteer=request.user)
        except BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The place is yours. A confirmation email is on its way."))
            return redirect("volunteers:shift_detail", shift_id=booking.shift_id)
        offer.refresh_from_db()
    is_open = offer.status == SwapOffer.Status.PENDING and offer.expires_at > timezone.now()
    shift = offer.booking.shift
    return render(
        request,
        "volunteers/swap_confirm.html",
        {
            "offer": offer,
            "shift": shift,
            "starts": timezone.localtime(shift.starts_at),
            "expires": timezone.localtime(offer.expires_at),
            "is_open": is_open,
        },
    )
