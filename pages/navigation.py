"""The published pages linked from every page's main navigation, from the cache.

Every page of the site shows them, so they must not cost a query per request: the list is kept in
the cache per language and forgotten by pages.services after any change to a page commits. A
process with its own local-memory cache (the demo) may show an old list for up to
NAV_CACHE_SECONDS after another process changed it."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from .models import Page

NAV_CACHE_SECONDS = 60
_KEY = "pages:navigation:v1:{language}"


def _key(language: str | None = None) -> str:
    return _KEY.format(language=(language or get_language() or "en").split("-")[0])


def navigation_items() -> list[dict]:
    """[{"title", "summary", "url", "purpose"}] of published pages marked for the navigation, in
    the staff's order, in the active language (with English where a translation is missing)."""
    key = _key()
    items = cache.get(key)
    if items is None:
        pages = Page.objects.filter(is_published=True, in_navigation=True).order_by("nav_position", "id")
        items = [
            {"title": p.title, "summary": p.summary, "url": p.get_absolute_url(), "purpose": p.purpose}
            for p in pages
        ]
        cache.set(key, items, NAV_CACHE_SECONDS)
    return items


def navigation_forget() -> None:
    """Drops the cached lists (every language) once the current transaction commits."""
    keys = [_key(code) for code, _ in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))
