"""Browser fixtures for every app's end-to-end tests: Debian's chromium driven by Playwright's sync
API against pytest-django's live_server. Never downloads a browser.

    @pytest.mark.e2e
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_something(page, live_server, screenshot):
        page.goto(live_server.url + "/")
        screenshot("home")

transaction=True lets the live server's thread see the rows a test creates; serialized_rollback=True
restores the rows migrations created (role groups, site, general fund) after the test's flush, so the
tests that run later still have them.

If chromium is missing the tests skip, unless HAVEN_REQUIRE_BROWSER=1 (CI), where they fail."""

import atexit
import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; Django would otherwise refuse ORM calls
# made from the test (e.g. creating a user) as "async unsafe". The live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# HAVEN_CHROMIUM points elsewhere (or at nothing, to check the skip/fail behaviour).
CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


# One Playwright and one chromium per test process, shared by every `browser` fixture definition:
# apps that import these fixtures into their own test modules get their own fixture definitions, and
# a second sync Playwright in the same process would fail ("Sync API inside the asyncio loop").
_shared: dict = {}


def _browser_unavailable(reason: str):
    _shared["unavailable"] = reason
    if os.environ.get("HAVEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HAVEN_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _shared_browser():
    if "browser" in _shared:
        return _shared["browser"]
    if "unavailable" in _shared:
        _browser_unavailable(_shared["unavailable"])
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _browser_unavailable(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no browser here
        playwright.stop()
        _browser_unavailable(f"chromium did not start: {exc}")
    _shared.update(playwright=playwright, browser=chromium)
    atexit.register(_close_shared_browser)
    return chromium


def _close_shared_browser() -> None:
    chromium, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    with contextlib.suppress(Exception):
        if chromium is not None:
            chromium.close()
        if playwright is not None:
            playwright.stop()


def pytest_sessionfinish(session, exitstatus):
    _close_shared_browser()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless. Playwright's launch() gives it a new, empty temporary profile
    (user data dir) and removes it when the browser closes."""
    return _shared_browser()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.haven_call_failed = report.failed  # read by the page fixture's teardown
    return report


# Reports every Content-Security-Policy violation of every document (frames too) to the test: the
# event fires for blocked scripts, styles, frames and forms alike, before any console message.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__havenCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}` +
    (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def csp_watched_context(browser, **options):
    """A browser context whose pages report CSP violations into `context.csp_violations`, from the
    `securitypolicyviolation` event and from chromium's console ("Refused to ... Content Security
    Policy"). Every browser test's context is made here (the `page` fixture fails the test on any);
    a test that makes its own context asserts `context.csp_violations == []` itself."""
    context = browser.new_context(**options)
    violations: list[str] = []
    context.csp_violations = violations
    context.expose_function("__havenCspViolation", lambda text: violations.append(text))
    context.add_init_script(_CSP_LISTENER)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("page", lambda tab: tab.on("console", on_console))
    return context


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test, pointed at the live server. When the test
    fails, the page as it was is saved to test-artifacts/<test>-failure.png. Any Content-Security-
    Policy violation on any page the test opened fails the test at teardown."""
    context = csp_watched_context(browser, base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    if getattr(request.node, "haven_call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
        with contextlib.suppress(Exception):
            tab.screenshot(path=str(ARTIFACTS / f"{name}-failure.png"), full_page=True)
    violations = list(context.csp_violations)
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot(page, request):
    """screenshot("name") saves test-artifacts/<test>-<name>.png (full page) and returns the path."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
