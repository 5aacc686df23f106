"""Walks every URL the project has, as the public, and checks that nothing private shows up: not an
anonymous donor's name or email, not their gift's amount, not a payee, note or document of spending,
not where a shift takes place or who is booked on it, not a page staff have not published, not a
directory entry staff have unlisted, not where in-kind gifts are dropped off or who pledged them, not
who subscribed to campaign updates."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from campaigns.models import SupporterPage
from campaigns.services import impact_units_set
from campaigns.subscriptions import update_subscription_opt_in
from campaigns.supporter_pages import supporter_page_decline
from core.access import view_access
from donations.models import InKindNeed
from donations.services.inkind import inkind_pledge_create
from tests.factories import (
    BookingFactory,
    CampaignUpdateFactory,
    DonationFactory,
    ExpenditureFactory,
    PageFactory,
    PartnerServiceFactory,
    ShiftFactory,
    UserFactory,
)
from tests.factories.supporter_pages import photo_with_gps, supporter_page

from .conftest import refresh

pytestmark = pytest.mark.django_db

SECRETS = {
    "anonymous donor name": "Zephyrine Quackenbush",
    "anonymous donor email": "zephyrine.q@secret-donor.example",
    "anonymous gift amount": "7,777.77",
    "anonymous gift amount in minor units": "777777",
    "payee": "Bellweather Shelter Landlord Corp",
    "expenditure note": "Room 12 at the Maple Street house",
    "shift address": "88 Juniper Court, the blue door",
    "booked volunteer": "Wilhelmina Oyelaran-Pike",
    "draft page": "Unpublished plans for the Juniper house",
    "unlisted directory entry": "Juniper Safe House Collective",
    "in-kind drop-off address": "41 Quillfeather Row, side gate",
    "in-kind pledger": "Octavian Brightwater-Sloane",
    "update subscriber": "octavian.updates@secret-subscriber.example",
    "supporter page waiting for review": "Walking for the Quillfeather shelter",
    "declined supporter page": "Ostrander bake sale",
    "supporter page owner's email": "octavia@secret-owner.example",
    "supporter page owner's account name": "Octavia Secretowner",
    "anonymous donor through a supporter page": "Quintessa Marchbanks",
    "anonymous donor email through a supporter page": "quintessa@secret-donor.example",
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _concrete(route: str, slug: str) -> str | None:
    """Fill converters: slugs and strings get the campaign's slug, ints 1, uuids a fresh one."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")

    def fill(match):
        converter = (match.group(1) or "str").rstrip(":")
        return {"int": "1", "uuid": str(uuid.uuid4()), "path": slug}.get(converter, slug)

    route = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if re.search(r"[()\[\]?*+]", route):  # a regex route with groups we cannot fill meaningfully
        route = re.sub(r"\(\?P<\w+>[^)]*\)", slug, route)
        if re.search(r"[()\[\]?*+]", route):
            return None
    return "/" + route


@pytest.fixture
def private_things(campaign, categories):
    DonationFactory(
        campaign=campaign, amount=100000, donor_name="Ann Open", show_name_publicly=True, public_name="Ann O."
    )
    DonationFactory(
        campaign=campaign,
        amount=777777,
        donor_name=SECRETS["anonymous donor name"],
        donor_email=SECRETS["anonymous donor email"],
        is_anonymous=True,
    )
    refresh(campaign)
    ExpenditureFactory(
        campaign=campaign,
        category=categories["emergency-housing"],
        payee=SECRETS["payee"],
        note=SECRETS["expenditure note"],
        spent_on=datetime.date.today().replace(day=1) - datetime.timedelta(days=75),
    )
    impact_units_set(campaign=campaign, units=[(4000, "one night of safe housing")])
    CampaignUpdateFactory(campaign=campaign)
    # the public face: a shift with free places (so "How you can help" lists it) and a booking on it,
    # a published page under the slug the walk fills in, a draft, a listed and an unlisted entry
    shift = ShiftFactory(capacity=5, address=SECRETS["shift address"])
    BookingFactory(shift=shift, volunteer=UserFactory(name=SECRETS["booked volunteer"], roles=["volunteer"]))
    PageFactory(slug=campaign.slug, title_en="About us")
    PageFactory(
        title_en=SECRETS["draft page"], body_en=SECRETS["draft page"], is_published=False, published_at=None
    )
    PartnerServiceFactory(name_en="Justice Bridge Legal Aid")
    PartnerServiceFactory(name_en=SECRETS["unlisted directory entry"], is_listed=False)
    # an in-kind need with its private drop-off address and a pledge on it; a subscriber to updates
    need = InKindNeed.objects.create(
        title_en="Winter coats",
        quantity_needed=10,
        deadline=datetime.date.today() + datetime.timedelta(days=10),
        campaign=campaign,
        dropoff=SECRETS["in-kind drop-off address"],
    )
    inkind_pledge_create(need=need, quantity=2, name=SECRETS["in-kind pledger"], email="o.b@example.org")
    update_subscription_opt_in(
        email=SECRETS["update subscriber"],
        wording="Yes, email me updates.",
        source="donate_form",
        campaign=campaign,
    )
    campaign.inkind_need = need
    # supporter fundraising pages: an approved one (with a photo) under the slug the walk fills in, with
    # a named and an anonymous gift through it; one waiting for review and one declined
    owner = UserFactory(
        email=SECRETS["supporter page owner's email"], name=SECRETS["supporter page owner's account name"]
    )
    page = supporter_page(
        campaign,
        owner=owner,
        title="Cycling for Safe Nights",
        display_name="Tavi",
        photo=photo_with_gps(size=(300, 200)),
    )
    SupporterPage.objects.filter(pk=page.pk).update(slug=campaign.slug)
    DonationFactory(
        campaign=campaign, supporter_page=page, amount=5000, show_name_publicly=True, public_name="Pat"
    )
    DonationFactory(
        campaign=campaign,
        supporter_page=page,
        amount=1234,
        donor_name=SECRETS["anonymous donor through a supporter page"],
        donor_email=SECRETS["anonymous donor email through a supporter page"],
        is_anonymous=True,
    )
    supporter_page(campaign, owner=owner, approved=False, title=SECRETS["supporter page waiting for review"])
    declined = supporter_page(campaign, owner=owner, approved=False, title=SECRETS["declined supporter page"])
    supporter_page_decline(
        page=declined, reviewer=UserFactory(roles=["staff"]), reason="A survivor is named."
    )
    refresh(campaign)
    return campaign


def test_no_public_url_reveals_an_anonymous_donor_or_a_payee(private_things):
    campaign = private_things
    client = Client(raise_request_exception=False)
    fetched, ours = [], []
    # the walk fills uuids with fresh ones: the in-kind need's own pledge page is visited as well
    routes = [*_walk(get_resolver().url_patterns)]
    pledge_page = next(entry for route, entry in routes if route == "give/in-kind/<uuid:public_id>/")
    routes.append((f"give/in-kind/{campaign.inkind_need.public_id}/", pledge_page))
    for route, entry in routes:
        url = _concrete(route, campaign.slug)
        if url is None:
            continue
        response = client.get(url)
        fetched.append(url)
        callback = str(getattr(entry, "callback", ""))
        if (
            entry.lookup_str.startswith(("campaigns.", "pages."))
            or "campaigns" in callback
            or "pages" in callback
        ) and view_access(entry.callback) in ("public", None):
            ours.append((url, response.status_code))
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        for what, secret in SECRETS.items():
            assert secret not in text, f"{what} leaked on {url}"
        assert "Zephyrine" not in text and "secret-donor" not in text, url
        assert "Bellweather" not in text, url
        assert "Juniper" not in text and "Wilhelmina" not in text, url
        assert "Quillfeather" not in text and "Octavian" not in text and "secret-subscriber" not in text, url

    # the walk really covered the public pages, API, CSV and schema
    for needed in (
        "/",
        f"/campaigns/{campaign.slug}/",
        "/campaigns/",
        "/transparency/",
        "/transparency/spending.csv",
        "/api/v1/campaigns/",
        f"/api/v1/campaigns/{campaign.slug}/",
        "/api/v1/schema/",
        "/find-help/",
        "/learn-the-signs/",
        "/how-you-can-help/",
        f"/pages/{campaign.slug}/",
        "/news.atom",
        "/give/in-kind/",
        f"/give/in-kind/{campaign.inkind_need.public_id}/",
        f"/fundraisers/{campaign.slug}/",
        f"/fundraisers/{campaign.slug}/photo.jpg",
    ):
        assert needed in fetched
    public_ours = [
        (url, status)
        for url, status in ours
        if not url.startswith("/staff/")
        and not url.startswith("/api/v1/schema")
        and url != "/healthz"
        # a person's own page asks to sign in; the walk's made-up unsubscribe token is refused (400)
        and not url.startswith(("/me/", "/updates/unsubscribe/"))
    ]
    assert public_ours and all(status == 200 for _, status in public_ours), public_ours


def test_the_gift_was_really_counted_and_the_spending_really_published(client, private_things):
    """Guards the leak test against passing vacuously: the secrets exist in the totals and books."""
    campaign = private_things
    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()

    assert "$8,840.11</strong> raised" in body  # the anonymous gifts count, they just are not shown
    assert "4 donors" in body  # the page's two gifts count once, for the campaign
    assert "Cycling for Safe Nights" in body and "Walking for" not in body and "Ostrander" not in body
    fundraiser = client.get(f"/fundraisers/{campaign.slug}/").content.decode()
    assert (
        "$62.34</strong> raised" in fundraiser and "Pat" in fundraiser and "Organised by Tavi" in fundraiser
    )
    assert "Ann O." in body
    assert "$250" in body  # the expenditure, as its category's total
    helping = client.get("/how-you-can-help/").content.decode()
    assert "5 places left" not in helping and "4 places left" in helping  # the booked shift is listed
    assert "Justice Bridge Legal Aid" in client.get("/find-help/").content.decode()


MATCH_SECRETS = {
    "matched anonymous donor name": "Quinevere Matchwell",
    "matched anonymous donor email": "quinevere@matched-secret.example",
    "matched anonymous gift amount": "123.45",
    "matched anonymous gift's match": "246.90",
}


@pytest.fixture
def matched_private_things(private_things):
    """A sponsor's 2:1 match on the campaign, and two gifts it matched: one anonymous."""
    from campaigns.matching import match_offer_create
    from donations import services
    from tests.factories import PendingDonationFactory

    campaign = private_things
    now = datetime.datetime.now(datetime.UTC)
    match_offer_create(
        campaign=campaign,
        sponsor_name="Northwind Foundation",
        ratio=2,
        cap=1_000_000,
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=20),
        qualifies="both",
    )
    for fields in (
        {
            "amount": 12345,
            "is_anonymous": True,
            "donor_name": MATCH_SECRETS["matched anonymous donor name"],
            "donor_email": MATCH_SECRETS["matched anonymous donor email"],
        },
        {"amount": 10000, "donor_name": "Ben Open", "show_name_publicly": True, "public_name": "Ben O."},
    ):
        gift = PendingDonationFactory(campaign=campaign, **fields)
        services.donation_mark_succeeded(
            donation=gift, amount_paid=gift.charged_amount, currency=gift.currency
        )
    refresh(campaign)
    return campaign


def test_no_public_url_reveals_a_matched_anonymous_gift(matched_private_things):
    campaign = matched_private_things
    client = Client(raise_request_exception=False)
    fetched = []
    for route, _entry in _walk(get_resolver().url_patterns):
        url = _concrete(route, campaign.slug)
        if url is None:
            continue
        response = client.get(url)
        fetched.append(url)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        for what, secret in {**SECRETS, **MATCH_SECRETS}.items():
            assert secret not in text, f"{what} leaked on {url}"
        assert "Quinevere" not in text and "matched-secret" not in text, url
    assert f"/campaigns/{campaign.slug}/" in fetched and f"/campaigns/{campaign.slug}/donate/" in fetched

    # not vacuous: both gifts were matched and the page shows the match as one sum only
    page = " ".join(client.get(f"/campaigns/{campaign.slug}/").content.decode().split())
    assert "Matched by Northwind Foundation</dt><dd>$446.90</dd>" in page  # 2 x ($123.45 + $100)
    assert (
        "Your gift is matched 2:1 by Northwind Foundation"
        in client.get(f"/campaigns/{campaign.slug}/donate/").content.decode()
    )
    # the pledge counts on the public in-kind page, without its name or the drop-off address
    assert "2 pledged, of 10 needed" in client.get("/give/in-kind/").content.decode()
