"""The quick exit and the "Browsing safely" page, as the server sends them: every public page that
answers with HTML carries the exit link (to HAVEN_QUICK_EXIT_URL, as a plain link that works without
JavaScript) and a link to "Browsing safely"; so does the footer. tests/pages/test_quick_exit_browser.py
drives them in a browser."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from core.access import view_access
from tests.core.test_no_store import _urls
from tests.factories import CampaignFactory, PageFactory, ShiftFactory

pytestmark = pytest.mark.django_db

NEUTRAL = "https://neutral.example/weather?q=today"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def _links(response) -> list[dict]:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.links


def _exit_links(response) -> list[dict]:
    return [a for a in _links(response) if "data-quick-exit-button" in a]


def _public_pages() -> list[str]:
    campaign = CampaignFactory(slug="safe-nights")
    shift = ShiftFactory()
    PageFactory(slug="about-us")
    concrete = {
        "/campaigns/no-such-thing/": f"/campaigns/{campaign.slug}/",
        "/campaigns/no-such-thing/donate/": f"/campaigns/{campaign.slug}/donate/",
        "/shifts/999999/": f"/shifts/{shift.pk}/",
        "/pages/no-such-thing/": "/pages/about-us/",
    }
    public = [concrete.get(url, url) for url, view in _urls().items() if view_access(view) == "public"]
    # allauth's pages carry no marker (so they count as private for caching) but anyone may open them
    return [*public, *ANONYMOUS_ACCOUNT_PAGES]


ANONYMOUS_ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/code/",
    "/accounts/password/reset/",
]


def test_every_public_page_has_the_quick_exit_and_browsing_safely(settings):
    # given a neutral site chosen by the organisation
    settings.HAVEN_QUICK_EXIT_URL = NEUTRAL
    browser = Client()
    checked, missing = [], []
    for url in _public_pages():
        # when each public page is requested anonymously
        response = browser.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue  # feeds, CSV, JSON, calendar files, redirects
        checked.append(url)
        exits = _exit_links(response)
        hrefs = [a.get("href") for a in _links(response)]
        # then it has exactly one exit, a plain same-tab link without a referrer, and "Browsing safely"
        if not (
            len(exits) == 1
            and exits[0]["href"] == NEUTRAL
            and exits[0].get("target") == "_self"
            and "noreferrer" in exits[0].get("rel", "")
            and hrefs.count("/browsing-safely/") >= 2  # from the exit and from the footer
        ):
            missing.append(url)
    assert len(checked) >= 15, checked
    assert {"/", "/campaigns/safe-nights/", "/find-help/", "/donate/", "/accounts/login/"} <= set(checked)
    assert not missing, missing


def test_the_exit_is_labelled_and_comes_before_the_header(client):
    html = client.get("/").content.decode()
    assert "Exit this page" in html
    assert "GOV.UK" not in html and "{#" not in html  # the template's own comment stays a comment
    assert html.index("data-quick-exit-button") < html.index('class="site-header"')
    assert "js/quick-exit.js" in html


def test_browsing_safely_covers_history_private_windows_shared_devices_and_the_hotline(client):
    response = client.get("/browsing-safely/")
    text = response.content.decode()
    assert response.status_code == 200
    for heading in ("Leaving this site quickly", "Using a private window", "Clearing your history"):
        assert heading in text
    assert "Shared devices and accounts" in text
    assert "1-888-373-7888" in text


def test_browsing_safely_is_translatable():
    from pathlib import Path

    template = Path(__file__).resolve().parents[2] / "templates/pages/browsing_safely.html"
    lines = [
        line.strip() for line in template.read_text().splitlines() if line.strip().startswith(("<p>", "<li>"))
    ]
    assert lines and all("{% translate" in line or "{% blocktranslate" in line for line in lines)


def test_the_exit_and_browsing_safely_read_in_spanish(client):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    guide = client.get("/browsing-safely/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Salir de esta página" in home and "Navegar con seguridad" in home
    assert "Usar una ventana privada" in guide and "Borrar el historial" in guide
