import datetime

import pytest
import time_machine
from django.utils import dateformat, timezone

from core.i18n import local_format
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import (
    BookingFactory,
    RequirementFactory,
    RequirementVerificationFactory,
    RoleApprovalFactory,
    RoleFactory,
    ShiftFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from volunteers import services
from volunteers.booking_rules import (
    AlreadyBooked,
    AlreadyWaitlisted,
    ApprovalMissing,
    BookingError,
    OfferNotAvailable,
    OverlappingBooking,
    PastCutoff,
    RequirementExpired,
    RequirementMissing,
    ShiftCancelled,
    ShiftFull,
    ShiftInPast,
)
from volunteers.models import Booking, RoleApplication, WaitlistEntry

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def full_shift(capacity=1, **kwargs):
    shift = ShiftFactory(capacity=capacity, **kwargs)
    for _ in range(capacity):
        services.shift_book(shift=shift, volunteer=ready_volunteer())
    return shift


# --- requirements --------------------------------------------------------------------------


def test_missing_requirement_blocks_booking_and_the_page_says_why(client, ready):
    # given a driver role that needs a background check the volunteer does not have
    check = RequirementFactory(name="Background check")
    shift = ShiftFactory(role=RoleFactory(name="Driver", requirements=[check]))

    # when they try to book, then the service refuses with the reason
    with pytest.raises(RequirementMissing, match="Background check"):
        services.shift_book(shift=shift, volunteer=ready)

    # and the shift page shows that reason instead of a booking button
    client.force_login(ready)
    body = client.get(f"/shifts/{shift.pk}/").content.decode()
    assert "Background check" in body and "not on your record" in body
    assert "Book this shift" not in body
    # and posting anyway books nothing
    client.post(f"/shifts/{shift.pk}/book/")
    assert not Booking.objects.exists()


def test_requirement_expiring_before_the_shift_blocks_booking(ready):
    training = RequirementFactory(name="Food safety training")
    shift = ShiftFactory(
        role=RoleFactory(requirements=[training]), starts_at=timezone.now() + datetime.timedelta(days=20)
    )
    shift.ends_at = shift.starts_at + datetime.timedelta(hours=2)
    shift.save()
    RequirementVerificationFactory(
        volunteer=ready,
        requirement=training,
        verified_on=timezone.localdate() - datetime.timedelta(days=360),
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
    )

    with pytest.raises(RequirementExpired, match="Food safety training"):
        services.shift_book(shift=shift, volunteer=ready)


def test_a_renewed_requirement_unblocks_booking(ready):
    training = RequirementFactory()
    shift = ShiftFactory(role=RoleFactory(requirements=[training]))
    today = timezone.localdate()
    RequirementVerificationFactory(
        volunteer=ready,
        requirement=training,
        verified_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=35),
    )
    with pytest.raises(RequirementExpired):
        services.shift_book(shift=shift, volunteer=ready)

    RequirementVerificationFactory(volunteer=ready, requirement=training)

    assert services.shift_book(shift=shift, volunteer=ready).status == Booking.Status.BOOKED


def test_role_needing_approval_blocks_until_approved(ready):
    role = RoleFactory(requires_approval=True, name="Hotline support")
    shift = ShiftFactory(role=role)
    with pytest.raises(ApprovalMissing, match="Hotline support"):
        services.shift_book(shift=shift, volunteer=ready)

    RoleApprovalFactory(volunteer=ready, role=role)

    assert services.shift_book(shift=shift, volunteer=ready)


# --- booking, capacity, double and overlapping ---------------------------------------------


def test_booking_creates_reminders_and_sends_one_confirmation_without_the_address(
    ready, shift, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = services.shift_book(shift=shift, volunteer=ready)

    assert len(callbacks) == 1
    reminders = services.booking_reminders(booking)
    assert sorted(m.data["offset_hours"] for m in reminders) == [3, 48]
    assert {m.status for m in reminders} == {Message.Status.PENDING}  # due later: the sweeper sends them
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ready.email]
    assert shift.address not in mailoutbox[0].body
    assert shift.role.name in mailoutbox[0].body
    # a second run of the task sends nothing
    confirmation = Message.objects.get(kind="volunteers.booking_confirmation")
    assert message_deliver(message_id=confirmation.pk) == "not claimed"
    assert len(mailoutbox) == 1


def test_full_shift_refuses_booking(ready):
    shift = full_shift(capacity=2)
    with pytest.raises(ShiftFull):
        services.shift_book(shift=shift, volunteer=ready)
    assert shift.bookings.count() == 2


def test_double_booking_is_refused(ready, shift):
    services.shift_book(shift=shift, volunteer=ready)
    with pytest.raises(AlreadyBooked):
        services.shift_book(shift=shift, volunteer=ready)
    assert shift.bookings.count() == 1


def test_overlapping_shift_is_refused_but_adjacent_is_fine(ready, shift):
    services.shift_book(shift=shift, volunteer=ready)
    overlapping = ShiftFactory(
        starts_at=shift.starts_at + datetime.timedelta(hours=2),
        ends_at=shift.ends_at + datetime.timedelta(hours=2),
    )
    adjacent = ShiftFactory(starts_at=shift.ends_at, ends_at=shift.ends_at + datetime.timedelta(hours=1))

    with pytest.raises(OverlappingBooking, match="overlaps"):
        services.shift_book(shift=overlapping, volunteer=ready)
    assert services.shift_book(shift=adjacent, volunteer=ready)


def test_the_refusal_names_the_overlapping_shift_and_only_an_active_booking_of_a_live_shift_clashes(
    ready, shift
):
    def overlapping(**kwargs):
        return ShiftFactory(
            starts_at=shift.starts_at + datetime.timedelta(hours=1),
            ends_at=shift.ends_at + datetime.timedelta(hours=1),
            **kwargs,
        )

    BookingFactory(
        shift=overlapping(), volunteer=ready, status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    BookingFactory(shift=overlapping(is_cancelled=True, cancelled_at=timezone.now()), volunteer=ready)
    BookingFactory(shift=overlapping())  # someone else's
    assert services.shift_book(shift=shift, volunteer=ready)

    with pytest.raises(OverlappingBooking, match=shift.role.name) as refused:
        services.shift_book(shift=overlapping(), volunteer=ready)
    start = dateformat.format(timezone.localtime(shift.starts_at), local_format("HAVEN_MONTH_DAY_TIME"))
    assert start in refused.value.message

    other = ready_volunteer()
    services.shift_book(shift=overlapping(title="Evening pantry"), volunteer=other)
    with pytest.raises(OverlappingBooking, match="Evening pantry"):
        services.shift_book(shift=shift, volunteer=other)


def test_cancelled_or_started_shifts_cannot_be_booked(ready):
    cancelled = ShiftFactory(is_cancelled=True, cancelled_at=timezone.now())
    started = ShiftFactory(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ShiftCancelled):
        services.shift_book(shift=cancelled, volunteer=ready)
    with pytest.raises(ShiftInPast):
        services.shift_book(shift=started, volunteer=ready)


def test_book_view_books_and_redirects_with_a_message(client, ready, shift):
    client.force_login(ready)

    response = client.post(f"/shifts/{shift.pk}/book/", follow=True)

    assert Booking.objects.filter(shift=shift, volunteer=ready, status="booked").exists()
    assert "You are booked" in response.content.decode()


# --- cancelling ----------------------------------------------------------------------------


def test_cancel_before_cutoff_frees_the_place_and_removes_reminders(client, ready):
    with time_machine.travel(NOW, tick=False):
        shift = ShiftFactory(
            starts_at=NOW + datetime.timedelta(days=3), ends_at=NOW + datetime.timedelta(days=3, hours=2)
        )
        booking = services.shift_book(shift=shift, volunteer=ready)
        client.force_login(ready)

        client.post(f"/me/shifts/bookings/{booking.pk}/cancel/")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_at == NOW
    assert {m.status for m in services.booking_reminders(booking)} == {Message.Status.CANCELLED}


def test_cancel_after_cutoff_is_refused_with_the_reason(ready):
    shift = ShiftFactory(
        starts_at=NOW + datetime.timedelta(hours=30),
        ends_at=NOW + datetime.timedelta(hours=32),
        cancellation_cutoff_hours=24,
    )
    with time_machine.travel(NOW, tick=False):
        booking = services.shift_book(shift=shift, volunteer=ready)
    with (
        time_machine.travel(NOW + datetime.timedelta(hours=7), tick=False),
        pytest.raises(PastCutoff, match="24 hours"),
    ):
        services.booking_cancel(booking=booking, volunteer=ready)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_cancel_of_someone_elses_booking_is_404(client, ready, shift):
    booking = services.shift_book(shift=shift, volunteer=ready)
    other = ready_volunteer()
    client.force_login(other)

    assert client.post(f"/me/shifts/bookings/{booking.pk}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


# --- waitlist ------------------------------------------------------------------------------


def test_full_shift_offers_waitlist_and_join_puts_person_in_line(client, ready):
    shift = full_shift(capacity=1)
    client.force_login(ready)
    assert "Join the waitlist" in client.get(f"/shifts/{shift.pk}/").content.decode()

    client.post(f"/shifts/{shift.pk}/waitlist/")

    entry = WaitlistEntry.objects.get(shift=shift, volunteer=ready)
    assert entry.status == WaitlistEntry.Status.WAITING
    with pytest.raises(AlreadyWaitlisted):
        services.waitlist_join(shift=shift, volunteer=ready)


def test_waitlist_only_for_full_shifts(ready, shift):
    with pytest.raises(BookingError, match="free place"):
        services.waitlist_join(shift=shift, volunteer=ready)


def test_freed_place_is_offered_to_the_first_in_line_who_confirms_by_post(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # given a full one-place shift and two people waiting
    with time_machine.travel(NOW, tick=False):
        shift = ShiftFactory(
            capacity=1,
            starts_at=NOW + datetime.timedelta(days=4),
            ends_at=NOW + datetime.timedelta(days=4, hours=3),
        )
        holder = ready_volunteer()
        booking = services.shift_book(shift=shift, volunteer=holder)
        first, second = ready_volunteer(), ready_volunteer()
        services.waitlist_join(shift=shift, volunteer=first)
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        services.waitlist_join(shift=shift, volunteer=second)
        mailoutbox.clear()

        # when the booked person cancels
        with django_capture_on_commit_callbacks(execute=True):
            services.booking_cancel(booking=booking, volunteer=holder)

        # then the first in line is offered the place by email, and it is held for them
        offer = WaitlistEntry.objects.get(volunteer=first)
        assert offer.status == WaitlistEntry.Status.OFFERED
        assert offer.offer_expires_at == NOW + datetime.timedelta(minutes=1, hours=12)
        assert [m.to for m in mailoutbox] == [[first.email]]
        assert shift.address not in mailoutbox[0].body
        link = next(line for line in mailoutbox[0].body.splitlines() if "/waitlist/offers/" in line).strip()
        path = link.removeprefix("http://testserver")
        with pytest.raises(ShiftFull):
            services.shift_book(shift=shift, volunteer=second)

        # the link opens a page (GET uses nothing up) ...
        client.force_login(first)
        assert "Yes, book this place" in client.get(path).content.decode()
        assert not Booking.objects.filter(volunteer=first).exists()
        # ... someone else opening it gets 404
        client.force_login(second)
        assert client.get(path).status_code == 404
        # ... and the POST books
        client.force_login(first)
        client.post(path)

    booking = Booking.objects.get(volunteer=first, shift=shift)
    assert booking.source == Booking.Source.WAITLIST
    offer.refresh_from_db()
    assert offer.status == WaitlistEntry.Status.ACCEPTED
    # the link is single-use
    with pytest.raises(OfferNotAvailable):
        services.waitlist_offer_accept(entry=offer, volunteer=first)


def test_expired_offer_passes_to_the_next_person(mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        shift = ShiftFactory(
            capacity=1,
            starts_at=NOW + datetime.timedelta(days=4),
            ends_at=NOW + datetime.timedelta(days=4, hours=3),
        )
        holder = ready_volunteer()
        booking = services.shift_book(shift=shift, volunteer=holder)
        first = ready_volunteer()
        services.waitlist_join(shift=shift, volunteer=first)
    with time_machine.travel(NOW + datetime.timedelta(seconds=1), tick=False):
        second = ready_volunteer()
        services.waitlist_join(shift=shift, volunteer=second)
        services.booking_cancel(booking=booking, volunteer=holder)
    first_entry = WaitlistEntry.objects.get(volunteer=first)
    mailoutbox.clear()

    # just before expiry nothing changes
    with time_machine.travel(NOW + datetime.timedelta(hours=12), tick=False):
        assert services.waitlist_offers_expire() == 0
    # after expiry, the next person is offered the place and the first link no longer works
    with time_machine.travel(NOW + datetime.timedelta(hours=12, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.waitlist_offers_expire() == 1
        first_entry.refresh_from_db()
        assert first_entry.status == WaitlistEntry.Status.EXPIRED
        with pytest.raises(OfferNotAvailable):
            services.waitlist_offer_accept(entry=first_entry, volunteer=first)
        second_entry = WaitlistEntry.objects.get(volunteer=second)
        assert second_entry.status == WaitlistEntry.Status.OFFERED
        assert [m.to for m in mailoutbox] == [[second.email]]
        assert (
            services.waitlist_offer_accept(entry=second_entry, volunteer=second).status
            == Booking.Status.BOOKED
        )
        # running the beat task again changes nothing
        assert services.waitlist_offers_expire() == 0
    assert shift.bookings.filter(status="booked").count() == 1


def test_declining_an_offer_passes_it_on(ready):
    shift = full_shift(capacity=1)
    booking = shift.bookings.get()
    entries = [WaitlistEntryFactory(shift=shift, volunteer=ready_volunteer()) for _ in range(2)]
    services.booking_cancel(booking=booking, volunteer=booking.volunteer)
    entries[0].refresh_from_db()
    assert entries[0].status == "offered"

    services.waitlist_leave(entry=entries[0], volunteer=entries[0].volunteer)

    entries[1].refresh_from_db()
    assert entries[1].status == "offered"


def test_volunteer_can_ask_for_approval_from_the_shift_page_once(client, ready):
    role = RoleFactory(requires_approval=True, name="Hotline support")
    shift = ShiftFactory(role=role)
    client.force_login(ready)
    assert "Ask to be approved for Hotline support" in client.get(f"/shifts/{shift.pk}/").content.decode()

    client.post(f"/me/volunteer/roles/{role.pk}/apply/", {"next": f"/shifts/{shift.pk}/"})
    client.post(f"/me/volunteer/roles/{role.pk}/apply/", {"next": "//evil.example/"})

    assert RoleApplication.objects.filter(volunteer=ready, role=role, status="pending").count() == 1
    assert "a coordinator will review it" in client.get(f"/shifts/{shift.pk}/").content.decode()


def test_person_offered_a_place_can_take_it_from_the_shift_page_but_others_cannot(client):
    shift = full_shift(capacity=1)
    holder_booking = shift.bookings.get()
    first, second = ready_volunteer(), ready_volunteer()
    services.waitlist_join(shift=shift, volunteer=first)
    services.waitlist_join(shift=shift, volunteer=second)
    services.booking_cancel(booking=holder_booking, volunteer=holder_booking.volunteer)

    client.force_login(second)
    client.post(f"/shifts/{shift.pk}/book/")
    assert not Booking.objects.filter(volunteer=second, status="booked").exists()

    client.force_login(first)
    assert "Book this place" in client.get(f"/shifts/{shift.pk}/").content.decode()
    client.post(f"/shifts/{shift.pk}/book/")

    booking = Booking.objects.get(volunteer=first, status="booked")
    assert booking.source == Booking.Source.WAITLIST
    assert WaitlistEntry.objects.get(volunteer=first).status == WaitlistEntry.Status.ACCEPTED
    assert WaitlistEntry.objects.get(volunteer=second).status == WaitlistEntry.Status.WAITING


def test_cancelling_asks_first_and_booking_returns_to_the_booking_section(client, ready):
    with time_machine.travel(NOW, tick=False):
        shift = ShiftFactory(
            starts_at=NOW + datetime.timedelta(days=3), ends_at=NOW + datetime.timedelta(days=3, hours=2)
        )
        client.force_login(ready)

        # when they book, they land on the shift's "Your place" section, not the top of the page
        booked = client.post(f"/shifts/{shift.pk}/book/")
        assert booked["Location"] == f"/shifts/{shift.pk}/#your-place"
        booking = Booking.objects.get(shift=shift, volunteer=ready)

        # then "Cancel my booking" opens a question, and only the answer cancels
        page = client.get(f"/shifts/{shift.pk}/").content.decode()
        assert f'href="/me/shifts/bookings/{booking.pk}/cancel/"' in page
        question = client.get(f"/me/shifts/bookings/{booking.pk}/cancel/")
        assert "Yes, cancel my booking" in question.content.decode()
        booking.refresh_from_db()
        assert booking.status == Booking.Status.BOOKED

        client.post(f"/me/shifts/bookings/{booking.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
