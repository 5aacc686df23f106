import pytest

from accounts import demo as accounts_demo
from volunteers import demo
from volunteers.models import Booking, Role, Shift, ShiftSeries, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_demo_seed_is_complete_and_idempotent():
    accounts_demo.seed()

    demo.seed()
    counts = (Shift.objects.count(), Booking.objects.count(), VolunteerProfile.objects.count())
    demo.seed()

    assert (Shift.objects.count(), Booking.objects.count(), VolunteerProfile.objects.count()) == counts
    assert VolunteerProfile.objects.filter(onboarded_at__isnull=False).count() == 3
    assert ShiftSeries.objects.count() == 1
    assert Shift.objects.filter(series__isnull=False).count() >= 8
    assert Role.objects.filter(coordinators__email="coordinator@haven.example").count() == 4
    full = [s for s in Shift.objects.all() if s.bookings.filter(status="booked").count() >= s.capacity]
    assert len(full) >= 2
