"""The demo's caught mail (/dev/outbox/) holds sign-in codes and reset links for every account: only a
signed-in superuser, or someone who typed the key the demo printed at start, may read it."""

from email.message import EmailMessage

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.dev_urlconf")]

KEY = "demo-key-for-this-test"
SECRET_LINK = "/accounts/password/reset/key/abc-123-secret/"


@pytest.fixture
def caught_mail(settings, tmp_path):
    settings.HAVEN_OUTBOX_DIR = tmp_path
    settings.HAVEN_DEV_OUTBOX_KEY = KEY
    mail = EmailMessage()
    mail["Subject"] = "[Haven] Password Reset"
    mail["To"] = "volunteer1@haven.example"
    mail.set_content(f"Reset it here: http://127.0.0.1:8000{SECRET_LINK}")
    (tmp_path / "20260101-120000-abcdef12.eml").write_bytes(mail.as_bytes())
    return "20260101-120000-abcdef12"


def test_a_visitor_sees_neither_the_list_nor_a_message(client, caught_mail):
    listing = client.get(reverse("dev_outbox"))
    message = client.get(reverse("dev_outbox_message", args=[caught_mail]))

    for response in (listing, message):
        assert response.status_code == 403
        page = response.content.decode()
        assert "Password Reset" not in page and SECRET_LINK not in page
        assert "Type the outbox key" in page


def test_a_signed_in_person_who_is_not_a_superuser_is_refused(client, caught_mail):
    client.force_login(UserFactory(roles=["staff"]))

    assert client.get(reverse("dev_outbox_message", args=[caught_mail])).status_code == 403


def test_a_wrong_key_opens_nothing(client, caught_mail):
    response = client.post(reverse("dev_outbox"), {"outbox_key": "guess"})

    assert response.status_code == 403
    assert "That is not this demo's outbox key." in response.content.decode()
    assert client.get(reverse("dev_outbox")).status_code == 403


def test_the_printed_key_opens_the_outbox_for_that_browser(client, caught_mail):
    response = client.post(reverse("dev_outbox"), {"outbox_key": KEY})

    assert response.status_code == 302 and response["Location"] == reverse("dev_outbox")
    assert "Password Reset" in client.get(reverse("dev_outbox")).content.decode()
    assert SECRET_LINK in client.get(reverse("dev_outbox_message", args=[caught_mail])).content.decode()


def test_a_new_key_at_the_next_start_locks_old_sessions_out(client, caught_mail, settings):
    client.post(reverse("dev_outbox"), {"outbox_key": KEY})
    settings.HAVEN_DEV_OUTBOX_KEY = "the-next-start"

    assert client.get(reverse("dev_outbox")).status_code == 403


def test_without_a_key_only_a_superuser_gets_in(client, caught_mail, settings):
    settings.HAVEN_DEV_OUTBOX_KEY = ""
    assert client.post(reverse("dev_outbox"), {"outbox_key": ""}).status_code == 403

    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert SECRET_LINK in client.get(reverse("dev_outbox_message", args=[caught_mail])).content.decode()
