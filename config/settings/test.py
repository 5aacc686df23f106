"""Test settings: DATABASE_URL / REDIS_URL when set (CI: PostgreSQL and Redis), else SQLite and
in-memory. Tasks run eagerly, mail stays in memory, passwords hash fast."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Texts are kept in messaging.sms.outbox (the tests of the provider backend use its local stand-in).
HAVEN_MESSAGE_CHANNELS = {**HAVEN_MESSAGE_CHANNELS, "sms": "messaging.sms.LocmemSmsChannel"}  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env("REDIS_URL") or "memory://"
STRIPE_SECRET_KEY = "sk_test_haven"
STRIPE_PUBLISHABLE_KEY = "pk_test_haven"
STRIPE_WEBHOOK_SECRET = "whsec_test_haven"
SITE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use a fresh cache per test (see tests/conftest.py); locmem keeps them independent of Redis
# contents unless a test asks for Redis explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
HAVEN_MFA_REQUIRED_ROLES: list[str] = []
# Browser tests load CSS from static/ without collectstatic (and no "No directory at var/static" warning).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Public figures live, so a test that gives sees its gift on the public pages; the tests of batched
# publication (tests/campaigns/test_public_totals.py) set the interval themselves.
HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = 0
# On PostgreSQL, the suite's own backend: Django's, with a faster way of emptying the tables between
# transactional tests (tests/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
