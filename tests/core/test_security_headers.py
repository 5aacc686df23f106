"""Content-Security-Policy and Permissions-Policy: every URL pattern is requested, anonymously and as
a person holding every role, and every response carries both headers; the policy allows no inline
script or style; the pages themselves (with data behind them) contain none, so the policy blocks
nothing they need. Browser tests (tests/e2e/conftest.py) fail on any violation a real page reports."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.core.test_no_store import _urls, everyone_client  # noqa: F401 - the shared URL walk
from tests.factories import (
    AllocationPlanFactory,
    BookingFactory,
    CampaignFactory,
    DonationFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_every_response_carries_the_policy_and_allows_nothing_inline(client, everyone_client):  # noqa: F811
    urls = _urls()
    assert len(urls) > 150, "the walk found too few URLs"
    problems = []
    html_seen = 0
    for url in sorted(urls):
        for who, browser in (("anonymous", client), ("signed in", everyone_client)):
            response = browser.get(url)
            policy = _directives(response)
            html_seen += response.get("Content-Type", "").startswith("text/html")
            if not policy:
                problems.append(f"{url} ({who}): {response.status_code} without Content-Security-Policy")
                continue
            for directive in ("script-src", "style-src"):
                if "'unsafe-inline'" in policy.get(directive, []) or "'unsafe-eval'" in policy.get(
                    directive, []
                ):
                    problems.append(f"{url} ({who}): {directive} {policy[directive]}")
            if policy.get("object-src") != ["'none'"] or policy.get("frame-ancestors") != ["'none'"]:
                problems.append(f"{url} ({who}): object-src/frame-ancestors not 'none'")
            if "camera=()" not in response.get("Permissions-Policy", ""):
                problems.append(f"{url} ({who}): Permissions-Policy {response.get('Permissions-Policy')!r}")
    assert html_seen > 100
    assert not problems, "\n".join(problems)


def test_the_policy_is_self_only_and_switches_features_off(client):
    response = client.get("/")
    policy = _directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    features = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in features


def test_form_action_allows_the_stripe_stand_in_when_haven_talks_to_one(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8131/v1"
    assert _directives(client.get("/donate/"))["form-action"] == [
        "'self'",
        "https://checkout.stripe.com",
        "https://billing.stripe.com",
        "http://127.0.0.1:8131",
    ]


class _InlineFinder(HTMLParser):
    """Inline scripts (a <script> without src that is not a data block), <style> elements, style
    attributes, on* event handler attributes and javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.found.append(f"<script> without src: {attrs}")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} href={value!r}>")


def _seed():
    campaign = CampaignFactory(slug="safe-nights", goal_amount=100_000)
    AllocationPlanFactory(campaign=campaign, share_bps=10000)
    DonationFactory(campaign=campaign, amount=40_000)
    coordinator = UserFactory(roles=["coordinator"])
    volunteer = ready_volunteer()
    shift = ShiftFactory(role=RoleFactory(coordinators=[coordinator]))
    BookingFactory(shift=shift, volunteer=volunteer)
    return campaign, shift, coordinator, volunteer


def test_pages_with_data_have_no_inline_script_or_style(client):
    # given a campaign part-funded (its progress bar drawn), a shift with a booking
    campaign, shift, coordinator, volunteer = _seed()
    coordinating = Client()
    coordinating.force_login(coordinator)
    volunteering = Client()
    volunteering.force_login(volunteer)
    pages = [
        (client, "/"),
        (client, "/campaigns/"),
        (client, f"/campaigns/{campaign.slug}/"),
        (client, "/transparency/"),
        (client, "/how-you-can-help/"),
        (client, "/donate/"),
        (client, "/shifts/"),
        (client, "/accounts/login/"),
        (client, "/accounts/signup/"),
        (client, "/browsing-safely/"),
        (volunteering, "/me/volunteer/profile/"),
        (volunteering, "/me/shifts/"),
        (coordinating, "/coordinate/"),
        (coordinating, f"/coordinate/shifts/{shift.pk}/"),
        (coordinating, f"/coordinate/shifts/{shift.pk}/print/"),
    ]
    found = []
    for browser, url in pages:
        # when each page is rendered
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        finder = _InlineFinder()
        finder.feed(response.content.decode())
        found += [f"{url}: {item}" for item in finder.found]
    # then none holds anything the policy would block
    assert not found, "\n".join(found)
