"""Demo volunteering data: roles with requirements, an agreement, upcoming shifts (some full, one
weekly series), profiles, signatures, verifications and bookings for volunteer1..3@haven.example,
and coordinator@haven.example assigned to roles. Idempotent: a second run creates nothing new.
Runs after accounts.demo, which creates the people.

Something to try of each volunteering feature (`_seed_try_it`):
- check-in at the door: volunteer1 (Valentina) has the kiosk PIN 2468 and is booked, with
  volunteer2, on the "Community supper" event shift whose check-in window is open (it starts within
  the hour of the demo's first start; a run once it is over adds a new one). From its roster the
  coordinator opens the kiosk, or adds volunteer3 (Vera) as a walk-in; on a meal-prep shift she
  is not offered, as she lacks the orientation training;
- texts: volunteer1 agreed to texts (+1 201 555 0141); the demo's texts land in the caught mail;
- hours: volunteer1 reported two hotline callbacks, one approved by the coordinator, one waiting in
  the coordinator's hours page; her service letter covers them and her past shifts;
- a swap: volunteer3 offers her place on the large community event to volunteer1 (the offer email is
  in the caught mail; volunteer1 accepts it from there or from My shifts);
- a group: event help allows groups of up to 4; volunteer2 booked 3 places on the same event and
  named one member."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import demo as demo_registry

from . import services
from .booking_rules import BookingError
from .models import (
    Agreement,
    Booking,
    HoursCategory,
    HoursReport,
    Requirement,
    RequirementVerification,
    Role,
    RoleApproval,
    Shift,
    ShiftSeries,
    SmsConsentRecord,
    SwapOffer,
    VolunteerProfile,
)

AGREEMENT_TEXT = """I will keep confidential everything I learn about the people Haven serves: names, faces,
stories, where they live or stay, and who visits them.

I will not photograph or post about residents, shelters or shift locations, and I will not share a
shift's address with anyone.

If someone is in immediate danger I call 911; for trafficking concerns, the National Human
Trafficking Hotline (1-888-373-7888, text 233733)."""

REQUIREMENTS = [
    ("Orientation training", Requirement.Kind.TRAINING, 730),
    ("Background check", Requirement.Kind.BACKGROUND_CHECK, 365),
    ("Hotline training", Requirement.Kind.TRAINING, 365),
    ("Driver's licence and insurance", Requirement.Kind.OTHER, 365),
]

# name, slug, description, requirements, needs approval
ROLES = [
    (
        "Shelter meal prep",
        "meal-prep",
        "Cook and serve dinner at the shelter kitchen.",
        ["Orientation training"],
        False,
    ),
    (
        "Hotline support",
        "hotline-support",
        "Support the crisis line staff: callbacks, resource lookups.",
        ["Orientation training", "Background check", "Hotline training"],
        True,
    ),
    (
        "Driver",
        "driver",
        "Drive survivors to appointments.",
        ["Orientation training", "Background check", "Driver's licence and insurance"],
        True,
    ),
    (
        "Tutoring",
        "tutoring",
        "English and job-skills tutoring.",
        ["Orientation training", "Background check"],
        False,
    ),
    ("Event help", "event-help", "Set up, welcome guests and clear down at community events.", [], False),
]

DEMO_PIN = "2468"
DEMO_MOBILE = "+12015550141"
# The shift of today whose check-in window is open when the demo starts.
AT_THE_DOOR_TITLE = "Community supper"


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def seed() -> None:
    now = timezone.now()
    agreement, _ = Agreement.objects.get_or_create(
        version=1, defaults={"text": AGREEMENT_TEXT, "published_at": now - datetime.timedelta(days=60)}
    )
    requirements = {
        name: Requirement.objects.get_or_create(name=name, defaults={"kind": kind, "valid_for_days": days})[0]
        for name, kind, days in REQUIREMENTS
    }
    roles = {}
    for name, slug, description, needs, approval in ROLES:
        role, _ = Role.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "requires_approval": approval}
        )
        role.requirements.set([requirements[n] for n in needs])
        roles[slug] = role
    # community events take groups (a family, a class, colleagues) of up to four
    Role.objects.filter(slug="event-help", allows_groups=False).update(allows_groups=True, max_group_size=4)
    roles["event-help"].refresh_from_db()

    coordinator = User.objects.filter(email="coordinator@haven.example").first()
    if coordinator is not None:
        for slug in ("meal-prep", "hotline-support", "driver", "event-help"):
            roles[slug].coordinators.add(coordinator)

    _seed_shifts(roles)
    _seed_volunteers(agreement, requirements, roles, coordinator)
    _seed_try_it(roles, coordinator)


def _seed_shifts(roles: dict[str, Role]) -> None:
    one_offs = [
        ("meal-prep", 2, 16, 3, 4, "Riverside", "410 Harbor Street (side door), ring twice"),
        ("meal-prep", 4, 16, 3, 2, "Riverside", "410 Harbor Street (side door), ring twice"),
        ("hotline-support", 3, 18, 4, 2, "Downtown", "Haven office, 3rd floor, 22 Elm Avenue"),
        ("driver", 5, 9, 4, 1, "Citywide", "Pick-up at 410 Harbor Street"),
        ("tutoring", 6, 17, 2, 3, "Northside", "Library annex room B, 9 Birch Road"),
        ("event-help", 9, 11, 5, 8, "Park district", "Community hall, 1 Park Lane"),
        ("event-help", 1, 10, 2, 1, "Park district", "Community hall, 1 Park Lane"),
        # shifts that are over (with attendance, below) and one that was called off
        ("meal-prep", -6, 16, 3, 4, "Riverside", "410 Harbor Street (side door), ring twice"),
        ("event-help", -13, 11, 5, 6, "Park district", "Community hall, 1 Park Lane"),
        ("tutoring", 8, 17, 2, 3, "Northside", "Library annex room B, 9 Birch Road"),
    ]
    for slug, days, hour, length, capacity, neighbourhood, address in one_offs:
        starts = _at(days, hour)
        Shift.objects.get_or_create(
            role=roles[slug],
            starts_at=starts,
            series=None,
            defaults={
                "ends_at": starts + datetime.timedelta(hours=length),
                "capacity": capacity,
                "neighbourhood": neighbourhood,
                "address": address,
            },
        )
    start_date = timezone.localdate() + datetime.timedelta(days=1)
    series, _ = ShiftSeries.objects.get_or_create(
        role=roles["meal-prep"],
        title="Saturday breakfast",
        defaults={
            "start_date": start_date,
            "start_time": datetime.time(8, 0),
            "duration_minutes": 150,
            "frequency": ShiftSeries.Frequency.WEEKLY,
            "weekdays": [5],
            "until_date": start_date + datetime.timedelta(weeks=8),
            "capacity": 3,
            "neighbourhood": "Riverside",
            "address": "410 Harbor Street (side door), ring twice",
        },
    )
    for day in series.occurrence_dates():
        starts, ends = series.occurrence_instants(day)
        Shift.objects.get_or_create(
            series=series,
            occurrence_date=day,
            defaults={
                "role": series.role,
                "title": series.title,
                "starts_at": starts,
                "ends_at": ends,
                "capacity": series.capacity,
                "neighbourhood": series.neighbourhood,
                "address": series.address,
                "cancellation_cutoff_hours": series.cancellation_cutoff_hours,
            },
        )


def _seed_volunteers(agreement, requirements, roles, coordinator) -> None:
    today = timezone.localdate()
    people = {
        "volunteer1@haven.example": (["cooking", "driving"], ["English", "Spanish"], list(requirements)),
        "volunteer2@haven.example": (["tutoring"], ["English", "Vietnamese"], ["Orientation training"]),
        "volunteer3@haven.example": (["events"], ["English", "Yoruba"], []),
    }
    # phone, emergency contact (name, phone, relationship)
    contacts = {
        "volunteer1@haven.example": ("+1 555 010 0141", ("Lucía Ruiz", "+1 555 010 0177", "Sister")),
        "volunteer2@haven.example": ("+1 555 010 0152", ("Thanh Nguyen", "+1 555 010 0188", "Partner")),
        "volunteer3@haven.example": ("+1 555 010 0163", ("Tunde Okafor", "+1 555 010 0199", "Brother")),
    }
    volunteers = {}
    for email, (skills, languages, verified) in people.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        volunteers[email] = user
        if not VolunteerProfile.objects.filter(user=user).exists():
            phone, (contact, contact_phone, relationship) = contacts[email]
            services.volunteer_profile_save(
                user=user,
                skills=skills,
                languages=languages,
                availability=["1-evening", "5-morning"],
                phone=phone,
                emergency_contact_name=contact,
                emergency_contact_phone=contact_phone,
                emergency_contact_relationship=relationship,
                agreement=agreement,
            )
        for name in verified:
            RequirementVerification.objects.get_or_create(
                volunteer=user,
                requirement=requirements[name],
                defaults={
                    "verified_on": today - datetime.timedelta(days=30),
                    "expires_on": today + datetime.timedelta(days=335),
                    "verified_by": coordinator,
                },
            )
    # volunteer2's background check expired: the driver and tutoring pages show why they cannot book
    if "volunteer2@haven.example" in volunteers:
        RequirementVerification.objects.get_or_create(
            volunteer=volunteers["volunteer2@haven.example"],
            requirement=requirements["Background check"],
            defaults={
                "verified_on": today - datetime.timedelta(days=400),
                "expires_on": today - datetime.timedelta(days=35),
                "verified_by": coordinator,
            },
        )
    if "volunteer1@haven.example" in volunteers:
        for slug in ("driver", "hotline-support"):
            RoleApproval.objects.get_or_create(
                volunteer=volunteers["volunteer1@haven.example"],
                role=roles[slug],
                defaults={"approved_by": coordinator},
            )
    # Bookings: volunteer1 fills the one-place driver shift, volunteer1 and 2 fill the second meal-prep
    # shift, volunteer3 fills tomorrow's one-place event shift; volunteer1 and 2 take the first
    # Saturday breakfast of the series (volunteer3 lacks orientation training, so cannot).
    plan = [
        ("volunteer1@haven.example", "driver", 0),
        ("volunteer1@haven.example", "meal-prep", 1),
        ("volunteer2@haven.example", "meal-prep", 1),
        ("volunteer3@haven.example", "event-help", 0),
    ]
    for email, slug, index in plan:
        user = volunteers.get(email)
        upcoming = Shift.objects.filter(role=roles[slug], series=None, starts_at__gt=timezone.now()).exclude(
            title=AT_THE_DOOR_TITLE
        )
        shifts = list(upcoming.order_by("starts_at"))
        if user is None or index >= len(shifts):
            continue
        if Booking.objects.filter(volunteer=user, shift=shifts[index]).exists():
            continue
        try:
            services.shift_book(shift=shifts[index], volunteer=user)
        except BookingError:
            continue  # e.g. already full on a second run after the clock moved; the demo stays usable
    _seed_past_and_cancelled(roles, volunteers, coordinator)
    series_shift = Shift.objects.filter(series__isnull=False).order_by("starts_at").first()
    for user in volunteers.values():
        if (
            series_shift is not None
            and not Booking.objects.filter(volunteer=user, shift=series_shift).exists()
        ):
            try:
                services.shift_book(shift=series_shift, volunteer=user)
            except BookingError:
                continue


def _seed_past_and_cancelled(roles, volunteers, coordinator) -> None:
    """Shifts in every state: two that are over, with who came (checked in and out, marked attended,
    a no-show), and one called off with a note."""
    now = timezone.now()
    past = (
        Shift.objects.filter(series=None, ends_at__lt=now)
        .exclude(title=AT_THE_DOOR_TITLE)
        .order_by("starts_at")
    )
    came = {
        "volunteer1@haven.example": Booking.Status.ATTENDED,
        "volunteer2@haven.example": Booking.Status.ATTENDED,
        "volunteer3@haven.example": Booking.Status.NO_SHOW,
    }
    for shift in past:
        for email, status in came.items():
            user = volunteers.get(email)
            if user is None or (email == "volunteer2@haven.example" and shift.role.slug != "meal-prep"):
                continue
            attended = status == Booking.Status.ATTENDED
            Booking.objects.get_or_create(
                shift=shift,
                volunteer=user,
                defaults={
                    "status": status,
                    "created_at": shift.starts_at - datetime.timedelta(days=5),
                    "checked_in_at": shift.starts_at + datetime.timedelta(minutes=4) if attended else None,
                    "checked_out_at": shift.ends_at - datetime.timedelta(minutes=10) if attended else None,
                    "minutes": int((shift.ends_at - shift.starts_at).total_seconds() // 60) - 14
                    if attended
                    else None,
                },
            )
    called_off = (
        Shift.objects.filter(role=roles["tutoring"], series=None, starts_at__gt=now)
        .order_by("starts_at")
        .last()
    )
    if called_off is not None and coordinator is not None and not called_off.is_cancelled:
        services.shift_cancel(
            shift=called_off, by=coordinator, reason="The library annex is closed for repairs that evening."
        )


def _seed_try_it(roles, coordinator) -> None:
    """One thing to try of each of check-in, texts, hours, swaps and groups (see the docstring)."""
    people = {
        u.email: u
        for u in User.objects.filter(email__startswith="volunteer", email__endswith="@haven.example")
    }
    valentina = people.get("volunteer1@haven.example")
    victor = people.get("volunteer2@haven.example")
    vera = people.get("volunteer3@haven.example")
    if valentina is None or not VolunteerProfile.objects.filter(user=valentina).exists():
        return
    now = timezone.now()
    profile = VolunteerProfile.objects.get(user=valentina)
    if not profile.check_in_pin_hash:
        services.check_in_pin_set(volunteer=valentina, pin=DEMO_PIN)
    if profile.sms_opted_in_at is None and not SmsConsentRecord.objects.filter(volunteer=valentina).exists():
        services.sms_opt_in(volunteer=valentina, number=DEMO_MOBILE, wording=services.consent_wording())

    # a shift at the door: starts in the coming hour, so its check-in window is open now
    at_the_door = (
        Shift.objects.filter(
            role=roles["event-help"], title=AT_THE_DOOR_TITLE, is_cancelled=False, ends_at__gt=now
        )
        .order_by("starts_at")
        .first()
    )
    if at_the_door is None:
        starts = (now + datetime.timedelta(minutes=45)).replace(second=0, microsecond=0)
        starts -= datetime.timedelta(minutes=starts.minute % 15)
        at_the_door = Shift.objects.create(
            role=roles["event-help"],
            title=AT_THE_DOOR_TITLE,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
            capacity=4,
            neighbourhood="Park district",
            address="Community hall, 1 Park Lane",
        )
    for person in (valentina, victor):
        if person is not None and not Booking.objects.filter(shift=at_the_door, volunteer=person).exists():
            try:
                services.shift_book(shift=at_the_door, volunteer=person)
            except BookingError:
                continue  # started already on a later run: the coordinator adds them as walk-ins

    # hours: one approved, one waiting for the coordinator
    hotline = roles["hotline-support"]
    if coordinator is not None and not HoursReport.objects.filter(volunteer=valentina).exists():
        today = timezone.localdate()
        approved = services.hours_report(
            volunteer=valentina,
            role=hotline,
            date=today - datetime.timedelta(days=9),
            minutes=90,
            category=HoursCategory.REMOTE_CALLBACKS,
        )
        services.hours_report_decide(report=approved, by=coordinator, approve=True)
        services.hours_report(
            volunteer=valentina,
            role=hotline,
            date=today - datetime.timedelta(days=2),
            minutes=45,
            category=HoursCategory.REMOTE_CALLBACKS,
        )

    # the large community event: a group of three, and a place offered to a colleague
    event = (
        Shift.objects.filter(role=roles["event-help"], series=None, capacity=8, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if event is None:
        return
    if victor is not None and not Booking.objects.filter(shift=event, volunteer=victor).exists():
        try:
            group = services.shift_book(shift=event, volunteer=victor, places=3)
            services.group_members_name(booking=group, volunteer=victor, names=["Linh"])
        except BookingError:
            pass
    if vera is not None and not SwapOffer.objects.filter(booking__shift=event, from_volunteer=vera).exists():
        try:
            booking = Booking.objects.filter(
                shift=event, volunteer=vera, status=Booking.Status.BOOKED
            ).first()
            booking = booking or services.shift_book(shift=event, volunteer=vera)
            services.swap_offer_make(booking=booking, volunteer=vera, colleague_email=valentina.email)
        except BookingError:
            pass


demo_registry.register("volunteers", seed=seed)
