"""Flash messages ("Confirmation email sent to …", "Successfully signed in as …") name the person's
address. They are kept in the server-side session: no cookie the browser holds carries an address."""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _cookie_text(client) -> str:
    return " ".join(f"{name}={unquote(morsel.value)}" for name, morsel in client.cookies.items())


def test_signing_up_and_in_leaves_no_address_in_a_cookie(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = client.post(
            reverse("account_signup"),
            {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
            follow=True,
        )
    # the message is shown on the page…
    assert "new.person@example.org" in signed_up.content.decode()
    # …and kept nowhere in the browser
    assert "messages" not in client.cookies
    assert "new.person@example.org" not in _cookie_text(client)

    person = UserFactory(email="known.person@example.org")
    client.logout()
    signed_in = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD}, follow=True
    )
    assert "known.person@example.org" in signed_in.content.decode()
    assert "messages" not in client.cookies
    assert "known.person@example.org" not in _cookie_text(client)
