"""Coordinator pages: fill-rate dashboard, shifts and series, roster with attendance, print and CSV,
messages to a shift, approvals and requirement verifications.

A coordinator sees only the shifts of the roles they are assigned to and the volunteers of those
shifts (selectors answer 404 for anything else); staff see every role. Thin: parse input, call a
service or selector, render."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.roles import role_required
from core.csv import csv_writer
from core.i18n import local_format

from . import clearance, selectors, services
from .checkin_views import roster_check_in_context
from .coordination_forms import (
    ApprovalForm,
    ApproveByEmailForm,
    CancelShiftForm,
    CapacityForm,
    FillRateFilterForm,
    SeriesCreateForm,
    ShiftCreateForm,
    ShiftEditForm,
    ShiftMessageForm,
    VerificationForm,
)
from .forms import skill_labels
from .models import Booking, Requirement, Shift
from .services import CoordinationError

coordinator_required = role_required("coordinator", "staff")

SHIFTS_PER_PAGE = 100
VOLUNTEERS_PER_PAGE = 100
DEFAULT_RANGE_DAYS = 28


def _roster_url(shift_id: int) -> str:
    return reverse("volunteers:coordinate:roster", args=[shift_id])


# --- dashboard -------------------------------------------------------------------------------


@coordinator_required
def dashboard(request):
    roles = selectors.coordinator_roles(user=request.user)
    today = timezone.localdate()
    default_range = {"date_from": today, "date_to": today + datetime.timedelta(days=DEFAULT_RANGE_DAYS)}
    # Without filters in the URL the page shows the next four weeks; the page links carry those
    # dates, so page 2 lists the same range as page 1.
    query = request.GET.copy()
    query.pop("page", None)
    if not query:
        query.update({key: value.isoformat() for key, value in default_range.items()})
    form = FillRateFilterForm(query, roles=roles)
    filters = selectors.FillRateFilters(**default_range)
    if form.is_valid():
        filters = selectors.FillRateFilters(
            role=form.cleaned_data["role"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            open_only=form.cleaned_data["open_only"],
        )
    page = Paginator(
        selectors.coordinator_fill_rate(user=request.user, filters=filters), SHIFTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/coordinate/dashboard.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "has_roles": roles.exists(),
            "pending_count": selectors.coordinator_applications_pending(user=request.user).count(),
        },
    )


# --- shifts and series -----------------------------------------------------------------------


@coordinator_required
def shift_new(request):
    roles = selectors.coordinator_roles(user=request.user)
    form = ShiftCreateForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.instants()
        data = form.cleaned_data
        try:
            shift = services.shift_create(
                role=data["role"],
                created_by=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=data["capacity"],
                title=data["title"],
                description=data["description"],
                neighbourhood=data["neighbourhood"],
                address=data["address"],
                cancellation_cutoff_hours=data["cancellation_cutoff_hours"],
            )
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Shift created."))
            return redirect(_roster_url(shift.pk))
    return render(request, "volunteers/coordinate/shift_form.html", {"form": form, "heading": _("New shift")})


@coordinator_required
def series_new(request):
    roles = selectors.coordinator_roles(user=request.user)
    form = SeriesCreateForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series, shifts = services.shift_series_create(
                role=data["role"],
                created_by=request.user,
                start_date=data["start_date"],
                until_date=data["until_date"],
                start_time=data["start_time"],
                duration_minutes=form.duration_minutes,
                frequency=data["frequency"],
                weekdays=data["weekdays"],
                capacity=data["capacity"],
                title=data["title"],
                neighbourhood=data["neighbourhood"],
                address=data["address"],
                cancellation_cutoff_hours=data["cancellation_cutoff_hours"],
            )
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Series created with %(count)s shift.",
                    "Series created with %(count)s shifts.",
                    len(shifts),
                )
                % {"count": len(shifts)},
            )
            return redirect(
                reverse("volunteers:coordinate:dashboard")
                + f"?role={series.role_id}&date_from={series.start_date}&date_to={series.until_date}"
            )
    return render(request, "volunteers/coordinate/series_form.html", {"form": form})


@coordinator_required
def shift_edit(request, shift_id: int):
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    initial = {
        "scope": ShiftEditForm.SCOPE_THIS,
        "title": shift.title,
        "description": shift.description,
        "date": starts.date(),
        "start_time": starts.time().replace(second=0, microsecond=0),
        "end_time": ends.time().replace(second=0, microsecond=0),
        "capacity": shift.capacity,
        "neighbourhood": shift.neighbourhood,
        "address": shift.address,
        "cancellation_cutoff_hours": shift.cancellation_cutoff_hours,
    }
    form = ShiftEditForm(request.POST or None, initial=initial, in_series=shift.series_id is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.scope_value == ShiftEditForm.SCOPE_FUTURE:
                changed = services.shift_series_update_future(
                    shift=shift,
                    by=request.user,
                    start_time=data["start_time"],
                    duration_minutes=form.duration_minutes,
                    capacity=data["capacity"],
                    title=data["title"],
                    neighbourhood=data["neighbourhood"],
                    address=data["address"],
                    cancellation_cutoff_hours=data["cancellation_cutoff_hours"],
                )
                messages.success(
                    request,
                    ngettext(
                        "Updated %(count)s shift of the series.",
                        "Updated %(count)s shifts of the series.",
                        len(changed),
                    )
                    % {"count": len(changed)},
                )
            else:
                starts_at, ends_at = form.instants()
                services.shift_update(
                    shift=shift,
                    by=request.user,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=data["capacity"],
                    title=data["title"],
                    description=data["description"],
                    neighbourhood=data["neighbourhood"],
                    address=data["address"],
                    cancellation_cutoff_hours=data["cancellation_cutoff_hours"],
                )
                messages.success(request, _("Shift updated."))
        except services.CapacityBelowBooked as error:
            form.add_error("capacity", error.message)
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            return redirect(_roster_url(shift.pk))
    return render(
        request,
        "volunteers/coordinate/shift_form.html",
        {"form": form, "shift": shift, "heading": _("Edit %(shift)s") % {"shift": shift.display_title}},
    )


@coordinator_required
@require_POST
def shift_capacity(request, shift_id: int):
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.shift_capacity_set(shift=shift, capacity=form.cleaned_data["capacity"], by=request.user)
        except CoordinationError as error:
            form.add_error("capacity", error.message)
        else:
            messages.success(
                request, _("Capacity is now %(capacity)s.") % {"capacity": form.cleaned_data["capacity"]}
            )
            return redirect(_roster_url(shift.pk))
    return _render_roster(request, shift, capacity_form=form, status=400)


@coordinator_required
def shift_cancel(request, shift_id: int):
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    form = CancelShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_cancel(shift=shift, by=request.user, reason=form.cleaned_data["reason"])
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Shift cancelled. Everyone booked on it is being told by email."))
            return redirect(_roster_url(shift.pk))
    return render(request, "volunteers/coordinate/shift_cancel.html", {"shift": shift, "form": form})


# --- roster, attendance, exports ---------------------------------------------------------------


def _roster_context(shift: Shift) -> dict:
    now = timezone.now()
    bookings = list(selectors.roster_bookings(shift=shift))
    # Who is on hold (not cleared for this shift, so not shown its address): only while it is ahead.
    holds = clearance.holds_for(bookings) if shift.ends_at > now else {}
    for booking in bookings:
        booking.hold = holds.get(booking.pk)
    return {
        "shift": shift,
        "bookings": bookings,
        "on_hold_count": len(holds),
        "waitlist": list(selectors.roster_waitlist(shift=shift)),
        "now": now,
    }


def _render_roster(request, shift: Shift, *, capacity_form=None, status: int = 200):
    context = _roster_context(shift)
    context["capacity_form"] = capacity_form or CapacityForm(initial={"capacity": shift.capacity})
    context["shift_messages"] = selectors.shift_messages_with_delivery(shift=shift)[:20]
    context.update(roster_check_in_context(shift))
    return render(request, "volunteers/coordinate/roster.html", context, status=status)


@coordinator_required
def roster(request, shift_id: int):
    return _render_roster(request, selectors.coordinator_shift_get(user=request.user, shift_id=shift_id))


@coordinator_required
def roster_print(request, shift_id: int):
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    return render(request, "volunteers/coordinate/roster_print.html", _roster_context(shift))


def _local(instant) -> str:
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M") if instant else ""


@coordinator_required
def roster_csv(request, shift_id: int):
    """The roster as CSV: names, contact and attendance. Emergency contacts stay on the roster page
    (files get forwarded and stored; the page does not)."""
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    starts = timezone.localtime(shift.starts_at)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{shift.pk}-{starts:%Y-%m-%d}.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [_("Name"), _("Email"), _("Phone"), _("Status"), _("Checked in"), _("Checked out"), _("Hours")]
    )
    for booking in selectors.roster_bookings(shift=shift):
        person = booking.volunteer
        profile = getattr(person, "volunteer_profile", None)
        writer.writerow(
            [
                person.get_full_name(),
                person.email,
                profile.phone if profile else "",
                booking.get_status_display(),
                _local(booking.checked_in_at),
                _local(booking.checked_out_at),
                f"{booking.hours:.2f}" if booking.minutes is not None else "",
            ]
        )
    return response


ATTENDANCE_ACTIONS = {
    "check_in": (services.booking_check_in, gettext_lazy("%(name)s checked in.")),
    "check_out": (services.booking_check_out, gettext_lazy("%(name)s checked out.")),
    "attended": (services.booking_mark_attended, gettext_lazy("%(name)s marked as attended.")),
    "no_show": (services.booking_mark_no_show, gettext_lazy("%(name)s marked as a no-show.")),
}


@coordinator_required
@require_POST
def booking_attendance(request, booking_id: int):
    booking = selectors.coordinator_booking_get(user=request.user, booking_id=booking_id)
    action = ATTENDANCE_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown attendance action."))
    else:
        service, done = action
        try:
            service(booking=booking, by=request.user)
        except CoordinationError as error:
            messages.error(
                request,
                _("%(name)s: %(error)s")
                % {"name": booking.volunteer.get_full_name(), "error": error.message},
            )
        else:
            messages.success(request, str(done) % {"name": booking.volunteer.get_full_name()})
    return redirect(_roster_url(booking.shift_id) + f"#booking-{booking.pk}")


@coordinator_required
def shift_message(request, shift_id: int):
    shift = selectors.coordinator_shift_get(user=request.user, shift_id=shift_id)
    recipients = shift.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED]).count()
    form = ShiftMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_message_send(
                shift=shift,
                sender=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except CoordinationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Message sent to %(count)s person, in their own email.",
                    "Message sent to %(count)s people, each in their own email.",
                    recipients,
                )
                % {"count": recipients},
            )
            return redirect(_roster_url(shift.pk))
    return render(
        request,
        "volunteers/coordinate/shift_message.html",
        {"shift": shift, "form": form, "recipients": recipients},
    )


# --- volunteers, approvals, verifications ------------------------------------------------------


def _coordinated_requirements(user):
    return (
        Requirement.objects.filter(roles__in=selectors.coordinator_roles(user=user))
        .distinct()
        .order_by("name")
    )


@coordinator_required
def volunteer_list(request):
    search = request.GET.get("q", "").strip()[:100]
    roles = selectors.coordinator_roles(user=request.user)
    page = Paginator(
        selectors.coordinator_volunteers(user=request.user, search=search), VOLUNTEERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/coordinate/volunteer_list.html",
        {
            "page": page,
            "search": search,
            "applications": list(selectors.coordinator_applications_pending(user=request.user)[:200]),
            "approve_form": ApproveByEmailForm(roles=roles.filter(requires_approval=True)),
        },
    )


@coordinator_required
@require_POST
def volunteer_approve_by_email(request):
    roles = selectors.coordinator_roles(user=request.user).filter(requires_approval=True)
    form = ApproveByEmailForm(request.POST, roles=roles)
    if not form.is_valid():
        messages.error(request, _("Please give an email address and one of your roles that needs approval."))
        return redirect("volunteers:coordinate:volunteers")
    role = form.cleaned_data["role"]
    volunteer = selectors.coordinator_volunteer_by_email(user=request.user, email=form.cleaned_data["email"])
    if volunteer is None:
        # One answer for "no such person" and "not connected to your roles": an address alone must
        # tell a coordinator nothing about who has an account.
        messages.error(
            request,
            _(
                "No volunteer connected to your roles has that email address. Volunteers appear here once "
                "they have completed onboarding and booked, joined a waitlist or applied for one of your "
                "roles. Ask them to apply on the shift page, or ask staff to approve them."
            ),
        )
        return redirect("volunteers:coordinate:volunteers")
    try:
        services.role_approval_grant(role=role, volunteer=volunteer, by=request.user)
    except CoordinationError as error:
        messages.error(request, error.message)
        return redirect("volunteers:coordinate:volunteers")
    messages.success(
        request,
        _("%(name)s is approved for %(role)s.") % {"name": volunteer.get_full_name(), "role": role.name},
    )
    return redirect("volunteers:coordinate:volunteer", volunteer_id=volunteer.pk)


@coordinator_required
@require_POST
def application_decide(request, application_id: int):
    application = selectors.coordinator_application_get(user=request.user, application_id=application_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.role_application_decide(application=application, approve=approve, by=request.user)
    except CoordinationError as error:
        messages.error(request, error.message)
    else:
        values = {"name": application.volunteer.get_full_name(), "role": application.role.name}
        if approve:
            messages.success(request, _("%(name)s's application for %(role)s approved.") % values)
        else:
            messages.success(request, _("%(name)s's application for %(role)s declined.") % values)
    if request.POST.get("back") == "volunteer":
        return redirect("volunteers:coordinate:volunteer", volunteer_id=application.volunteer_id)
    return redirect("volunteers:coordinate:volunteers")


@coordinator_required
def volunteer_detail(request, volunteer_id: int):
    volunteer = selectors.coordinator_volunteer_get(user=request.user, volunteer_id=volunteer_id)
    record = selectors.coordinator_volunteer_record(user=request.user, volunteer=volunteer)
    profile = getattr(volunteer, "volunteer_profile", None)
    return render(
        request,
        "volunteers/coordinate/volunteer_detail.html",
        {
            "record": record,
            "person": volunteer,
            "profile": profile,
            "skills": skill_labels(profile.skills if profile else []),
            "role_rows": [(role, record.approvals.get(role.pk)) for role in record.roles],
            "requirement_rows": [(r, record.verifications.get(r.pk, [])) for r in record.requirements],
            "verification_form": VerificationForm(
                requirements=_coordinated_requirements(request.user),
                initial={"verified_on": timezone.localdate()},
            ),
        },
    )


@coordinator_required
@require_POST
def volunteer_approval(request, volunteer_id: int):
    volunteer = selectors.coordinator_volunteer_get(user=request.user, volunteer_id=volunteer_id)
    form = ApprovalForm(request.POST, roles=selectors.coordinator_roles(user=request.user))
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            if request.POST.get("decision") == "revoke":
                services.role_approval_revoke(role=role, volunteer=volunteer, by=request.user)
                messages.success(request, _("Approval for %(role)s withdrawn.") % {"role": role.name})
            else:
                services.role_approval_grant(role=role, volunteer=volunteer, by=request.user)
                messages.success(request, _("Approved for %(role)s.") % {"role": role.name})
        except CoordinationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose one of your roles."))
    return redirect("volunteers:coordinate:volunteer", volunteer_id=volunteer.pk)


@coordinator_required
@require_POST
def volunteer_verification(request, volunteer_id: int):
    volunteer = selectors.coordinator_volunteer_get(user=request.user, volunteer_id=volunteer_id)
    form = VerificationForm(request.POST, requirements=_coordinated_requirements(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            verification = services.requirement_verification_record(
                volunteer=volunteer,
                requirement=data["requirement"],
                verified_on=data["verified_on"],
                expires_on=data["expires_on"],
                by=request.user,
            )
        except CoordinationError as error:
            messages.error(request, error.message)
        else:
            name = verification.requirement.name
            if verification.expires_on:
                until = dateformat.format(verification.expires_on, local_format("HAVEN_DATE"))
                messages.success(
                    request,
                    _("%(requirement)s recorded as verified, valid until %(day)s.")
                    % {"requirement": name, "day": until},
                )
            else:
                messages.success(request, _("%(requirement)s recorded as verified.") % {"requirement": name})
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("The verification was not recorded: %(errors)s") % {"errors": errors})
    return redirect("volunteers:coordinate:volunteer", volunteer_id=volunteer.pk)
