"""Anonymous visitors' public pages come from the shared cache (core/public_cache.py): a signed-in
person never receives a stored copy (nor leaves one), a write shows on the next request, ETags answer
304, and no stored page carries a CSRF token or sets a cookie."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from campaigns.services import campaign_edit, totals_refresh
from core import public_cache
from pages.services import page_update
from tests.factories import (
    BookingFactory,
    CampaignFactory,
    CampaignUpdateFactory,
    PageFactory,
    ShiftFactory,
    UserFactory,
)
from tests.factories.volunteers import ready_volunteer
from volunteers.services import shift_book

pytestmark = pytest.mark.django_db

CACHED_URLS = [
    "/",
    "/campaigns/",
    "/campaigns/finished/",
    "/campaigns/safe-nights/",
    "/campaigns/safe-nights/updates.atom",
    "/transparency/",
    "/transparency/campaigns.csv",
    "/transparency/planned-split.csv",
    "/transparency/spending.csv",
    "/transparency/funds.csv",
    "/transparency/income.csv",
    "/api/v1/campaigns/",
    "/api/v1/campaigns/safe-nights/",
    "/api/v1/planned-split/",
    "/api/v1/spending/",
    "/api/v1/funds/",
    "/api/v1/income/",
    "/shifts/",
    "/news.atom",
    "/learn-the-signs/",
    "/how-you-can-help/",
    "/find-help/",
    "/privacy/",
]


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="safe-nights", title="Safe Nights")


def _state(response) -> str:
    return response.get(public_cache.HEADER, "")


def _signed_in_client(user=None) -> Client:
    browser = Client()
    browser.force_login(user or UserFactory())
    return browser


def test_every_cached_public_page_is_stored_then_served_from_the_cache(client, campaign):
    for url in CACHED_URLS:
        first = client.get(url)
        assert first.status_code == 200, url
        assert _state(first) == "miss", (url, _state(first))
        assert not first.cookies, f"{url} set a cookie: a stored copy would hand it to everyone"

        second = client.get(url)
        assert _state(second) == "hit", url
        assert second.content == first.content, url
        assert second["Cache-Control"] == "public, max-age=60", url
        assert {"Cookie", "Accept-Language"} <= {v.strip() for v in second["Vary"].split(",")}, url
        assert second["ETag"] == first["ETag"] and second["Last-Modified"], url


def test_no_cached_page_carries_a_csrf_token(client, campaign):
    for url in CACHED_URLS:
        assert b"csrfmiddlewaretoken" not in client.get(url).content, url


def test_a_page_that_uses_a_csrf_token_is_never_stored(client, campaign, settings):
    # The donation form needs a token: it is not a cached page, and its answers are never stored.
    first = client.get("/campaigns/safe-nights/donate/")
    assert first.status_code == 200
    assert _state(first) == ""
    # A cached page whose render asked for a token (say a form added later) is not stored either.
    from django.middleware.csrf import get_token

    from core.public_cache import _storable

    class Response:
        status_code = 200
        streaming = False
        cookies = {}

        def get(self, *args):
            return ""

    request = client.get("/campaigns/").wsgi_request
    assert _storable(request, Response())
    get_token(request)
    assert not _storable(request, Response())


def test_a_signed_in_person_never_receives_the_anonymous_copy(client, campaign):
    anonymous = client.get("/shifts/")
    assert _state(anonymous) == "miss"
    assert _state(client.get("/shifts/")) == "hit"

    person = UserFactory()
    response = _signed_in_client(person).get("/shifts/")

    assert _state(response) == ""
    assert b"Sign out" in response.content and b"Sign out" not in anonymous.content
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_page_is_never_stored_for_anyone_else(client, campaign):
    # given a volunteer booked on a shift, looking at the shift list (their "Booked" badge on it)
    shift = ShiftFactory(title="Sorting donations")
    ada = ready_volunteer()
    BookingFactory(shift=shift, volunteer=ada)
    ada_page = _signed_in_client(ada).get("/shifts/")
    assert b"Booked" in ada_page.content

    # then neither another person nor an anonymous visitor receives Ada's page
    other = _signed_in_client(ready_volunteer()).get("/shifts/")
    assert b'badge">Booked' not in other.content
    anonymous = client.get("/shifts/")
    assert _state(anonymous) == "miss"
    assert b'badge">Booked' not in anonymous.content and b"Sign out" not in anonymous.content


def test_a_visitor_with_a_session_such_as_a_flash_message_bypasses_the_cache(client, campaign):
    client.get("/campaigns/")
    session = client.session
    session["_messages"] = '[["__json_message",0,25,"Thank you"]]'
    session.save()
    response = client.get("/campaigns/")
    assert _state(response) == ""


def test_a_campaign_edit_shows_on_the_next_request(client, campaign):
    assert b"Safe Nights" in client.get("/campaigns/safe-nights/").content
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"

    campaign_edit(campaign=campaign, data={"title": "Safe Nights for Winter"})

    response = client.get("/campaigns/safe-nights/")
    assert _state(response) == "miss"
    assert b"Safe Nights for Winter" in response.content
    assert b"Safe Nights for Winter" in client.get("/campaigns/").content


def test_new_totals_and_updates_show_on_the_next_request(client, campaign):
    from tests.factories import DonationFactory

    before = client.get("/campaigns/safe-nights/").content.decode()
    assert "$123" not in before
    DonationFactory(campaign=campaign, amount=12300)
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    assert "$123" in client.get("/campaigns/safe-nights/").content.decode()

    CampaignUpdateFactory(campaign=campaign, title="The shelter opened", published_at=timezone.now())
    assert b"The shelter opened" in client.get("/campaigns/safe-nights/updates.atom").content


def test_a_booking_shows_in_the_free_places_on_the_next_request(client):
    shift = ShiftFactory(capacity=4)
    assert b"4 of 4" in client.get("/shifts/").content
    assert _state(client.get("/shifts/")) == "hit"

    shift_book(shift=shift, volunteer=ready_volunteer())

    response = client.get("/shifts/")
    assert _state(response) == "miss"
    assert b"3 of 4" in response.content


def test_a_page_edit_shows_on_the_next_request(client, staff_user):
    page = PageFactory(slug="our-work", title_en="Our work")
    assert b"Our work" in client.get("/pages/our-work/").content
    page_update(actor=staff_user, page=page, data={"title_en": "What we do"})
    assert b"What we do" in client.get("/pages/our-work/").content


def test_a_matching_etag_answers_304_without_a_body(client, campaign):
    first = client.get("/campaigns/")
    not_modified = client.get("/campaigns/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    assert "public" in not_modified["Cache-Control"]

    # after a write the old ETag gets the new page
    campaign_edit(campaign=campaign, data={"title": "Changed"})
    changed = client.get("/campaigns/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert b"Changed" in changed.content


def test_each_language_has_its_own_copy(client, campaign):
    english = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en")
    assert _state(english) == "miss" and english["Content-Language"] == "en"
    assert _state(client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="es")) == "miss"
    spanish = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="es")
    assert _state(spanish) == "hit" and spanish["Content-Language"] == "es"
    assert spanish.content != english.content
    # ?lang= (the hreflang alternates) and the switcher's cookie choose it too, before Accept-Language
    by_address = client.get("/campaigns/?lang=es", HTTP_ACCEPT_LANGUAGE="en")
    assert by_address["Content-Language"] == "es" and _state(by_address) == "miss"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    by_cookie = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en")
    assert by_cookie["Content-Language"] == "es" and _state(by_cookie) == "hit"
    assert by_cookie.content == spanish.content


# --- the early answer: a hit is served before any other middleware, with the headers they gave ---------


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k not in ("Date", public_cache.HEADER)}


def test_a_hit_carries_the_headers_of_a_full_response(client, campaign, public_cache_off, settings):
    # what a full run gives a page (the cache off: every middleware and the view run)
    full = client.get("/campaigns/safe-nights/")
    assert full["Content-Security-Policy"] and full["Permissions-Policy"]
    settings.HAVEN_PUBLIC_CACHE_ENABLED = True

    stored = client.get("/campaigns/safe-nights/")
    hit = client.get("/campaigns/safe-nights/")

    assert (_state(stored), _state(hit)) == ("miss", "hit")
    assert hit.content == stored.content
    assert _headers(hit) == _headers(stored)
    for name in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "Content-Language",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Content-Type",
    ):
        assert hit[name] == full[name], name
    assert {v.strip() for v in full["Vary"].split(",")} <= {v.strip() for v in hit["Vary"].split(",")}


def test_a_hit_runs_no_other_middleware_and_no_query(
    client, campaign, django_assert_num_queries, monkeypatch
):
    client.get("/campaigns/")
    ran = []

    from core import i18n

    monkeypatch.setattr(i18n.LocaleMiddleware, "process_request", lambda self, request: ran.append("locale"))
    with django_assert_num_queries(0):
        hit = client.get("/campaigns/")
    assert _state(hit) == "hit" and ran == []


def test_a_hit_answers_304_to_a_matching_etag_and_if_modified_since(client, campaign):
    first = client.get("/campaigns/")
    assert _state(client.get("/campaigns/")) == "hit"

    by_etag = client.get("/campaigns/", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get("/campaigns/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    for answer in (by_etag, by_date):
        assert answer.status_code == 304 and answer.content == b""
        assert answer["ETag"] == first["ETag"] and _state(answer) == "hit"


def _another_process_changes(area: str) -> None:
    """What a write in another web process or a worker leaves here: a new version in the shared cache
    only (this process's own writes are also known to it at once)."""
    cache.set(public_cache._VERSION_KEY.format(area), public_cache._new_version(), None)


def test_a_write_in_this_process_shows_at_once_on_its_own_copy(client, campaign):
    client.get("/campaigns/safe-nights/")
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"

    campaign_edit(campaign=campaign, data={"title": "Safe Nights, Winter"})

    fresh = client.get("/campaigns/safe-nights/")
    assert _state(fresh) == "miss" and b"Safe Nights, Winter" in fresh.content


def test_a_write_in_another_process_shows_within_the_versions_window(client, campaign, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(public_cache, "_clock", lambda: now[0])
    client.get("/campaigns/safe-nights/")
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"

    _another_process_changes("campaigns")

    # within the window this process answers from its own copy without asking Redis ...
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"
    # ... and once it has passed it sees the new version
    now[0] += settings.HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS
    assert _state(client.get("/campaigns/safe-nights/")) == "miss"


def test_without_a_window_every_request_checks_the_shared_versions(client, campaign, settings):
    settings.HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS = 0
    client.get("/campaigns/safe-nights/")
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"

    _another_process_changes("campaigns")
    assert _state(client.get("/campaigns/safe-nights/")) == "miss"
    assert _state(client.get("/campaigns/safe-nights/")) == "hit"

    # Redis lost everything (a restart): the process's copy is not taken for current
    cache.clear()
    assert _state(client.get("/campaigns/safe-nights/")) == "miss"


def test_a_page_past_the_entry_lifetime_is_rendered_again(client, campaign):
    # what changes with the clock alone (a shift that started) shows within the entry's lifetime,
    # the process's own copy included
    client.get("/campaigns/")
    assert _state(client.get("/campaigns/")) == "hit"
    later = timezone.now() + datetime.timedelta(seconds=settings.HAVEN_PUBLIC_CACHE_TIMEOUT + 1)
    with time_machine.travel(later, tick=False):
        assert _state(client.get("/campaigns/")) == "miss"


def test_a_signed_in_request_never_reaches_the_early_answer(client, campaign):
    client.get("/campaigns/")
    assert _state(client.get("/campaigns/")) == "hit"
    signed_in = _signed_in_client()
    for _ in range(2):
        response = signed_in.get("/campaigns/")
        assert _state(response) == "" and "no-store" in response["Cache-Control"]
        assert b"Sign out" in response.content


def test_a_write_rolled_back_still_leaves_later_writes_announced(client, campaign):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        public_cache.content_changed("campaigns")
        raise RuntimeError
    client.get("/campaigns/")
    assert _state(client.get("/campaigns/")) == "hit"
    with transaction.atomic():
        public_cache.content_changed("campaigns")
    assert _state(client.get("/campaigns/")) == "miss"
