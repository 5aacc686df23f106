"""Signing up with an address that already has an account does the same expensive work as a new
sign-up (one password hash, one mail queued, the same rows written), so the time the page takes no
longer tells who has an account. The wall-clock figures are measured by bench/signup.py with
production's hashing; here the work itself is counted."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.accounts.counting_hasher import CountingHasher
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.counting_hasher.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def _sign_up(client, email, capture):
    with CaptureQueriesContext(connection) as queries, capture(execute=True) as callbacks:
        response = client.post(
            reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
    writes = [
        " ".join(q["sql"].split()[:3])
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    return response, len(callbacks), writes


def test_a_known_address_costs_what_a_new_one_costs(
    client, counting_hasher, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.org")
    counting_hasher.calls = 0

    new_response, new_queued, new_writes = _sign_up(
        client, "fresh@example.org", django_capture_on_commit_callbacks
    )
    new_hashes, new_mails = counting_hasher.calls, len(mailoutbox)
    client.logout()
    counting_hasher.calls = 0
    known_response, known_queued, known_writes = _sign_up(
        client, "known@example.org", django_capture_on_commit_callbacks
    )
    known_hashes, known_mails = counting_hasher.calls, len(mailoutbox) - new_mails

    # the same answer…
    assert new_response.status_code == known_response.status_code == 302
    assert new_response["Location"] == known_response["Location"]
    # …after the same expensive steps: one password hash, one mail queued after commit, the same writes
    assert new_hashes == known_hashes == 1
    assert new_queued == known_queued and new_mails == known_mails == 1
    assert sorted(new_writes) == sorted(known_writes), (new_writes, known_writes)
    # and the known path left nothing behind: one account for that address, no stand-in rows
    assert User.objects.filter(email="known@example.org").count() == 1
    assert not User.objects.filter(email__startswith="signup-rehearsal-").exists()
    assert not EmailAddress.objects.filter(email__startswith="signup-rehearsal-").exists()
    # the owner is told someone tried to sign up with their address; nobody gets a stand-in's mail
    assert mailoutbox[-1].to == ["known@example.org"]
    assert all("invalid" not in message.to[0] for message in mailoutbox)
