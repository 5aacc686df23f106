"""Check-in at the door: the QR code a volunteer scans with their own phone, the kiosk a coordinator
opens for one shift on a tablet, and the coordinator's walk-ins and kiosk controls on the roster.

The kiosk is not a signed-in page: it is reached with its own token (a cookie on that device, path
/kiosk/), which the coordinator's session never is. Opening it signs the coordinator out on that
device, so nobody at the door can reach coordinator pages from it. It shows only the shift's title
and times, and the first names and initials of the people booked."""

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import public, role_required, signed_in

from . import selectors, services
from .booking_rules import BookingError
from .checkin_forms import CheckInPinForm, KioskCheckInForm, WalkInForm
from .models import Kiosk, Shift, VolunteerProfile
from .qr import qr_svg
from .services import CoordinationError
from .services.checkin import CheckInRefused, WrongCode, check_in_window, check_in_window_open

coordinator_required = role_required("coordinator", "staff")

KIOSK_COOKIE = "haven_kiosk"
KIOSK_COOKIE_PATH = "/kiosk/"
# Rate limits of wrong codes (settings.ACCOUNT_RATE_LIMITS, allauth's limiter, answered with 429).
LIMIT_KIOSK = "volunteers_kiosk_code"  # per kiosk: every wrong code typed at that tablet
LIMIT_KIOSK_PERSON = "volunteers_kiosk_person"  # per booking: wrong codes for one name
LIMIT_SELF = "volunteers_self_check_in"  # per signed-in volunteer: wrong QR codes


def self_check_in_url(shift: Shift) -> str:
    return settings.SITE_URL + reverse("volunteers:self_check_in", args=[shift.pk, shift.check_in_code])


def _limited(request, limits: list[tuple[str, str]]) -> bool:
    return any(not ratelimit.consume(request, action=action, key=key, dry_run=True) for action, key in limits)


def _count_wrong(request, limits: list[tuple[str, str]]) -> None:
    for action, key in limits:
        ratelimit.consume(request, action=action, key=key)


# --- the volunteer's own phone -----------------------------------------------------------------


@signed_in
def self_check_in(request, shift_id: int, code: str):
    """The page the shift's QR code opens. GET asks; POST checks the signed-in volunteer in (a link
    preview or a scanner never checks anyone in)."""
    shift = Shift.objects.select_related("role").filter(pk=shift_id).first()
    if shift is None:
        raise Http404("No such shift")
    limits = [(LIMIT_SELF, f"user:{request.user.pk}")]
    outcome = None
    if request.method == "POST":
        if _limited(request, limits):
            return ratelimit.respond_429(request)
        try:
            booking = services.booking_self_check_in(shift=shift, volunteer=request.user, code=code)
        except WrongCode as error:
            _count_wrong(request, limits)
            outcome = error.message
        except CheckInRefused as error:
            outcome = error.message
        else:
            messages.success(
                request,
                _("You are checked in for %(shift)s at %(time)s. Thank you for coming!")
                % {
                    "shift": shift.display_title,
                    "time": timezone.localtime(booking.checked_in_at).strftime("%H:%M"),
                },
            )
            return redirect("volunteers:my_shifts")
    opens, closes = check_in_window(shift)
    return render(
        request,
        "volunteers/check_in.html",
        {
            "shift": shift,
            "starts": timezone.localtime(shift.starts_at),
            "opens": timezone.localtime(opens),
            "refusal": outcome,
        },
        status=400 if outcome else 200,
    )


@signed_in
def check_in_pin(request):
    """The volunteer sets (or removes) their own short PIN for the kiosk."""
    profile = VolunteerProfile.objects.filter(user=request.user).first()
    if profile is None:
        messages.info(request, _("Complete your volunteer profile first."))
        return redirect("volunteers:profile")
    form = CheckInPinForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            services.check_in_pin_set(volunteer=request.user, pin="")
            messages.success(request, _("Your check-in PIN is removed."))
            return redirect("volunteers:check_in_pin")
        if form.is_valid():
            services.check_in_pin_set(volunteer=request.user, pin=form.cleaned_data["pin"])
            messages.success(request, _("Your check-in PIN is saved. Type it at the kiosk at the door."))
            return redirect("volunteers:check_in_pin")
    return render(
        request, "volunteers/check_in_pin.html", {"form": form, "has_pin": bool(profile.check_in_pin_hash)}
    )


# --- the kiosk ---------------------------------------------------------------------------------


def _kiosk(request) -> Kiosk | None:
    return selectors.kiosk_for_token(token=request.COOKIES.get(KIOSK_COOKIE, ""), now=timezone.now())


def _kiosk_closed(request):
    response = render(request, "volunteers/kiosk/closed.html", status=403)
    response.delete_cookie(KIOSK_COOKIE, path=KIOSK_COOKIE_PATH)
    return response


def _render_kiosk(request, kiosk: Kiosk, *, form=None, people=None, status: int = 200):
    """The kiosk page. A check-in that did not work comes back as errors on its form, shown in the
    error summary at the top (as on every form of the site, base.html's pattern) and at the field."""
    shift = kiosk.shift
    people = selectors.kiosk_people(shift=shift) if people is None else people
    now = timezone.now()
    form = form or KioskCheckInForm(people=people)
    # The error summary's link to "Your name" goes to the first name that can still be picked.
    first_open = next((person.booking_id for person in people if not person.checked_in), None)
    # static/js/kiosk.js loads the page again when nobody is using it (new check-ins; the closed page
    # at the shift's end): every minute, or just after the end.
    refresh = max(5, min(60, int((kiosk.expires_at - now).total_seconds()) + 1))
    return render(
        request,
        "volunteers/kiosk/kiosk.html",
        {
            "shift": shift,
            "starts": timezone.localtime(shift.starts_at),
            "ends": timezone.localtime(shift.ends_at),
            "people": people,
            "first_open": first_open,
            "form": form,
            "window_open": check_in_window_open(shift, now),
            "qr": qr_svg(self_check_in_url(shift), title=_("QR code: check in on your own phone")),
            "refresh_seconds": refresh,
        },
        status=status,
    )


@public  # reached with the kiosk's own token, checked here; never cached (never_cache)
@never_cache
def kiosk(request):
    kiosk = _kiosk(request)
    if kiosk is None:
        return _kiosk_closed(request)
    return _render_kiosk(request, kiosk)


@public  # reached with the kiosk's own token, checked here
@never_cache
@require_POST
def kiosk_check_in(request):
    kiosk = _kiosk(request)
    if kiosk is None:
        return _kiosk_closed(request)
    people = selectors.kiosk_people(shift=kiosk.shift)
    form = KioskCheckInForm(request.POST, people=people)
    if not form.is_valid():
        return _render_kiosk(request, kiosk, form=form, people=people, status=400)
    booking_id = form.cleaned_data["booking"]
    limits = [(LIMIT_KIOSK, f"kiosk:{kiosk.pk}"), (LIMIT_KIOSK_PERSON, f"booking:{booking_id}")]
    if _limited(request, limits):
        form.add_error(None, _("Too many wrong codes. Please wait a few minutes, or ask the coordinator."))
        return _render_kiosk(request, kiosk, form=form, people=people, status=429)
    try:
        booking = services.kiosk_check_in(kiosk=kiosk, booking_id=booking_id, code=form.cleaned_data["code"])
    except WrongCode as error:
        _count_wrong(request, limits)
        form.add_error("code", error.message)
        return _render_kiosk(request, kiosk, form=form, people=people, status=400)
    except CheckInRefused as error:
        form.add_error(None, error.message)
        return _render_kiosk(request, kiosk, form=form, people=people, status=400)
    messages.success(
        request,
        _("Welcome, %(name)s! You are checked in.") % {"name": selectors.kiosk_label(booking.volunteer)},
    )
    return redirect("volunteers:kiosk")


# --- the coordinator's side, on the roster --------------------------------------------------------


@coordinator_required
@require_POST
def kiosk_open(request, shift_id: int):
    """Open this shift's kiosk on this device: the coordinator is signed out here, and the device
    keeps only the kiosk's token, which works for this shift until it ends."""
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    try:
        kiosk, token = services.kiosk_open(shift=shift, by=request.user)
    except CoordinationError as error:
        messages.error(request, error.message)
        return redirect("volunteers:coordinate:roster", shift_id=shift.pk)
    logout(request)
    response = redirect("volunteers:kiosk")
    max_age = max(1, int((kiosk.expires_at - timezone.now()).total_seconds()))
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=max_age,
        path=KIOSK_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@coordinator_required
@require_POST
def kiosk_close(request, kiosk_id: int):
    kiosk = Kiosk.objects.filter(
        pk=kiosk_id, shift__role__in=selectors.coordinator_roles(user=request.user)
    ).first()
    if kiosk is None:
        raise Http404("No such kiosk")
    services.kiosk_close(kiosk=kiosk, by=request.user)
    messages.success(request, _("The kiosk is closed."))
    return redirect("volunteers:coordinate:roster", shift_id=kiosk.shift_id)


@coordinator_required
@require_POST
def walk_in(request, shift_id: int):
    """Add someone who came without booking: booked and checked in at once, within capacity."""
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    form = WalkInForm(request.POST)
    roster = reverse("volunteers:coordinate:roster", args=[shift.pk])
    if not form.is_valid():
        messages.error(request, _("Enter the volunteer's email address."))
        return redirect(roster + "#walk-in")
    volunteer = selectors.walk_in_candidate(user=request.user, shift=shift, email=form.cleaned_data["email"])
    if volunteer is None:
        messages.error(
            request,
            _(
                "No volunteer cleared for this role has that address. Someone new signs up and completes "
                "their profile first; someone who is not cleared yet talks to you about what is missing."
            ),
        )
        return redirect(roster + "#walk-in")
    try:
        booking = services.shift_walk_in(shift=shift, volunteer=volunteer, by=request.user)
    except (BookingError, CheckInRefused, CoordinationError) as error:
        messages.error(request, _("Not added: %(why)s") % {"why": error})
        return redirect(roster + "#walk-in")
    messages.success(
        request, _("%(name)s is booked and checked in.") % {"name": booking.volunteer.get_full_name()}
    )
    return redirect(roster + f"#booking-{booking.pk}")


def roster_check_in_context(shift: Shift) -> dict:
    """What the roster shows of check-in at the door: the QR code, open kiosks, the window."""
    now = timezone.now()
    opens, closes = check_in_window(shift)
    return {
        "check_in_qr": qr_svg(self_check_in_url(shift), title=_("QR code: check in on your own phone")),
        "check_in_opens": timezone.localtime(opens),
        "check_in_closes": timezone.localtime(closes),
        "check_in_ended": now >= closes,
        "open_kiosks": list(selectors.shift_open_kiosks(shift=shift, now=now)),
        "walk_in_form": WalkInForm(),
    }
