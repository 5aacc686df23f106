"""allauth's failed sign-in limit (10 a minute per client, 5 in 5 minutes per account) counts per
client behind the trusted proxy, not per proxy."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


LIMITED = "Too many attempts"


def _fail(client, email, address) -> str:
    """A wrong password from `address`; the page's text (a limited attempt answers 429, "Too many
    attempts")."""
    response = client.post(
        reverse("account_login"), {"login": email, "password": "wrong"}, HTTP_X_FORWARDED_FOR=address
    )
    page = response.content.decode()
    assert response.status_code == (429 if LIMITED in page else 200)
    return page


def test_failed_sign_ins_are_limited_per_client_behind_the_proxy(client, settings):
    # given the app behind one trusted proxy (every request arrives from 127.0.0.1)
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    # when one client fails ten times, on ten different accounts
    for number in range(10):
        assert LIMITED not in _fail(client, f"nobody{number}@example.org", "198.51.100.1")

    # then its 11th attempt is refused, and another client is not affected
    assert LIMITED in _fail(client, "nobody99@example.org", "198.51.100.1")
    assert LIMITED not in _fail(client, "nobody99@example.org", "198.51.100.2")


def test_failed_sign_ins_on_one_account_are_limited_from_every_client(client, settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="target@example.org")

    for number in range(5):
        assert LIMITED not in _fail(client, user.email, f"198.51.100.{number}")

    assert LIMITED in _fail(client, user.email, "198.51.100.200")
