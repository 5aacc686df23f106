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
