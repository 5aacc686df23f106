"""core.cache.ResilientRedisCache against a real Redis behind the fault-injecting proxy: it works as
Django's Redis cache, and while Redis is refused or blackholed it answers as an empty cache, paying
the (one-second) connect timeout at most once per retry period, then recovers."""

import os
import time
from urllib.parse import urlsplit

import pytest

from core.cache import ResilientRedisCache, breaker
from tests.stack.faultproxy import FaultProxy

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (REDIS_URL); CI sets it")


@pytest.fixture
def proxy():
    parts = urlsplit(REDIS_URL)
    proxy = FaultProxy(upstream=(parts.hostname, parts.port or 6379)).start()
    yield proxy
    proxy.close()


@pytest.fixture
def cache(proxy, settings):
    settings.HAVEN_CACHE_RETRY_SECONDS = 1
    breaker.reset()
    db = urlsplit(REDIS_URL).path.lstrip("/") or "0"
    backend = ResilientRedisCache(
        f"redis://127.0.0.1:{proxy.port}/{db}",
        {"KEY_PREFIX": "test-resilient", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    yield backend
    breaker.reset()


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_with_redis_up_it_is_a_redis_cache(cache):
    cache.set("k", {"a": 1}, 30)

    assert cache.get("k") == {"a": 1}
    assert cache.add("k", 2) is False
    cache.delete("k")
    assert cache.add("counter", 0, 30) is True
    assert cache.incr("counter") == 1


@pytest.mark.parametrize("fault", ["refuse", "blackhole"])
def test_while_redis_is_unreachable_it_answers_as_an_empty_cache_and_quickly(cache, proxy, fault):
    cache.set("k", "v", 30)
    getattr(proxy, fault)()

    # the first call finds out, within the connect timeout
    value, first = _timed(lambda: cache.get("k", "fallback"))
    assert value == "fallback"
    assert first < 1.5
    # the next ones do not even try
    (added, missing, _), later = _timed(lambda: (cache.add("lock", 1), cache.get("x"), cache.set("y", 1)))
    assert added is True and missing is None
    assert later < 0.05
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_it_uses_redis_again_once_it_is_back(cache, proxy):
    cache.set("k", "v", 30)
    proxy.refuse()
    assert cache.get("k") is None

    proxy.passthrough()
    time.sleep(1.1)  # HAVEN_CACHE_RETRY_SECONDS

    assert cache.get("k") == "v"
    assert not breaker.is_open()
