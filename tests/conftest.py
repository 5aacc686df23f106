"""Shared fixtures. Per-app fixtures live in tests/<app>/conftest.py; factories in tests/factories/."""

import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


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
