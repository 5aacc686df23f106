"""Losing clearance withdraws the shift's address: bookings on hold.

A booked volunteer whose background check will have expired by the shift, whose approval is
withdrawn, or who has not signed a new version of the agreement keeps their place, but the address
disappears from the shift page, the private calendar feed and the .ics download; they are told why
(without the address) and what to do; coordinators see it on the roster; clearing again restores it.
Each cause is checked on all three surfaces, over HTTP."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import (
    AgreementFactory,
    RequirementFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)
from volunteers import services, tasks
from volunteers.models import Booking, RequirementVerification

pytestmark = pytest.mark.django_db

ADDRESS = "12 Hidden Lane, Apt 3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(agreement):
    """Dana is booked as a Driver (approval and a background check needed) in five days, cleared."""
    coordinator = UserFactory(roles=["coordinator"], name="Cora Coordinator")
    check = RequirementFactory(name="Background check", valid_for_days=365)
    role = RoleFactory(
        name="Driver", requires_approval=True, requirements=[check], coordinators=[coordinator]
    )
    volunteer = ready_volunteer(email="dana@example.org", name="Dana Driver")
    services.role_apply(volunteer=volunteer, role=role)
    services.role_approval_grant(role=role, volunteer=volunteer, by=coordinator)
    services.requirement_verification_record(
        volunteer=volunteer, requirement=check, verified_on=timezone.localdate(), by=coordinator
    )
    shift = ShiftFactory(
        role=role,
        address=ADDRESS,
        neighbourhood="Eastside",
        starts_at=(timezone.now() + datetime.timedelta(days=5)).replace(minute=0, second=0, microsecond=0),
    )
    shift.ends_at = shift.starts_at + datetime.timedelta(hours=3)
    shift.save()
    booking = services.shift_book(shift=shift, volunteer=volunteer)
    volunteer_browser, coordinator_browser = Client(), Client()
    volunteer_browser.force_login(volunteer)
    coordinator_browser.force_login(coordinator)
    feed = reverse("volunteers:calendar_feed", args=[services.calendar_token_reset(user=volunteer)])
    return {
        "coordinator": coordinator,
        "check": check,
        "role": role,
        "volunteer": volunteer,
        "shift": shift,
        "booking": booking,
        "browser": volunteer_browser,
        "coordinator_browser": coordinator_browser,
        "feed": feed,
    }


def _surfaces(world) -> dict[str, str]:
    browser, shift = world["browser"], world["shift"]
    return {
        "shift page": browser.get(reverse("volunteers:shift_detail", args=[shift.pk])).content.decode(),
        "calendar feed": Client().get(world["feed"]).content.decode(),
        ".ics download": browser.get(reverse("volunteers:shift_ics", args=[shift.pk])).content.decode(),
    }


def _unfold(ics: str) -> str:
    return ics.replace("\r\n ", "").replace("\\,", ",")


def _assert_address_shown(world):
    for surface, body in _surfaces(world).items():
        assert ADDRESS in _unfold(body), f"the address is missing from the {surface}"


def _assert_on_hold_everywhere(world, *, explanation: str):
    surfaces = _surfaces(world)
    for surface, body in surfaces.items():
        assert "Hidden Lane" not in _unfold(body), f"the {surface} still shows the address"
    page = surfaces["shift page"]
    assert "Your booking is on hold." in page and explanation in page
    assert "Eastside" in page  # the neighbourhood stays
    for calendar in (surfaces["calendar feed"], surfaces[".ics download"]):
        assert "Your booking is on hold" in _unfold(calendar) and "STATUS:TENTATIVE" in calendar
    # the place is kept
    assert Booking.objects.get(pk=world["booking"].pk).status == Booking.Status.BOOKED
    my_shifts = world["browser"].get(reverse("volunteers:my_shifts")).content.decode()
    assert "On hold" in my_shifts and explanation in my_shifts


def _roster(world) -> str:
    browser = world["coordinator_browser"]
    return browser.get(reverse("volunteers:coordinate:roster", args=[world["shift"].pk])).content.decode()


def _delivered(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind, status=Message.Status.SENT))


def test_withdrawing_an_approval_puts_the_booking_on_hold_until_approved_again(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _assert_address_shown(world)
    approval_url = reverse("volunteers:coordinate:volunteer_approval", args=[world["volunteer"].pk])

    # When the coordinator withdraws Dana's approval for Driver
    with django_capture_on_commit_callbacks(execute=True):
        world["coordinator_browser"].post(approval_url, {"role": world["role"].pk, "decision": "revoke"})

    # Then the address is gone from every surface, Dana is told why, the roster shows it
    _assert_on_hold_everywhere(world, explanation="You are no longer approved for this role.")
    assert "On hold: approval withdrawn" in _roster(world)
    [notice] = _delivered("volunteers.booking_on_hold")
    [mail] = [m for m in mailoutbox if m.subject.startswith("[Haven] Your booking is on hold")]
    assert mail.to == ["dana@example.org"]
    assert "You are no longer approved for this role." in mail.body and "Hidden Lane" not in mail.body
    assert notice.about_id == world["booking"].pk

    # When the coordinator approves her again
    with django_capture_on_commit_callbacks(execute=True):
        world["coordinator_browser"].post(approval_url, {"role": world["role"].pk, "decision": "approve"})

    # Then the address is back everywhere and she is told
    _assert_address_shown(world)
    assert "On hold" not in _roster(world)
    assert [m.subject for m in mailoutbox][-1] == "[Haven] Your booking is confirmed again: Driver"
    assert "Hidden Lane" not in mailoutbox[-1].body


def test_a_check_that_expires_before_the_shift_hides_the_address_without_waiting_for_beat(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    # Given the background check's expiry is corrected (in the admin: no service runs) to the day
    # before the shift
    shift_day = timezone.localtime(world["shift"].starts_at).date()
    RequirementVerification.objects.filter(volunteer=world["volunteer"]).update(
        expires_on=shift_day - datetime.timedelta(days=1)
    )

    # Then every surface hides the address at once, before any task has run
    _assert_on_hold_everywhere(world, explanation="Please ask a coordinator to renew it.")
    assert "On hold: requirement not valid on the day" in _roster(world)
    assert not Message.objects.filter(kind="volunteers.booking_on_hold").exists()

    # When beat's sweep runs, Dana is told, once
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.booking_holds_sync_all() == 1
        assert tasks.booking_holds_sync_all() == 0
    [mail] = mailoutbox[-1:]
    assert mail.subject == "[Haven] Your booking is on hold: Driver"
    assert "Background check" in mail.body and "Hidden Lane" not in mail.body
    assert Message.objects.filter(kind="volunteers.booking_on_hold").count() == 1

    # When the coordinator records the renewed check, the address comes back
    with django_capture_on_commit_callbacks(execute=True):
        world["coordinator_browser"].post(
            reverse("volunteers:coordinate:volunteer_verification", args=[world["volunteer"].pk]),
            {
                "requirement": world["check"].pk,
                "verified_on": timezone.localdate().isoformat(),
                "expires_on": "",
            },
        )
    _assert_address_shown(world)
    assert mailoutbox[-1].subject == "[Haven] Your booking is confirmed again: Driver"


def test_moving_a_shift_past_the_checks_expiry_puts_it_on_hold(world, django_capture_on_commit_callbacks):
    RequirementVerification.objects.filter(volunteer=world["volunteer"]).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    shift = world["shift"]
    later = shift.starts_at + datetime.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        services.shift_update(
            shift=shift,
            by=world["coordinator"],
            starts_at=later,
            ends_at=later + datetime.timedelta(hours=3),
            capacity=shift.capacity,
            title=shift.title,
            description=shift.description,
            neighbourhood=shift.neighbourhood,
            address=shift.address,
            cancellation_cutoff_hours=shift.cancellation_cutoff_hours,
        )

    _assert_on_hold_everywhere(world, explanation="before this shift")
    booking = Booking.objects.get(pk=world["booking"].pk)
    assert booking.hold_reason == Booking.HoldReason.REQUIREMENT and booking.on_hold_since is not None
    assert Message.objects.filter(kind="volunteers.booking_on_hold", about_id=booking.pk).count() == 1


def test_a_new_agreement_version_puts_bookings_on_hold_on_its_publication_date(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    # Given version 2 is scheduled to take effect tomorrow
    publication = timezone.now() + datetime.timedelta(days=1)
    AgreementFactory(version=2, published_at=publication)
    _assert_address_shown(world)

    # When that moment has come (and no task has run)
    with time_machine.travel(publication + datetime.timedelta(minutes=1)):
        # Then the address is hidden until Dana signs it
        _assert_on_hold_everywhere(world, explanation="The confidentiality agreement has a new version.")
        assert "On hold: new agreement not signed" in _roster(world)
        assert "Read and sign the agreement" in _surfaces(world)["shift page"]
        with django_capture_on_commit_callbacks(execute=True):
            tasks.booking_holds_sync_all()
        assert mailoutbox[-1].subject == "[Haven] Your booking is on hold: Driver"
        assert "new version" in mailoutbox[-1].body

        # When she signs version 2
        with django_capture_on_commit_callbacks(execute=True):
            world["browser"].post(reverse("volunteers:agreement"), {"accept": "on"})

        # Then the address is back and she is told
        _assert_address_shown(world)
        assert mailoutbox[-1].subject == "[Haven] Your booking is confirmed again: Driver"


def test_a_hold_lifted_before_its_notice_went_out_sends_neither(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator, role, volunteer = world["coordinator"], world["role"], world["volunteer"]

    # The approval is withdrawn and given back before the outbox delivers anything
    with django_capture_on_commit_callbacks(execute=False):
        services.role_approval_revoke(role=role, volunteer=volunteer, by=coordinator)
        services.role_approval_grant(role=role, volunteer=volunteer, by=coordinator)
    hold_kinds = ["volunteers.booking_on_hold", "volunteers.booking_cleared"]
    for message in Message.objects.filter(kind__in=hold_kinds):
        message_deliver(message_id=message.pk)

    statuses = dict(Message.objects.filter(kind__in=hold_kinds).values_list("kind", "status"))
    assert statuses == {"volunteers.booking_on_hold": "skipped", "volunteers.booking_cleared": "skipped"}
    assert not [m for m in mailoutbox if "on hold" in m.subject or "confirmed again" in m.subject]


def test_the_roster_costs_the_same_queries_for_few_or_many_bookings(world):
    world["shift"].capacity = 100
    world["shift"].save()

    def roster_queries(extra: int) -> int:
        for _ in range(extra):
            Booking.objects.create(shift=world["shift"], volunteer=ready_volunteer())
        with CaptureQueriesContext(connection) as queries:
            assert (
                world["coordinator_browser"]
                .get(reverse("volunteers:coordinate:roster", args=[world["shift"].pk]))
                .status_code
                == 200
            )
        return len(queries)

    assert roster_queries(2) == roster_queries(20)


def test_no_volunteer_surface_reads_a_shifts_address_but_through_clearance():
    # The address reaches a volunteer only through volunteers.clearance: the calendar builder, the
    # volunteer views and templates never read Shift.address themselves.
    for path in ("volunteers/ics.py", "volunteers/views.py", "volunteers/notices.py"):
        assert not re.search(r"\bshifts?\.address\b|\.shift\.address\b", (ROOT / path).read_text()), path
    for template in (ROOT / "templates" / "volunteers").glob("*.html"):
        assert "shift.address" not in template.read_text(), template.name
    for template in (ROOT / "templates" / "volunteers" / "email").glob("*"):
        assert "address" not in template.read_text().replace("address is", ""), template.name
