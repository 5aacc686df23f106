"""Every volunteering page of issue 15 in chromium, with the demo's own data (accounts.demo and
volunteers.demo): check-in on one's own phone and at the kiosk (also with a wrong code), the PIN,
texts, hours, reporting hours, the service letter, a swap (offering and taking), naming a group,
the week and month views, the roster with check-in at the door, the coordinator's hours and
many-shift message, and the staff's hours report.

At 390 x 844 nothing sticks out sideways (WCAG 1.4.10 reflow); at 390 and at 1280 x 800 axe-core
finds no serious or critical violation (WCAG 2.1 A and AA). Screenshots land in test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from accounts import demo as accounts_demo
from accounts.models import User
from tests.e2e.conftest import browser, csp_watched_context, page  # noqa: F401  (shared browser fixtures)
from tests.pages.test_browser import OVERFLOW
from volunteers import demo as volunteers_demo
from volunteers import services
from volunteers.checkin_views import KIOSK_COOKIE
from volunteers.models import Booking, Shift, SwapOffer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
SIZES = ((390, 844), (1280, 800))


def _pages():
    """(name, who, path) of every page, from the demo's rows."""
    door = Shift.objects.get(title=volunteers_demo.AT_THE_DOOR_TITLE)
    offer = SwapOffer.objects.get(status=SwapOffer.Status.PENDING)
    group = Booking.objects.get(places=3)
    mine = (
        Booking.objects.filter(
            volunteer__email="volunteer1@haven.example", status="booked", shift__starts_at__gt=door.ends_at
        )
        .order_by("shift__starts_at")
        .first()
    )
    v1, v2 = "volunteer1@haven.example", "volunteer2@haven.example"
    coordinator, staff = "coordinator@haven.example", "staff@haven.example"
    return [
        ("check-in", v1, f"/shifts/{door.pk}/check-in/{door.check_in_code}/"),
        ("check-in-pin", v1, "/me/volunteer/check-in-pin/"),
        ("texts", v1, "/me/volunteer/texts/"),
        ("hours", v1, "/me/volunteer/hours/"),
        ("hours-report", v1, "/me/volunteer/hours/report/"),
        ("service-letter", v1, "/me/volunteer/hours/letter/"),
        ("swap-offer", v1, f"/me/shifts/bookings/{mine.pk}/swap/"),
        ("swap-take", v1, f"/shifts/swaps/{services.swap_offer_token(offer)}/"),
        ("my-shifts", v1, "/me/shifts/"),
        ("week", v1, "/shifts/week/"),
        ("month", v1, "/shifts/month/"),
        ("month-anonymous", None, "/shifts/month/"),
        ("group", v2, f"/me/shifts/bookings/{group.pk}/group/"),
        ("roster", coordinator, f"/coordinate/shifts/{door.pk}/"),
        ("coordinator-hours", coordinator, "/coordinate/hours/"),
        ("bulk-message", coordinator, "/coordinate/message/"),
        ("staff-hours", staff, "/staff/volunteer-hours/"),
    ]


def _sign_in(context, live_server, email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def _look(tab, name, problems, screenshot):
    for width, height in SIZES:
        tab.set_viewport_size({"width": width, "height": height})
        tab.reload()
        if width == 390:
            sticking_out = tab.evaluate(OVERFLOW)
            if sticking_out:
                problems.append(f"{name} at 390px scrolls sideways: {sticking_out}")
        results = Axe().run(tab, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                what = f"{violation['id']} ({violation['impact']})"
                problems.append(f"{name} at {width}px: {what} at {targets}")
        screenshot(tab, f"{name}-{width}")


@pytest.fixture
def screenshot(request):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab, name):
        tab.screenshot(path=str(ARTIFACTS / f"volunteering-{name}.png"), full_page=True)

    return take


def test_every_volunteering_page_reflows_at_390_and_has_no_serious_accessibility_violation(
    browser,  # noqa: F811
    live_server,
    screenshot,
):
    # given the demo's volunteering data: a shift at the door, a swap offer, a group, hours
    accounts_demo.seed()
    volunteers_demo.seed()
    problems: list[str] = []
    contexts = {}
    try:
        # when each person opens their pages at a phone's and a laptop's width
        for name, who, path in _pages():
            if who not in contexts:
                contexts[who] = csp_watched_context(browser, base_url=live_server.url)
                if who:
                    _sign_in(contexts[who], live_server, who)
            tab = contexts[who].new_page()
            response = tab.goto(path)
            assert response.status == 200, f"{name}: {path} answered {response.status}"
            _look(tab, name, problems, screenshot)
            tab.close()

        # and the kiosk of the shift at the door, as the tablet shows it, then with a wrong code
        door = Shift.objects.get(title=volunteers_demo.AT_THE_DOOR_TITLE)
        coordinator = User.objects.get(email="coordinator@haven.example")
        _kiosk, token = services.kiosk_open(shift=door, by=coordinator)
        kiosk = csp_watched_context(browser, base_url=live_server.url)
        contexts["kiosk"] = kiosk
        kiosk.add_cookies([{"name": KIOSK_COOKIE, "value": token, "url": live_server.url + "/kiosk/"}])
        tab = kiosk.new_page()
        assert tab.goto("/kiosk/").status == 200
        _look(tab, "kiosk", problems, screenshot)
        tab.get_by_label("Valentina R.").check()
        tab.get_by_label("Your PIN or the code from your confirmation email").fill("0000")
        with tab.expect_navigation():
            tab.get_by_role("button", name="Check in").click()
        assert tab.locator(".error-summary").count() == 1, "the wrong code shows no error summary"
        assert tab.evaluate("document.activeElement.matches('.error-summary')"), "the summary is not focused"
        for width, height in SIZES:
            tab.set_viewport_size({"width": width, "height": height})
            if width == 390 and tab.evaluate(OVERFLOW):
                problems.append(f"kiosk with an error at 390px scrolls sideways: {tab.evaluate(OVERFLOW)}")
            results = Axe().run(tab, options=AXE_OPTIONS)
            problems += [
                f"kiosk with an error at {width}px: {v['id']} ({v['impact']})"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            screenshot(tab, f"kiosk-error-{width}")

        # then nothing sticks out and axe finds nothing serious, and no page broke the CSP
        violations = [text for context in contexts.values() for text in context.csp_violations]
        assert not problems, "\n".join(problems)
        assert violations == [], "\n".join(violations)
    finally:
        for context in contexts.values():
            context.close()
