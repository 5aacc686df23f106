"""Local development and the one-command demo: SQLite by default, DEBUG on, mail to the outbox."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = env("EMAIL_BACKEND", "core.mail.OutboxEmailBackend")
HAVEN_OUTBOX_DIR = VAR_DIR / "outbox"
# Texts join the caught mail (messaging.sms.FileSmsChannel), unless a provider is configured.
HAVEN_MESSAGE_CHANNELS = {**HAVEN_MESSAGE_CHANNELS}  # noqa: F405
HAVEN_MESSAGE_CHANNELS.setdefault("sms", "messaging.sms.FileSmsChannel")
# Opens /dev/outbox/ besides a superuser's sign-in; `manage.py demo` makes a fresh one at each start.
HAVEN_DEV_OUTBOX_KEY = env("HAVEN_DEV_OUTBOX_KEY", "")

# Without Redis the demo still runs a real worker and beat: Kombu's filesystem transport, with
# atomic publishing (core/filesystem_broker.py says why), is the broker; folders under var/ are the
# queue.
if not env("REDIS_URL") and not env("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "core.filesystem_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }

# Static files straight from static/ (no collectstatic needed), re-read on change; this also means
# WhiteNoise never looks for the missing var/static folder.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite shared by the web server and two worker threads: take the write lock when a transaction
# starts (a deferred transaction that later needs to write fails at once with "database is locked"),
# wait up to 20 s for it, and use WAL so readers never block the writer.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
