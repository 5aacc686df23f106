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
and is used only while they are all still current: a write is visible on the next request served by
the process that made it, and within HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS (1 s) on the others, which
trust the versions they last read for that long (`_KnownVersions`; each keeps its own copies of recent
entries, `_LocalCopies`, so such a hit asks Redis nothing). What
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

import contextlib
import hashlib
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.http.response import ResponseHeaders
from django.urls import Resolver404, get_resolver, get_urlconf
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
    new = {area: _new_version() for area in areas}
    cache.set_many({_VERSION_KEY.format(area): version for area, version in new.items()}, None)
    known_versions.note(new)


class _KnownVersions:
    """The areas' versions as this process last read them from the cache or wrote them itself, for
    HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS: within that window a hit on this process's own copy of a
    page asks Redis nothing. A write made by this process is known here at once (`_bump`), so its next
    request shows it; a write made by another process shows within the window (one second by
    default; 0 asks Redis on every request)."""

    def __init__(self):
        self._seen: dict[str, tuple[int, float]] = {}

    def get(self, areas: Iterable[str]) -> tuple[int, ...] | None:
        window = settings.HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS
        if window <= 0:
            return None
        now = _clock()
        versions = []
        for area in areas:
            seen = self._seen.get(area)
            if seen is None or now - seen[1] >= window:
                return None
            versions.append(seen[0])
        return tuple(versions)

    def note(self, versions: dict[str, int]) -> None:
        now = _clock()
        self._seen.update({area: (version, now) for area, version in versions.items()})

    def clear(self) -> None:
        self._seen.clear()


_clock = time.monotonic
known_versions = _KnownVersions()


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


def request_language(request) -> str:
    """The language core.i18n.LocaleMiddleware will choose for this request (?lang=, then the language
    cookie, then Accept-Language, then LANGUAGE_CODE), worked out before it runs."""
    from .i18n import LANG_PARAM, supported  # noqa: PLC0415 - core.i18n imports models' helpers

    return supported(request.GET.get(LANG_PARAM)) or translation.get_language_from_request(request)


def _candidate(request, language: str) -> tuple[str, tuple[str, ...]] | None:
    """(entry key, areas) when this request may use the shared cache, else None."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if not settings.HAVEN_PUBLIC_CACHE_ENABLED:
        return None
    areas = _cached_areas(request.path_info)
    if not areas:
        return None
    try:
        # The full address (scheme, host, path, query), as build_absolute_uri() gives it for a path.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    except DisallowedHost:
        return None
    digest = hashlib.sha256(f"{language}\n{address}".encode()).hexdigest()[:40]
    return _ENTRY_KEY.format(digest), areas


_AREAS_BY_PATH: OrderedDict[str, tuple[object, tuple[str, ...] | None]] = OrderedDict()
_AREAS_BY_PATH_SIZE = 4096


def _cached_areas(path: str) -> tuple[str, ...] | None:
    """The areas of the public, cached view at `path` (None for any other path), resolved once per
    path and URL configuration (an LRU of the last few thousand paths this process saw)."""
    resolver = get_resolver(get_urlconf())
    known = _AREAS_BY_PATH.get(path)
    if known is not None and known[0] is resolver:
        return known[1]
    try:
        match = resolver.resolve(path)
    except Resolver404:
        areas = None
    else:
        areas = cache_areas(match.func) if view_access(match.func) == "public" else None
    _AREAS_BY_PATH[path] = (resolver, areas)
    if len(_AREAS_BY_PATH) > _AREAS_BY_PATH_SIZE:
        with contextlib.suppress(KeyError):  # another thread took the oldest first
            _AREAS_BY_PATH.popitem(last=False)
    return areas


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


class _LocalCopies:
    """This process's copies of recent entries (least recently used out first, HAVEN_PUBLIC_CACHE_LOCAL_BYTES
    of bodies at most), so that a hit asks Redis only for the areas' versions, a few bytes, instead of
    the whole page. A copy is used only when the versions Redis holds now are the ones it was rendered
    under, and not past the entry's lifetime: exactly when the shared entry itself would be used."""

    def __init__(self):
        self._entries: OrderedDict[str, dict] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry["expires"] <= time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: dict) -> None:
        limit = settings.HAVEN_PUBLIC_CACHE_LOCAL_BYTES
        size = len(entry["content"])
        if size > limit // 4:
            return
        entry = {**entry, "checked": _checked_headers(entry["headers"])}
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > limit:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old["content"])


local_copies = _LocalCopies()


def _entry_response(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    store = getattr(response.headers, "_store", None)
    checked = entry.get("checked")
    if isinstance(store, dict) and checked is not None:
        # This process checked and encoded these headers when it took the copy (Django's
        # ResponseHeaders keeps {lower-case name: (name, value)}): 15 headers checked again on every
        # hit were a tenth of its cost.
        store.update(checked)
    else:
        for name, value in entry["headers"]:
            response[name] = value
    response[HEADER] = "hit"
    return response


def _checked_headers(headers: list[tuple[str, str]]) -> dict | None:
    store = getattr(ResponseHeaders(dict(headers)), "_store", None)
    return dict(store) if isinstance(store, dict) else None


class PublicPageCacheMiddleware:
    """Serves and stores the anonymous copies (see the module's docstring). First in MIDDLEWARE: a hit
    is answered before the security, CSP, session and locale middleware run, with the response they
    made when the page was stored (its security headers, Content-Security-Policy, Permissions-Policy,
    Content-Language and Vary), so it is the response a full run would give, at a fraction of the cost.
    The language is worked out as core.i18n.LocaleMiddleware does (`request_language`); a stored page
    whose Content-Language says otherwise is not stored."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        language = request_language(request)
        candidate = _candidate(request, language)
        if candidate is None:
            return self.get_response(request)
        key, areas = candidate
        local = local_copies.get(key)
        known = known_versions.get(areas)
        if local is not None and known is not None and local["versions"] == known:
            # This process's copy, under versions it read or wrote within the last moment.
            versions, entry = known, local
        else:
            version_keys = [_VERSION_KEY.format(a) for a in areas]
            found = cache.get_many(version_keys if local is not None else [key, *version_keys])
            versions = _versions(areas, found)
            if versions is None:
                response = self.get_response(request)
                response[HEADER] = "skip"
                return response
            known_versions.note(dict(zip(areas, versions, strict=True)))
            entry = local if local is not None and local["versions"] == versions else None
        last_modified = _version_time(max(versions))

        if entry is None:
            entry = found.get(key) if local is None else cache.get(key)
            if entry is not None and entry["versions"] == versions and "expires" in entry:
                local_copies.put(key, entry)
            else:
                entry = None
        if entry is not None:
            response = _entry_response(request, entry)
        else:
            response = self.get_response(request)
            if not self._store(request, response, key=key, versions=versions, language=language):
                response[HEADER] = "skip"
                return response
            response[HEADER] = "miss"
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=int(last_modified), response=response
        )
        if conditional is not response:
            conditional[HEADER] = response[HEADER]
        return conditional

    @staticmethod
    def _store(request, response, *, key: str, versions: tuple[int, ...], language: str) -> bool:
        """Make a full response the shared copy (public headers set); False when it may not be one."""
        if getattr(request, "_haven_view_access", None) != "public" or not _storable(request, response):
            return False
        if response.get("Content-Language", language) != language:
            return False  # the page was rendered in another language than its key says
        etag = '"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"'
        _public_headers(response, etag=etag, last_modified=_version_time(max(versions)))
        timeout = settings.HAVEN_PUBLIC_CACHE_TIMEOUT
        entry = {
            "versions": versions,
            "content": response.content,
            "headers": [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED],
            "expires": time.time() + timeout,
        }
        cache.set(key, entry, timeout)
        local_copies.put(key, entry)
        return True
