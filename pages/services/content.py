"""Writes to staff-written pages: create, edit, publish, unpublish, reorder, delete. Each one records
who did what in the audit log, in the transaction that makes the change, and forgets the cached
navigation once it commits."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from core.public_cache import content_changed

from ..models import Page
from ..navigation import navigation_forget

TRANSLATED_FIELDS = ("title", "summary", "body")
# What page_update may change; the slug only on an ordinary page (the others have fixed addresses).
PAGE_EDITABLE_FIELDS = (
    "slug",
    "in_navigation",
    *(f"{field}_{language}" for field in TRANSLATED_FIELDS for language in ("en", "es")),
)


def _content_changed() -> None:
    navigation_forget()
    # Every public page shows the navigation: their shared copies are rendered again after commit.
    content_changed("pages")


def _lock(page: Page) -> Page:
    return Page.objects.select_for_update().get(pk=page.pk)


def _clean_texts(values: dict) -> dict:
    return {
        name: (value or "").strip() if isinstance(value, str) else value for name, value in values.items()
    }


@transaction.atomic
def page_create(
    *,
    actor: User | None,
    slug: str,
    title_en: str,
    summary_en: str,
    body_en: str = "",
    title_es: str = "",
    summary_es: str = "",
    body_es: str = "",
    in_navigation: bool = True,
) -> Page:
    """A new ordinary page, as a draft at the end of the list. Staff preview it, then publish it."""
    last = Page.objects.aggregate(last=Max("nav_position"))["last"] or 0
    texts = _clean_texts(
        {
            "title_en": title_en,
            "summary_en": summary_en,
            "body_en": body_en,
            "title_es": title_es,
            "summary_es": summary_es,
            "body_es": body_es,
        }
    )
    page = Page(slug=slug, in_navigation=in_navigation, nav_position=last + 10, **texts)
    page.full_clean()
    page.save()
    audit_record(actor=actor, action="page.create", target=page, data={"slug": page.slug})
    _content_changed()
    return page


@transaction.atomic
def page_update(*, actor: User | None, page: Page, data: dict) -> Page:
    """Changes a page's words (either language), its address or whether it is in the navigation.
    A published page shows the change at once; preview first from the edit form. The audit entry
    names the fields that changed (not the text itself)."""
    unknown = set(data) - set(PAGE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    page = _lock(page)
    if page.has_purpose and "slug" in data and data["slug"] != page.slug:
        raise ValidationError({"slug": _("This page has a fixed address; its address cannot change.")})
    changed = []
    for field, value in _clean_texts(data).items():
        current = getattr(page, field)
        if field.endswith("_es"):  # an empty translation is stored as NULL or "": the same to us
            current, value = current or "", value or ""
        if current != value:
            setattr(page, field, value)
            changed.append(field)
    if not changed:
        return page
    page.full_clean()
    page.save()
    audit_record(actor=actor, action="page.update", target=page, data={"changed": sorted(changed)})
    _content_changed()
    return page


@transaction.atomic
def page_publish(*, actor: User | None, page: Page) -> Page:
    """Shows a page to everyone. Publishing a published page changes nothing and logs nothing."""
    page = _lock(page)
    if page.is_published:
        return page
    page.is_published = True
    page.published_at = page.published_at or timezone.now()
    page.save(update_fields=["is_published", "published_at", "updated_at"])
    audit_record(actor=actor, action="page.publish", target=page, data={"slug": page.slug})
    _content_changed()
    return page


@transaction.atomic
def page_unpublish(*, actor: User | None, page: Page) -> Page:
    """Takes an ordinary page back to draft (its address then answers 404). The home page and the
    other pages with a purpose are always published."""
    page = _lock(page)
    if page.has_purpose:
        raise ValidationError(
            _("“%(title)s” is always published; change its words instead.") % {"title": page.title}
        )
    if not page.is_published:
        return page
    page.is_published = False
    page.save(update_fields=["is_published", "updated_at"])
    audit_record(actor=actor, action="page.unpublish", target=page, data={"slug": page.slug})
    _content_changed()
    return page


@transaction.atomic
def page_reorder(*, actor: User | None, page: Page, direction: Literal["up", "down"]) -> None:
    """Moves a page one place up or down the list (and so the navigation). At the top or bottom
    already, nothing changes and nothing is logged."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    # Every page is locked (in primary-key order, the one lock order for this table), so two staff
    # moving pages at once each see the order the other left.
    pages = sorted(Page.objects.select_for_update().order_by("pk"), key=lambda p: (p.nav_position, p.pk))
    index = next(i for i, p in enumerate(pages) if p.pk == page.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(pages):
        return
    pages[index], pages[other] = pages[other], pages[index]
    for position, each in enumerate(pages, start=1):
        if each.nav_position != position * 10:
            each.nav_position = position * 10
            each.save(update_fields=["nav_position"])
    audit_record(
        actor=actor, action="page.reorder", target=pages[other], data={"from": index + 1, "to": other + 1}
    )
    _content_changed()


@transaction.atomic
def page_delete(*, actor: User | None, page: Page) -> None:
    """Deletes an ordinary page (a page with a purpose cannot be deleted)."""
    page = _lock(page)
    if page.has_purpose:
        raise ValidationError(
            _("“%(title)s” cannot be deleted; change its words instead.") % {"title": page.title}
        )
    audit_record(
        actor=actor, action="page.delete", target=page, data={"slug": page.slug, "title": page.title}
    )
    page.delete()
    _content_changed()
