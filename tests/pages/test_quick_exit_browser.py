"""The quick exit in a real browser: the button and pressing Shift three times (within five seconds,
not while typing) replace the current page with the neutral site, leaving the history's length as
it was, so Back skips the page left; without JavaScript the button is a plain link. The neutral site
is answered by the browser context itself (no network)."""

import pytest

from tests.e2e.conftest import browser, csp_watched_context, page  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEUTRAL = "https://neutral.example/weather"


@pytest.fixture
def neutral_site(settings, page):  # noqa: F811
    settings.HAVEN_QUICK_EXIT_URL = NEUTRAL
    page.context.route(
        "https://neutral.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"),
    )
    return page


def _visit_two_pages(tab):
    tab.goto("/")
    tab.goto("/find-help/")
    return tab.evaluate("history.length")


def test_the_button_replaces_the_page_with_the_neutral_site(neutral_site):
    tab = neutral_site
    # given a visitor who opened the home page, then Find help
    length = _visit_two_pages(tab)

    # when they select "Exit this page"
    with tab.expect_navigation(url=NEUTRAL):
        tab.get_by_role("link", name="Emergency Exit this page").click()

    # then the neutral site replaced Find help: same history length, and Back goes to the home page
    assert tab.url == NEUTRAL
    assert tab.evaluate("history.length") == length
    tab.go_back()
    assert tab.url.endswith("/") and "/find-help/" not in tab.url


def test_pressing_shift_three_times_exits(neutral_site):
    tab = neutral_site
    length = _visit_two_pages(tab)

    with tab.expect_navigation(url=NEUTRAL):
        for _ in range(3):
            tab.keyboard.press("Shift")

    assert tab.evaluate("history.length") == length


def test_shift_presses_count_only_within_five_seconds(neutral_site):
    tab = neutral_site
    tab.clock.install()
    _visit_two_pages(tab)

    # given two presses, then a pause longer than the five-second window
    tab.keyboard.press("Shift")
    tab.keyboard.press("Shift")
    assert "press 1 more time" in tab.locator("[data-quick-exit-status]").text_content()
    tab.clock.run_for(5_100)
    assert tab.locator("[data-quick-exit-status]").text_content() == ""

    # when Shift is pressed once more, the count started again: still here
    tab.keyboard.press("Shift")
    assert tab.url.endswith("/find-help/")

    # and two more presses within the window leave
    with tab.expect_navigation(url=NEUTRAL):
        tab.keyboard.press("Shift")
        tab.keyboard.press("Shift")


def test_typing_capital_letters_does_not_exit(neutral_site):
    tab = neutral_site
    tab.goto("/accounts/login/")
    field = tab.locator("input[type=email], input[name=login]").first
    field.click()

    # when someone types three capitals (Shift held with a letter each time)
    for letter in "ABC":
        tab.keyboard.press(f"Shift+{letter}")

    # then they are still on the page, with what they typed
    assert "/accounts/login/" in tab.url
    assert field.input_value() == "ABC"


def test_without_javascript_the_exit_is_a_plain_link(browser, live_server, settings):  # noqa: F811
    settings.HAVEN_QUICK_EXIT_URL = NEUTRAL
    context = csp_watched_context(browser, base_url=live_server.url, java_script_enabled=False)
    context.route(
        "https://neutral.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"),
    )
    tab = context.new_page()
    try:
        tab.goto("/find-help/")
        with tab.expect_navigation(url=NEUTRAL):
            tab.get_by_role("link", name="Emergency Exit this page").click()
        assert tab.url == NEUTRAL
        assert context.csp_violations == []
    finally:
        context.close()


def test_the_exit_stays_in_view_on_a_phone(neutral_site):
    tab = neutral_site
    tab.set_viewport_size({"width": 320, "height": 640})
    tab.goto("/learn-the-signs/")

    # when the visitor scrolls to the bottom of the page
    tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")

    # then the button is still at the top of the screen, whole, and the page does not overflow
    box = tab.get_by_role("link", name="Emergency Exit this page").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 120
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_browsing_safely_page_is_linked_from_the_exit(neutral_site):
    tab = neutral_site
    tab.goto("/")
    tab.locator("[data-quick-exit]").get_by_role("link", name="Browsing safely").click()
    tab.get_by_role("heading", name="Browsing safely", level=1).wait_for()
