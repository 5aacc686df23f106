"""The public face: the home page from its staff-written text, Learn the signs with the hotline,
How you can help with live campaigns and shifts, pages staff publish, the news feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from core import ways_to_help
from pages import services
from pages.models import Page
from tests.factories import (
    BookingFactory,
    CampaignFactory,
    CampaignUpdateFactory,
    DonationFactory,
    PageFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_home_page_text_is_the_page_staff_edit(client, staff_user):
    home = Page.objects.get(purpose=Page.Purpose.HOME)
    services.page_update(
        actor=staff_user,
        page=home,
        data={"title_en": "Every survivor deserves a safe night", "body_en": "## Our work"},
    )

    body = _get(client, "/")

    assert "<h1>Every survivor deserves a safe night</h1>" in body
    assert "<h2>Our work</h2>" in body
    assert "1-888-373-7888" in body  # the hotline box is the site's, not staff text


def test_the_home_page_reads_in_spanish_where_staff_translated_it(client, staff_user):
    home = Page.objects.get(purpose=Page.Purpose.HOME)
    services.page_update(
        actor=staff_user, page=home, data={"title_es": "Seguridad y un futuro", "body_es": ""}
    )

    spanish = _get(client, "/", HTTP_ACCEPT_LANGUAGE="es")
    english = _get(client, "/", HTTP_ACCEPT_LANGUAGE="en")

    assert "<h1>Seguridad y un futuro</h1>" in spanish
    assert "Emergency housing" in spanish  # staff emptied the Spanish body: English is shown
    assert "<h1>Safety, care and a future for survivors of human trafficking</h1>" in english


def test_a_fresh_install_greets_a_spanish_visitor_in_spanish(client):
    home = _get(client, "/", HTTP_ACCEPT_LANGUAGE="es")
    signs = _get(client, "/learn-the-signs/", HTTP_ACCEPT_LANGUAGE="es")
    english = _get(client, "/learn-the-signs/", HTTP_ACCEPT_LANGUAGE="en")

    assert "<h1>Seguridad, atención y un futuro para sobrevivientes de la trata de personas</h1>" in home
    assert "<h2>Lo que paga su apoyo</h2>" in home
    assert "Emergency housing" not in home
    assert "<h1>Conozca las señales</h1>" in signs
    assert "<h2>Señales de que algo puede estar mal</h2>" in signs
    assert "<h2>Qué no hacer</h2>" in signs
    assert "<h1>Learn the signs</h1>" in english


def test_seeding_again_adds_the_spanish_only_to_pages_nobody_has_changed(staff_user):
    from pages.content import purpose_pages_ensure

    Page.objects.exclude(purpose=Page.Purpose.PAGE).update(title_es=None, summary_es=None, body_es=None)
    signs = Page.objects.get(purpose=Page.Purpose.LEARN_THE_SIGNS)
    services.page_update(actor=staff_user, page=signs, data={"title_en": "Know the signs"})

    assert purpose_pages_ensure(Page, now=timezone.now()) == 0

    assert Page.objects.get(purpose=Page.Purpose.HOME).body_es.startswith("## Lo que paga su apoyo")
    signs.refresh_from_db()
    assert not signs.title_es and not signs.body_es  # staff changed it: left as they wrote it


def test_the_site_still_works_if_a_page_with_a_purpose_was_removed_by_hand(client):
    Page.objects.filter(purpose__in=["home", "find_help", "learn_the_signs", "how_you_can_help"]).delete()

    for url in ("/", "/find-help/", "/learn-the-signs/", "/how-you-can-help/"):
        body = _get(client, url)
        assert "1-888-373-7888" in body


def test_learn_the_signs_has_the_hotline_and_what_to_do_and_not_to_do(client):
    body = _get(client, "/learn-the-signs/")
    main = body[body.index('id="main"') :]

    for text in ("1-888-373-7888", "TTY 711", "233733", "call 911", "What to do", "What not to do"):
        assert text in main, text
    assert 'href="/find-help/"' in main


def test_every_page_links_the_new_pages_from_the_navigation_and_the_feed(client):
    body = _get(client, "/transparency/")

    nav = body[body.index('aria-label="Main"') : body.index("</nav>", body.index('aria-label="Main"'))]
    assert nav.index("Find help") < nav.index("Learn the signs") < nav.index("How you can help")
    assert '<link rel="alternate" type="application/atom+xml"' in body
    assert 'href="/news.atom"' in body


def test_a_published_page_is_public_and_a_draft_is_not(client, staff_user):
    PageFactory(slug="about-us", title_en="About us", body_en="We are **small**.")
    PageFactory(slug="draft", title_en="Not yet", is_published=False, published_at=None)

    body = _get(client, "/pages/about-us/")

    assert "<h1>About us</h1>" in body and "<strong>small</strong>" in body
    assert client.get("/pages/draft/").status_code == 404
    assert "Not yet" not in _get(client, "/")


def test_a_page_with_a_purpose_reached_by_its_slug_goes_to_its_own_address(client):
    response = client.get("/pages/find-help/")

    assert response.status_code == 302 and response["Location"] == "/find-help/"


def test_share_links_are_plain_links_with_no_third_party_script(client):
    body = _get(client, "/how-you-can-help/")

    assert 'href="mailto:?subject=How%20you%20can%20help' in body
    assert 'value="http://testserver/how-you-can-help/"' in body
    assert 'value="http://testserver/learn-the-signs/"' in body
    scripts = [part.split(">")[0] for part in body.split("<script")[1:]]
    assert scripts and all('src="/static/' in tag for tag in scripts), scripts  # our own files only
    assert "<iframe" not in body


def _shift(**extra):
    return ShiftFactory(**extra)


def test_how_you_can_help_shows_campaigns_short_of_money_soonest_ending_first(client):
    today = timezone.localdate()
    later = CampaignFactory(title="Open-ended campaign", ends_on=None, goal_amount=100000)
    soon = CampaignFactory(
        title="Ends next week", ends_on=today + datetime.timedelta(days=7), goal_amount=100000
    )
    met = CampaignFactory(title="Already met", goal_amount=1000)
    DonationFactory(campaign=met, amount=5000)
    from campaigns.services import totals_refresh

    totals_refresh(campaign_id=met.pk, fund_id=met.fund_id)

    body = _get(client, "/how-you-can-help/")

    assert body.index("Ends next week") < body.index("Open-ended campaign")
    assert "Already met" not in body
    assert (
        f'href="/campaigns/{soon.slug}/donate/"' in body and f'href="/campaigns/{later.slug}/donate/"' in body
    )


def test_how_you_can_help_shows_shifts_with_free_places_but_never_where(client):
    open_shift = _shift(capacity=3, neighbourhood="Quietvale", address="12 Hidden Lane, Apt 3")
    full = _shift(capacity=1)
    BookingFactory(shift=full)
    _shift(capacity=5, is_cancelled=True, cancelled_at=timezone.now())
    _shift(
        starts_at=timezone.now() + datetime.timedelta(days=60),
        ends_at=timezone.now() + datetime.timedelta(days=60, hours=2),
    )

    body = _get(client, "/how-you-can-help/")

    assert f'href="/shifts/{open_shift.pk}/"' in body
    assert "3 places left" in body
    assert f'href="/shifts/{full.pk}/"' not in body
    assert "Hidden Lane" not in body and "Quietvale" not in body


def test_how_you_can_help_says_so_when_nothing_is_short(client):
    body = _get(client, "/how-you-can-help/")

    assert "general fund" in body
    assert "No shift in the next 30 days is short of people" in body


def test_another_app_can_plug_in_more_ways_to_help_and_none_shows_nothing(client, public_cache_off):
    before = _get(client, "/how-you-can-help/")
    ways_to_help.register(
        "test_in_kind",
        lambda: ways_to_help.HelpSection(
            heading="Give things we need",
            items=[ways_to_help.HelpItem(title="Winter coats", detail="adult sizes")],
        ),
    )
    ways_to_help.register("test_nothing_needed", lambda: None)
    try:
        after = _get(client, "/how-you-can-help/")
    finally:
        ways_to_help.unregister("test_in_kind")
        ways_to_help.unregister("test_nothing_needed")

    assert "Give things we need" not in before
    assert "Give things we need" in after and "Winter coats: adult sizes" in after


def test_how_you_can_help_makes_the_same_queries_for_few_or_many_campaigns_and_shifts(
    client, django_assert_max_num_queries, public_cache_off
):
    CampaignFactory()
    _shift()
    client.get("/how-you-can-help/")  # warm the navigation cache
    # campaigns, shifts, the page's text, and the in-kind needs' provider (core.ways_to_help)
    with django_assert_max_num_queries(4) as few:
        client.get("/how-you-can-help/")

    CampaignFactory.create_batch(10)
    for _ in range(10):
        _shift()
    with django_assert_max_num_queries(4) as many:
        client.get("/how-you-can-help/")

    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_news_feed_is_valid_atom_with_pages_and_campaign_updates_newest_first(client):
    now = timezone.now()
    PageFactory(title_en="About us", summary_en="Who we are.", published_at=now - datetime.timedelta(days=2))
    campaign = CampaignFactory(title="Safe Nights")
    CampaignUpdateFactory(
        campaign=campaign, title="Forty nights", published_at=now - datetime.timedelta(days=1)
    )
    CampaignUpdateFactory(campaign=campaign, title="Draft news", is_published=False)
    hidden = CampaignFactory(title="Unpublished campaign", is_published=False)
    CampaignUpdateFactory(campaign=hidden, title="Secret plans")
    PageFactory(title_en="A draft page", is_published=False, published_at=None)

    response = client.get("/news.atom")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles.index("Safe Nights: Forty nights") < titles.index("About us")
    assert "Learn the signs" in titles  # the pages with a purpose, published by the migration
    assert not {"Draft news", "Secret plans", "A draft page"} & set(titles)
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        assert entry.find(f"{ATOM}updated").text


def test_the_campaign_updates_feed_is_still_there_beside_the_news_feed(client):
    campaign = CampaignFactory(slug="safe-nights")
    CampaignUpdateFactory(campaign=campaign, title="Forty nights")

    body = _get(client, "/campaigns/safe-nights/updates.atom")

    assert "Forty nights" in body


def test_a_published_pages_feed_date_is_when_it_was_first_published(staff_user):
    page = services.page_create(actor=staff_user, slug="news", title_en="News", summary_en="s")
    services.page_publish(actor=staff_user, page=page)
    first = Page.objects.get(pk=page.pk).published_at
    services.page_unpublish(actor=staff_user, page=page)
    services.page_publish(actor=staff_user, page=page)

    assert Page.objects.get(pk=page.pk).published_at == first
