"""A visitor's language: their choice (the switcher, kept on their account when signed in), then
Accept-Language, then English. The page says which language it is in (lang, Content-Language,
hreflang alternates), and messages are written in the recipient's language."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.money import format_money
from core.templatetags.haven_formats import date_as
from messaging.models import Message
from messaging.services import message_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 1"


def test_accept_language_es_gets_the_home_page_in_spanish(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in body
    assert response["Content-Language"] == "es"
    assert "Ir al contenido principal" in body
    assert "Skip to main content" not in body
    assert "Accept-Language" in response["Vary"]


def test_without_a_preference_the_page_is_english(client):
    response = client.get("/")

    body = response.content.decode()
    assert '<html lang="en">' in body
    assert response["Content-Language"] == "en"
    assert "Skip to main content" in body


def test_every_page_links_its_other_language_versions(client):
    body = client.get("/campaigns/?page=2").content.decode()

    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/campaigns/?page=2&amp;lang=en">' in body
    )
    assert (
        '<link rel="alternate" hreflang="es" href="http://testserver/campaigns/?page=2&amp;lang=es">' in body
    )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/campaigns/?page=2">' in body
    spanish = client.get("/campaigns/?lang=es", HTTP_ACCEPT_LANGUAGE="en")
    assert spanish["Content-Language"] == "es"


def test_the_switcher_keeps_the_visitor_on_the_same_page(client):
    page = client.get("/campaigns/?page=1&lang=en").content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="next" value="/campaigns/?page=1"' in page  # ?lang= is dropped: the choice wins
    assert 'value="es" lang="es">Español</button>' in page
    assert "csrfmiddlewaretoken" not in page  # a public page that may be cached carries no token

    response = Client(enforce_csrf_checks=True).post(
        reverse("set_language"), {"language": "es", "next": "/campaigns/?page=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/campaigns/?page=1"
    assert response.cookies["django_language"].value == "es"


def test_the_switcher_refuses_to_send_a_visitor_off_the_site(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_a_signed_in_persons_choice_is_saved_on_their_account_and_follows_them():
    person = UserFactory(language="en")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)
    page = browser.get(reverse("accounts:dashboard"))
    token = page.context["csrf_token"]
    assert "csrfmiddlewaretoken" in page.content.decode()

    response = browser.post(
        reverse("set_language"), {"language": "es", "next": "/me/", "csrfmiddlewaretoken": str(token)}
    )

    assert response["Location"] == "/me/"
    person.refresh_from_db()
    assert person.language == "es"
    # A new browser, without the cookie, signs in: the page is in their language.
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def test_a_forged_switch_cannot_change_a_signed_in_persons_account():
    person = UserFactory(language="en")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)

    response = browser.post(reverse("set_language"), {"language": "es", "next": "/"})

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.language == "en"


def test_sign_up_keeps_the_language_of_the_page(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup") + "?lang=es",
            {"email": "nueva@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )

    assert User.objects.get(email="nueva@example.org").language == "es"


def test_a_message_to_an_account_is_queued_in_its_language_unless_the_caller_says_otherwise():
    person = UserFactory(language="es")
    stranger = "donor@example.org"
    with translation.override("en"):
        theirs = message_queue(
            kind="tests.prerendered", recipient=person.email, user=person, dedupe_key="a", content=_content()
        )
    with translation.override("es"):
        anonymous = message_queue(
            kind="tests.prerendered", recipient=stranger, dedupe_key="b", content=_content()
        )
    explicit = message_queue(
        kind="tests.prerendered",
        recipient=person.email,
        user=person,
        language="en",
        dedupe_key="c",
        content=_content(),
    )

    assert [m.language for m in Message.objects.order_by("dedupe_key")] == ["es", "es", "en"]
    assert (theirs.language, anonymous.language, explicit.language) == ("es", "es", "en")


@pytest.fixture(autouse=True)
def _kind(monkeypatch):
    from messaging import registry

    monkeypatch.setitem(registry.KINDS, "tests.prerendered", registry.Kind("tests.prerendered", render=None))


def _content():
    from messaging.registry import Rendered

    return Rendered(subject="s", text="t", html="")


def test_money_dates_and_times_follow_the_active_language():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 1, 19, 30))

    with translation.override("en"):
        assert format_money(123456, "usd") == "$1,234.56"
        assert date_as(moment, "HAVEN_SHORT_DAY_TIME") == "Tue, Dec 1, 7:30 PM"
        assert date_as(moment, "HAVEN_WEEKDAY_DATE") == "Tuesday, December 1, 2026"
    with translation.override("es"):
        assert format_money(123456, "usd") == "1.234,56\xa0US$"
        assert date_as(moment, "HAVEN_SHORT_DAY_TIME") == "mar 1 de dic, 19:30"
        assert date_as(moment, "HAVEN_WEEKDAY_DATE") == "martes, 1 de diciembre de 2026"
        assert date_as(moment, "HAVEN_DATE") == "1 de dic de 2026"
        assert date_as(moment, "DATE_FORMAT") == "1 de diciembre de 2026"


def test_the_javascript_catalogue_carries_the_spanish_strings(client):
    spanish = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Total hasta ahora" in spanish
    assert "Total hasta ahora" not in english
