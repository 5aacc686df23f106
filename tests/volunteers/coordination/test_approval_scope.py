"""Approving by email reaches only volunteers already connected to one of the coordinator's roles.

Two coordinators of different roles sign in through the sign-in page, each in their own browser
(client), and act over HTTP. Knowing an address must not pull a stranger into a coordinator's view;
staff keep the way to approve anyone."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    BookingFactory,
    RequirementFactory,
    RequirementVerificationFactory,
    RoleApplicationFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)
from volunteers import services
from volunteers.models import RoleApproval

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NOT_CONNECTED = "No volunteer connected to your roles has that email address."


def _signed_in(user) -> Client:
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the sign-in page did not sign them in"
    browser.get(response["Location"])  # the landing page shows (and uses up) "Signed in as …"
    return browser


@pytest.fixture
def people(agreement):
    """Ana coordinates Driver (needs approval) and Meals (needs none); Ben coordinates Hotline."""
    ana = UserFactory(roles=["coordinator"], name="Ana Coordinator")
    ben = UserFactory(roles=["coordinator"], name="Ben Coordinator")
    check = RequirementFactory(name="Background check")
    driver = RoleFactory(name="Driver", requires_approval=True, requirements=[check], coordinators=[ana])
    meals = RoleFactory(name="Meals", requires_approval=False, coordinators=[ana])
    hotline = RoleFactory(name="Hotline", requires_approval=True, coordinators=[ben])
    stranger = ready_volunteer(email="stranger@example.org", name="Sam Stranger")
    RequirementVerificationFactory(volunteer=stranger, requirement=check)
    return {
        "ana": ana,
        "ben": ben,
        "driver": driver,
        "meals": meals,
        "hotline": hotline,
        "stranger": stranger,
        "check": check,
    }


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _approve_by_email(browser, email, role):
    return browser.post(
        reverse("volunteers:coordinate:approve_by_email"), {"email": email, "role": role.pk}, follow=True
    )


def test_a_coordinator_cannot_pull_a_stranger_in_by_email(people):
    ana = _signed_in(people["ana"])
    stranger = people["stranger"]

    # When Ana approves a volunteer she has never been connected to, by their exact address
    response = _approve_by_email(ana, "stranger@example.org", people["driver"])

    # Then nothing is approved, and she still cannot see the person, their checks or their record
    assert NOT_CONNECTED in response.content.decode()
    assert not RoleApproval.objects.filter(volunteer=stranger).exists()
    detail = ana.get(reverse("volunteers:coordinate:volunteer", args=[stranger.pk]))
    assert detail.status_code == 404
    assert "Sam Stranger" not in ana.get(reverse("volunteers:coordinate:volunteers")).content.decode()
    # nor through the volunteer page's own approve button
    direct = ana.post(
        reverse("volunteers:coordinate:volunteer_approval", args=[stranger.pk]),
        {"role": people["driver"].pk, "decision": "approve"},
    )
    assert direct.status_code == 404
    assert not RoleApproval.objects.filter(volunteer=stranger).exists()


def test_an_unknown_address_and_an_unconnected_one_get_the_same_answer(people):
    ana = _signed_in(people["ana"])

    unknown = _approve_by_email(ana, "nobody-at-all@example.org", people["driver"]).content.decode()
    stranger = _approve_by_email(ana, "stranger@example.org", people["driver"]).content.decode()

    assert NOT_CONNECTED in unknown and NOT_CONNECTED in stranger
    assert _without_tokens(unknown) == _without_tokens(stranger)


def test_someone_who_applied_to_one_coordinators_role_is_out_of_reach_of_the_other(people):
    ana, ben = _signed_in(people["ana"]), _signed_in(people["ben"])
    applicant = ready_volunteer(email="applicant@example.org", name="Alex Applicant")
    RoleApplicationFactory(volunteer=applicant, role=people["hotline"])

    # Ana (Driver, Meals) cannot approve Ben's applicant for her role, nor see them
    refused = _approve_by_email(ana, "applicant@example.org", people["driver"])
    assert NOT_CONNECTED in refused.content.decode()
    assert ana.get(reverse("volunteers:coordinate:volunteer", args=[applicant.pk])).status_code == 404

    # Ben, whose role they applied for, approves them by email and lands on their page
    approved = _approve_by_email(ben, "applicant@example.org", people["hotline"])
    assert "Alex Applicant is approved for Hotline." in approved.content.decode()
    assert approved.redirect_chain[-1][0] == reverse("volunteers:coordinate:volunteer", args=[applicant.pk])
    assert RoleApproval.objects.filter(volunteer=applicant, role=people["hotline"]).exists()
    assert not RoleApproval.objects.filter(volunteer=applicant, role=people["driver"]).exists()
    # and Ana still cannot see them
    assert ana.get(reverse("volunteers:coordinate:volunteer", args=[applicant.pk])).status_code == 404


def test_a_role_that_needs_no_approval_cannot_be_approved(people):
    ana = _signed_in(people["ana"])
    helper = ready_volunteer(email="helper@example.org")
    BookingFactory(volunteer=helper, shift=ShiftFactory(role=people["meals"]))

    by_email = _approve_by_email(ana, "helper@example.org", people["meals"])
    on_page = ana.post(
        reverse("volunteers:coordinate:volunteer_approval", args=[helper.pk]),
        {"role": people["meals"].pk, "decision": "approve"},
        follow=True,
    )

    assert "one of your roles that needs approval" in by_email.content.decode()
    assert "Meals needs no approval" in on_page.content.decode()
    assert not RoleApproval.objects.filter(volunteer=helper).exists()
    with pytest.raises(services.CoordinationError, match="needs no approval"):
        services.role_approval_grant(role=people["meals"], volunteer=helper, by=people["ana"])


def test_a_coordinator_approves_a_volunteer_of_another_of_their_roles(people):
    ana = _signed_in(people["ana"])
    helper = ready_volunteer(email="helper@example.org", name="Hana Helper")
    BookingFactory(volunteer=helper, shift=ShiftFactory(role=people["meals"]))

    # Someone booked on Ana's Meals shift is connected to her: she may approve them for Driver
    response = _approve_by_email(ana, "HELPER@example.org", people["driver"])

    assert "Hana Helper is approved for Driver." in response.content.decode()
    assert RoleApproval.objects.filter(volunteer=helper, role=people["driver"]).exists()


def test_staff_approve_anyone_and_the_coordinator_then_sees_them(people):
    staff = _signed_in(UserFactory(roles=["staff"]))
    ana = _signed_in(people["ana"])
    stranger = people["stranger"]

    response = _approve_by_email(staff, "stranger@example.org", people["driver"])

    assert "Sam Stranger is approved for Driver." in response.content.decode()
    # Now connected to Driver through the approval: Ana sees the person and their background check
    detail = ana.get(reverse("volunteers:coordinate:volunteer", args=[stranger.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Sam Stranger" in page and "Background check" in page and "Verified on" in page


def test_a_coordinator_cannot_approve_for_a_role_that_is_not_theirs(people):
    applicant = ready_volunteer()
    RoleApplicationFactory(volunteer=applicant, role=people["hotline"])
    BookingFactory(volunteer=applicant, shift=ShiftFactory(role=people["meals"]))

    with pytest.raises(services.CoordinationError, match="do not coordinate Hotline"):
        services.role_approval_grant(role=people["hotline"], volunteer=applicant, by=people["ana"])
    with pytest.raises(services.CoordinationError, match="do not coordinate Hotline"):
        services.role_approval_revoke(role=people["hotline"], volunteer=applicant, by=people["ana"])
