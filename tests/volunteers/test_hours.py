"""Hours: off-roster time reported by volunteers (no free text), decided only by a coordinator of
the role, the staff report per volunteer, role and month (page and streamed CSV), and the service
letter (PDF read back with PDFium)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from messaging.models import Message
from tests import pdfcheck
from tests.factories import (
    BookingFactory,
    RoleApprovalFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)
from volunteers import services
from volunteers.models import Booking, HoursCategory, HoursReport

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 17, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def cora(db):
    return UserFactory(roles=["coordinator"], name="Cora Coordinator")


@pytest.fixture
def hotline(cora):
    return RoleFactory(name="Hotline callbacks", coordinators=[cora])


@pytest.fixture
def meals(db):
    return RoleFactory(
        name="Shelter meals", coordinators=[UserFactory(roles=["coordinator"], name="Max Meals")]
    )


@pytest.fixture
def ada(agreement):
    return ready_volunteer(name="Ada Lovelace", email="ada@example.org")


def _report(volunteer, role, *, minutes=90, date=TODAY, category=HoursCategory.REMOTE_CALLBACKS):
    return services.hours_report(
        volunteer=volunteer, role=role, date=date, minutes=minutes, category=category
    )


def _attended(volunteer, role, starts_at, minutes):
    shift = ShiftFactory(
        role=role, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=minutes)
    )
    return BookingFactory(shift=shift, volunteer=volunteer, status=Booking.Status.ATTENDED, minutes=minutes)


# --- reporting -----------------------------------------------------------------------------------


def test_a_volunteer_reports_time_with_a_role_date_minutes_and_category_and_no_free_text(
    client, ada, hotline
):
    client.force_login(ada)

    page = client.get(reverse("volunteers:hours_report")).content.decode()
    response = client.post(
        reverse("volunteers:hours_report"),
        {"role": hotline.pk, "date": "2026-11-19", "minutes": "75", "category": "remote_callbacks"},
    )

    assert "<textarea" not in page
    assert response.status_code == 302
    report = HoursReport.objects.get(volunteer=ada)
    assert (report.role, report.date, report.minutes, report.status) == (
        hotline,
        datetime.date(2026, 11, 19),
        75,
        HoursReport.Status.PENDING,
    )
    listed = client.get(reverse("volunteers:hours")).content.decode()
    assert "Remote callbacks" in listed and "Waiting for a coordinator" in listed


def test_the_report_form_has_only_the_listed_fields():
    from volunteers.hours_forms import HoursReportForm

    assert set(HoursReportForm().fields) == {"role", "date", "minutes", "category"}
    assert {f.name for f in HoursReport._meta.get_fields()} >= {"category"}
    assert not any(f.get_internal_type() == "TextField" for f in HoursReport._meta.fields)


@pytest.mark.parametrize(
    ("date", "minutes", "why"),
    [
        (TODAY + datetime.timedelta(days=1), 60, "future"),
        (TODAY - datetime.timedelta(days=91), 60, "older than 90 days"),
        (TODAY, 1441, "between 1 and 1440"),
        (TODAY, 0, "between 1 and 1440"),
    ],
)
def test_reports_outside_the_rules_are_refused(ada, hotline, date, minutes, why):
    with pytest.raises(services.HoursError, match=why):
        _report(ada, hotline, date=date, minutes=minutes)
    assert not HoursReport.objects.exists()


def test_a_role_that_needs_approval_takes_reports_only_from_approved_volunteers(ada, agreement):
    role = RoleFactory(name="Court accompaniment", requires_approval=True)

    with pytest.raises(services.HoursError, match="approve you"):
        _report(ada, role)
    RoleApprovalFactory(volunteer=ada, role=role)
    assert _report(ada, role).status == HoursReport.Status.PENDING


# --- deciding: only a coordinator of that role -------------------------------------------------


def test_the_coordinator_of_the_role_approves_and_the_volunteer_is_told_through_the_outbox(
    client, cora, ada, hotline, django_capture_on_commit_callbacks
):
    report = _report(ada, hotline)
    client.force_login(cora)

    listed = client.get(reverse("volunteers:coordinate:hours_pending")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:coordinate:hours_decide", args=[report.pk]), {"decision": "approve"})

    assert "Ada Lovelace" in listed
    report.refresh_from_db()
    assert report.status == HoursReport.Status.APPROVED and report.decided_by == cora
    message = Message.objects.get(kind="volunteers.hours_decided")
    assert message.recipient == "ada@example.org" and message.status == Message.Status.SENT
    assert "approved the 90 minutes" in message.body_text
    assert AuditEntry.objects.filter(action="volunteers.hours_decided", actor=cora).exists()


def test_my_hours_shows_how_much_reported_time_is_approved(client, cora, ada, hotline):
    approved = _report(ada, hotline, minutes=90)
    services.hours_report_decide(report=approved, by=cora, approve=True)
    _report(ada, hotline, minutes=45)  # waiting
    client.force_login(ada)

    page = client.get(reverse("volunteers:hours")).content.decode()

    assert "1.5 hours of it approved" in page
    assert 'aria-labelledby="reported-hours-caption"' in page  # the table scrolls in its own region


def test_a_coordinator_of_another_role_can_neither_see_nor_decide(client, ada, hotline, meals):
    report = _report(ada, hotline)
    other = meals.coordinators.get()
    client.force_login(other)

    listed = client.get(reverse("volunteers:coordinate:hours_pending")).content.decode()
    response = client.post(
        reverse("volunteers:coordinate:hours_decide", args=[report.pk]), {"decision": "approve"}
    )

    assert "Ada Lovelace" not in listed
    assert response.status_code == 404
    with pytest.raises(services.HoursError, match="Only a coordinator of Hotline callbacks"):
        services.hours_report_decide(report=report, by=other, approve=True)
    report.refresh_from_db()
    assert report.status == HoursReport.Status.PENDING


def test_a_volunteer_without_a_role_cannot_decide(ada, hotline, agreement):
    report = _report(ada, hotline)

    with pytest.raises(services.HoursError):
        services.hours_report_decide(report=report, by=ready_volunteer(), approve=True)


def test_nobody_decides_their_own_time_and_a_decision_is_final(cora, hotline, agreement):
    from tests.factories import VolunteerProfileFactory

    VolunteerProfileFactory(user=cora)
    from tests.factories import AgreementSignatureFactory
    from volunteers.models import Agreement

    AgreementSignatureFactory(volunteer=cora, agreement=Agreement.current())
    own = _report(cora, hotline)
    staff = UserFactory(roles=["staff"])

    with pytest.raises(services.HoursError, match="Another coordinator"):
        services.hours_report_decide(report=own, by=cora, approve=True)
    services.hours_report_decide(report=own, by=staff, approve=False)
    with pytest.raises(services.HoursError, match="already decided"):
        services.hours_report_decide(report=own, by=staff, approve=True)


# --- the staff report ----------------------------------------------------------------------------


def _some_hours(ada, hotline, meals, agreement):
    grace = ready_volunteer(name="=HYPERLINK(1) Grace", email="grace@example.org")
    october = timezone.make_aware(datetime.datetime(2026, 10, 5, 10, 0))
    november = timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))
    _attended(ada, hotline, october, 180)
    _attended(ada, hotline, november, 120)
    _attended(ada, meals, november, 60)
    _attended(grace, meals, november, 240)
    services.hours_report_decide(
        report=_report(ada, hotline, minutes=30, date=datetime.date(2026, 11, 10)),
        by=hotline.coordinators.get(),
        approve=True,
    )
    _report(ada, hotline, minutes=500)  # pending: not counted
    return grace


def test_staff_see_hours_per_volunteer_role_and_month(
    client, ada, hotline, meals, agreement, django_assert_max_num_queries
):
    _some_hours(ada, hotline, meals, agreement)
    client.force_login(UserFactory(roles=["staff"]))

    with django_assert_max_num_queries(12):
        page = client.get(
            reverse("volunteers:hours_summary"), {"date_from": "2026-10-01", "date_to": "2026-11-30"}
        ).content.decode()

    assert "Oct 2026" in page and "Nov 2026" in page
    assert "10.5 hours in all" in page  # 180 + 120 + 60 + 240 roster minutes, 30 approved


def test_the_hours_csv_is_streamed_and_formula_safe(client, ada, hotline, meals, agreement):
    _some_hours(ada, hotline, meals, agreement)
    client.force_login(UserFactory(roles=["staff"]))

    response = client.get(
        reverse("volunteers:hours_summary_csv"), {"date_from": "2026-10-01", "date_to": "2026-11-30"}
    )

    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Month", "Volunteer", "Email", "Role", "Shifts", "Shift hours", "Other hours", "Hours"]
    assert [
        "2026-11",
        "Ada Lovelace",
        "ada@example.org",
        "Hotline callbacks",
        "1",
        "2.00",
        "0.50",
        "2.50",
    ] in rows
    assert [
        "2026-10",
        "Ada Lovelace",
        "ada@example.org",
        "Hotline callbacks",
        "1",
        "3.00",
        "0.00",
        "3.00",
    ] in rows
    assert any(row[1] == "'=HYPERLINK(1) Grace" for row in rows)


def test_the_hours_report_is_for_staff_only(client, cora):
    client.force_login(cora)

    assert client.get(reverse("volunteers:hours_summary")).status_code == 403
    assert client.get(reverse("volunteers:hours_summary_csv")).status_code == 403


# --- the service letter --------------------------------------------------------------------------


def test_the_service_letter_states_hours_and_roles_over_the_chosen_period(
    client, ada, hotline, meals, agreement
):
    _some_hours(ada, hotline, meals, agreement)
    client.force_login(ada)

    response = client.get(
        reverse("volunteers:service_letter"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdfcheck.text(response.content)
    assert "Ada Lovelace" in text and "Hotline callbacks" in text and "Shelter meals" in text
    assert "3.50" in text  # 120 + 60 roster minutes + 30 approved in November
    assert "Grace" not in text and "12 Hidden Lane" not in text  # nobody else, no address
    assert pdfcheck.overlapping_words(response.content) == []


def test_the_service_letter_asks_for_a_valid_period(client, ada):
    client.force_login(ada)

    chooser = client.get(reverse("volunteers:service_letter"))
    backwards = client.get(
        reverse("volunteers:service_letter"), {"date_from": "2026-11-30", "date_to": "2026-11-01"}
    )

    assert chooser.status_code == 200 and b"Download the PDF" in chooser.content
    assert backwards.status_code == 400
