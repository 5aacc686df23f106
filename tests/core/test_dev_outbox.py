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


@pytest.fixture
def caught_html_mail(settings, tmp_path):
    settings.HAVEN_OUTBOX_DIR = tmp_path
    settings.HAVEN_DEV_OUTBOX_KEY = KEY
    mail = EmailMessage()
    mail["Subject"] = "[Haven] Your receipt"
    mail["To"] = "donor1@haven.example"
    mail.set_content("Thank you.")
    mail.add_alternative(
        '<html><head><style>p { margin: 0 }</style></head><body><p style="color: #123541">Thank you.</p>'
        f'<a href="{SECRET_LINK}">reset</a></body></html>',
        subtype="html",
    )
    (tmp_path / "20260101-120500-0123abcd.eml").write_bytes(mail.as_bytes())
    return "20260101-120500-0123abcd"


def test_the_html_body_is_for_outbox_readers_only_and_allows_exactly_its_own_styles(client, caught_html_mail):
    from core.csp import inline_style_hashes

    url = reverse("dev_outbox_message_html", args=[caught_html_mail])
    # a visitor gets nothing
    refused = client.get(url)
    assert refused.status_code == 403 and SECRET_LINK not in refused.content.decode()

    # with the key, the message page frames the body, and the body's policy allows only its styles
    client.post(reverse("dev_outbox"), {"outbox_key": KEY})
    page = client.get(reverse("dev_outbox_message", args=[caught_html_mail])).content.decode()
    assert f'src="{url}"' in page and "sandbox" in page and "srcdoc" not in page
    body = client.get(url)
    policy = body["Content-Security-Policy"]
    assert body.status_code == 200 and SECRET_LINK in body.content.decode()
    hashes = inline_style_hashes(body.content.decode())
    assert len(hashes) == 2  # the <style> element and the style attribute
    assert f"style-src 'unsafe-hashes' {' '.join(hashes)}" in policy
    assert "default-src 'none'" in policy and "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    assert body["X-Frame-Options"] == "SAMEORIGIN"
