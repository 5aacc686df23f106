"""Reads for volunteer pages, feeds and the coordinator side. Counts are annotated in one query so a
page makes the same number of queries for ten shifts or a thousand."""

import datetime
import functools
import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from messaging.models import Message

from . import booking_rules
from .models import Booking, HoursReport, Kiosk, Requirement, Role, Shift, ShiftMessage, WaitlistEntry

ACTIVE = list(Booking.ACTIVE_STATUSES)


def correlated_count(queryset, *, on: str, outer: str = "pk") -> Coalesce:
    """How many rows of `queryset` point at the outer row's `outer` field through field `on`, as a
    correlated subquery. Used instead of Count() over joins: two joined relations would multiply rows,
    and a page stays one query however many rows it lists."""
    return Coalesce(
        Subquery(
            queryset.filter(**{on: OuterRef(outer)})
            .order_by()
            .values(on)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _count_for_shift(queryset) -> Coalesce:
    return correlated_count(queryset, on="shift")


def _places_for_shift(queryset) -> Coalesce:
    """Places taken by these bookings of the outer shift (a group booking takes several)."""
    return Coalesce(
        Subquery(
            queryset.filter(shift=OuterRef("pk"))
            .order_by()
            .values("shift")
            .annotate(n=Sum("places"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


@functools.cache
def _shift_count_expressions() -> tuple[Coalesce, Coalesce, Greatest]:
    """Built once: each annotate() resolves a copy, and building the two subqueries was about a
    millisecond of every shift list."""
    return (
        _places_for_shift(Booking.objects.filter(status__in=ACTIVE)),
        _count_for_shift(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED)),
        Greatest(F("capacity") - F("booked_count") - F("held_count"), Value(0), output_field=IntegerField()),
    )


def shifts_with_counts(queryset: QuerySet[Shift] | None = None) -> QuerySet[Shift]:
    """Shifts annotated with `booked_count`, `held_count` (open waitlist offers) and `places_left`."""
    queryset = Shift.objects.all() if queryset is None else queryset
    booked, held, places_left = _shift_count_expressions()
    return queryset.annotate(booked_count=booked, held_count=held).annotate(places_left=places_left)


@dataclass
class ShiftFilters:
    role: Role | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    has_free_places: bool = False


# What the shift list page reads of each shift (volunteers.views._shift_rows and the booking checks).
SHIFT_LIST_FIELDS = (
    "id",
    "role",
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "neighbourhood",
    "is_cancelled",
)


def shift_list_open(
    *, filters: ShiftFilters, user: User | None = None, for_list_page: bool = False
) -> QuerySet[Shift]:
    """Upcoming, not cancelled shifts of active roles, earliest first, with counts, the role and its
    requirements prefetched, and `is_booked_by_me` / `is_waiting_by_me` for a signed-in user.
    `for_list_page=True` reads only SHIFT_LIST_FIELDS and leaves the role out (no join, no prefetch):
    `shifts_with_roles` then sets it from the active roles the page reads anyway."""
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
    queryset = queryset.order_by("starts_at", "id")
    if for_list_page:
        return queryset.only(*SHIFT_LIST_FIELDS)
    return queryset.select_related("role").prefetch_related(
        Prefetch("role__requirements", queryset=Requirement.objects.order_by("name"))
    )


def roles_active() -> list[Role]:
    """The active roles by name, each with its requirements (by name) prefetched."""
    return list(Role.objects.filter(is_active=True).prefetch_related("requirements"))


def shifts_with_roles(shifts, roles: list[Role]) -> list[Shift]:
    """The shifts, each with its role (and the role's requirements) taken from `roles` instead of a
    join and a prefetch: the page's 50 shifts share a few roles, and building one Role and one
    requirements manager per shift was a third of the list's Python. A role not among `roles` (made
    inactive since they were read) is read in one more query, requirements prefetched."""
    shifts = list(shifts)
    by_id = {role.pk: role for role in roles}
    missing = {shift.role_id for shift in shifts} - by_id.keys()
    if missing:
        by_id.update(
            (role.pk, role) for role in Role.objects.filter(pk__in=missing).prefetch_related("requirements")
        )
    cache_role = Shift.role.field.set_cached_value
    for shift in shifts:
        cache_role(shift, by_id[shift.role_id])
    return shifts


def shift_block_reasons(
    shifts, standing: booking_rules.VolunteerStanding, now: datetime.datetime
) -> dict[int, str]:
    """Why this person may not book each shift, by shift id ("" where they may), in no query: the
    standing is loaded once and the roles carry their requirements. The checks of the person depend
    only on the role and the local day, so each role and day is cleared once; whether the shift is
    still open is checked for each. Capacity and the person's other bookings are not checked here
    (the same as `booking_rules.check_volunteer_may_take`)."""
    if standing.profile is None:
        return dict.fromkeys((shift.pk for shift in shifts), "")
    cleared: dict[tuple[int, datetime.date], str] = {}
    reasons = {}
    for shift in shifts:
        try:
            booking_rules.check_shift_open(shift, now)
        except booking_rules.BookingError as error:
            reasons[shift.pk] = str(error.message)
            continue
        key = (shift.role_id, booking_rules.local_date(shift.starts_at))
        if key not in cleared:
            try:
                booking_rules.check_cleared_for(standing, shift)
            except booking_rules.BookingError as error:
                cleared[key] = str(error.message)
            else:
                cleared[key] = ""
        reasons[shift.pk] = cleared[key]
    return reasons


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


def shift_get_to_book(*, shift_id: int) -> Shift:
    """A shift a volunteer asks to book or queue for (any shift not of an inactive role), with its
    role: the service locks it and counts its places itself, so this query counts none."""
    shift = Shift.objects.filter(pk=shift_id, role__is_active=True).select_related("role").first()
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


# --- coordination
# Reads for the coordinator pages (volunteers/coordination_views.py). A coordinator sees the shifts of
# the roles they are assigned to (`Role.coordinators`) and the volunteers of those shifts; staff see
# every role. Anything else answers 404.

from django.db.models import Case, ExpressionWrapper, When  # noqa: E402

from .models import RequirementVerification, RoleApplication, RoleApproval  # noqa: E402


def coordinator_roles(*, user: User) -> QuerySet[Role]:
    """The roles this person coordinates: all of them for staff (and superusers), else their own."""
    if user.has_role("staff"):
        return Role.objects.all()
    return Role.objects.filter(coordinators=user)


def coordinator_role_get(*, user: User, role_id: int) -> Role:
    role = coordinator_roles(user=user).filter(pk=role_id).first()
    if role is None:
        raise Http404("No such role")
    return role


def coordinator_shifts_with_fill(queryset: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts annotated with `booked_count` (active bookings), `held_count` (open waitlist offers),
    `waiting_count`, `open_places` and `fill_permille` (booked per thousand places; a shift with no
    places counts as full)."""
    queryset = queryset.annotate(
        booked_count=_places_for_shift(Booking.objects.filter(status__in=ACTIVE)),
        held_count=_count_for_shift(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED)),
        waiting_count=_count_for_shift(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING)),
    )
    return queryset.annotate(
        open_places=Greatest(
            F("capacity") - F("booked_count") - F("held_count"), Value(0), output_field=IntegerField()
        ),
        fill_permille=Case(
            When(capacity=0, then=Value(1000)),
            default=ExpressionWrapper(F("booked_count") * 1000 / F("capacity"), output_field=IntegerField()),
            output_field=IntegerField(),
        ),
    )


@dataclass
class FillRateFilters:
    role: Role | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    open_only: bool = False


def coordinator_fill_rate(*, user: User, filters: FillRateFilters) -> QuerySet[Shift]:
    """Upcoming (not yet ended), not cancelled shifts of the coordinator's roles with their fill,
    the emptiest first, then by start. One query for the whole list."""
    queryset = Shift.objects.filter(
        role__in=coordinator_roles(user=user), is_cancelled=False, ends_at__gt=timezone.now()
    )
    if filters.role is not None:
        queryset = queryset.filter(role=filters.role)
    if filters.date_from is not None:
        queryset = queryset.filter(starts_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        until = _local_midnight(filters.date_to + datetime.timedelta(days=1))
        queryset = queryset.filter(starts_at__lt=until)
    queryset = coordinator_shifts_with_fill(queryset)
    if filters.open_only:
        queryset = queryset.filter(open_places__gt=0)
    return queryset.select_related("role").order_by("fill_permille", "starts_at", "id")


def coordinator_shift_get(*, user: User, shift_id: int) -> Shift:
    """A shift of one of the coordinator's roles, with its fill counts, or 404."""
    shift = (
        coordinator_shifts_with_fill(Shift.objects.filter(pk=shift_id, role__in=coordinator_roles(user=user)))
        .select_related("role", "series")
        .first()
    )
    if shift is None:
        raise Http404("No such shift")
    return shift


def coordinator_booking_get(*, user: User, booking_id: int) -> Booking:
    booking = (
        Booking.objects.filter(pk=booking_id, shift__role__in=coordinator_roles(user=user))
        .select_related("shift__role", "volunteer")
        .first()
    )
    if booking is None:
        raise Http404("No such booking")
    return booking


def roster_bookings(*, shift: Shift) -> QuerySet[Booking]:
    """Everyone with an active booking on the shift (booked, attended or no-show), by name, with the
    profile loaded for contact details."""
    return (
        Booking.objects.filter(shift=shift, status__in=ACTIVE)
        .select_related("volunteer__volunteer_profile")
        .prefetch_related("group_members")
        .order_by("volunteer__name", "volunteer__email", "id")
    )


def roster_waitlist(*, shift: Shift) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(shift=shift, status__in=WaitlistEntry.OPEN_STATUSES)
        .select_related("volunteer")
        .order_by("created_at", "id")
    )


def coordinator_volunteers(*, user: User, search: str = "") -> QuerySet[User]:
    """Volunteers the coordinator may see: people with a booking or a waitlist entry on a shift of
    their roles, an approval for one of their roles, or an application to one (annotated
    `pending_count`, pending applications to the coordinator's roles)."""
    roles = coordinator_roles(user=user)
    queryset = User.objects.filter(
        Exists(Booking.objects.filter(volunteer=OuterRef("pk"), shift__role__in=roles))
        | Exists(WaitlistEntry.objects.filter(volunteer=OuterRef("pk"), shift__role__in=roles))
        | Exists(RoleApproval.objects.filter(volunteer=OuterRef("pk"), role__in=roles))
        | Exists(RoleApplication.objects.filter(volunteer=OuterRef("pk"), role__in=roles))
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(email__icontains=search))
    return queryset.annotate(
        attended_count=correlated_count(
            Booking.objects.filter(shift__role__in=roles, status=Booking.Status.ATTENDED),
            on="volunteer",
        ),
        pending_count=correlated_count(
            RoleApplication.objects.filter(role__in=roles, status=RoleApplication.Status.PENDING),
            on="volunteer",
        ),
        upcoming_count=correlated_count(
            Booking.objects.filter(
                shift__role__in=roles,
                status=Booking.Status.BOOKED,
                shift__starts_at__gt=timezone.now(),
            ),
            on="volunteer",
        ),
    ).order_by("-pending_count", "name", "email")


def coordinator_applications_pending(*, user: User) -> QuerySet[RoleApplication]:
    """Pending applications to the coordinator's roles, oldest first."""
    return (
        RoleApplication.objects.filter(
            role__in=coordinator_roles(user=user), status=RoleApplication.Status.PENDING
        )
        .select_related("volunteer", "role")
        .order_by("created_at", "id")
    )


def coordinator_application_get(*, user: User, application_id: int) -> RoleApplication:
    application = (
        RoleApplication.objects.filter(pk=application_id, role__in=coordinator_roles(user=user))
        .select_related("volunteer", "role")
        .first()
    )
    if application is None:
        raise Http404("No such application")
    return application


def coordinator_volunteer_get(*, user: User, volunteer_id: int) -> User:
    volunteer = coordinator_volunteers(user=user).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise Http404("No such volunteer")
    return volunteer


def onboarded_volunteer_by_email(*, email: str) -> User | None:
    """An onboarded volunteer with exactly this email address, whoever they are: only for staff."""
    return User.objects.filter(
        email__iexact=email.strip(), is_active=True, volunteer_profile__onboarded_at__isnull=False
    ).first()


def coordinator_volunteer_by_email(*, user: User, email: str) -> User | None:
    """The onboarded volunteer with exactly this email address whom `user` may approve: for staff,
    anyone; for a coordinator, only someone already connected to one of their roles (booked, waiting,
    applied or approved, as `coordinator_volunteers`). An address alone never pulls a stranger into a
    coordinator's view."""
    if user.has_role("staff"):
        return onboarded_volunteer_by_email(email=email)
    return (
        coordinator_volunteers(user=user)
        .filter(email__iexact=email.strip(), is_active=True, volunteer_profile__onboarded_at__isnull=False)
        .first()
    )


def walk_in_candidate(*, user: User, shift: Shift, email: str) -> User | None:
    """The volunteer with this email address whom `user` may add to `shift` as a walk-in: only for
    staff or a coordinator of the shift's role, and only someone onboarded and cleared for that role
    on the shift's day (agreement, approval, requirements), as approval is scoped. Anyone else is
    None, with no reason: an address alone tells a coordinator nothing about a person's record."""
    if not (user.has_role("staff") or shift.role.coordinators.filter(pk=user.pk).exists()):
        return None
    volunteer = onboarded_volunteer_by_email(email=email)
    if volunteer is None:
        return None
    try:
        booking_rules.check_cleared_for(booking_rules.VolunteerStanding.load(volunteer), shift)
    except booking_rules.BookingError:
        return None
    return volunteer


def coordinator_reaches(*, user: User, volunteer: User) -> bool:
    """Whether `user` may act on `volunteer` at all: staff always, a coordinator only for volunteers
    connected to one of their roles."""
    return user.has_role("staff") or coordinator_volunteers(user=user).filter(pk=volunteer.pk).exists()


@dataclass
class VolunteerRecord:
    """What a coordinator sees about one volunteer, limited to the coordinator's roles."""

    volunteer: User
    roles: list[Role]
    approvals: dict[int, RoleApproval]
    applications: list[RoleApplication]
    requirements: list[Requirement]
    # requirement id -> verifications, newest first
    verifications: dict[int, list[RequirementVerification]]
    bookings: list[Booking]


def coordinator_volunteer_record(*, user: User, volunteer: User) -> VolunteerRecord:
    roles = list(coordinator_roles(user=user).prefetch_related("requirements").order_by("name"))
    role_ids = [role.pk for role in roles]
    requirements = sorted(
        {requirement for role in roles for requirement in role.requirements.all()}, key=lambda r: r.name
    )
    verifications: dict[int, list[RequirementVerification]] = {}
    for verification in RequirementVerification.objects.filter(
        volunteer=volunteer, requirement__in=[r.pk for r in requirements]
    ).select_related("verified_by", "requirement"):
        verifications.setdefault(verification.requirement_id, []).append(verification)
    return VolunteerRecord(
        volunteer=volunteer,
        roles=roles,
        approvals={
            a.role_id: a
            for a in RoleApproval.objects.filter(volunteer=volunteer, role_id__in=role_ids).select_related(
                "approved_by"
            )
        },
        applications=list(
            RoleApplication.objects.filter(
                volunteer=volunteer, role_id__in=role_ids, status=RoleApplication.Status.PENDING
            ).select_related("role")
        ),
        requirements=requirements,
        verifications=verifications,
        bookings=list(
            Booking.objects.filter(volunteer=volunteer, shift__role_id__in=role_ids)
            .select_related("shift__role")
            .order_by("-shift__starts_at")[:50]
        ),
    )


def coordinator_digest_shifts(*, coordinator: User, now: datetime.datetime, days: int = 7) -> list[Shift]:
    """The coordinator's shifts in the next `days` days that still have open places (booked plus
    held offers below capacity), the emptiest first. Only roles they are assigned to: staff without
    assigned roles get no digest."""
    queryset = Shift.objects.filter(
        role__coordinators=coordinator,
        role__is_active=True,
        is_cancelled=False,
        starts_at__gt=now,
        starts_at__lt=now + datetime.timedelta(days=days),
    )
    return list(
        coordinator_shifts_with_fill(queryset)
        .filter(open_places__gt=0)
        .select_related("role")
        .order_by("fill_permille", "starts_at", "id")
    )


def shift_messages_with_delivery(*, shift: Shift) -> QuerySet[ShiftMessage]:
    """A shift's messages, newest first, each with how many people it went to (`recipients`) and how
    many of those emails have gone out (`delivered`), counted from the outbox in the same query."""
    copies = Message.objects.filter(
        kind=ShiftMessage.MESSAGE_KIND,
        about_type=ContentType.objects.get_for_model(ShiftMessage),
        about_id=OuterRef("pk"),
    )

    def counted(rows):
        return Coalesce(
            Subquery(rows.order_by().values("about_id").annotate(n=Count("pk")).values("n")[:1]), 0
        )

    return (
        shift.messages.annotate(
            recipients=counted(copies), delivered=counted(copies.filter(status=Message.Status.SENT))
        )
        .select_related("sender")
        .order_by("-created_at")
    )


# --- check-in at the door ----------------------------------------------------------------------


@dataclass(frozen=True)
class KioskPerson:
    """What the kiosk shows of one booked person: a first name and an initial, and whether they are in."""

    booking_id: int
    label: str
    checked_in: bool


def kiosk_label(person: User) -> str:
    """ "Maria G." from "Maria Gonzalez" (the preferred name first when there is one); never the email."""
    words = person.name.split()
    first = person.preferred_name.strip() or (words[0] if words else "")
    if not first:
        return _("Volunteer")
    initial = words[-1][0].upper() + "." if len(words) > 1 else ""
    return f"{first} {initial}".strip()


def kiosk_for_token(*, token: str, now: datetime.datetime) -> Kiosk | None:
    """The open kiosk with this token (its shift loaded), or None."""
    if not token:
        return None
    token_hash = hashlib.sha256(token.encode()).hexdigest()  # as volunteers.services.checkin stores it
    kiosk = Kiosk.objects.select_related("shift__role").filter(token_hash=token_hash).first()
    if kiosk is None or not kiosk.is_open(now):
        return None
    return kiosk


def kiosk_people(*, shift: Shift) -> list[KioskPerson]:
    """The people booked on the shift, as the kiosk may show them (one query)."""
    bookings = (
        Booking.objects.filter(shift=shift, status__in=[Booking.Status.BOOKED, Booking.Status.ATTENDED])
        .select_related("volunteer")
        .only("pk", "checked_in_at", "volunteer__name", "volunteer__preferred_name")
    )
    people = [
        KioskPerson(booking_id=b.pk, label=kiosk_label(b.volunteer), checked_in=b.checked_in_at is not None)
        for b in bookings
    ]
    return sorted(people, key=lambda p: (p.label.casefold(), p.booking_id))


def shift_open_kiosks(*, shift: Shift, now: datetime.datetime) -> QuerySet[Kiosk]:
    return Kiosk.objects.filter(shift=shift, closed_at__isnull=True, expires_at__gt=now).select_related(
        "opened_by"
    )


# --- hours: off-roster reports, the staff report, the service letter ---------------------------


def volunteer_hours_reports(*, volunteer: User) -> QuerySet[HoursReport]:
    return (
        HoursReport.objects.filter(volunteer=volunteer).select_related("role").order_by("-date", "-id")[:200]
    )


def coordinator_hours_pending(*, user: User) -> QuerySet[HoursReport]:
    """Reports waiting for a decision, of the roles `user` coordinates (staff: all), oldest first."""
    return (
        HoursReport.objects.filter(status=HoursReport.Status.PENDING, role__in=coordinator_roles(user=user))
        .exclude(volunteer=user)
        .select_related("role", "volunteer")
        .order_by("date", "id")
    )


def coordinator_hours_report_get(*, user: User, report_id: int) -> HoursReport:
    report = HoursReport.objects.filter(pk=report_id, role__in=coordinator_roles(user=user)).first()
    if report is None:
        raise Http404("No such report")
    return report


@dataclass(frozen=True)
class HoursRow:
    """Hours of one volunteer in one role in one month (local): on the roster and reported."""

    volunteer_id: int
    volunteer_name: str
    volunteer_email: str
    role_name: str
    month: datetime.date
    shifts: int
    roster_minutes: int
    reported_minutes: int

    @property
    def total_minutes(self) -> int:
        return self.roster_minutes + self.reported_minutes

    @property
    def roster_hours(self) -> float:
        return round(self.roster_minutes / 60, 2)

    @property
    def reported_hours(self) -> float:
        return round(self.reported_minutes / 60, 2)

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 2)


def hours_by_volunteer_role_month(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    role: Role | None = None,
    volunteer: User | None = None,
) -> list[HoursRow]:
    """Attended roster time (by the shift's local start) and approved reports (by their date), per
    volunteer, role and month, from `date_from` to `date_to` inclusive. Two grouped queries."""
    zone = timezone.get_current_timezone()
    attended = Booking.objects.filter(
        status=Booking.Status.ATTENDED,
        shift__starts_at__gte=_local_midnight(date_from),
        shift__starts_at__lt=_local_midnight(date_to + datetime.timedelta(days=1)),
    )
    reports = HoursReport.objects.filter(
        status=HoursReport.Status.APPROVED, date__gte=date_from, date__lte=date_to
    )
    if role is not None:
        attended = attended.filter(shift__role=role)
        reports = reports.filter(role=role)
    if volunteer is not None:
        attended = attended.filter(volunteer=volunteer)
        reports = reports.filter(volunteer=volunteer)
    rows: dict[tuple, dict] = {}

    def row(values, month):
        key = (values["volunteer_id"], values["role_name"], month)
        return rows.setdefault(
            key,
            {
                "volunteer_id": values["volunteer_id"],
                "volunteer_name": values["volunteer__name"],
                "volunteer_email": values["volunteer__email"],
                "role_name": values["role_name"],
                "month": month,
                "shifts": 0,
                "roster_minutes": 0,
                "reported_minutes": 0,
            },
        )

    for values in (
        attended.annotate(month=TruncMonth("shift__starts_at", tzinfo=zone), role_name=F("shift__role__name"))
        .values("volunteer_id", "volunteer__name", "volunteer__email", "role_name", "month")
        .annotate(minutes=Coalesce(Sum("minutes"), 0), shifts=Count("id"))
    ):
        month = values["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        entry = row(values, month.replace(day=1))
        entry["shifts"] += values["shifts"]
        entry["roster_minutes"] += values["minutes"]
    for values in (
        reports.annotate(month=TruncMonth("date"), role_name=F("role__name"))
        .values("volunteer_id", "volunteer__name", "volunteer__email", "role_name", "month")
        .annotate(minutes=Coalesce(Sum("minutes"), 0))
    ):
        month = values["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        row(values, month.replace(day=1))["reported_minutes"] += values["minutes"]
    result = [HoursRow(**values) for values in rows.values()]
    return sorted(result, key=lambda r: (r.month, r.volunteer_name.casefold(), r.volunteer_id, r.role_name))
