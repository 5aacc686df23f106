"""WCAG 1.4.10 (reflow): no page scrolls sideways at 320 CSS px (the width WCAG names), 390 px (a
common phone) or 1280 px (a laptop).

The pages come from the URL patterns themselves (as tests/test_url_access.py walks them): every
route of ours whose arguments the seeded rows below can fill, opened by the kind of person its access
marker asks for. Routes that answer anything but an HTML page to GET (CSV, PDF, feeds, POST-only
actions) drop out on their own; the test fails if the walk ever finds too few pages to mean much."""

import re

import pytest
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
    RoleApplicationFactory,
    RoleFactory,
    ShiftFactory,
    UserFactory,
    WaitlistEntryFactory,
    ready_volunteer,
)
from tests.test_url_access import _access_marker, _our_views

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = [320, 390, 1280]
SKIP = re.compile(r"(\.(csv|pdf|ics|atom|json)$)|^api/|^stripe/|^healthz|^admin/")
# A long, unbroken name and address: the kind of text that pushes a narrow page wide.
LONG_EMAIL = "maria.fernanda.gonzalez-rodriguez@example.org"


def _seed() -> dict:
    purpose_pages_ensure(Page, now=timezone.now())
    campaign = CampaignFactory(slug="safe-nights", title="Safe nights for families leaving exploitation")
    AllocationPlanFactory(campaign=campaign, share_bps=10000)
    ImpactUnitFactory(campaign=campaign, amount=4000, description="one night of safe housing")
    update = CampaignUpdateFactory(campaign=campaign, title="Twelve more nights")
    expenditure = ExpenditureFactory(campaign=campaign)
    volunteer = ready_volunteer(email=LONG_EMAIL, name="María Fernanda González Rodríguez")
    volunteer.groups.add(*UserFactory(roles=["donor"]).groups.all())
    coordinator = UserFactory(email="coord@example.org", name="Chris Coordinator", roles=["coordinator"])
    staff = UserFactory(email="staff@example.org", name="Sam Staff", roles=["staff"])
    superuser = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    role = RoleFactory(name="Shelter meal prep", coordinators=[coordinator])
    shift = ShiftFactory(role=role, neighbourhood="Riverside")
    full = ShiftFactory(role=role, neighbourhood="Eastside", capacity=1)
    booking = BookingFactory(shift=shift, volunteer=volunteer)
    BookingFactory(shift=full, volunteer=ready_volunteer(email="other@example.org"))
    entry = WaitlistEntryFactory(shift=full, volunteer=volunteer)
    application = RoleApplicationFactory(role=role, volunteer=ready_volunteer(email="applicant@example.org"))
    donation = DonationFactory(campaign=campaign, donor=volunteer, donor_email=LONG_EMAIL)
    monthly = RecurringGiftFactory(campaign=campaign, donor=volunteer, donor_email=LONG_EMAIL)
    staff_page = PageFactory(slug="about-us", title_en="About us", body_en="## Who we are\n\nA small team.")
    service = PartnerServiceFactory(need="legal", name_en="Justice Bridge Legal Aid", languages=["en", "es"])
    values = {
        "slug": campaign.slug,
        "shift_id": shift.pk,
        "booking_id": booking.pk,
        "entry_id": entry.pk,
        "role_id": role.pk,
        "volunteer_id": volunteer.pk,
        "application_id": application.pk,
        "update_pk": update.pk,
    }
    # routes whose <pk> or <uuid> means a different row
    by_prefix = {
        "pages/<slug:slug>/": {"slug": staff_page.slug},
        "staff/pages/": {"pk": staff_page.pk},
        "staff/find-help/": {"pk": service.pk},
        "staff/campaigns/": {"pk": campaign.pk},
        "staff/expenditures/": {"pk": expenditure.pk},
        "staff/categories/": {"pk": expenditure.category_id},
        "staff/funds/": {"pk": campaign.fund_id},
        "staff/people/": {"pk": volunteer.pk},
        "donations/": {"public_id": donation.public_id},
        "staff/donations/": {"public_id": donation.public_id},
        "me/giving/monthly/": {"public_id": monthly.public_id},
    }
    people = {
        "public": None,
        "signed_in": volunteer,
        "roles:staff": staff,
        "roles:coordinator,staff": coordinator,
        "dev_outbox:superuser_or_demo_key": superuser,
    }
    return {"values": values, "by_prefix": by_prefix, "people": people}


def _fill(route: str, seeded: dict) -> str | None:
    values = dict(seeded["values"])
    for prefix, extra in seeded["by_prefix"].items():
        if route.startswith(prefix):
            values.update(extra)
    missing = False

    def value(match):
        nonlocal missing
        name = match.group(1)
        if name not in values:
            missing = True
            return ""
        return str(values[name])

    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)
    return None if missing else path


def _pages(seeded: dict) -> list[tuple[str, object]]:
    """(path, who) for every GET-able HTML page the URL patterns give."""
    found = []
    clients: dict = {}
    for route, callback, _ in _our_views():
        marker = _access_marker(callback)
        if SKIP.search(route) or marker not in seeded["people"]:
            continue
        path = _fill(route, seeded)
        if path is None:
            continue
        who = seeded["people"][marker]
        if who not in clients:
            clients[who] = Client()
            if who is not None:
                clients[who].force_login(who)
        response = clients[who].get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append((path, who))
    return found


def _sign_in(page, live_server, user):  # noqa: F811
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => !el.closest('[data-scroll-region]'))
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return {scroll: doc.scrollWidth, inner: window.innerWidth, wide};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(page, live_server, width):  # noqa: F811
    # given every page the URL patterns give, filled with realistic rows
    seeded = _seed()
    pages = _pages(seeded)
    assert len(pages) >= 50, f"the walk found only {len(pages)} pages: {pages}"

    # when each is opened at this width by the person it is for
    page.set_viewport_size({"width": width, "height": 800})
    wide = []
    current = object()
    for path, who in pages:
        if who is not current:
            _sign_in(page, live_server, who)
            current = who
        page.goto(path)
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > measured["inner"]:
            wide.append(f"{path}: {measured['scroll']} px wide ({', '.join(measured['wide'])})")

    # then none is wider than the window
    assert not wide, f"at {width} px these pages scroll sideways:\n" + "\n".join(wide)
