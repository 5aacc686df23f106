"""Staff-written pages: created as drafts, published, reordered, edited in both languages, deleted;
every change in the audit log; the pages with a purpose always there and always published."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import AuditEntry
from pages import services
from pages.models import Page
from pages.navigation import navigation_items
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def _audit(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def _create(staff_user, slug="our-approach", **extra):
    return services.page_create(
        actor=staff_user,
        slug=slug,
        title_en="Our approach",
        summary_en="How we work with survivors.",
        body_en="## Survivors decide\\n\\nWe offer help.",
        **extra,
    )


def test_a_fresh_install_has_the_four_pages_with_a_purpose():
    # given the database as the migrations left it
    pages = {page.purpose: page for page in Page.objects.exclude(purpose=Page.Purpose.PAGE)}

    # then the home page and the three others exist, published, in English
    assert set(pages) == {"home", "learn_the_signs", "how_you_can_help", "find_help"}
    assert all(page.is_published and page.title_en and page.body_en for page in pages.values())
    assert "Emergency housing" in pages["home"].body_en
    assert "What not to do" in pages["learn_the_signs"].body_en


def test_a_new_page_is_a_draft_at_the_end_of_the_list_and_the_creation_is_logged(staff_user):
    last = Page.objects.order_by("-nav_position").first()

    page = _create(staff_user)

    assert not page.is_published and page.published_at is None
    assert page.nav_position > last.nav_position
    [entry] = _audit("page.create")
    assert (entry.actor, entry.target_id, entry.data) == (staff_user, str(page.pk), {"slug": "our-approach"})


def test_publishing_shows_it_once_and_logs_once(staff_user):
    page = _create(staff_user)

    services.page_publish(actor=staff_user, page=page)
    services.page_publish(actor=staff_user, page=page)  # a second click changes nothing

    page.refresh_from_db()
    assert page.is_published and page.published_at is not None
    assert len(_audit("page.publish")) == 1


def test_unpublishing_takes_an_ordinary_page_back_to_draft(staff_user):
    page = PageFactory()

    services.page_unpublish(actor=staff_user, page=page)

    page.refresh_from_db()
    assert not page.is_published
    assert page.published_at is not None  # when it was first published is kept for the feed
    assert len(_audit("page.unpublish")) == 1


def test_a_page_with_a_purpose_cannot_be_unpublished_or_deleted(staff_user):
    home = Page.objects.get(purpose=Page.Purpose.HOME)

    with pytest.raises(ValidationError):
        services.page_unpublish(actor=staff_user, page=home)
    with pytest.raises(ValidationError):
        services.page_delete(actor=staff_user, page=home)

    home.refresh_from_db()
    assert home.is_published
    assert not _audit("page.unpublish") and not _audit("page.delete")


def test_the_database_itself_keeps_pages_with_a_purpose_published_and_unique():
    home = Page.objects.get(purpose=Page.Purpose.HOME)

    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.filter(pk=home.pk).update(is_published=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(
            purpose=Page.Purpose.HOME,
            slug="home-2",
            title_en="x",
            summary_en="x",
            is_published=True,
            published_at=home.published_at,
        )


def test_editing_records_which_fields_changed_not_the_text(staff_user):
    page = _create(staff_user)

    services.page_update(
        actor=staff_user, page=page, data={"title_en": "Our way", "title_es": "Nuestra forma", "body_es": ""}
    )

    page.refresh_from_db()
    assert (page.title_en, page.title_es) == ("Our way", "Nuestra forma")
    [entry] = _audit("page.update")
    assert entry.data == {"changed": ["title_en", "title_es"]}
    assert "Nuestra" not in str(entry.data)


def test_saving_without_a_change_logs_nothing(staff_user):
    page = _create(staff_user)

    services.page_update(actor=staff_user, page=page, data={"title_en": "Our approach", "title_es": ""})

    assert not _audit("page.update")


def test_a_page_with_a_purpose_keeps_its_address(staff_user):
    signs = Page.objects.get(purpose=Page.Purpose.LEARN_THE_SIGNS)

    with pytest.raises(ValidationError) as error:
        services.page_update(actor=staff_user, page=signs, data={"slug": "signs"})

    assert "slug" in error.value.error_dict


def test_two_pages_cannot_share_an_address(staff_user):
    _create(staff_user, slug="taken")

    with pytest.raises(ValidationError) as error:
        _create(staff_user, slug="taken")

    assert "slug" in error.value.error_dict


def test_english_is_required_and_spanish_falls_back_to_english(staff_user):
    with pytest.raises(ValidationError):
        services.page_create(actor=staff_user, slug="x", title_en="", summary_en="s")

    page = _create(staff_user, title_es="Nuestro enfoque")

    page.refresh_from_db()
    with translation.override("es"):
        assert page.title == "Nuestro enfoque"
        assert page.summary == "How we work with survivors."  # no Spanish yet: the English
    with translation.override("en"):
        assert page.title == "Our approach"


def _order():
    return list(Page.objects.order_by("nav_position", "id").values_list("slug", flat=True))


def test_reordering_moves_a_page_one_place_and_logs_it(staff_user):
    page = _create(staff_user)
    before = _order()

    services.page_reorder(actor=staff_user, page=page, direction="up")

    after = _order()
    i = before.index("our-approach")
    assert after[i - 1] == "our-approach" and after[i] == before[i - 1]
    [entry] = _audit("page.reorder")
    assert entry.data == {"from": i + 1, "to": i}


def test_moving_the_first_page_up_or_the_last_down_changes_nothing(staff_user):
    first = Page.objects.order_by("nav_position", "id").first()
    last = Page.objects.order_by("nav_position", "id").last()
    before = _order()

    services.page_reorder(actor=staff_user, page=first, direction="up")
    services.page_reorder(actor=staff_user, page=last, direction="down")

    assert _order() == before
    assert not _audit("page.reorder")


def test_deleting_an_ordinary_page_is_logged_with_its_title(staff_user):
    page = _create(staff_user)

    services.page_delete(actor=staff_user, page=page)

    assert not Page.objects.filter(pk=page.pk).exists()
    [entry] = _audit("page.delete")
    assert entry.data == {"slug": "our-approach", "title": "Our approach"}


def test_the_navigation_follows_publishing_and_order_after_commit(
    staff_user, django_capture_on_commit_callbacks
):
    # given the cached navigation
    titles = [item["title"] for item in navigation_items()]
    assert titles == ["Find help", "Learn the signs", "How you can help"]
    page = _create(staff_user)

    # when the new page is published and moved up twice (each write forgets the cache on commit)
    with django_capture_on_commit_callbacks(execute=True):
        services.page_publish(actor=staff_user, page=page)
    with django_capture_on_commit_callbacks(execute=True):
        services.page_reorder(actor=staff_user, page=page, direction="up")
    with django_capture_on_commit_callbacks(execute=True):
        services.page_reorder(actor=staff_user, page=page, direction="up")

    # then the navigation shows it in its new place
    assert [item["title"] for item in navigation_items()] == [
        "Find help",
        "Our approach",
        "Learn the signs",
        "How you can help",
    ]


def test_the_navigation_is_in_the_visitors_language(staff_user, django_capture_on_commit_callbacks):
    signs = Page.objects.get(purpose=Page.Purpose.LEARN_THE_SIGNS)
    find_help = Page.objects.get(purpose=Page.Purpose.FIND_HELP)
    with django_capture_on_commit_callbacks(execute=True):
        services.page_update(actor=staff_user, page=signs, data={"title_es": "Las señales de la trata"})
        services.page_update(actor=staff_user, page=find_help, data={"title_es": ""})

    with translation.override("es"):
        spanish = [item["title"] for item in navigation_items()]
    english = [item["title"] for item in navigation_items()]

    # the seeded Spanish, staff's own, and English where staff emptied the Spanish
    assert spanish == ["Find help", "Las señales de la trata", "Cómo puede ayudar"]
    assert english == ["Find help", "Learn the signs", "How you can help"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_reordering_at_once_keep_a_consistent_order(requires_postgres, staff_user):
    import threading

    from django.db import connection

    # five new pages; the last four each move up once, which is possible in any interleaving
    pages = [_create(staff_user, slug=f"p{i}") for i in range(5)][1:]
    barrier = threading.Barrier(4)
    errors = []

    def move(page, direction):
        try:
            barrier.wait()
            services.page_reorder(actor=staff_user, page=page, direction=direction)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(page, direction))
        for page, direction in zip(pages, ["up", "up", "up", "up"], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    positions = list(Page.objects.order_by("nav_position").values_list("nav_position", flat=True))
    assert positions == [10 * (i + 1) for i in range(len(positions))]  # no two pages share a place
    assert len(_audit("page.reorder")) == 4
