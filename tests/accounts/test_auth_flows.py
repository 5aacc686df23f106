"""Sign-up with mandatory verification, sign-in by password and by emailed code, password reset,
email change. Account mail is sent by a Celery task after commit (eager in tests), so requests that
send mail run inside django_capture_on_commit_callbacks(execute=True)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _first_link(body: str, path_fragment: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_fragment) + r"\S*)", body)
    assert match, f"no link containing {path_fragment!r} in:\n{body}"
    return match.group(1)


def _signup(client, django_capture_on_commit_callbacks, email="new@example.org", **extra):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), data)


def test_sign_up_sends_a_verification_link_only_after_commit(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Given the sign-up page
    assert client.get(reverse("account_signup")).status_code == 200

    # When a person signs up, the mail is queued for after the commit, not sent inside the request
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("account_signup"),
            {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    assert mailoutbox == []
    assert len(callbacks) == 1

    # Then once committed, exactly one verification mail with a confirmation link goes out
    callbacks[0]()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert not EmailAddress.objects.get(email="new@example.org").verified


def test_an_unverified_person_cannot_sign_in_until_they_confirm(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a person who signed up but has not confirmed
    _signup(client, django_capture_on_commit_callbacks)
    client.logout()
    link = _first_link(mailoutbox[0].body, "/accounts/confirm-email/")

    # When they sign in with the right password
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})

    # Then they are not signed in: allauth sends them to "verify your email" (a resend within
    # minutes of the first mail is held back by allauth's cooldown)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert len(mailoutbox) == 1

    # When they open the link (a page that POSTs, so mail scanners do not use it up) and confirm
    assert client.get(link).status_code == 200
    assert not EmailAddress.objects.get(email="new@example.org").verified
    client.post(link)

    # Then the address is verified and they can sign in
    assert EmailAddress.objects.get(email="new@example.org").verified
    response = client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_confirming_right_after_sign_up_signs_the_person_in(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a fresh sign-up in this browser
    _signup(client, django_capture_on_commit_callbacks)
    assert client.get(reverse("accounts:dashboard")).status_code == 302

    # When the person confirms from the link
    link = _first_link(mailoutbox[0].body, "/accounts/confirm-email/")
    response = client.post(link)

    # Then they land signed in
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_sign_up_grants_donor_by_default(client, django_capture_on_commit_callbacks):
    _signup(client, django_capture_on_commit_callbacks)

    assert User.objects.get(email="new@example.org").roles == {"donor"}


def test_sign_up_through_the_volunteer_path_grants_volunteer(client, django_capture_on_commit_callbacks):
    # Given the volunteer sign-up link preselects "Volunteer"
    page = client.get(reverse("account_signup") + "?as=volunteer")
    assert page.context["form"].fields["roles"].initial == ["volunteer"]

    # When the person keeps that choice
    _signup(client, django_capture_on_commit_callbacks, roles=["volunteer"], name="Ana Ruiz")

    # Then they hold the volunteer role
    assert User.objects.get(email="new@example.org").roles == {"volunteer"}


def test_sign_up_cannot_grant_itself_staff(client, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks, roles=["staff", "coordinator"])

    # The form refuses choices it does not offer, and nobody is created with those roles
    assert response.status_code == 200
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(groups__name__in=["staff", "coordinator"]).exists()


def test_a_verified_person_signs_in_with_a_password_and_lands_on_the_dashboard(client):
    user = UserFactory(email="donor@example.org")

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong password"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_a_donor_without_a_password_signs_in_by_emailed_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a donor who never set a password
    user = UserFactory(email="nopass@example.org", password=None)
    user.set_unusable_password()
    user.save()

    # When they ask for a code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mailoutbox[0].body, re.MULTILINE).group(1)

    # And enter it
    response = client.post(response["Location"], {"code": code})

    # Then they are signed in
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(email="nopass@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": user.email})

    response = client.post(response["Location"], {"code": "ZZZZZZ"})

    assert response.status_code == 200
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a person who forgot their password
    user = UserFactory(email="forgot@example.org")

    # When they ask for a reset
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = _first_link(mailoutbox[0].body, "/accounts/password/reset/key/")

    # And follow the link and choose a new password
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session, then shows the form
    form_url = response["Location"]
    new_password = "a much newer passphrase 2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})

    # Then the new password works
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_address_reveals_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    # Same answer as for a known address; allauth mails an "unknown account" notice, never a link
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mailoutbox)


def test_email_change_needs_the_new_address_verified(client, mailoutbox, django_capture_on_commit_callbacks):
    # Given a signed-in person
    user = UserFactory(email="old@example.org")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    # When they change their address
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302

    # Then a verification goes to the new address, and the old one stays until it is confirmed
    assert mailoutbox[-1].to == ["new@example.org"]
    user.refresh_from_db()
    assert user.email == "old@example.org"
    client.post(_first_link(mailoutbox[-1].body, "/accounts/confirm-email/"))
    user.refresh_from_db()
    assert user.email == "new@example.org"


def test_sign_out_is_a_post(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_a_new_volunteer_gives_their_name_and_it_is_kept(client, django_capture_on_commit_callbacks):
    # When someone signs up to volunteer without a name, the form asks for it
    refused = _signup(client, django_capture_on_commit_callbacks, roles=["volunteer"])
    assert "name" in refused.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()

    # Then with a name, the account carries it (spaces tidied)
    _signup(client, django_capture_on_commit_callbacks, roles=["volunteer"], name="  Ana   Ruiz ")
    assert User.objects.get(email="new@example.org").name == "Ana Ruiz"
