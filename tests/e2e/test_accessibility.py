"""WCAG 2.1 AA, checked by axe-core in a real browser on every main page, for every kind of visitor.

axe-core's script ships inside the axe-playwright-python wheel (axe.min.js); nothing is fetched at
run time. A page fails on any violation of impact "serious" or "critical"."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone

from pages.content import purpose_pages_ensure
from pages.models import Page
from tests.e2e.conftest import browser, page  # noqa: F401  (shared browser fixtures)
from tests.factories import (
    AllocationPlanFactory,
    BookingFactory,
    CampaignFactory,
    CampaignUpdateFactory,
    DonationFactory,
    ExpenditureFactory,
    ImpactUnitFactory,
    PageFactory,
    PartnerServiceFactory,
    RecurringGiftFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    ready_volunteer,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# (name, who is signed in, path; {campaign} and {shift} are filled in from the seeded rows)
PAGES = [
    ("home", None, "/"),
    ("campaigns", None, "/campaigns/"),
    ("campaign", None, "/campaigns/{campaign}/"),
    ("transparency", None, "/transparency/"),
    ("find-help", None, "/find-help/"),
    ("find-help-filtered", None, "/find-help/?need=legal&language=es"),
    ("learn-the-signs", None, "/learn-the-signs/"),
    ("how-you-can-help", None, "/how-you-can-help/"),
    ("staff-written-page", None, "/pages/about-us/"),
    ("donate", None, "/donate/"),
    ("campaign-donate", None, "/campaigns/{campaign}/donate/"),
    ("campaign-donate-errors", None, "/campaigns/{campaign}/donate/"),
    ("donate-details", None, "/campaigns/{campaign}/donate/"),
    ("donate-details-errors", None, "/campaigns/{campaign}/donate/"),
    ("thanks-elsewhere", None, "/donations/00000000-0000-4000-8000-000000000000/thanks/"),
    ("monthly-cancel", "donor", "/me/giving/monthly/{monthly}/cancel/"),
    ("shifts", None, "/shifts/"),
    ("shift", None, "/shifts/{shift}/"),
    ("sign-in", None, "/accounts/login/"),
    ("sign-up", None, "/accounts/signup/"),
    ("privacy", None, "/privacy/"),
    ("browsing-safely", None, "/browsing-safely/"),
    ("accessibility", None, "/accessibility/"),
    ("my-shifts", "volunteer", "/me/shifts/"),
    ("volunteer-profile", "volunteer", "/me/volunteer/profile/"),
    ("my-giving", "donor", "/me/giving/"),
    ("coordinate", "coordinator", "/coordinate/"),
    ("roster", "coordinator", "/coordinate/shifts/{shift}/"),
    ("staff", "staff", "/staff/"),
    ("staff-pages", "staff", "/staff/pages/"),
    ("staff-page-new", "staff", "/staff/pages/new/"),
    ("staff-directory", "staff", "/staff/find-help/"),
    ("staff-directory-new", "staff", "/staff/find-help/new/"),
    ("staff-campaigns", "staff", "/staff/campaigns/"),
]


def _seed():
    # the pages with a purpose, as the migration made them (whatever an earlier test's flush left)
    purpose_pages_ensure(Page, now=timezone.now())
    campaign = CampaignFactory(slug="safe-nights", title="Safe nights")
    AllocationPlanFactory(campaign=campaign, share_bps=10000)
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    CampaignUpdateFactory(campaign=campaign, title="Twelve more nights")
    ExpenditureFactory(campaign=campaign)
    people = {
        "volunteer": ready_volunteer(email="vol@example.org"),
        "donor": UserFactory(email="donor@example.org", roles=["donor"]),
        "coordinator": UserFactory(email="coord@example.org", roles=["coordinator"]),
        "staff": UserFactory(email="staff@example.org", roles=["staff"]),
    }
    role = RoleFactory(name="Shelter meal prep", coordinators=[people["coordinator"]])
    shift = ShiftFactory(role=role, neighbourhood="Riverside")
    ShiftFactory(role=role, neighbourhood="Eastside")
    BookingFactory(shift=shift, volunteer=people["volunteer"])
    DonationFactory(campaign=campaign, donor=people["donor"])
    RecurringGiftFactory(
        public_id="11111111-1111-4111-8111-111111111111",
        donor=people["donor"],
        donor_email=people["donor"].email,
        campaign=campaign,
        fund=campaign.fund,
        status="active",
        stripe_subscription_id="sub_axe",
    )
    PageFactory(
        slug="about-us", title_en="About us", body_en="## Who we are\n\n- a small team\n- many volunteers"
    )
    PartnerServiceFactory(need="legal", name_en="Justice Bridge Legal Aid", languages=["en", "es"])
    PartnerServiceFactory(need="housing", name_en="Harbor Light Shelter Network", languages=["es", "vi"])
    return campaign, shift, people


def _sign_in(page, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(page, live_server, name, who, path):  # noqa: F811
    # given realistic data and, for signed-in pages, the right person
    campaign, shift, people = _seed()
    if who:
        _sign_in(page, live_server, people[who])

    # when the page is opened (and, for the error case, the donate form is sent with a bad amount)
    monthly = "11111111-1111-4111-8111-111111111111"
    response = page.goto(path.format(campaign=campaign.slug, shift=shift.pk, monthly=monthly))
    assert response.status < 400, f"{name}: {path} answered {response.status}"
    if name == "campaign-donate-errors":
        page.get_by_label("Other amount", exact=True).check()
        page.get_by_label("Other amount in dollars").fill("12.345")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator(".error-summary, .errorlist, [aria-invalid=true]").count() > 0, "no error shown"
    if name.startswith("donate-details"):
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        page.get_by_text("More choices").click()
        page.get_by_label("Show a name I choose").check()
        page.get_by_label("In memory of someone").check()
    if name == "donate-details-errors":
        page.get_by_role("button", name="Pay").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").count() == 1, "no error summary, or two"

    # then axe finds nothing serious or critical
    results = Axe().run(page, options=AXE_OPTIONS)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in bad
    )
    assert not bad, f"{name} ({path}) has accessibility violations:\n{report}"


def test_the_check_itself_catches_a_violation(page):  # noqa: F811
    # given a page with an unlabelled field and an image without alt text
    page.set_content('<html lang="en"><body><main><img src="x.png"><input></main></body></html>')

    # when axe runs with the same options
    results = Axe().run(page, options=AXE_OPTIONS)

    # then it reports both, so a green run above means something
    found = {v["id"] for v in results.response["violations"]}
    assert {"image-alt", "label"} <= found


def _serious(page):  # noqa: F811
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_page_preview_and_the_form_showing_it_have_no_serious_violations(page, live_server):  # noqa: F811
    # given staff editing the home page
    _, _, people = _seed()
    _sign_in(page, live_server, people["staff"])
    home = Page.objects.get(purpose=Page.Purpose.HOME)

    # when they open its saved preview, then preview a new page from the form
    page.goto(f"/staff/pages/{home.pk}/preview/")
    saved = _serious(page)
    page.goto("/staff/pages/new/")
    page.fill("#id_slug", "our-approach")
    page.fill("#id_title_en", "Our approach")
    page.fill("#id_summary_en", "How we work.")
    page.fill("#id_body_en", "## Survivors decide\n\nWe offer help.")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    assert page.get_by_text("Preview: not saved yet").count() == 1
    unsaved = _serious(page)

    # then axe finds nothing serious on either
    assert not saved and not unsaved, "\n".join(saved + unsaved)
