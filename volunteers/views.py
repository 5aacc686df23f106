"""Volunteer-side pages: shifts, booking, waitlists, profile and agreement, hours, calendar feeds.
Thin: parse input, call a service or selector, render. Someone else's objects answer 404."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import localize
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import public, signed_in
from core.i18n import local_format, message_language
from core.public_cache import public_cached

from . import booking_rules, clearance, ics, selectors, services
from .booking_rules import BookingError, VolunteerStanding
from .forms import AgreementSignForm, ShiftFilterForm, VolunteerProfileForm
from .models import (
    Agreement,
    Booking,
    CalendarToken,
    HoursReport,
    Role,
    RoleApplication,
    VolunteerProfile,
    WaitlistEntry,
)

SHIFTS_PER_PAGE = 50


def _block(standing: VolunteerStanding, shift, now) -> BookingError | None:
    """Why this person cannot book this shift right now (None when they can). No queries: the
    standing is loaded once and role requirements are prefetched."""
    try:
        booking_rules.check_volunteer_may_take(standing, shift, now)
    except BookingError as error:
        return error
    return None


# The rows' day and time texts, shared by requests (everyone is shown the same shifts). A text depends
# only on its format, the language, the time zone and the local wall time, which make its key.
_ROW_TEXTS: dict[tuple, str] = {}
_ROW_TEXTS_MAX = 10_000


def _shift_rows(shifts, standing: VolunteerStanding, reasons: dict[int, str]) -> list[dict]:
    """The rows in one pass, as dicts (the template's first lookup, a key, finds each field): each
    day and time formatted once (_ROW_TEXTS), the shift's address from one reversed pattern, the
    places left in words from one translated pattern. Profile of 50 rows signed in: the `date` filter
    (three per row), `{% url %}`, `{% translate %}` and `{% blocktranslate %}` per row and a rules
    check per row were most of the page's Python."""
    placeholder = 2_147_483_647
    url_pattern = reverse("volunteers:shift_detail", args=[placeholder]).replace(str(placeholder), "{}")
    # The active language's named formats (core/formats/), as the template's `date_as` would use.
    day_format, time_format = local_format("HAVEN_SHORT_DAY"), local_format("HAVEN_TIME")
    zone_format = local_format("HAVEN_TIME_ZONE")
    places_text = gettext("%(left)s of %(capacity)s")
    # What the template's `{{ number }}` shows: without thousands separators a whole number's digits.
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    onboarded = standing.is_onboarded
    language, zone = translation.get_language(), str(timezone.get_current_timezone())

    def text(local, format_string: str) -> str:
        key = (format_string, language, zone, local.utcoffset(), local.replace(tzinfo=None))
        found = _ROW_TEXTS.get(key)
        if found is None:
            if len(_ROW_TEXTS) >= _ROW_TEXTS_MAX:
                _ROW_TEXTS.clear()
            found = _ROW_TEXTS[key] = dateformat.format(local, format_string)
        return found

    rows = []
    for shift in shifts:
        starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
        left = shift.places_left
        booked = getattr(shift, "is_booked_by_me", False)  # annotated for a signed-in person only
        waiting = getattr(shift, "is_waiting_by_me", False)
        reason = reasons.get(shift.pk, "")
        rows.append(
            {
                "url": url_pattern.format(shift.pk),
                "day": text(starts, day_format),
                "start": text(starts, time_format),
                "end": text(ends, zone_format),
                "role": shift.role.name,
                "title": shift.title,
                # Empty: "Location shared after booking".
                "where": shift.neighbourhood if onboarded else "",
                "places": places_text % {"left": number(left), "capacity": number(shift.capacity)},
                "places_left": left,
                "booked": booked,
                "waiting": waiting,
                "reason": reason,
                # The "For you" cell is left out of the stacked (narrow) layout when it says nothing.
                "hide": not (booked or waiting or reason or onboarded),
            }
        )
    return rows


@public
@public_cached("shifts")
def shift_list(request):
    form = ShiftFilterForm(request.GET or None)
    filters = selectors.ShiftFilters()
    if form.is_valid():
        filters = selectors.ShiftFilters(
            role=form.cleaned_data["role"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            has_free_places=form.cleaned_data["free"],
        )
    roles = selectors.roles_active()
    shifts = selectors.shift_list_open(filters=filters, user=request.user, for_list_page=True)
    page = Paginator(shifts, SHIFTS_PER_PAGE).get_page(request.GET.get("page"))
    standing = VolunteerStanding.load(request.user)
    listed = selectors.shifts_with_roles(page, roles)
    reasons = selectors.shift_block_reasons(listed, standing, timezone.now())
    rows = _shift_rows(listed, standing, reasons)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/shift_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "standing": standing,
            "query": query.urlencode(),
            "roles": roles,
        },
    )


@public
@public_cached("shifts")
def shift_detail(request, shift_id: int):
    shift = selectors.shift_get_visible(shift_id=shift_id)
    booking = selectors.booking_active(shift=shift, user=request.user)
    entry = None if booking else selectors.waitlist_entry_open(shift=shift, user=request.user)
    standing = VolunteerStanding.load(request.user)
    block = None
    if request.user.is_authenticated and booking is None and entry is None:
        block = _block(standing, shift, timezone.now())
    application = None
    if isinstance(block, booking_rules.ApprovalMissing):
        application = RoleApplication.objects.filter(
            volunteer=request.user, role=shift.role, status=RoleApplication.Status.PENDING
        ).first()
    return render(
        request,
        "volunteers/shift_detail.html",
        {
            "shift": shift,
            "booking": booking,
            "location": clearance.location_for(booking),
            "entry": entry,
            "position": selectors.waitlist_position(entry=entry)
            if entry and entry.status == "waiting"
            else None,
            "standing": standing,
            "reason": block.message if block else "",
            "needs_approval": isinstance(block, booking_rules.ApprovalMissing),
            "application": application,
            "can_cancel": booking is not None
            and booking.status == Booking.Status.BOOKED
            and timezone.now() <= shift.cancel_deadline,
            "group_sizes": range(1, min(shift.role.max_group_size, shift.places_left or 1) + 1)
            if shift.role.allows_groups
            else [],
        },
    )


@signed_in
@require_POST
def shift_book(request, shift_id: int):
    shift = selectors.shift_get_to_book(shift_id=shift_id)
    try:
        places = int(request.POST.get("places") or 1)
    except ValueError:
        places = 1
    try:
        services.shift_book(shift=shift, volunteer=request.user, places=places)
    except booking_rules.ShiftFull as error:
        messages.warning(request, error.message)
    except booking_rules.NotOnboarded as error:
        messages.info(request, error.message)
        return redirect("volunteers:profile")
    except booking_rules.AgreementNotSigned as error:
        messages.info(request, error.message)
        return redirect("volunteers:agreement")
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("You are booked. A confirmation email is on its way."))
    # back to the booking's own section, so the keyboard focus lands next to "Cancel my booking"
    return redirect(reverse("volunteers:shift_detail", args=[shift.pk]) + "#your-place")


@signed_in
@require_POST
def shift_waitlist_join(request, shift_id: int):
    shift = selectors.shift_get_to_book(shift_id=shift_id)
    try:
        services.waitlist_join(shift=shift, volunteer=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("You are on the waitlist. We will email you if a place opens up."))
    return redirect(reverse("volunteers:shift_detail", args=[shift.pk]) + "#your-place")


@signed_in
@require_POST
def role_apply(request, role_id: int):
    role = get_object_or_404(Role, pk=role_id, is_active=True)
    try:
        services.role_apply(volunteer=request.user, role=role)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("Thank you. A coordinator for %(role)s will review your request.") % {"role": role.name},
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("volunteers:shift_list")


@public
def shift_ics(request, shift_id: int):
    """One shift as an .ics download; the address only for someone booked on it."""
    shift = selectors.shift_get_visible(shift_id=shift_id)
    booking = selectors.booking_active(shift=shift, user=request.user)
    body = ics.calendar_for_shifts(
        [shift],
        locations={shift.pk: clearance.location_for(booking)} if booking else {},
        name=shift.display_title,
        show_neighbourhood=request.user.is_authenticated,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shift-{shift.pk}.ics"'
    return response


@signed_in
def my_shifts(request):
    upcoming = list(selectors.volunteer_bookings(volunteer=request.user, upcoming=True))
    holds = clearance.holds_for(upcoming)
    return render(
        request,
        "volunteers/my_shifts.html",
        {
            "upcoming": [(booking, holds.get(booking.pk)) for booking in upcoming],
            "past": selectors.volunteer_bookings(volunteer=request.user, upcoming=False),
            "waitlist": selectors.volunteer_waitlist(volunteer=request.user),
            "now": timezone.now(),
            "standing": VolunteerStanding.load(request.user),
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def booking_cancel(request, booking_id: int):
    """GET asks "are you sure?" (cancelling gives the place away); POST cancels."""
    booking = get_object_or_404(
        Booking.objects.select_related("shift", "shift__role"), pk=booking_id, volunteer=request.user
    )
    if request.method == "GET":
        return render(request, "volunteers/booking_cancel.html", {"booking": booking, "shift": booking.shift})
    try:
        services.booking_cancel(booking=booking, volunteer=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("Your booking is cancelled. Thank you for letting us know."))
    return redirect("volunteers:my_shifts")


@signed_in
@require_POST
def waitlist_leave(request, entry_id: int):
    entry = get_object_or_404(WaitlistEntry, pk=entry_id, volunteer=request.user)
    services.waitlist_leave(entry=entry, volunteer=request.user)
    messages.success(request, gettext("You left the waitlist."))
    return redirect("volunteers:my_shifts")


@signed_in
def offer_confirm(request, token: str):
    """The link in a waitlist offer email. GET only shows the offer (mail scanners that pre-fetch
    links use nothing up); the person confirms with a POST."""
    entry = services.waitlist_offer_from_token(token)
    if entry is None or entry.volunteer_id != request.user.pk:
        raise Http404("No such offer")
    now = timezone.now()
    is_open = entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at > now
    if request.method == "POST" and is_open:
        try:
            services.waitlist_offer_accept(entry=entry, volunteer=request.user)
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("The place is yours. A confirmation email is on its way."))
            return redirect("volunteers:shift_detail", shift_id=entry.shift_id)
        entry.refresh_from_db()
        is_open = entry.status == WaitlistEntry.Status.OFFERED and entry.offer_expires_at > timezone.now()
    return render(
        request, "volunteers/offer_confirm.html", {"entry": entry, "shift": entry.shift, "is_open": is_open}
    )


@signed_in
def profile(request):
    """Onboarding and later edits: skills, languages, availability, emergency contact, agreement."""
    existing = VolunteerProfile.objects.filter(user=request.user).first()
    current = Agreement.current()
    needs_agreement = (
        current is not None and not request.user.agreement_signatures.filter(agreement=current).exists()
    )
    initial = VolunteerProfileForm.initial_from(existing) if existing else {}
    form = VolunteerProfileForm(request.POST or None, initial=initial, needs_agreement=needs_agreement)
    if request.method == "POST" and form.is_valid():
        saved = services.volunteer_profile_save(
            user=request.user,
            skills=form.all_skills(),
            languages=form.cleaned_data["languages"],
            availability=form.cleaned_data["availability"],
            emergency_contact_name=form.cleaned_data["emergency_contact_name"],
            emergency_contact_phone=form.cleaned_data["emergency_contact_phone"],
            emergency_contact_relationship=form.cleaned_data["emergency_contact_relationship"],
            phone=form.cleaned_data["phone"],
            agreement=current if needs_agreement else None,
        )
        if saved.is_onboarded and (existing is None or not existing.is_onboarded):
            messages.success(
                request, gettext("Welcome aboard. You can now book shifts for roles you are cleared for.")
            )
            return redirect("volunteers:shift_list")
        messages.success(request, gettext("Your volunteer profile is saved."))
        return redirect("volunteers:profile")
    return render(
        request,
        "volunteers/profile.html",
        {"form": form, "profile": existing, "agreement": current if needs_agreement else None},
    )


@signed_in
def agreement(request):
    """Read and sign the current confidentiality agreement (again, after a new version)."""
    current = Agreement.current()
    if current is None:
        raise Http404("No agreement published")
    signed = request.user.agreement_signatures.filter(agreement=current).first()
    form = AgreementSignForm(request.POST or None)
    if request.method == "POST" and signed is None and form.is_valid():
        services.agreement_sign(volunteer=request.user, agreement=current)
        messages.success(
            request, gettext("Thank you. You signed version %(version)s.") % {"version": current.version}
        )
        if not VolunteerProfile.objects.filter(user=request.user).exists():
            return redirect("volunteers:profile")
        return redirect("volunteers:shift_list")
    return render(
        request, "volunteers/agreement.html", {"agreement": current, "signed": signed, "form": form}
    )


@signed_in
def hours(request):
    reports = list(selectors.volunteer_hours_reports(volunteer=request.user))
    approved = sum(report.minutes for report in reports if report.status == HoursReport.Status.APPROVED)
    return render(
        request,
        "volunteers/hours.html",
        {
            "summary": selectors.volunteer_hours(volunteer=request.user),
            "reports": reports,
            "approved_hours": round(approved / 60, 2),
        },
    )


@signed_in
def calendar_settings(request):
    """Create, reset or turn off the private feed. The secret is shown once, right after it is made."""
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(
                request, gettext("Your calendar feed is turned off. The old link no longer works.")
            )
            return redirect("volunteers:calendar_settings")
        token = services.calendar_token_reset(user=request.user)
        feed_url = request.build_absolute_uri(reverse("volunteers:calendar_feed", args=[token]))
    return render(
        request,
        "volunteers/calendar.html",
        {"token_row": CalendarToken.objects.filter(user=request.user).first(), "feed_url": feed_url},
    )


@public
def calendar_feed(request, token: str):
    """The private feed: the secret in the URL is the only credential (calendar apps cannot sign in)."""
    user = services.calendar_user_for_token(token)
    if user is None:
        raise Http404("No such calendar")
    bookings = list(selectors.calendar_bookings(volunteer=user))
    # A calendar app sends no language of its own: the feed is in the account's language.
    with translation.override(message_language(user)):
        body = ics.calendar_for_shifts(
            [b.shift for b in bookings],
            locations=clearance.locations_for(bookings),
            name=gettext("My volunteer shifts"),
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
