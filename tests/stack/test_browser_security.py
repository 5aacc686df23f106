"""What a browser (Debian's chromium, through Playwright) sees of Haven through nginx: plain HTTP
redirected to HTTPS, HSTS, cookies that are Secure (and the session's HttpOnly), and CSRF checked
against the https origin: the site's own form signs in, a form on another site is refused.

The browser trusts the stack's certificate by its public key (chromium's
--ignore-certificate-errors-spki-list), so the page is a secure context, as with a real certificate."""

import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.stack

PASSWORD = "stack browser correct horse"


@pytest.fixture(scope="module")
def stack_browser(stack):
    from deploy.stack import StackConfig, tls_spki_hash
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _shared, _shared_browser

    _shared_browser()  # skips, or fails with HAVEN_REQUIRE_BROWSER=1, when chromium is missing
    spki = tls_spki_hash(StackConfig.from_environment(stack.env))
    browser = _shared["playwright"].chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"],
        headless=True,
    )
    yield browser
    browser.close()


@pytest.fixture
def page(stack_browser):
    context = stack_browser.new_context()
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def foreign_site(stack):
    """A page on another origin whose form posts to Haven's sign-in, as a malicious site would."""
    form = f"""<!doctype html><form method="post" action="{stack.origin}/accounts/login/">
<input name="csrfmiddlewaretoken" value="{"x" * 64}"><input name="login" value="a@example.org">
<input name="password" value="guess"><button>Go</button></form>"""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(form.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_plain_http_is_sent_to_https_and_every_page_carries_hsts(stack, page):
    # when the browser opens the plain-HTTP address
    page.goto(f"http://localhost:{stack.http_port}/accounts/login/")

    # then it ends on HTTPS, in a secure context
    assert page.url == f"{stack.origin}/accounts/login/"
    assert page.evaluate("window.isSecureContext") is True

    # and the site tells it to stay on HTTPS for a year, subdomains included
    response = page.goto(stack.origin + "/")
    assert response.status == 200
    headers = response.headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_signing_in_through_the_proxy_sets_only_secure_cookies(stack, page):
    # given a person with an account
    email = f"browser-{uuid.uuid4().hex[:8]}@example.org"
    stack.sign_up(email, PASSWORD)

    # when they sign in with the site's own form (the browser sends Origin: https://localhost:port)
    page.goto(stack.origin + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # then the CSRF check accepts the https origin and they are signed in
    page.wait_for_url(f"{stack.origin}/me/")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    # and every cookie is Secure; the session's is also out of reach of scripts
    assert cookies["sessionid"]["secure"] is True
    assert cookies["sessionid"]["httpOnly"] is True
    assert cookies["sessionid"]["sameSite"] == "Lax"
    assert cookies["csrftoken"]["secure"] is True
    assert all(cookie["secure"] for cookie in cookies.values()), cookies


def test_a_form_on_another_site_cannot_post_to_haven(stack, page, foreign_site):
    # given the browser has visited Haven (it holds Haven's CSRF cookie)
    page.goto(stack.origin + "/accounts/login/")

    # when a page on another origin submits a form to Haven's sign-in
    page.goto(foreign_site)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Go").click()

    # then Haven refuses it (CSRF), with its own page
    response = navigation.value
    assert response.url == f"{stack.origin}/accounts/login/"
    assert response.status == 403
    assert "Please try that again" in page.content()
