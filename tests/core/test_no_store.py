"""Private pages are never stored: every URL pattern of the project is requested, anonymously and as
a person holding every role, and every response of a view not marked @public carries
Cache-Control: no-store. Public pages stay cacheable for anonymous visitors, and get no-store when a
signed-in person sees them (they may show that person's own details)."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from core.access import view_access
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "999999", "uuid": str(uuid.UUID(int=1)), "slug": "no-such-thing", "str": "no-such-thing"}
SAMPLE["path"] = SAMPLE["str"]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + _route(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _route(pattern.pattern), pattern.callback


def _route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], str(pattern))
    # A regex pattern (the admin's app index): keep the literal ones, fill the first alternative in.
    text = str(pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<\w+>([^|)]+)[^)]*\)", r"\1", text)
    return text.replace("\\", "")


def _urls():
    seen = {}
    for route, callback in _walk(get_resolver().url_patterns):
        if "(" in route or "[" in route or "?" in route:
            continue  # a regex we could not fill in (none today; the walk below checks the count)
        seen.setdefault("/" + route, callback)
    return seen


@pytest.fixture
def everyone_client():
    person = UserFactory(
        roles=["donor", "volunteer", "coordinator", "staff"], is_staff=True, is_superuser=True
    )
    browser = Client()
    browser.force_login(person)
    return browser


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_private_url_says_no_store(client, everyone_client):
    urls = _urls()
    private = {url: view for url, view in urls.items() if view_access(view) != "public"}
    assert len(private) > 100, "the walk found too few URLs"
    assert {"/me/", "/staff/people/", "/coordinate/", "/admin/", "/staff/donations/export.csv"} <= set(
        private
    )

    missing = []
    for url in sorted(private):
        for who, browser in (("anonymous", client), ("signed in", everyone_client)):
            response = browser.get(url)
            if not _no_store(response):
                missing.append(f"{url} ({who}): {response.status_code}, {response.get('Cache-Control')!r}")
    assert not missing, "private pages without Cache-Control: no-store:\n" + "\n".join(missing)


def test_public_pages_are_cacheable_anonymously_and_private_once_signed_in(client, everyone_client):
    for url in ("/", "/shifts/", "/campaigns/", "/transparency/"):
        assert not _no_store(client.get(url)), url
        assert _no_store(everyone_client.get(url)), url


def test_receipts_statements_and_the_data_export_are_not_stored(everyone_client):
    for url in ("/me/giving/statements/2025.pdf", "/me/privacy/export.json", "/staff/donations/export.csv"):
        response = everyone_client.get(url)
        assert _no_store(response), (url, response.status_code, response.get("Cache-Control"))
