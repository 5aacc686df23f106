import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from accounts import demo as accounts_demo
from volunteers import demo
from volunteers.models import (
    Booking,
    GroupMember,
    HoursReport,
    Role,
    Shift,
    ShiftSeries,
    SmsConsentRecord,
    SwapOffer,
    VolunteerProfile,
)
from volunteers.services.checkin import check_in_window_open

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(
        model.objects.count()
        for model in (Shift, Booking, VolunteerProfile, HoursReport, SwapOffer, SmsConsentRecord, GroupMember)
    )


def test_demo_seed_is_complete_and_idempotent():
    accounts_demo.seed()

    demo.seed()
    counts = _counts()
    demo.seed()

    assert _counts() == counts
    assert VolunteerProfile.objects.filter(onboarded_at__isnull=False).count() == 3
    assert ShiftSeries.objects.count() == 1
    assert Shift.objects.filter(series__isnull=False).count() >= 8
    assert Role.objects.filter(coordinators__email="coordinator@haven.example").count() == 4
    full = [s for s in Shift.objects.all() if s.bookings.filter(status="booked").count() >= s.capacity]
    assert len(full) >= 2


def test_the_demo_has_something_to_try_of_each_volunteering_feature():
    accounts_demo.seed()
    demo.seed()

    # check-in: a volunteer with a PIN and texts, booked on a shift whose check-in window is open
    valentina = VolunteerProfile.objects.get(user__email="volunteer1@haven.example")
    assert check_password(demo.DEMO_PIN, valentina.check_in_pin_hash)
    assert valentina.sms_opted_in_at is not None and str(valentina.mobile) == demo.DEMO_MOBILE
    assert SmsConsentRecord.objects.get(volunteer=valentina.user).wording
    at_the_door = Shift.objects.get(title=demo.AT_THE_DOOR_TITLE)
    assert check_in_window_open(at_the_door, timezone.now())
    assert at_the_door.bookings.filter(volunteer=valentina.user, status="booked").exists()
    # hours: one approved, one waiting
    assert sorted(HoursReport.objects.filter(volunteer=valentina.user).values_list("status", flat=True)) == [
        "approved",
        "pending",
    ]
    # a swap offer waiting for volunteer1, and a group of three with one member named
    offer = SwapOffer.objects.get(status="pending")
    assert offer.to_volunteer == valentina.user and offer.from_volunteer.email == "volunteer3@haven.example"
    group = Booking.objects.get(places=3)
    assert group.shift.role.allows_groups and list(group.group_members.values_list("name", flat=True)) == [
        "Linh"
    ]
