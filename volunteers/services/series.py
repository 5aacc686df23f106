"""Recurring shifts: a series and its occurrences, created together and edited "this and every
later shift" at once. Times are wall-clock in the series' zone on each shift's own date."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from accounts.models import User
from core.i18n import local_format

from ..models import Booking, Role, Shift, ShiftSeries
from .capacity import capacity_check
from .errors import CoordinationError
from .holds import booking_holds_sync
from .reminders import reminders_reschedule_for_shift
from .shift_messages import shift_moved_notice
from .waitlist import waitlist_fit_capacity

# A series longer than this is almost certainly a typo in the end date.
SERIES_MAX_SHIFTS = 400


@transaction.atomic
def shift_series_create(
    *,
    role: Role,
    created_by: User,
    start_date: datetime.date,
    until_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    frequency: str,
    weekdays: list[int],
    capacity: int,
    title: str = "",
    neighbourhood: str = "",
    address: str = "",
    cancellation_cutoff_hours: int = 24,
    time_zone: str | None = None,
) -> tuple[ShiftSeries, list[Shift]]:
    """A recurring series (daily, or weekly on `weekdays`, 0 = Monday) from `start_date` to
    `until_date` inclusive, and its shifts. Each occurrence is the wall-clock `start_time` in the
    organisation's zone on its own date, converted to UTC: a 09:00 series stays at 09:00 local across
    daylight-saving changes (its UTC instant moves by an hour)."""
    weekdays = sorted({int(day) for day in weekdays})
    if frequency == ShiftSeries.Frequency.WEEKLY and not weekdays:
        raise CoordinationError(gettext("Choose at least one weekday for a weekly series."))
    if any(day < 0 or day > 6 for day in weekdays):
        raise CoordinationError(gettext("Weekdays are 0 (Monday) to 6 (Sunday)."))
    series = ShiftSeries(
        role=role,
        title=title,
        start_date=start_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        time_zone=time_zone or settings.TIME_ZONE,
        frequency=frequency,
        weekdays=weekdays if frequency == ShiftSeries.Frequency.WEEKLY else [],
        until_date=until_date,
        capacity=capacity,
        neighbourhood=neighbourhood,
        address=address,
        cancellation_cutoff_hours=cancellation_cutoff_hours,
        created_by=created_by,
    )
    series.full_clean()
    now = timezone.now()
    occurrences = [(day, *series.occurrence_instants(day)) for day in series.occurrence_dates()]
    occurrences = [o for o in occurrences if o[1] > now]
    if not occurrences:
        raise CoordinationError(gettext("These dates and weekdays produce no shift in the future."))
    if len(occurrences) > SERIES_MAX_SHIFTS:
        raise CoordinationError(
            gettext(
                "This series would create %(count)s shifts; the most at once is %(most)s. "
                "Please choose an earlier end date."
            )
            % {"count": len(occurrences), "most": SERIES_MAX_SHIFTS}
        )
    series.save()
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                role=role,
                series=series,
                occurrence_date=day,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                neighbourhood=neighbourhood,
                address=address,
                cancellation_cutoff_hours=cancellation_cutoff_hours,
            )
            for day, starts_at, ends_at in occurrences
        ]
    )
    return series, shifts


@transaction.atomic
def shift_series_update_future(
    *,
    shift: Shift,
    by: User,
    start_time: datetime.time,
    duration_minutes: int,
    capacity: int,
    title: str,
    neighbourhood: str,
    address: str,
    cancellation_cutoff_hours: int,
) -> list[Shift]:
    """Edit this shift and every later, not yet started, not cancelled shift of its series (shifts
    edited on their own are left alone), and the series itself. Times are wall-clock in the series'
    zone on each shift's own date. All or nothing: if any shift has more bookings than the new
    capacity, nothing changes."""
    if shift.series_id is None:
        raise CoordinationError(gettext("This shift is not part of a series."))
    series = ShiftSeries.objects.select_for_update().get(pk=shift.series_id)
    now = timezone.now()
    # The series row, then its shifts in primary-key order (locks.py), so two overlapping edits of
    # one series queue up instead of deadlocking.
    targets = list(
        Shift.objects.select_for_update(of=("self",))
        .select_related("role")
        .filter(
            series=series, occurrence_date__gte=shift.occurrence_date, is_cancelled=False, starts_at__gt=now
        )
        .filter(Q(is_series_exception=False) | Q(pk=shift.pk))
        .order_by("pk")
    )
    booked = dict(
        Booking.objects.filter(shift__in=targets, status__in=Booking.ACTIVE_STATUSES)
        .values_list("shift")
        .annotate(n=Count("pk"))
        .values_list("shift", "n")
    )
    for target in sorted(targets, key=lambda s: s.starts_at):
        capacity_check(shift=target, capacity=capacity, booked=booked.get(target.pk, 0))
    series.start_time = start_time
    series.duration_minutes = duration_minutes
    series.capacity = capacity
    series.title = title
    series.neighbourhood = neighbourhood
    series.address = address
    series.cancellation_cutoff_hours = cancellation_cutoff_hours
    series.full_clean()
    moved_shifts = []
    for target in targets:
        starts_at, ends_at = series.occurrence_instants(target.occurrence_date)
        if (starts_at, ends_at) != (target.starts_at, target.ends_at):
            if starts_at <= now:
                raise CoordinationError(
                    gettext("The shift on %(day)s would start in the past.")
                    % {"day": dateformat.format(target.occurrence_date, local_format("HAVEN_LONG_MONTH_DAY"))}
                )
            moved_shifts.append(target)
        target.starts_at = starts_at
        target.ends_at = ends_at
        target.capacity = capacity
        target.title = title
        target.neighbourhood = neighbourhood
        target.address = address
        target.cancellation_cutoff_hours = cancellation_cutoff_hours
        target.is_series_exception = False
    series.save()
    Shift.objects.bulk_update(
        targets,
        [
            "starts_at",
            "ends_at",
            "capacity",
            "title",
            "neighbourhood",
            "address",
            "cancellation_cutoff_hours",
            "is_series_exception",
            "updated_at",
        ],
    )
    for target in moved_shifts:
        reminders_reschedule_for_shift(shift=target)
        shift_moved_notice(shift=target, sender=by)
        booking_holds_sync(shift=target)
    for target in targets:
        waitlist_fit_capacity(shift=target)
    return targets
