import pytest

from tests.factories import AgreementFactory, ShiftFactory, ready_volunteer
from volunteers import booking_rules
from volunteers.models import Shift, VolunteerProfile
from volunteers.services import locks


@pytest.fixture
def agreement(db):
    return AgreementFactory(version=1)


@pytest.fixture
def ready(agreement):
    """A volunteer who has onboarded and signed the current agreement."""
    return ready_volunteer()


@pytest.fixture
def shift(db):
    return ShiftFactory()


@pytest.fixture
def pause_between_count_and_insert(monkeypatch):
    """Race tests widen the window between counting a shift's places and inserting the booking:
    `pause_between_count_and_insert(callable)` runs it after the capacity check passed on the count,
    right before the insert. Patched here, so the production code carries no test switches."""
    check_capacity = booking_rules.check_capacity

    def install(pause):
        def check_then_pause(shift, taken):
            check_capacity(shift, taken)
            pause()

        monkeypatch.setattr(booking_rules, "check_capacity", check_then_pause)

    return install


@pytest.fixture
def without_row_locks(monkeypatch):
    """For a control run: `locks.lock_profile_then_shift` makes the same reads without
    select_for_update, so a test can show what the locks prevent."""

    def read_profile_and_shift(*, volunteer, shift):
        profile = VolunteerProfile.objects.filter(user=volunteer).first()
        return profile, Shift.objects.select_related("role").get(pk=shift.pk)

    def install():
        monkeypatch.setattr(locks, "lock_profile_then_shift", read_profile_and_shift)

    return install


@pytest.fixture
def without_select_for_update(monkeypatch):
    """For a control run: `without_select_for_update()` turns every `select_for_update()` into a plain
    read (the same queries, no row locks), in every thread, for the rest of the test. Used where a
    transition takes more than the profile and shift locks (a swap also locks its offer and booking)."""
    from django.db.models.query import QuerySet

    def install():
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)

    return install


@pytest.fixture
def pause_after_the_checks(monkeypatch):
    """`pause_after_the_checks(callable)` runs it after a swap, a booking or a cancel has read its rows
    and passed its checks on the person and the shift, right before it writes (after
    `check_volunteer_may_take`, after `check_cancellable`). With `before_the_move=True` it runs later in
    a swap's acceptance instead: after every check (overlapping shifts too), just before the new
    booking is inserted. A control run passes a barrier, so every transaction reads before any writes:
    the race made certain."""
    from volunteers.services import swaps

    def install(pause, *, before_the_move: bool = False):
        if before_the_move:
            cancel_reminders = swaps.reminders_cancel

            def pause_then_cancel_reminders(**kwargs):
                pause()
                return cancel_reminders(**kwargs)

            monkeypatch.setattr(swaps, "reminders_cancel", pause_then_cancel_reminders)
            return
        may_take, cancellable = booking_rules.check_volunteer_may_take, booking_rules.check_cancellable

        def may_take_then_pause(standing, shift, now):
            may_take(standing, shift, now)
            pause()

        def cancellable_then_pause(booking, now):
            cancellable(booking, now)
            pause()

        monkeypatch.setattr(booking_rules, "check_volunteer_may_take", may_take_then_pause)
        monkeypatch.setattr(booking_rules, "check_cancellable", cancellable_then_pause)

    return install
