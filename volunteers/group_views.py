"""A group booking's members, named by the volunteer who booked (until the shift starts)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import signed_in

from . import services
from .booking_rules import BookingError
from .models import Booking


@signed_in
def group_members(request, booking_id: int):
    booking = get_object_or_404(
        Booking.objects.select_related("shift__role"), pk=booking_id, volunteer=request.user, places__gt=1
    )
    names = [m.name for m in booking.group_members.all()]
    error = ""
    if request.method == "POST":
        names = [request.POST.get(f"member-{i}", "") for i in range(2, booking.places + 1)]
        try:
            services.group_members_name(booking=booking, volunteer=request.user, names=names)
        except BookingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Thank you: the coordinator sees these names on the roster."))
            return redirect("volunteers:shift_detail", shift_id=booking.shift_id)
    slots = [(i, names[i - 2] if i - 2 < len(names) else "") for i in range(2, booking.places + 1)]
    return render(
        request,
        "volunteers/group_members.html",
        {"booking": booking, "shift": booking.shift, "slots": slots, "error": error},
        status=400 if error else 200,
    )
