"""Public pages seen anonymously, served from the shared cache (Django's cache framework: Redis in
production, local memory in the demo and tests).

Which pages. A view opts in with `@public_cached("campaigns", ...)` beside `@public` (core.access);
the names are the *content areas* the page shows. Only GET/HEAD requests without a session cookie are
served or stored: a signed-in person always has one, and so has anyone with a flash message (messages
live in the session), so neither ever reads or writes the shared copy. Their pages get
`Cache-Control: no-store` as before (core.middleware).

Staying fresh. Each area has a version in the cache, a new value at every write that changes what the
area shows (`content_changed(area)`, run after commit; models are watched with `watch(Model, area)`, so a
write through the ORM needs no call of its own). An entry remembers the versions it was rendered under
and is used only while they are all still current: a write is visible on the next request. What
changes with the clock alone (a shift that started, a scheduled update, a spending month that opens)
shows within HAVEN_PUBLIC_CACHE_TIMEOUT seconds, the entries' lifetime. If Redis drops a version
(restart, eviction) the next request starts a new one, so an old entry is never taken for current. If
a version cannot be changed because Redis is unreachable at that moment, entries may be stale for up
to their lifetime: pages never depend on the cache for correctness, only for speed.

What is never stored: a response that set a cookie, used a CSRF token (so no token of one visitor can
reach another: public pages have no forms that need one for anonymous visitors; the language switcher
posts without one for them, accounts.views.language_set), used a CSP nonce, modified the session,
queued a message, or answered anything but 200. `X-Haven-Cache: hit | miss | skip` says what happened.

For browsers and a CDN: `Cache-Control: public, max-age=HAVEN_PUBLIC_CACHE_MAX_AGE`, `Vary: Cookie,
Accept-Language` (a signed-in person's cookie gets their own, uncached page; the language can come
from the browser), an `ETag` (the body's hash) and `Last-Modified` (the latest write to the page's
areas); a matching `If-None-Match` or `If-Modified-Since` answers 304 without a body. The key holds the
full address (scheme, host, path, query) and the active language, so `?lang=es` and a language cookie
each get their own copy. docs/scaling.md says how a CDN should key them."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from .access import view_access

AREAS = frozenset({"campaigns", "shifts", "pages", "inkind"})
HEADER = "X-Haven-Cache"
_VERSION_KEY = "haven:public:v:{}"
_ENTRY_KEY = "haven:public:page:{}"
# Headers that belong to one response only, never to a stored copy.
_NOT_STORED = {"set-cookie", "date", HEADER.lower()}


def public_cached(*areas: str):
    """A view decorator: the page may be served to anonymous visitors from the shared cache while the
    named areas are unchanged. Put it beside `@public`; without `@public` it does nothing."""
    unknown = set(areas) - AREAS
    if unknown or not areas:
        raise ValueError(f"Unknown content areas {sorted(unknown)}; known: {sorted(AREAS)}")

    def decorate(view):
        # Every page shows the navigation, which the pages app's content makes.
        view.haven_cache_areas = tuple(sorted({*areas, "pages"}))
        return view

    return decorate


def cache_areas(view) -> tuple[str, ...] | None:
    """The areas a resolved view declared (plain, class-based, DRF or wrapped views), or None."""
    for candidate in (
        view,
        getattr(view, "view_class", None),
        getattr(view, "cls", None),
        getattr(view, "__wrapped__", None),
    ):
        areas = getattr(candidate, "haven_cache_areas", None)
        if areas:
            return areas
    return None


# --- versions -----------------------------------------------------------------------------------------


def _new_version() -> int:
    """Milliseconds since the epoch, times 1000, plus a random part: two writes in the same millisecond
    still differ, and the time it carries is the page's Last-Modified."""
    return int(time.time() * 1000) * 1000 + random.randrange(1000)  # noqa: S311 (not a secret)


def _version_time(version: int) -> float:
    return version / 1_000_000


def content_changed(*areas: str) -> None:
    """Public pages showing these areas change with the current transaction: their versions change
    once it commits (at once outside a transaction), so the next request renders them again. They
    also change at once inside one: that costs nothing in correctness (a page rendered before the
    commit is retired by the second change) and lets tests that never commit see their writes."""
    unknown = set(areas) - AREAS
    if unknown:
        raise ValueError(f"Unknown content areas {sorted(unknown)}")
    _bump(areas)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    # One bump after commit per transaction, however many rows it writes. A callback that a rollback
    # (of the transaction or of the savepoint that queued it) took away is no longer queued: start anew.
    queued = getattr(connection, "_haven_public_changed", None)
    if queued is None or not any(hook[1] is queued for hook in connection.run_on_commit):

        def queued():
            _bump(queued.areas)

        queued.areas = set()
        connection._haven_public_changed = queued
        transaction.on_commit(queued)
    queued.areas.update(areas)


def _bump(areas: Iterable[str]) -> None:
    cache.set_many({_VERSION_KEY.format(area): _new_version() for area in areas}, None)


def watch(model, *areas: str) -> None:
    """Every save and delete of `model` changes the areas (called from AppConfig.ready())."""
    uid = f"haven-public-cache-{model._meta.label}"

    def changed(sender, **kwargs):
        content_changed(*areas)

    changed.__name__ = f"public_cache_{model._meta.model_name}_changed"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "-delete")


def _versions(areas: Iterable[str], found: dict) -> tuple[int, ...] | None:
    """The current version of each area; a missing one is started (None when the cache refuses)."""
    versions = []
    for area in areas:
        key = _VERSION_KEY.format(area)
        version = found.get(key)
        if version is None:
            version = _new_version()
            cache.add(key, version, None)
            version = cache.get(key)
            if version is None:
                return None  # the cache is not answering: serve without it
        versions.append(version)
    return tuple(versions)


# --- the middleware ---------------------------------------------------------------------------------


def _candidate(request) -> tuple[str, tuple[str, ...]] | None:
    """(entry key, areas) when this request may use the shared cache, else None."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if not settings.HAVEN_PUBLIC_CACHE_ENABLED:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    areas = cache_areas(match.func)
    if not areas or view_access(match.func) != "public":
        return None
    try:
        address = request.build_absolute_uri()
    except DisallowedHost:
        return None
    language = translation.get_language() or settings.LANGUAGE_CODE
    digest = hashlib.sha256(f"{language}\n{address}".encode()).hexdigest()[:40]
    return _ENTRY_KEY.format(digest), areas


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_USED") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if getattr(request, "_csp_nonce", None):
        return False  # a script nonce is for one response only
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def _public_headers(response, *, etag: str, last_modified: float) -> None:
    max_age = settings.HAVEN_PUBLIC_CACHE_MAX_AGE
    response["Cache-Control"] = f"public, max-age={max_age}"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)


class PublicPageCacheMiddleware:
    """Serves and stores the anonymous copies (see the module's docstring). Placed after the
    session and locale middleware (the language is part of the key), before everything else."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        candidate = _candidate(request)
        if candidate is None:
            return self.get_response(request)
        key, areas = candidate
        version_keys = [_VERSION_KEY.format(a) for a in areas]
        found = cache.get_many([key, *version_keys])
        versions = _versions(areas, found)
        if versions is None:
            response = self.get_response(request)
            response[HEADER] = "skip"
            return response
        last_modified = _version_time(max(versions))

        entry = found.get(key)
        if entry is not None and entry["versions"] == versions:
            # The hit: no view ran, so mark the page public for the no-store middleware outside.
            request._haven_view_access = "public"
            response = HttpResponse(entry["content"], status=200)
            for name, value in entry["headers"]:
                response[name] = value
            response[HEADER] = "hit"
        else:
            response = self.get_response(request)
            if not _storable(request, response):
                response[HEADER] = "skip"
                return response
            etag = '"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"'
            _public_headers(response, etag=etag, last_modified=last_modified)
            headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED]
            cache.set(
                key,
                {"versions": versions, "content": response.content, "headers": headers},
                settings.HAVEN_PUBLIC_CACHE_TIMEOUT,
            )
            response[HEADER] = "miss"
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=int(last_modified), response=response
        )
        if conditional is not response:
            conditional[HEADER] = response[HEADER]
        return conditional
