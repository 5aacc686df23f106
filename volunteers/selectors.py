"""Reads for volunteer pages, feeds and the coordinator side. Counts are annotated in one query so a
page makes the same number of queries for ten shifts or a thousand."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from .models import Booking, Requirement, Role, Shift, WaitlistEntry

ACTIVE = list(Booking.ACTIVE_STATUSES)


def shifts_with_counts(queryset: QuerySet[Shift] | None = None) -> QuerySet[Shift]:
    """Shifts annotated with `booked_count`, `held_count` (open waitlist offers) and `places_left`."""
    queryset = Shift.objects.all() if queryset is None else queryset
    return queryset.annotate(
        booked_count=Count("bookings", filter=Q(bookings__status__in=ACTIVE), distinct=True),
        held_count=Count(
            "waitlist_entries", filter=Q(waitlist_entries__status=WaitlistEntry.Status.OFFERED), distinct=True
        ),
    ).annotate(
        places_left=Greatest(
            F("capacity") - F("booked_count") - F("held_count"), Value(0), output_field=IntegerField()
        )
    )


@dataclass
class ShiftFilters:
    role: Role | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    has_free_places: bool = False


def shift_list_open(*, filters: ShiftFilters, user: User | None = None) -> QuerySet[Shift]:
    """Upcoming, not cancelled shifts of active roles, earliest first, with counts, the role and its
    requirements prefetched, and `is_booked_by_me` / `is_waiting_by_me` for a signed-in user."""
    now = timezone.now()
    queryset = Shift.objects.filter(is_cancelled=False, starts_at__gt=now, role__is_active=True)
    if filters.role is not None:
        queryset = queryset.filter(role=filters.role)
    if filters.date_from is not None:
        queryset = queryset.filter(starts_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        queryset = queryset.filter(
            starts_at__lt=_local_midnight(filters.date_to + datetime.timedelta(days=1))
        )
    queryset = shifts_with_counts(queryset)
    if filters.has_free_places:
        queryset = queryset.filter(places_left__gt=0)
    if user is not None and user.is_authenticated:
        queryset = queryset.annotate(
            is_booked_by_me=Exists(
                Booking.objects.filter(shift=OuterRef("pk"), volunteer=user, status__in=ACTIVE)
            ),
            is_waiting_by_me=Exists(
                WaitlistEntry.objects.filter(
                    shift=OuterRef("pk"), volunteer=user, status__in=WaitlistEntry.OPEN_STATUSES
                )
            ),
        )
    return (
        queryset.select_related("role")
        .prefetch_related(Prefetch("role__requirements", queryset=Requirement.objects.order_by("name")))
        .order_by("starts_at", "id")
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def shift_get_visible(*, shift_id: int) -> Shift:
    """A shift for its public detail page (any shift not of an inactive role), with counts."""
    shift = (
        shifts_with_counts(Shift.objects.filter(pk=shift_id, role__is_active=True))
        .select_related("role")
        .first()
    )
    if shift is None:
        raise Http404("No such shift")
    return shift


def booking_active(*, shift: Shift, user: User | None) -> Booking | None:
    """The user's active booking on this shift; the address is shown only when this exists."""
    if user is None or not user.is_authenticated:
        return None
    return Booking.objects.filter(shift=shift, volunteer=user, status__in=ACTIVE).first()


def waitlist_entry_open(*, shift: Shift, user: User | None) -> WaitlistEntry | None:
    if user is None or not user.is_authenticated:
        return None
    return WaitlistEntry.objects.filter(
        shift=shift, volunteer=user, status__in=WaitlistEntry.OPEN_STATUSES
    ).first()


def waitlist_position(*, entry: WaitlistEntry) -> int:
    """1 for the first person waiting."""
    return (
        WaitlistEntry.objects.filter(shift_id=entry.shift_id, status=WaitlistEntry.Status.WAITING)
        .filter(Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, id__lt=entry.id))
        .count()
        + 1
    )


def volunteer_bookings(*, volunteer: User, upcoming: bool) -> QuerySet[Booking]:
    """The volunteer's own bookings, upcoming (active, not yet ended) or past (including cancelled)."""
    now = timezone.now()
    queryset = Booking.objects.filter(volunteer=volunteer).select_related("shift__role")
    if upcoming:
        return queryset.filter(status=Booking.Status.BOOKED, shift__ends_at__gt=now).order_by(
            "shift__starts_at"
        )
    return queryset.exclude(status=Booking.Status.BOOKED, shift__ends_at__gt=now).order_by(
        "-shift__starts_at"
    )[:100]


def volunteer_waitlist(*, volunteer: User) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(
            volunteer=volunteer, status__in=WaitlistEntry.OPEN_STATUSES, shift__starts_at__gt=timezone.now()
        )
        .select_related("shift__role")
        .order_by("shift__starts_at")
    )


@dataclass
class HoursSummary:
    total_minutes: int
    by_role: list[dict]
    by_year: list[dict]
    shifts: QuerySet[Booking]

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 2)


def volunteer_hours(*, volunteer: User) -> HoursSummary:
    """Hours worked: attended bookings, with the minutes a coordinator recorded."""
    attended = Booking.objects.filter(volunteer=volunteer, status=Booking.Status.ATTENDED)
    total = attended.aggregate(total=Coalesce(Sum("minutes"), 0))["total"]
    by_role = list(
        attended.values("shift__role__name")
        .annotate(minutes=Coalesce(Sum("minutes"), 0), shifts=Count("id"))
        .order_by("shift__role__name")
    )
    by_year = list(
        attended.values(year=F("shift__starts_at__year"))
        .annotate(minutes=Coalesce(Sum("minutes"), 0), shifts=Count("id"))
        .order_by("-year")
    )
    for row in by_role + by_year:
        row["hours"] = round(row["minutes"] / 60, 2)
    return HoursSummary(
        total_minutes=total,
        by_role=by_role,
        by_year=by_year,
        shifts=attended.select_related("shift__role").order_by("-shift__starts_at")[:200],
    )


def calendar_bookings(*, volunteer: User) -> QuerySet[Booking]:
    """What the private feed lists: the volunteer's active bookings from 90 days ago onwards."""
    since = timezone.now() - datetime.timedelta(days=90)
    return (
        Booking.objects.filter(volunteer=volunteer, status__in=ACTIVE, shift__ends_at__gte=since)
        .select_related("shift__role")
        .order_by("shift__starts_at")
    )
