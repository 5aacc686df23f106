"""Supporter fundraising pages (peer-to-peer): a photo stripped of what it says about a place,
moderation before anything is public, gifts through a page counted for it and once for its campaign,
the owner's notice, closing, and the campaign page's list."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from campaigns.models import SupporterPage
from campaigns.supporter_pages import (
    supporter_page_close,
    supporter_page_decline,
    supporter_page_edit,
)
from campaigns.supporter_photos import PHOTO_MAX_SIDE
from donations import services as gifts
from donations.models import Donation
from tests.factories import DonationFactory, UserFactory
from tests.factories.supporter_pages import SECRET_CAMERA, SECRET_PLACE, photo_with_gps, supporter_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Real files on disk (the test settings keep uploads in memory), in a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


def _stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _form(**overrides):
    data = {
        "title": "Baking for Safe Nights",
        "display_name": "Sam K.",
        "story": "I bake bread every Saturday; this month every loaf raises money for safe housing.",
        "goal_amount": "500",
        "no_survivor_content": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the photo ---------------------------------------------------------------------------------------


def test_an_uploaded_photo_is_stored_re_encoded_without_gps_or_any_metadata(client, campaign, media):
    # given a supporter with a phone photo that carries GPS, the camera, XMP, an ICC profile, a comment
    owner = UserFactory()
    client.force_login(owner)
    upload = photo_with_gps()
    original = upload.read()
    upload.seek(0)
    assert b"Exif" in original and SECRET_PLACE.encode() in original and b"ICC_PROFILE" in original

    # when they start a page with it
    response = client.post(f"/campaigns/{campaign.slug}/fundraisers/new/", _form(photo=upload))

    # then the page waits for review, and the one stored file is a fresh JPEG with none of it
    assert response.status_code == 302
    page = SupporterPage.objects.get()
    assert page.status == SupporterPage.Status.PENDING
    files = _stored_files(media)
    assert len(files) == 1 and files[0].name == page.photo.name.rsplit("/", 1)[-1]
    assert "IMG_2041" not in page.photo.name and page.photo.name.endswith(".jpg")
    stored = files[0].read_bytes()
    assert stored != original
    for trace in (
        b"Exif",
        b"GPS",
        SECRET_CAMERA.encode(),
        SECRET_PLACE.encode(),
        b"Maplewood",
        b"ICC_PROFILE",
        b"http://ns.adobe.com/xap/1.0/",
        b"xmpmeta",
    ):
        assert trace not in stored, trace
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(image.info)
        assert max(image.size) == PHOTO_MAX_SIDE  # scaled down from 2400 x 1800
        assert image.size == (1600, 1200)


def test_a_sideways_phone_photo_is_stored_upright_once_its_orientation_tag_is_gone(campaign, media):
    page = supporter_page(campaign, photo=photo_with_gps(size=(400, 200), orientation=6), approved=False)

    with default_storage.open(page.photo.name) as stored, Image.open(stored) as image:
        assert image.size == (200, 400)
        assert not image.getexif()


def test_an_oversized_upload_is_refused_with_a_clear_error_and_nothing_is_stored(client, campaign, media):
    client.force_login(UserFactory())
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg")

    response = client.post(f"/campaigns/{campaign.slug}/fundraisers/new/", _form(photo=big))

    assert response.status_code == 400
    assert "The photo is larger than 5 MB. Please choose a smaller one." in response.content.decode()
    # what was typed is kept
    assert "Baking for Safe Nights" in response.content.decode()
    assert not SupporterPage.objects.exists() and not _stored_files(media)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 truncated jpeg"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name_says(
    client, campaign, media, name, content
):
    client.force_login(UserFactory())
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    response = client.post(f"/campaigns/{campaign.slug}/fundraisers/new/", _form(photo=upload))

    assert response.status_code == 400
    assert "This file is not a photo we can read" in response.content.decode()
    assert not SupporterPage.objects.exists() and not _stored_files(media)


def test_the_form_asks_to_confirm_no_survivor_content_and_says_why(client, campaign):
    client.force_login(UserFactory())

    page = client.get(f"/campaigns/{campaign.slug}/fundraisers/new/").content.decode()
    refused = client.post(f"/campaigns/{campaign.slug}/fundraisers/new/", _form(no_survivor_content=None))

    assert "No survivor’s story, name or image may appear on a fundraising page." in page
    assert refused.status_code == 400
    assert "Please confirm that no survivor’s story, name or image appears" in refused.content.decode()
    assert not SupporterPage.objects.exists()


def test_starting_a_page_needs_an_account(client, campaign):
    response = client.get(f"/campaigns/{campaign.slug}/fundraisers/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- moderation --------------------------------------------------------------------------------------


def test_a_page_is_public_only_once_approved(client, campaign, staff_user):
    owner = UserFactory()
    page = supporter_page(campaign, owner=owner, approved=False, photo=photo_with_gps(size=(300, 200)))
    public = f"/fundraisers/{page.slug}/"

    # pending: 404 for the public (page and photo), not on the campaign page; its owner and staff see it
    assert client.get(public).status_code == 404
    assert client.get(public + "photo.jpg").status_code == 404
    assert page.title not in client.get(f"/campaigns/{campaign.slug}/").content.decode()
    client.force_login(owner)
    assert "waiting for review" in client.get(public).content.decode()
    assert client.get(public + "photo.jpg").status_code == 200
    client.force_login(staff_user)
    queue = client.get("/staff/fundraisers/").content.decode()
    assert page.title in queue and "No survivor’s story, name or image may appear" in queue
    review = client.get(f"/staff/fundraisers/{page.pk}/").content.decode()
    assert "No survivor’s story, name or image may appear" in review

    # approved by staff: public
    assert client.post(f"/staff/fundraisers/{page.pk}/", {"action": "approve"}).status_code == 302
    client.logout()
    response = client.get(public)
    assert response.status_code == 200 and page.title in response.content.decode()
    photo = client.get(public + "photo.jpg")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert page.title in client.get(f"/campaigns/{campaign.slug}/").content.decode()


def test_a_declined_page_is_not_public_and_its_owner_sees_the_reason(client, campaign, staff_user):
    owner = UserFactory()
    page = supporter_page(campaign, owner=owner, approved=False)
    client.force_login(staff_user)

    refused = client.post(f"/staff/fundraisers/{page.pk}/", {"action": "decline", "reason": ""})
    declined = client.post(
        f"/staff/fundraisers/{page.pk}/",
        {"action": "decline", "reason": "Please remove the second paragraph."},
    )

    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    assert declined.status_code == 302
    page.refresh_from_db()
    assert page.status == SupporterPage.Status.DECLINED
    client.logout()
    assert client.get(f"/fundraisers/{page.slug}/").status_code == 404
    client.force_login(owner)
    assert "Please remove the second paragraph." in client.get("/me/fundraisers/").content.decode()
    with pytest.raises(ValidationError):
        supporter_page_decline(page=page, reviewer=staff_user, reason="  ")


def test_an_approved_page_changed_by_its_owner_waits_for_review_again(client, campaign):
    owner = UserFactory()
    page = supporter_page(campaign, owner=owner)
    assert client.get(f"/fundraisers/{page.slug}/").status_code == 200

    # saving with nothing changed keeps it public
    same = supporter_page_edit(
        page=page,
        editor=owner,
        title=page.title,
        display_name=page.display_name,
        story=page.story,
        goal_amount=page.goal_amount,
    )
    assert same.status == SupporterPage.Status.APPROVED

    # a changed story goes back to review, and is not public meanwhile
    client.force_login(owner)
    response = client.post(
        f"/me/fundraisers/{page.pk}/",
        _form(title=page.title, display_name=page.display_name, story="A new story.", goal_amount="500"),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.status == SupporterPage.Status.PENDING and page.story == "A new story."
    client.logout()
    assert client.get(f"/fundraisers/{page.slug}/").status_code == 404
    # and someone else cannot change it
    client.force_login(UserFactory())
    assert client.post(f"/me/fundraisers/{page.pk}/", _form()).status_code == 404


def test_an_unapproved_page_takes_no_gifts(campaign):
    page = supporter_page(campaign, approved=False)
    with pytest.raises(gifts.DonationError):
        gifts.donation_create(
            amount=2500,
            cover_fee=False,
            monthly=False,
            designation=gifts.Designation(campaign, campaign.fund),
            email="a@example.org",
            name="A",
            supporter_page=page,
        )


def _gift_through(page, **kwargs) -> Donation:
    defaults = {
        "amount": 2500,
        "cover_fee": False,
        "monthly": False,
        "designation": gifts.Designation(page.campaign, page.campaign.fund),
        "email": "giver@example.org",
        "name": "Gabriela Giver",
    }
    defaults.update(kwargs)
    return gifts.donation_create(supporter_page=page, **defaults)


# --- closing ------------------------------------------------------------------------------------------


def test_a_closed_page_takes_no_more_gifts_and_stays_visible_as_closed(client, campaign):
    owner = UserFactory()
    page = supporter_page(campaign, owner=owner)
    client.force_login(owner)

    assert "Close your fundraising page" in client.get(f"/me/fundraisers/{page.pk}/close/").content.decode()
    assert client.post(f"/me/fundraisers/{page.pk}/close/").status_code == 302
    page.refresh_from_db()
    closed_at = page.closed_at
    assert closed_at is not None
    supporter_page_close(page=page, closed_by=owner)  # once only
    page.refresh_from_db()
    assert page.closed_at == closed_at

    client.logout()
    public = client.get(f"/fundraisers/{page.slug}/").content.decode()
    assert "This page is closed and takes no more gifts." in public and "Give through this page" not in public
    donate = client.get(f"/campaigns/{campaign.slug}/donate/?fundraiser={page.slug}").content.decode()
    assert "closed or not public, so your gift goes to the campaign only" in donate
    with pytest.raises(gifts.DonationError):
        _gift_through(page)
    with pytest.raises(ValidationError):
        supporter_page_edit(
            page=page, editor=owner, title="New", display_name="M", story="S", goal_amount=100
        )
    # someone else cannot close a page
    other = supporter_page(campaign, owner=UserFactory())
    with pytest.raises(ValidationError):
        supporter_page_close(page=other, closed_by=owner)


# --- the campaign page and /me/ ------------------------------------------------------------------------


def test_the_campaign_page_lists_approved_pages_by_amount_raised(client, campaign, django_assert_num_queries):
    from campaigns.supporter_selectors import supporter_pages_for_campaign

    small = supporter_page(campaign, title="Small page", owner=UserFactory())
    big = supporter_page(campaign, title="Big page", owner=UserFactory())
    supporter_page(campaign, title="Pending page", owner=UserFactory(), approved=False)
    for page, amount in ((small, 1000), (big, 9000)):
        DonationFactory(campaign=campaign, supporter_page=page, amount=amount)
    from campaigns.services import totals_refresh

    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)

    body = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert body.index("Big page") < body.index("Small page")
    assert "Pending page" not in body
    assert "$90</strong> raised of $500 goal" in body
    with django_assert_num_queries(1):
        cards = supporter_pages_for_campaign(campaign)
    assert [c.page.title for c in cards] == ["Big page", "Small page"]


def test_an_approval_shows_on_the_cached_campaign_page_at_the_next_request(client, campaign, staff_user):
    page = supporter_page(campaign, approved=False)
    url = f"/campaigns/{campaign.slug}/"
    client.get(url)
    assert client.get(url)["X-Haven-Cache"] == "hit"

    from campaigns.supporter_pages import supporter_page_approve

    supporter_page_approve(page=page, reviewer=staff_user)

    response = client.get(url)
    assert response["X-Haven-Cache"] == "miss" and page.title in response.content.decode()


def test_the_public_page_follows_the_batched_publication_of_totals(client, campaign, settings):
    from campaigns.services import public_totals_publish, totals_refresh

    settings.HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 30
    page = supporter_page(campaign)
    DonationFactory(campaign=campaign, supporter_page=page, amount=3700, is_anonymous=True)
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    page.refresh_from_db()
    assert (page.raised, page.published_raised) == (3700, 0)
    assert "$0</strong> raised" in client.get(f"/fundraisers/{page.slug}/").content.decode()

    assert public_totals_publish(force=True)

    assert "$37</strong> raised" in client.get(f"/fundraisers/{page.slug}/").content.decode()


def test_the_owner_sees_their_pages_at_me(client, campaign):
    owner = UserFactory()
    supporter_page(campaign, owner=owner, title="Mine, public")
    supporter_page(campaign, owner=owner, title="Mine, waiting", approved=False)
    supporter_page(campaign, owner=UserFactory(), title="Someone else's")
    client.force_login(owner)

    body = client.get("/me/fundraisers/").content.decode()
    dashboard = client.get("/me/").content.decode()

    assert "Mine, public" in body and "Mine, waiting" in body and "Someone else" not in body
    assert "Waiting for review" in body
    assert "/me/fundraisers/" in dashboard


@pytest.mark.parametrize("pages", [1, 6])
def test_a_refresh_reads_the_pages_totals_in_the_same_few_queries_however_many_pages(
    campaign, pages, django_assert_num_queries
):
    from campaigns.services import totals_refresh

    for n in range(pages):
        page = supporter_page(campaign, owner=UserFactory(), title=f"Page {n}")
        DonationFactory.create_batch(
            3, campaign=campaign, supporter_page=page, show_name_publicly=True, public_name=f"Giver {n}"
        )
    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)

    # the campaign's own refresh (18, test_totals), then the pages: their rows, sums and donors, the
    # names (one window query), one UPDATE for them all
    with django_assert_num_queries(22):
        totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    assert SupporterPage.objects.get(title="Page 0").gift_count == 3


def test_an_owner_who_erases_their_data_takes_their_pages_down_and_keeps_the_gifts_counted(
    client, campaign, django_capture_on_commit_callbacks
):
    from accounts.privacy import personal_data_erase, personal_data_export
    from campaigns.models import CampaignTotals

    owner = UserFactory()
    page = supporter_page(
        campaign, owner=owner, photo=photo_with_gps(size=(300, 200)), display_name="Maria L."
    )
    DonationFactory(campaign=campaign, supporter_page=page, amount=4000)
    photo = page.photo.name
    exported = personal_data_export(user=owner)["fundraising_pages"]
    assert exported[0]["organised_by"] == "Maria L." and exported[0]["has_photo"] is True

    with django_capture_on_commit_callbacks(execute=True):
        assert personal_data_erase(user=owner)

    page.refresh_from_db()
    assert page.owner is None and page.display_name == "—" and page.story == "" and not page.photo
    assert page.status == SupporterPage.Status.DECLINED and page.is_closed
    assert not default_storage.exists(photo)
    assert client.get(f"/fundraisers/{page.slug}/").status_code == 404
    from campaigns.services import totals_refresh

    totals_refresh(campaign_id=campaign.pk, fund_id=campaign.fund_id)
    assert CampaignTotals.objects.get(campaign=campaign).raised == 4000
