"""Django's Redis cache, made to degrade instead of fail while Redis is unreachable.

Haven's cache holds only what can be lost: rate-limit counters (allauth's and the donation form's)
and cached page data. No correctness depends on it (locks and "sent once" live in the database), so
an unreachable Redis must not turn sign-ins, sign-ups and gifts into error pages. While Redis is
down every operation answers as an empty cache would: reads miss, writes are dropped, `incr` finds no
key, and `add` reports success (allauth uses `add` as a short lock around its counters: refusing it
would refuse every sign-in). Rate limits therefore do not hold during an outage; that is logged.

After a failure the backend does not try Redis again for HAVEN_CACHE_RETRY_SECONDS (default 5) in
this process, so an outage costs one connect timeout per process every few seconds, not one per
cache call. Hand-written (some fifty lines) because django-redis's IGNORE_EXCEPTIONS pays the
timeout on every call and returns None where callers expect a bool or a number."""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    """Per process: when Redis last failed, so calls skip it for a while."""

    def __init__(self):
        self.down_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self, exc: BaseException) -> None:
        retry = getattr(settings, "HAVEN_CACHE_RETRY_SECONDS", 5)
        with self.lock:
            was_down = self.down_until > 0
            self.down_until = time.monotonic() + retry
        if not was_down:
            logger.warning("Cache (Redis) unreachable, serving without it for now: %r", exc)

    def reset(self) -> None:
        with self.lock:
            was_down = self.down_until > 0
            self.down_until = 0.0
        if was_down:
            logger.warning("Cache (Redis) reachable again.")


breaker = _Breaker()


def _degrades(fallback):
    """Runs the cache call unless Redis is known to be down; on an outage returns `fallback(*args,
    **kwargs)` instead (or raises it, if it is an exception class)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if not breaker.is_open():
                try:
                    result = method(self, *args, **kwargs)
                except UNREACHABLE as exc:
                    breaker.trip(exc)
                else:
                    if breaker.down_until:
                        breaker.reset()
                    return result
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback("the cache is unreachable: no such key")
            return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class _ClientPerPool(RedisCacheClient):
    """Django's client makes a new `redis.Redis` for every cache call, and building one (its table of
    some 170 response callbacks) cost more CPU than the call itself: a public page served from the
    cache spent a third of its time there. One `redis.Redis` per connection pool, made once, is what
    redis-py intends (it is thread-safe; the pool hands each command a connection and starts anew
    after a fork)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool

    add = _degrades(lambda *a, **k: True)(RedisCache.add)
    get = _degrades(_default)(RedisCache.get)
    set = _degrades(lambda *a, **k: None)(RedisCache.set)
    touch = _degrades(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrades(lambda *a, **k: False)(RedisCache.delete)
    get_many = _degrades(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrades(lambda *a, **k: False)(RedisCache.has_key)
    incr = _degrades(ValueError)(RedisCache.incr)
    set_many = _degrades(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _degrades(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _degrades(lambda *a, **k: False)(RedisCache.clear)
