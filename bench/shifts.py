"""Benchmark: the volunteer shift list with 1,000 and 10,000 upcoming shifts, the coordinator's
fill-rate dashboard, and booking under contention.

Run on purpose, against PostgreSQL (not part of the tests):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haven_bench .venv/bin/python -m bench.shifts

It migrates that database and replaces its own bench data (roles with slugs "bench-…", users at
@bench.haven.example). Shifts and their existing bookings are seeded with bulk_create; the people
who book are onboarded through `volunteers.services`, and every booking under contention goes through
`volunteers.services.shift_book` (row locks, capacity count, reminders, confirmation task queued
after commit to an in-memory broker). Sizes scale down with BENCH_SHIFTS (default 10000, of which
the first tenth lie in the dashboard's default four weeks), BENCH_THREADS (16) and
BENCH_BOOKINGS_PER_THREAD (10)."""

from __future__ import annotations

import datetime
import os
import threading
import time

from bench._common import RUNS, Result, enrol_mfa, median_ms, pg_version, queries, setup

SHIFTS = int(os.environ.get("BENCH_SHIFTS", "10000"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
PER_THREAD = int(os.environ.get("BENCH_BOOKINGS_PER_THREAD", "10"))
CONTENDED_SHIFTS = 4
DOMAIN = "bench.haven.example"
SEED_PEOPLE = 200


def _clean() -> None:
    from accounts.models import User
    from volunteers.models import Requirement, Role, Shift

    Shift.objects.filter(role__slug__startswith="bench-").delete()
    Role.objects.filter(slug__startswith="bench-").delete()
    Requirement.objects.filter(name__startswith="Bench ").delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()


def _agreement():
    from django.utils import timezone

    from volunteers.models import Agreement

    current = Agreement.current()
    if current is not None:
        return current
    last = Agreement.objects.order_by("-version").first()
    return Agreement.objects.create(
        version=(last.version + 1) if last else 1,
        text="Benchmark agreement: what you see and hear stays here.",
        published_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def _onboarded(count: int, prefix: str, agreement) -> list:
    """People who may book: a profile saved and the agreement signed, through the real services."""
    from accounts.models import User
    from volunteers.services import volunteer_profile_save

    people = []
    for i in range(count):
        user = User.objects.create_user(email=f"{prefix}{i}@{DOMAIN}", name=f"Bench Volunteer {i}")
        volunteer_profile_save(
            user=user,
            skills=[],
            languages=["en"],
            availability=[],
            emergency_contact_name="Bench Contact",
            emergency_contact_phone="+1 555 0100",
            agreement=agreement,
        )
        people.append(user)
    return people


def shift_series(role, *, count: int, capacity: int, days_ahead: int) -> list:
    """`count` three-hour shifts of `role`, 5 hours apart from `days_ahead` days from now on the hour,
    each with `capacity` places: the shape the HTTP and side-by-side benches book and list."""
    from django.utils import timezone

    from volunteers.models import Shift

    start = (timezone.now() + datetime.timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)
    return Shift.objects.bulk_create(
        [
            Shift(
                role=role,
                starts_at=start + datetime.timedelta(hours=5 * i),
                ends_at=start + datetime.timedelta(hours=5 * i + 3),
                capacity=capacity,
                neighbourhood="Eastside",
                address="12 Bench Lane",
            )
            for i in range(count)
        ]
    )


def _seed_shifts(role, *, count: int, first_start: datetime.datetime, people: list, offset: int) -> None:
    """`count` three-hour shifts 40 minutes apart, capacities 4 to 8, each with 0 to capacity active
    bookings (so some are full and the fill rates differ)."""
    from volunteers.models import Booking, Shift

    shifts = [
        Shift(
            role=role,
            starts_at=first_start + datetime.timedelta(minutes=40 * i),
            ends_at=first_start + datetime.timedelta(minutes=40 * i + 180),
            capacity=4 + (offset + i) % 5,
            neighbourhood="Eastside",
            address="12 Bench Lane",
        )
        for i in range(count)
    ]
    for start in range(0, count, 2000):
        Shift.objects.bulk_create(shifts[start : start + 2000])
    bookings = [
        Booking(shift=shift, volunteer=people[(i * 7 + j) % len(people)])
        for i, shift in enumerate(shifts)
        for j in range((offset + i) % (shift.capacity + 1))
    ]
    for start in range(0, len(bookings), 5000):
        Booking.objects.bulk_create(bookings[start : start + 5000])


def _get(client, url: str) -> tuple[float, int]:
    client.get(url)  # warm templates and connections
    with queries() as executed:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    ms, _ = median_ms(lambda: client.get(url))
    return ms, len(executed)


def _contention(shifts: list, people: list) -> dict:
    """THREADS threads, each with its own connection, book their own volunteers at once onto the
    same few shifts, round robin. Returns outcomes and the wall time of the booking phase."""
    from django.db import connection

    from volunteers import services
    from volunteers.booking_rules import BookingError, ShiftFull

    start = threading.Barrier(THREADS + 1)
    lock = threading.Lock()
    outcomes = {"booked": 0, "full": 0, "other": []}

    def work(t: int) -> None:
        mine = people[t * PER_THREAD : (t + 1) * PER_THREAD]
        try:
            start.wait(timeout=60)
            for k, volunteer in enumerate(mine):
                shift = shifts[(t + k) % len(shifts)]
                try:
                    services.shift_book(shift=shift, volunteer=volunteer)
                    key = "booked"
                except ShiftFull:
                    key = "full"
                except BookingError as error:
                    with lock:
                        outcomes["other"].append(repr(error))
                    continue
                with lock:
                    outcomes[key] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    outcomes["seconds"] = time.perf_counter() - began
    return outcomes


def main() -> list[Result]:
    setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role as AccountRole
    from accounts.models import User
    from accounts.roles import user_grant_role
    from volunteers.models import Booking, Requirement, Role, Shift

    _clean()
    agreement = _agreement()
    hygiene = Requirement.objects.create(name="Bench food hygiene")
    role = Role.objects.create(name="Bench meal prep", slug="bench-meal-prep")
    role.requirements.add(hygiene)
    contended_role = Role.objects.create(name="Bench hotline", slug="bench-hotline")
    coordinator = User.objects.create_user(email=f"coordinator@{DOMAIN}", name="Bench Coordinator")
    user_grant_role(user=coordinator, role=AccountRole.COORDINATOR)
    enrol_mfa(coordinator)
    role.coordinators.add(coordinator)
    seed_people = User.objects.bulk_create(
        [User(email=f"seed{i}@{DOMAIN}", name=f"Bench Seed {i}") for i in range(SEED_PEOPLE)]
    )
    print(f"Onboarding {THREADS * PER_THREAD} volunteers through volunteers.services ...", flush=True)
    bookers = _onboarded(THREADS * PER_THREAD, "booker", agreement)

    near = SHIFTS // 10
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    # The dashboard shows the next four weeks by default: the first tenth fits in it (40 min apart).
    print(f"Seeding {near:,} shifts in the next four weeks ...", flush=True)
    _seed_shifts(
        role, count=near, first_start=hour + datetime.timedelta(hours=2), people=seed_people, offset=0
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE volunteers_shift; ANALYZE volunteers_booking")

    anonymous = Client(HTTP_HOST="localhost")
    volunteer = Client(HTTP_HOST="localhost")
    volunteer.force_login(bookers[0])
    coordinating = Client(HTTP_HOST="localhost")
    coordinating.force_login(coordinator)

    results: list[tuple[str, int, float, int]] = []

    def measure_lists(size: int) -> None:
        for label, client in (
            ("GET /shifts/ (anonymous)", anonymous),
            ("GET /shifts/ (volunteer)", volunteer),
        ):
            ms, n = _get(client, "/shifts/")
            results.append((label, size, ms, n))

    measure_lists(near)
    ms, n = _get(coordinating, "/coordinate/")
    results.append(("GET /coordinate/ fill-rate dashboard", near, ms, n))

    print(f"Seeding {SHIFTS - near:,} more shifts after those four weeks ...", flush=True)
    _seed_shifts(
        role,
        count=SHIFTS - near,
        first_start=hour + datetime.timedelta(days=29),
        people=seed_people,
        offset=near,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE volunteers_shift; ANALYZE volunteers_booking")
    upcoming = Shift.objects.filter(is_cancelled=False, starts_at__gt=timezone.now()).count()
    measure_lists(upcoming)
    last_page = -(-upcoming // 50)
    ms, n = _get(anonymous, f"/shifts/?page={last_page}")
    results.append((f"GET /shifts/?page={last_page} (anonymous, last page)", upcoming, ms, n))
    ms, n = _get(coordinating, "/coordinate/")
    results.append((f"GET /coordinate/ ({near:,} in range)", upcoming, ms, n))

    # --- booking under contention
    places = -(-THREADS * PER_THREAD * 3 // 4 // CONTENDED_SHIFTS)  # three quarters of the attempts fit
    contended = [
        Shift.objects.create(
            role=contended_role,
            starts_at=hour + datetime.timedelta(days=2, hours=4 * i),
            ends_at=hour + datetime.timedelta(days=2, hours=4 * i + 3),
            capacity=places,
        )
        for i in range(CONTENDED_SHIFTS)
    ]
    print(
        f"Booking: {THREADS} threads x {PER_THREAD} volunteers onto {CONTENDED_SHIFTS} shifts "
        f"of {places} places ...",
        flush=True,
    )
    outcome = _contention(contended, bookers)
    counts = {
        shift.pk: Booking.objects.filter(shift=shift, status__in=Booking.ACTIVE_STATUSES).count()
        for shift in contended
    }
    overbooked = {pk: n for pk, n in counts.items() if n > places}
    assert not overbooked, f"overbooked shifts: {overbooked}"
    assert not outcome["other"], outcome["other"][:3]
    assert outcome["booked"] == sum(counts.values()) == places * CONTENDED_SHIFTS, (outcome, counts)
    attempts = THREADS * PER_THREAD

    # The same service from one thread on a shift with room: what a booking costs without waiting.
    from volunteers import services

    solo_shift = Shift.objects.create(
        role=contended_role,
        starts_at=hour + datetime.timedelta(days=3),
        ends_at=hour + datetime.timedelta(days=3, hours=3),
        capacity=len(bookers),
    )
    with queries() as executed:
        services.shift_book(shift=solo_shift, volunteer=bookers[0])
    book_queries = len(executed)
    solo = bookers[1:]
    began = time.perf_counter()
    for person in solo:
        services.shift_book(shift=solo_shift, volunteer=person)
    solo_seconds = time.perf_counter() - began
    solo_per_second = len(solo) / solo_seconds

    print(f"\n{pg_version()}, median of {RUNS}:")
    for label, size, ms, n in results:
        print(f"  {label:<44} {size:>7,} shifts {ms:8.1f} ms  {n} queries")
    per_second = outcome["booked"] / outcome["seconds"]
    print(
        f"  shift_book, {THREADS} threads, {attempts} attempts: {outcome['booked']} booked, "
        f"{outcome['full']} refused (full) in {outcome['seconds']:.2f} s = {per_second:.0f} bookings/s, "
        f"{attempts / outcome['seconds']:.0f} attempts/s"
    )
    print(f"  places taken per shift (capacity {places}): {sorted(counts.values())}; overbooked: none")
    print(
        f"  shift_book, 1 thread, no contention: {len(solo)} bookings in {solo_seconds:.2f} s = "
        f"{solo_per_second:.0f} bookings/s, {book_queries} queries each"
    )

    rows = [
        Result(label, f"{size:,} shifts", f"{ms:.1f} ms", f"{n} queries") for label, size, ms, n in results
    ]
    rows.append(
        Result(
            f"shift_book, {THREADS} threads on {CONTENDED_SHIFTS} shifts",
            f"{attempts} attempts, {places * CONTENDED_SHIFTS} places",
            f"{per_second:.0f} bookings/s",
            f"{outcome['booked']} booked, {outcome['full']} full, none overbooked",
        )
    )
    rows.append(
        Result(
            "shift_book, 1 thread, no contention",
            f"{len(solo)} bookings",
            f"{solo_per_second:.0f} bookings/s",
            f"{book_queries} queries per booking",
        )
    )
    return rows


if __name__ == "__main__":
    main()
