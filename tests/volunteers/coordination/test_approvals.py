"""Approving volunteers for roles and recording requirement verifications."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from messaging.models import Message
from messaging.services import message_deliver
from tests.factories import (
    BookingFactory,
    RequirementFactory,
    RoleApplicationFactory,
    RoleFactory,
    ShiftFactory,
    ready_volunteer,
)
from volunteers import booking_rules, services
from volunteers.models import Booking, RequirementVerification, RoleApplication, RoleApproval

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_role(coordinator):
    """A role needing a coordinator's approval and a background check."""
    check = RequirementFactory(name="Background check", valid_for_days=365)
    return RoleFactory(
        name="Driver", requires_approval=True, requirements=[check], coordinators=[coordinator]
    )


def test_application_approved_and_requirement_verified_then_the_volunteer_can_book(
    coordinator_client, coordinator, checked_role, agreement
):
    volunteer = ready_volunteer()
    shift = ShiftFactory(role=checked_role)
    # given the volunteer applied and cannot book yet
    application = services.role_apply(volunteer=volunteer, role=checked_role)
    with pytest.raises(booking_rules.ApprovalMissing):
        services.shift_book(shift=shift, volunteer=volunteer)
    listing = coordinator_client.get(reverse("volunteers:coordinate:volunteers")).content.decode()
    assert volunteer.get_full_name() in listing and "Applications waiting (1)" in listing

    # when the coordinator approves the application and records the check
    coordinator_client.post(
        reverse("volunteers:coordinate:application_decide", args=[application.pk]), {"decision": "approve"}
    )
    requirement = checked_role.requirements.get()
    response = coordinator_client.post(
        reverse("volunteers:coordinate:volunteer_verification", args=[volunteer.pk]),
        {"requirement": requirement.pk, "verified_on": timezone.localdate().isoformat(), "expires_on": ""},
    )
    assert response.status_code == 302

    # then the approval and a verification "on <date> by <coordinator>" exist, expiring after a year
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.APPROVED and application.decided_by == coordinator
    assert RoleApproval.objects.get(volunteer=volunteer, role=checked_role).approved_by == coordinator
    verification = RequirementVerification.objects.get(volunteer=volunteer, requirement=requirement)
    assert verification.verified_by == coordinator
    assert verification.expires_on == timezone.localdate() + datetime.timedelta(days=365)
    # and the volunteer can book
    assert services.shift_book(shift=shift, volunteer=volunteer).status == Booking.Status.BOOKED
    detail = coordinator_client.get(
        reverse("volunteers:coordinate:volunteer", args=[volunteer.pk])
    ).content.decode()
    assert "Verified on" in detail and coordinator.get_full_name() in detail


def test_an_expired_verification_blocks_booking(coordinator, checked_role, agreement):
    volunteer = ready_volunteer()
    services.role_apply(volunteer=volunteer, role=checked_role)
    services.role_approval_grant(role=checked_role, volunteer=volunteer, by=coordinator)
    today = timezone.localdate()
    services.requirement_verification_record(
        volunteer=volunteer,
        requirement=checked_role.requirements.get(),
        verified_on=today - datetime.timedelta(days=400),
        expires_on=today - datetime.timedelta(days=35),
        by=coordinator,
    )

    with pytest.raises(booking_rules.RequirementExpired):
        services.shift_book(shift=ShiftFactory(role=checked_role), volunteer=volunteer)


def test_verification_stores_only_dates_and_who(coordinator, checked_role):
    fields = {f.name for f in RequirementVerification._meta.get_fields()}
    assert fields <= {
        "id",
        "volunteer",
        "requirement",
        "verified_on",
        "expires_on",
        "verified_by",
        "created_at",
    }
    with pytest.raises(services.CoordinationError, match="future"):
        services.requirement_verification_record(
            volunteer=ready_volunteer(),
            requirement=checked_role.requirements.get(),
            verified_on=timezone.localdate() + datetime.timedelta(days=1),
            by=coordinator,
        )


def test_declined_application_and_revoked_approval(coordinator_client, coordinator, checked_role, agreement):
    volunteer = ready_volunteer()
    application = services.role_apply(volunteer=volunteer, role=checked_role)

    coordinator_client.post(
        reverse("volunteers:coordinate:application_decide", args=[application.pk]), {"decision": "decline"}
    )
    application.refresh_from_db()
    assert application.status == RoleApplication.Status.DECLINED
    assert not RoleApproval.objects.filter(volunteer=volunteer).exists()

    services.role_approval_grant(role=checked_role, volunteer=volunteer, by=coordinator)
    coordinator_client.post(
        reverse("volunteers:coordinate:volunteer_approval", args=[volunteer.pk]),
        {"role": checked_role.pk, "decision": "revoke"},
    )
    assert not RoleApproval.objects.filter(volunteer=volunteer).exists()


def test_approve_by_email_finds_only_onboarded_volunteers_of_the_coordinators_roles(
    coordinator_client, checked_role, agreement
):
    volunteer = ready_volunteer(email="known@example.org")
    RoleApplicationFactory(volunteer=volunteer, role=checked_role)
    url = reverse("volunteers:coordinate:approve_by_email")

    missing = coordinator_client.post(
        url, {"email": "nobody@example.org", "role": checked_role.pk}, follow=True
    )
    assert "No volunteer connected to your roles has that email address" in missing.content.decode()

    coordinator_client.post(url, {"email": "KNOWN@example.org", "role": checked_role.pk})
    assert RoleApproval.objects.filter(volunteer=volunteer, role=checked_role).exists()


def test_coordinator_cannot_decide_or_verify_for_other_roles(coordinator_client, other_role, agreement):
    volunteer = ready_volunteer()
    foreign_role = RoleFactory(requires_approval=True, requirements=[RequirementFactory()])
    application = services.role_apply(volunteer=volunteer, role=foreign_role)

    decide = coordinator_client.post(
        reverse("volunteers:coordinate:application_decide", args=[application.pk]), {"decision": "approve"}
    )
    verify = coordinator_client.post(
        reverse("volunteers:coordinate:volunteer_verification", args=[volunteer.pk]),
        {"requirement": foreign_role.requirements.get().pk, "verified_on": timezone.localdate().isoformat()},
    )

    assert decide.status_code == 404 and verify.status_code == 404
    assert not RoleApproval.objects.exists() and not RequirementVerification.objects.exists()


def test_approvals_verifications_and_cancellations_are_in_the_audit_log(coordinator, checked_role, agreement):
    volunteer = ready_volunteer()
    services.role_apply(volunteer=volunteer, role=checked_role)
    requirement = checked_role.requirements.get()
    today = timezone.localdate()

    services.role_approval_grant(role=checked_role, volunteer=volunteer, by=coordinator)
    services.role_approval_grant(
        role=checked_role, volunteer=volunteer, by=coordinator
    )  # no change, no entry
    services.requirement_verification_record(
        volunteer=volunteer, requirement=requirement, verified_on=today, by=coordinator
    )
    services.role_approval_revoke(role=checked_role, volunteer=volunteer, by=coordinator)
    services.shift_cancel(shift=ShiftFactory(role=checked_role), by=coordinator)

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor", "data"))
    assert [(action, actor) for action, actor, _ in entries] == [
        ("volunteers.role_approve", coordinator.pk),
        ("volunteers.requirement_verify", coordinator.pk),
        ("volunteers.role_approval_revoke", coordinator.pk),
        ("volunteers.shift_cancel", coordinator.pk),
    ]
    assert entries[1][2] == {
        "requirement": requirement.name,
        "verified_on": today.isoformat(),
        "expires_on": (today + datetime.timedelta(days=365)).isoformat(),
    }


def test_the_volunteer_hears_the_decision_once(
    coordinator, checked_role, role, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    approved, declined, direct = ready_volunteer(), ready_volunteer(), ready_volunteer()
    # `direct` never applied, but is booked on another of the coordinator's roles
    BookingFactory(volunteer=direct, shift=ShiftFactory(role=role))
    to_approve = services.role_apply(volunteer=approved, role=checked_role)
    to_decline = services.role_apply(volunteer=declined, role=checked_role)

    with django_capture_on_commit_callbacks(execute=True):
        services.role_application_decide(application=to_approve, approve=True, by=coordinator)
        services.role_application_decide(application=to_decline, approve=False, by=coordinator)
        # someone who never applied hears of it too (through the outbox), and only once
        services.role_approval_grant(role=checked_role, volunteer=direct, by=coordinator)
        services.role_approval_grant(role=checked_role, volunteer=direct, by=coordinator)

    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (approved.email, "[Haven] You are approved for Driver"),
            (declined.email, "[Haven] Your application for Driver"),
            (direct.email, "[Haven] You are approved for Driver"),
        ]
    )
    assert "not approved you" in next(m.body for m in mailoutbox if m.to == [declined.email])
    # a second run of the task (a redelivery) sends nothing
    for decision in Message.objects.filter(kind="volunteers.role_decision"):
        assert message_deliver(message_id=decision.pk) == "not claimed"
    assert len(mailoutbox) == 3


def test_approving_from_the_volunteer_page_answers_their_application(
    coordinator, checked_role, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    volunteer = ready_volunteer()
    application = services.role_apply(volunteer=volunteer, role=checked_role)

    with django_capture_on_commit_callbacks(execute=True):
        services.role_approval_grant(role=checked_role, volunteer=volunteer, by=coordinator)

    application.refresh_from_db()
    assert application.status == RoleApplication.Status.APPROVED
    assert Message.objects.get(kind="volunteers.role_decision").status == Message.Status.SENT
    assert [m.to for m in mailoutbox] == [[volunteer.email]]


def test_approving_someone_by_email_tells_them_once_through_the_outbox(
    coordinator_client, checked_role, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    from messaging.models import Message

    # given an onboarded volunteer who booked one of the coordinator's shifts, without applying
    volunteer = ready_volunteer(email="known@example.org", name="Ana Ruiz")
    BookingFactory(
        shift=ShiftFactory(role=RoleFactory(coordinators=checked_role.coordinators.all())),
        volunteer=volunteer,
    )
    url = reverse("volunteers:coordinate:approve_by_email")

    # when the coordinator approves them by address, twice
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url, {"email": "known@example.org", "role": checked_role.pk})
        coordinator_client.post(url, {"email": "known@example.org", "role": checked_role.pk})

    # then one notice went through the outbox, naming the role
    sent = Message.objects.filter(kind="volunteers.role_approved")
    assert sent.count() == 1 and sent.get().recipient == "known@example.org"
    assert len(mailoutbox) == 1
    assert "You are approved for Driver" in mailoutbox[0].subject
    assert "Hello Ana" in mailoutbox[0].body
