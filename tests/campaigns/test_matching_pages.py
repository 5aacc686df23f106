"""Matching gifts as people see them: the campaign and donate pages (cached for the public, and
rendered again when a match moves), the staff pages where a sponsor's match is recorded, changed and
ended, with what the sponsor owes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from campaigns.matching import match_offer_create
from campaigns.models import MatchOffer
from donations import services
from donations.models import MatchAllocation
from tests.factories import PendingDonationFactory, UserFactory

from .conftest import refresh

pytestmark = pytest.mark.django_db


def _offer(campaign, **overrides):
    now = timezone.now()
    values = {
        "campaign": campaign,
        "sponsor_name": "Northwind Foundation",
        "ratio": 2,
        "cap": 500_000,
        "starts_at": now - datetime.timedelta(days=1),
        "ends_at": now + datetime.timedelta(days=30),
        "qualifies": "both",
    }
    values.update(overrides)
    return match_offer_create(**values)


def _confirm(campaign, amount, **fields):
    """A gift confirmed as the webhook confirms it (through the state machine), then the totals."""
    gift = PendingDonationFactory(campaign=campaign, amount=amount, **fields)
    services.donation_mark_succeeded(donation=gift, amount_paid=gift.charged_amount, currency=gift.currency)
    refresh(campaign)
    return gift


def _text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, " ".join(response.content.decode().split())


# --- public pages ----------------------------------------------------------------------------------------


def test_the_campaign_page_says_the_gift_is_matched_until_the_cap_and_what_remains(client, campaign):
    _offer(campaign)
    _confirm(campaign, 40_000)

    _, body = _text(client, f"/campaigns/{campaign.slug}/")

    assert "Your gift is matched 2:1 by Northwind Foundation until $5,000 is reached." in body
    assert "$4,200 of the match remains" in body
    # raised (donors), matched (sponsor) and together, apart
    assert "Given by donors</dt><dd>$400</dd>" in body
    assert "Matched by Northwind Foundation</dt><dd>$800</dd>" in body
    assert "Together</dt><dd>$1,200</dd>" in body
    assert "<strong>$400</strong> raised" in body  # the donors' progress line is unchanged


def test_the_donate_page_says_the_gift_is_matched(client, campaign):
    _offer(campaign, qualifies="one_time")
    _, body = _text(client, f"/campaigns/{campaign.slug}/donate/")
    assert "Your gift is matched 2:1 by Northwind Foundation until $5,000 is reached." in body
    assert "$5,000 of the match remains" in body
    assert "One-time gifts are matched; monthly gifts are not." in body


def test_a_reached_cap_says_so_and_the_match_stays_in_the_totals(client, campaign):
    _offer(campaign, ratio=1, cap=10_000)
    _confirm(campaign, 15_000)
    _, body = _text(client, f"/campaigns/{campaign.slug}/")
    assert "Northwind Foundation's match of $100 has been reached." in body
    assert "Your gift is matched" not in body
    assert "Together</dt><dd>$250</dd>" in body


def test_an_ended_match_still_shows_what_it_matched_but_no_longer_invites(client, campaign):
    from campaigns.matching import match_offer_end

    offer = _offer(campaign, ratio=1)
    _confirm(campaign, 5000)
    match_offer_end(offer=offer)
    _, body = _text(client, f"/campaigns/{campaign.slug}/")
    assert "Your gift is matched" not in body
    assert "Matched by Northwind Foundation</dt><dd>$50</dd>" in body


def test_a_campaign_without_a_match_shows_nothing_of_matching(client, campaign):
    _, body = _text(client, f"/campaigns/{campaign.slug}/")
    assert "matched" not in body.lower()
    _, donate = _text(client, f"/campaigns/{campaign.slug}/donate/")
    assert "matched" not in donate.lower()


def test_a_match_moving_renders_the_cached_campaign_page_again(client, campaign):
    _offer(campaign, ratio=1)
    url = f"/campaigns/{campaign.slug}/"
    first, body = _text(client, url)
    again, _ = _text(client, url)
    assert (first["X-Haven-Cache"], again["X-Haven-Cache"]) == ("miss", "hit")
    assert "$5,000 of the match remains" in body

    _confirm(campaign, 10_000)

    after, body = _text(client, url)
    assert after["X-Haven-Cache"] == "miss"
    assert "$4,900 of the match remains" in body


def test_staff_recording_a_match_renders_the_cached_pages_again(client, campaign, staff_user):
    url = f"/campaigns/{campaign.slug}/"
    _text(client, url)
    _offer(campaign)
    response, body = _text(client, url)
    assert response["X-Haven-Cache"] == "miss"
    assert "Your gift is matched" in body


def test_with_batched_public_totals_the_match_moves_only_when_published(client, campaign, settings):
    from campaigns.services import public_totals_publish

    settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 30
    offer = _offer(campaign, ratio=1)
    _confirm(campaign, 10_000)
    offer.refresh_from_db()
    assert (offer.matched, offer.published_matched) == (10_000, 0)
    _, body = _text(client, f"/campaigns/{campaign.slug}/")
    assert "$5,000 of the match remains" in body  # nobody can time the gift from the page

    public_totals_publish(force=True)

    offer.refresh_from_db()
    assert offer.published_matched == 10_000
    _, body = _text(client, f"/campaigns/{campaign.slug}/")
    assert "$4,900 of the match remains" in body
    assert "Together</dt><dd>$200</dd>" in body


def test_the_match_is_shown_in_spanish(client, campaign):
    _offer(campaign)
    _confirm(campaign, 40_000)
    _, body = _text(client, f"/campaigns/{campaign.slug}/?lang=es")
    assert "Northwind Foundation iguala su donación 2:1 hasta alcanzar 5000 US$." in body or (
        "Northwind Foundation iguala su donación 2:1 hasta alcanzar 5.000 US$." in body
    )
    assert "Igualado por Northwind Foundation" in body


# --- staff pages -------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _post(**overrides):
    data = {
        "sponsor_name": "  Northwind   Foundation ",
        "ratio": "2",
        "cap": "5000",
        "starts_at": "2026-01-01T00:00",
        "ends_at": "2027-01-01T00:00",
        "qualifies": "both",
    }
    data.update(overrides)
    return data


def test_staff_record_a_match_and_see_what_the_sponsor_owes(staff_client, campaign):
    url = f"/staff/campaigns/{campaign.pk}/matches/"
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, _post())

    assert response.status_code == 302
    offer = MatchOffer.objects.get()
    assert (offer.sponsor_name, offer.ratio, offer.cap, offer.qualifies) == (
        "Northwind Foundation",
        2,
        500_000,
        "both",
    )
    assert offer.currency == campaign.currency
    gift = _confirm(campaign, 40_000)
    gift.refresh_from_db()
    page = " ".join(staff_client.get(url).content.decode().split())
    assert "Northwind Foundation" in page
    assert "<strong>$800.00</strong>" in page  # owed: matched so far
    assert "$4,200.00" in page  # remaining of the cap


def test_staff_see_a_clear_error_for_a_bad_match_and_nothing_is_saved(staff_client, campaign):
    url = f"/staff/campaigns/{campaign.pk}/matches/"
    response = staff_client.post(url, _post(ends_at="2025-12-01T00:00", sponsor_name=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body or "Enter the sponsor" in body
    response = staff_client.post(url, _post(ends_at="2025-12-01T00:00"))
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not MatchOffer.objects.exists()


def test_two_matches_on_a_campaign_cannot_overlap(staff_client, campaign):
    url = f"/staff/campaigns/{campaign.pk}/matches/"
    assert staff_client.post(url, _post()).status_code == 302
    response = staff_client.post(url, _post(sponsor_name="Other", starts_at="2026-06-01T00:00"))
    assert response.status_code == 400
    assert "already covers part of this time" in response.content.decode()
    assert MatchOffer.objects.count() == 1


def test_staff_change_a_match_but_not_below_what_is_matched(staff_client, campaign):
    offer = _offer(campaign, ratio=1)
    _confirm(campaign, 30_000)
    url = f"/staff/campaigns/{campaign.pk}/matches/{offer.pk}/"
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, _post(cap="200", ratio="1"))
    assert response.status_code == 400
    assert "The cap cannot be less than what is already matched ($300.00)." in response.content.decode()

    response = staff_client.post(url, _post(cap="400", ratio="3"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.cap, offer.ratio, offer.matched) == (40_000, 3, 30_000)


def test_staff_end_a_match_and_later_gifts_are_not_matched(staff_client, campaign):
    offer = _offer(campaign, ratio=1)
    response = staff_client.post(f"/staff/campaigns/{campaign.pk}/matches/{offer.pk}/end/")
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.ended_at is not None
    gift = _confirm(campaign, 1000)
    assert not MatchAllocation.objects.filter(donation=gift).exists()
    # an ended match is no longer changed
    assert (
        staff_client.post(f"/staff/campaigns/{campaign.pk}/matches/{offer.pk}/", _post()).status_code == 400
    )


@pytest.mark.parametrize("roles", [[], ["donor"], ["volunteer"], ["coordinator"]])
def test_match_pages_are_for_staff_only(client, campaign, roles):
    offer = _offer(campaign)
    client.force_login(UserFactory(roles=roles))
    for url in (
        f"/staff/campaigns/{campaign.pk}/matches/",
        f"/staff/campaigns/{campaign.pk}/matches/{offer.pk}/",
    ):
        assert client.get(url).status_code in (302, 403)
    assert client.post(f"/staff/campaigns/{campaign.pk}/matches/{offer.pk}/end/").status_code in (302, 403)
    offer.refresh_from_db()
    assert offer.ended_at is None


def test_the_staff_campaign_list_links_to_the_matches(staff_client, campaign):
    body = staff_client.get("/staff/campaigns/").content.decode()
    assert f"/staff/campaigns/{campaign.pk}/matches/" in body


def test_the_open_books_show_the_match_apart_and_count_donors_gifts_once(client, campaign):
    from campaigns.selectors import fund_books, income_by_fund_month

    _offer(campaign, ratio=2)
    _confirm(campaign, 40_000)

    _, body = _text(client, "/transparency/")

    assert (
        "<strong>Northwind Foundation</strong> matched $800 of gifts to Safe Nights (2:1, up to $5,000)."
        in body
    )
    # the funds and the income are the donors' $400, never the match on top
    (book,) = [b for b in fund_books() if b.fund == campaign.fund]
    assert book.raised == 40_000
    assert sum(row["amount"] for row in income_by_fund_month() if row["fund"] == campaign.fund.name) == 40_000
