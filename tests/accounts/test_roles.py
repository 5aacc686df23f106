import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_person_can_hold_several_roles(user):
    from accounts.roles import user_grant_role

    user_grant_role(user=user, role="volunteer")
    user_grant_role(user=user, role="coordinator")

    assert user.has_role("volunteer")
    assert user.has_role("coordinator")
    assert not user.has_role("staff")


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dashboard_shows_what_each_role_opens(client, donor, staff_user):
    client.force_login(donor)
    donor_page = client.get(reverse("accounts:dashboard")).content.decode()
    client.force_login(staff_user)
    staff_page = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Become a volunteer" in donor_page
    assert reverse("people:list") not in donor_page
    assert reverse("people:list") in staff_page


def test_the_real_coordinator_pages_refuse_a_volunteer(client, volunteer, coordinator):
    client.force_login(volunteer)
    assert client.get("/coordinate/").status_code == 403

    client.force_login(coordinator)
    assert client.get("/coordinate/").status_code == 200


def test_coordinator_pages_demand_mfa_when_configured(client, coordinator, settings):
    settings.HAVEN_MFA_REQUIRED_ROLES = ["coordinator"]
    client.force_login(coordinator)

    response = client.get("/coordinate/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
