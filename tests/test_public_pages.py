"""The hotline is on every public page (and on the error pages); the role guard answers 403."""

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from accounts.roles import public, role_required
from config import urls as site_urls

pytestmark = pytest.mark.django_db

HOTLINE = ("1-888-373-7888", "233733", "TTY 711")


def _assert_hotline(response):
    body = response.content.decode()
    for text in HOTLINE:
        assert text in body, f"{response.request['PATH_INFO']} lacks {text!r}"


def _public_urls_without_arguments():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not pattern.pattern.regex.groups:
                callback = pattern.callback
                marker = getattr(callback, "haven_access", None) or getattr(
                    getattr(callback, "view_class", None), "haven_access", None
                )
                if (
                    marker == "public"
                    and "<" not in str(pattern.pattern)
                    and "(?P" not in str(pattern.pattern)
                ):
                    yield "/" + prefix + str(pattern.pattern).lstrip("^").rstrip("$")

    return sorted(set(walk(get_resolver().url_patterns)))


ENTRANCE_PAGES = [
    "pages:home",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_request_login_code",
]


@pytest.mark.parametrize("name", ENTRANCE_PAGES)
def test_entrance_pages_show_the_hotline(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    _assert_hotline(response)


def test_every_public_page_without_arguments_shows_the_hotline(client):
    urls = _public_urls_without_arguments()
    assert "/" in urls  # the walk found something

    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            _assert_hotline(response)


def test_the_home_page_says_what_the_organisation_does(client):
    body = client.get("/").content.decode()

    for service in ("Emergency housing", "Medical care", "Legal help", "Crisis counseling"):
        assert service in body
    assert 'href="#main"' in body  # skip link
    assert "<h1>" in body


def test_a_missing_page_is_a_404_with_the_hotline(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    _assert_hotline(response)


def test_static_files_are_served_without_collectstatic(client):
    response = client.get("/static/css/haven.css")

    assert response.status_code == 200
    assert b".hotline" in b"".join(response.streaming_content)


# A tiny URL configuration of our own, for the 500 page and a coordinator-only page.
@public
def _boom(request):
    raise RuntimeError("a bug")


@role_required("coordinator")
def _coordinators_only(request):
    return HttpResponse("rosters")


urlpatterns = [
    *site_urls.urlpatterns,
    path("test-boom/", _boom),
    path("test-coordinate/", _coordinators_only),
]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.mark.urls(__name__)
def test_a_server_error_shows_our_500_page_with_the_hotline(client):
    client.raise_request_exception = False

    response = client.get("/test-boom/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    _assert_hotline(response)


@pytest.mark.urls(__name__)
def test_a_volunteer_gets_403_on_a_coordinator_page(client, volunteer, coordinator):
    client.force_login(volunteer)
    denied = client.get("/test-coordinate/")
    client.force_login(coordinator)
    allowed = client.get("/test-coordinate/")

    assert denied.status_code == 403
    _assert_hotline(denied)
    assert allowed.status_code == 200


@pytest.mark.urls(__name__)
def test_an_inactive_coordinator_is_refused(client):
    from tests.factories import UserFactory

    person = UserFactory(roles=["coordinator"], is_active=False)
    client.force_login(person)

    assert client.get("/test-coordinate/").status_code in (302, 403)


def test_a_rejected_form_explains_itself_in_our_layout():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})

    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()
    _assert_hotline(response)


def test_the_500_page_still_renders_when_the_database_is_what_broke(rf):
    from django.db import OperationalError

    from pages.views import server_error

    class BrokenUser:
        @property
        def is_authenticated(self):
            raise OperationalError("the database is down")

    request = rf.get("/anything/")
    request.user = BrokenUser()

    response = server_error(request)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    for text in HOTLINE:
        assert text in response.content.decode()


@pytest.mark.django_db
def test_favicon_ico_is_served_and_the_footer_has_the_legal_details(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file

    footer = client.get("/").content.decode().split('<footer class="site-footer">')[1]
    assert "PO Box 0000, Anytown, USA" in footer and "00-0000000" in footer
    assert 'href="/privacy/"' in footer and 'href="/accessibility/"' in footer
    statement = client.get("/accessibility/").content.decode()
    assert "WCAG" in statement and "What we know is not right yet" in statement
