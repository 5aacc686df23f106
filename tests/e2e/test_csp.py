"""The browser enforces Haven's Content-Security-Policy, and the watcher every browser test uses
(tests/e2e/conftest.py: csp_watched_context) sees what it blocks, so a green run means something."""

import pytest

from tests.e2e.conftest import browser, csp_watched_context  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_injected_inline_script_and_style_are_blocked_and_reported(browser, live_server):  # noqa: F811
    context = csp_watched_context(browser, base_url=live_server.url)
    tab = context.new_page()
    try:
        # given a Haven page
        tab.goto("/")

        # when markup with an inline script and an inline style gets into it
        tab.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.__ran = true";
              document.body.append(script);
              const styled = '<p id="styled" style="color: rgb(255, 0, 0)">x</p>';
              document.body.insertAdjacentHTML("beforeend", styled);
            }"""
        )
        tab.wait_for_timeout(300)

        # then neither takes effect, and both are reported
        assert tab.evaluate("window.__ran === undefined")
        assert tab.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
        blocked = " ".join(context.csp_violations)
        assert "script-src" in blocked and "style-src" in blocked, context.csp_violations
    finally:
        context.close()


def test_chromium_knows_every_feature_the_permissions_policy_names(browser, live_server):  # noqa: F811
    # given a page's console, as chromium reports a feature it does not recognise there
    context = csp_watched_context(browser, base_url=live_server.url)
    tab = context.new_page()
    console = []
    tab.on("console", lambda message: console.append(message.text))
    try:
        # when the home page loads with its Permissions-Policy header
        response = tab.goto("/")
        tab.wait_for_load_state("load")

        # then the header is there, camera and microphone off, and chromium complained of nothing
        assert "camera=()" in response.headers["permissions-policy"]
        assert [
            text for text in console if "Permissions-Policy" in text or "Permissions Policy" in text
        ] == []
        assert (
            tab.evaluate("document.featurePolicy ? document.featurePolicy.allowsFeature('camera') : false")
            is False
        )
    finally:
        context.close()
