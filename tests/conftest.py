"""Shared fixtures. Per-app fixtures live in tests/<app>/conftest.py; factories in tests/factories/."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from core import public_cache
from core.catalogue import compile_catalogues
from pages.navigation import navigation_items
from tests.factories import UserFactory

# `make test` runs the suite in two processes (pytest-xdist). Tests that share an outside resource
# between processes run in one of them, one after another: the stack (its own database, Redis db and
# nginx) and the tests that use the Redis of REDIS_URL as a broker. xdist's own `--dist loadgroup`
# cannot group them under pytest 9 (it renames the test ids, which pytest 9 no longer lets it do), so
# the grouping is this scheduler's: each test is a unit of its own, but for those, which are one.
# The units keep the order pytest-django gives each process (tests in a transaction first, then
# transactional tests, whose flush also empties what migrations wrote, then tests without the
# database); those grouped tests are all transactional or without the database.
ONE_PROCESS = "shared-services"
SHARED_SERVICES = (
    "tests/stack/",
    "tests/messaging/test_broker_down.py",
    "tests/core/test_cache.py",
)


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class SharedServicesInOneProcess(LoadScopeScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            self.config.option.loadscopereorder = False  # keep pytest-django's order

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return ONE_PROCESS if path.startswith(SHARED_SERVICES) else nodeid

    return SharedServicesInOneProcess(config, log)


@pytest.fixture(autouse=True, scope="session")
def _compiled_catalogues():
    """The tests read the translations as the .po files say (make install compiles them too)."""
    compile_catalogues(only_stale=True)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in another language leaves that language
    active in the thread (as in a worker between requests), and the next test's factories would write
    staff content into its columns (modeltranslation writes a plain field name into the active
    language's column)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    cache.clear()
    public_cache.local_copies.clear()
    public_cache.known_versions.clear()
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        # Every page's main navigation comes from the cache, filled by the first page a process
        # serves (pages/navigation.py). Fill it here, so the query counts tests pin are those of a
        # site that has served a page, as every request but a process's first is.
        request.getfixturevalue("_django_db_helper")
        navigation_items()
    yield
    cache.clear()
    public_cache.local_copies.clear()
    public_cache.known_versions.clear()


@pytest.fixture
def requires_postgres(db):
    """For tests of races and row locks: SQLite has neither, so they skip there (CI runs them)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and real concurrency); CI runs it with DATABASE_URL set")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def donor(db):
    return UserFactory(roles=["donor"])


@pytest.fixture
def volunteer(db):
    return UserFactory(roles=["volunteer"])


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=["coordinator"])


@pytest.fixture
def staff_user(db):
    return UserFactory(roles=["staff"])


@pytest.fixture
def public_cache_off(settings):
    """Public pages rendered on every request (core/public_cache.py), for tests that measure or
    change what a render does rather than what a visitor receives."""
    settings.HAVEN_PUBLIC_CACHE_ENABLED = False
