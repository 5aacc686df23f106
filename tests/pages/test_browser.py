"""The public face in chromium: every new page reflows at 320, 390 and 1280 px (no sideways
scrolling), the directory's filters work without JavaScript, and "Copy link" copies with it.
Screenshots land in test-artifacts/."""

import pytest
from django.test import Client
from django.utils import timezone

from pages.content import purpose_pages_ensure
from pages.models import Page
from tests.e2e.conftest import browser, csp_watched_context, page, screenshot  # noqa: F401 - shared fixtures
from tests.factories import (
    CampaignFactory,
    PageFactory,
    PartnerServiceFactory,
    ShiftFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (320, 390, 1280)
PUBLIC = [
    "/",
    "/find-help/",
    "/find-help/?need=legal&language=es",
    "/learn-the-signs/",
    "/how-you-can-help/",
    "/browsing-safely/",
]
STAFF = [
    "/staff/pages/",
    "/staff/pages/new/",
    "/staff/find-help/",
    "/staff/find-help/new/",
    "/staff/pages/{home}/",
]

# The elements sticking out past the viewport's right edge that do not sit in a scrolling region.
OVERFLOW = """
() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    let scrolls = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { scrolls = true; break; }
    }
    if (!scrolls) out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    if (out.length > 4) break;
  }
  return out;
}
"""


def _seed():
    # the pages with a purpose, as the migration made them (whatever an earlier test's flush left)
    purpose_pages_ensure(Page, now=timezone.now())
    CampaignFactory(title="Safe Nights")
    ShiftFactory(capacity=6)
    PageFactory(slug="about-us", title_en="About us")
    PartnerServiceFactory(
        need="legal",
        name_en="Justice Bridge Legal Aid for Immigrant Survivors and Their Families",
        email="a-very-long-intake-address-for-the-legal-team@justicebridge-legal-aid.example.org",
        website="https://justicebridge-legal-aid.example.org/services/immigration-relief-for-survivors/",
        languages=["en", "es", "vi", "tl", "ht", "fr"],
    )
    PartnerServiceFactory(need="housing", name_en="Harbor Light Shelter Network", languages=["es"])
    return UserFactory(email="staff@example.org", roles=["staff"])


def _sign_in(page, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _check_widths(page, paths, screenshot):  # noqa: F811
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            sticking_out = page.evaluate(OVERFLOW)
            if sticking_out:
                problems.append(f"{path} at {width}px: {sticking_out}")
            if width in (390, 1280):
                screenshot(f"{path.strip('/').replace('/', '-').replace('?', '-') or 'home'}-{width}")
    assert not problems, "\n".join(problems)


def test_the_public_pages_reflow_at_every_width(page, live_server, screenshot):  # noqa: F811
    _seed()

    _check_widths(page, PUBLIC, screenshot)


def test_the_staff_pages_reflow_at_every_width(page, live_server, screenshot):  # noqa: F811
    _sign_in(page, live_server, _seed())
    home = Page.objects.get(purpose=Page.Purpose.HOME)

    _check_widths(page, [path.format(home=home.pk) for path in STAFF], screenshot)


def test_the_directory_filters_without_javascript(browser, live_server):  # noqa: F811
    # given a browser with JavaScript switched off
    _seed()
    context = csp_watched_context(browser, base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        # when a visitor chooses a need and a language and sends the form
        tab.goto("/find-help/")
        tab.select_option("#id_need", "housing")
        tab.select_option("#id_language", "es")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Show services").click()

        # then only the matching service is listed, after the hotline
        assert "need=housing" in tab.url and "language=es" in tab.url
        main = tab.locator("main").inner_text()
        assert "Harbor Light Shelter Network" in main and "Justice Bridge" not in main
        assert main.index("1-888-373-7888") < main.index("Harbor Light")
        # and the "Copy link" button, which needs JavaScript, is not offered; the link is there to copy
        tab.goto("/how-you-can-help/")
        assert not tab.locator("button[data-copy-link]").first.is_visible()
        assert tab.locator("#share-url").input_value().endswith("/how-you-can-help/")
        assert context.csp_violations == []
    finally:
        context.close()


def test_copy_link_copies_the_pages_address(browser, live_server):  # noqa: F811
    _seed()
    context = csp_watched_context(
        browser, base_url=live_server.url, permissions=["clipboard-read", "clipboard-write"]
    )
    tab = context.new_page()
    try:
        tab.goto("/learn-the-signs/")
        button = tab.get_by_role("button", name="Copy link")

        button.click()

        tab.get_by_text("Link copied.").wait_for()
        assert tab.evaluate("navigator.clipboard.readText()").endswith("/learn-the-signs/")
        assert context.csp_violations == []
    finally:
        context.close()
