"""MFA is forced on the roles in HAVEN_MFA_REQUIRED_ROLES; the admin signs in through allauth."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_stands_still(time_machine):
    # TOTP codes change every 30 s: a still clock means a code cannot expire mid-test.
    time_machine.move_to("2026-03-02 15:00:00+00:00", tick=False)


PASSWORD = "correct horse battery staple"


@pytest.fixture
def mfa_for_staff_and_coordinators(settings):
    settings.HAVEN_MFA_REQUIRED_ROLES = ["staff", "coordinator"]


def _sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _open_enrolment(client) -> str:
    """allauth asks for the password again before MFA can be switched on; then shows the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    return page.context["form"].secret


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_a_coordinator_without_mfa_is_sent_to_enrol(client, coordinator, mfa_for_staff_and_coordinators):
    client.force_login(coordinator)

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_volunteer_is_not_asked_for_mfa(client, volunteer, mfa_for_staff_and_coordinators):
    client.force_login(volunteer)

    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_the_enrolment_pages_stay_reachable(client, staff_user, mfa_for_staff_and_coordinators):
    client.force_login(staff_user)

    # /accounts/ is exempt, or nobody could enrol; the health check too
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("pages:healthz")).status_code == 200


def test_staff_enrol_in_totp_then_reach_their_pages(client, mfa_for_staff_and_coordinators):
    # Given a staff member who signed in with their password
    staff = UserFactory(roles=["staff"])
    _sign_in(client, staff)
    assert client.get(reverse("people:list")).status_code == 302

    # When they confirm their password, scan the secret and type the current code
    secret = _open_enrolment(client)
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302

    # Then TOTP is on, and the staff page opens
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("people:list")).status_code == 200


def test_a_wrong_enrolment_code_enables_nothing(client, mfa_for_staff_and_coordinators):
    staff = UserFactory(roles=["staff"])
    _sign_in(client, staff)
    _open_enrolment(client)

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Authenticator.objects.filter(user=staff).exists()


def test_signing_in_with_totp_asks_for_the_code(client, mfa_for_staff_and_coordinators):
    # Given a staff member with TOTP enrolled
    staff = UserFactory(roles=["staff"])
    _sign_in(client, staff)
    secret = _open_enrolment(client)
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    client.logout()

    # When they sign in with their password, they must still give a code
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("people:list")).status_code == 302

    # Then a wrong code does not let them in, and the current one does
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert client.get(reverse("people:list")).status_code == 302
    client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert client.get(reverse("people:list")).status_code == 200


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_the_admin_index_sends_anonymous_people_to_allauth(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_a_signed_in_non_admin_is_refused_by_the_admin(client, staff_user):
    client.force_login(staff_user)  # the staff role is not Django's is_staff

    assert client.get("/admin/login/").status_code == 403


def test_a_superuser_reaches_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.get("/admin/").status_code == 200


def test_enrolment_gives_recovery_codes_that_sign_in_once(client, mfa_for_staff_and_coordinators):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    # Given a staff member who enrolled (allauth generates recovery codes with the authenticator app)
    staff = UserFactory(roles=["staff"])
    _sign_in(client, staff)
    secret = _open_enrolment(client)
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    codes = RecoveryCodes(Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES))
    code = codes.get_unused_codes()[0]
    client.logout()

    # When they lost their phone and sign in with a recovery code
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": code})

    # Then they are in, and that code is used up
    assert client.get(reverse("people:list")).status_code == 200
    client.logout()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get(reverse("people:list")).status_code == 302
