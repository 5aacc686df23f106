"""Staff write, preview, publish and reorder pages and keep the directory from their own pages (no
admin needed), with plain forms that work without JavaScript; nobody else may."""

import pytest

from accounts.models import AuditEntry
from pages.models import Page, PartnerService
from tests.factories import PageFactory, PartnerServiceFactory

pytestmark = pytest.mark.django_db

STAFF_GET = [
    "/staff/pages/",
    "/staff/pages/new/",
    "/staff/pages/{page}/",
    "/staff/pages/{page}/preview/",
    "/staff/pages/{page}/delete/",
    "/staff/find-help/",
    "/staff/find-help/new/",
    "/staff/find-help/{service}/",
    "/staff/find-help/{service}/delete/",
]
STAFF_POST = [
    "/staff/pages/{page}/publish/",
    "/staff/pages/{page}/unpublish/",
    "/staff/pages/{page}/move/",
    "/staff/pages/{page}/delete/",
    "/staff/find-help/{service}/move/",
    "/staff/find-help/{service}/delete/",
]


@pytest.fixture
def rows():
    return {
        "page": PageFactory(is_published=False, published_at=None).pk,
        "service": PartnerServiceFactory().pk,
    }


def test_only_staff_open_the_staff_pages(client, rows, volunteer, coordinator, staff_user):
    for url in STAFF_GET:
        url = url.format(**rows)
        client.logout()
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
        for person in (volunteer, coordinator):
            client.force_login(person)
            assert client.get(url).status_code == 403, url
        client.force_login(staff_user)
        assert client.get(url).status_code == 200, url


def test_nobody_but_staff_can_change_anything(client, rows, volunteer):
    client.force_login(volunteer)
    for url in STAFF_POST:
        assert client.post(url.format(**rows), {"direction": "up"}).status_code == 403, url
    client.logout()
    for url in STAFF_POST:
        assert client.post(url.format(**rows), {"direction": "up"}).status_code == 302, url

    assert not AuditEntry.objects.filter(action__startswith=("page")).exists()
    assert Page.objects.filter(pk=rows["page"], is_published=False).exists()
    assert PartnerService.objects.filter(pk=rows["service"]).exists()


def test_the_url_walk_sees_the_markers():
    from tests.test_url_access import _access_marker, _our_views

    markers = {route: _access_marker(callback) for route, callback, _ in _our_views()}

    assert markers["find-help/"] == "public"
    assert markers["news.atom"] == "public"
    assert markers["staff/pages/<int:pk>/publish/"] == "roles:staff"
    assert markers["staff/find-help/<int:pk>/move/"] == "roles:staff"


FORM = {
    "slug": "our-approach",
    "title_en": "Our approach",
    "summary_en": "How we work.",
    "body_en": "## Survivors decide\n\n<script>alert(1)</script>We offer help.",
    "title_es": "Nuestro enfoque",
    "summary_es": "",
    "body_es": "",
    "in_navigation": "on",
}


def test_a_preview_shows_the_page_in_both_languages_and_saves_nothing(client, staff_user):
    client.force_login(staff_user)
    count = Page.objects.count()

    response = client.post("/staff/pages/new/", FORM | {"action": "preview"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Preview: not saved yet" in body
    assert "<h2>Survivors decide</h2>" in body
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert "Nuestro enfoque" in body and "Our approach" in body  # English and Spanish previews
    assert 'value="Our approach"' in body  # the form keeps what was typed
    assert Page.objects.count() == count
    assert not AuditEntry.objects.exists()


def test_create_then_preview_then_publish(client, staff_user, django_capture_on_commit_callbacks):
    client.force_login(staff_user)

    # when staff save a new page, it is a draft and they land on its preview
    response = client.post("/staff/pages/new/", FORM | {"action": "save"})
    page = Page.objects.get(slug="our-approach")
    assert response.status_code == 302 and response["Location"] == f"/staff/pages/{page.pk}/preview/"
    assert not page.is_published
    assert client.get("/pages/our-approach/").status_code == 404
    preview = client.get(response["Location"]).content.decode()
    assert "Draft: the public does not see this page yet." in preview

    # when they publish it from the preview (the navigation's cache is forgotten on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/pages/{page.pk}/publish/", {"back": "preview"})

    # then the public sees it, and the audit log has both steps
    assert response.status_code == 302
    client.logout()
    assert "<h1>Our approach</h1>" in client.get("/pages/our-approach/").content.decode()
    assert "Our approach" in client.get("/").content.decode()  # in the navigation
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "page.create",
        "page.publish",
    ]


def test_a_form_error_keeps_the_text_and_says_what_to_fix(client, staff_user):
    PageFactory(slug="our-approach")
    client.force_login(staff_user)

    response = client.post("/staff/pages/new/", FORM | {"action": "save", "title_en": ""})
    body = response.content.decode()

    assert response.status_code == 200
    assert "This field is required" in body
    response = client.post("/staff/pages/new/", FORM | {"action": "save"})
    assert "already exists" in response.content.decode()
    assert Page.objects.filter(slug="our-approach").count() == 1


def test_editing_a_page_with_a_purpose_changes_its_words_not_its_address(client, staff_user):
    signs = Page.objects.get(purpose=Page.Purpose.LEARN_THE_SIGNS)
    client.force_login(staff_user)

    form = client.get(f"/staff/pages/{signs.pk}/").content.decode()
    response = client.post(
        f"/staff/pages/{signs.pk}/",
        {
            "slug": "hijacked",
            "title_en": "Know the signs",
            "summary_en": signs.summary_en,
            "body_en": signs.body_en,
            "in_navigation": "on",
            "action": "save",
        },
    )

    assert "disabled" in form[form.index('name="slug"') - 200 : form.index('name="slug"') + 200]
    assert response.status_code == 302
    signs.refresh_from_db()
    assert (signs.slug, signs.title_en) == ("learn-the-signs", "Know the signs")
    assert "<h1>Know the signs</h1>" in client.get("/learn-the-signs/").content.decode()


def test_the_list_reorders_with_plain_buttons(client, staff_user):
    page = PageFactory(title_en="Our approach")
    client.force_login(staff_user)
    listing = client.get("/staff/pages/").content.decode()
    assert f'action="/staff/pages/{page.pk}/move/"' in listing
    assert 'name="direction" value="up"' in listing

    response = client.post(f"/staff/pages/{page.pk}/move/", {"direction": "up"})

    assert response.status_code == 302 and response["Location"] == f"/staff/pages/#page-{page.pk}"
    order = list(Page.objects.order_by("nav_position", "id").values_list("title_en", flat=True))
    assert order[-2:] == ["Our approach", "How you can help"]
    assert client.post(f"/staff/pages/{page.pk}/move/", {"direction": "sideways"}).status_code == 400


def test_unpublish_and_delete_from_the_staff_pages(client, staff_user):
    page = PageFactory(slug="old-news")
    client.force_login(staff_user)

    client.post(f"/staff/pages/{page.pk}/unpublish/")
    assert client.get("/pages/old-news/").status_code == 404
    client.post(f"/staff/pages/{page.pk}/delete/")

    assert not Page.objects.filter(pk=page.pk).exists()
    home = Page.objects.get(purpose=Page.Purpose.HOME)
    response = client.post(f"/staff/pages/{home.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Page.objects.filter(pk=home.pk).exists()


SERVICE_FORM = {
    "need": "housing",
    "name_en": "Harbor Light Shelter Network",
    "description_en": "Emergency rooms the same night.",
    "area_en": "Riverside County",
    "phone": "1-800-555-0141",
    "email": "",
    "website": "https://harborlight.example.org",
    "hours_en": "24 hours, every day",
    "languages": ["en", "es"],
    "is_listed": "on",
}


def test_staff_add_a_directory_entry_and_the_public_sees_it(client, staff_user):
    client.force_login(staff_user)
    form = client.get("/staff/find-help/new/").content.decode()
    assert "never where" in form or "no street address" in form  # the form says why there is no address

    response = client.post("/staff/find-help/new/", SERVICE_FORM)

    service = PartnerService.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/find-help/#service-{service.pk}"
    assert service.languages == ["en", "es"]
    client.logout()
    assert "Harbor Light Shelter Network" in client.get("/find-help/").content.decode()


def test_the_staff_form_refuses_a_street_address_and_keeps_the_rest(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/staff/find-help/new/", SERVICE_FORM | {"area_en": "12 Maple Street, Riverside"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "looks like a street address" in body
    assert 'value="Harbor Light Shelter Network"' in body
    assert not PartnerService.objects.exists()


def test_the_staff_form_needs_one_way_to_reach_them(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/staff/find-help/new/", SERVICE_FORM | {"phone": "", "website": ""})

    assert "at least one way to reach them" in response.content.decode()
    assert not PartnerService.objects.exists()


def test_staff_reorder_and_remove_directory_entries(client, staff_user):
    first = PartnerServiceFactory(need="legal", name_en="First")
    second = PartnerServiceFactory(need="legal", name_en="Second")
    client.force_login(staff_user)

    client.post(f"/staff/find-help/{second.pk}/move/", {"direction": "up"})
    legal = list(
        PartnerService.objects.filter(need="legal").order_by("position").values_list("name_en", flat=True)
    )
    client.post(f"/staff/find-help/{first.pk}/delete/")

    assert legal == ["Second", "First"]
    assert list(PartnerService.objects.values_list("name_en", flat=True)) == ["Second"]
