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
