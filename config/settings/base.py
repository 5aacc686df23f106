"""Settings shared by every environment. Everything that differs per deployment comes from the
environment; see local.py, test.py and production.py for what each one changes."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HAVEN_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "pages.views.csrf_failure"
SITE_ID = 1
# The public address of the site, used in emails and calendar feeds (no trailing slash).
SITE_URL = env("HAVEN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: its admin classes give translated fields one input per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "phonenumber_field",
    "core",
    "accounts",
    "messaging",
    "pages",
    "campaigns",
    "donations",
    "volunteers",
]

MIDDLEWARE = [
    # Anonymous visitors' public pages from the shared cache (core/public_cache.py), first: a hit is
    # answered before anything else runs, with the headers the full run below gave the stored page
    # (security, CSP, Permissions-Policy, Content-Language, Vary). It works out the language as
    # core.i18n.LocaleMiddleware does; a session cookie means no shared copy.
    "core.public_cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response, static files too.
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store on every response that is not a public page seen anonymously (it sees the
    # response after every inner middleware and the view, so it has the last word).
    "core.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: ?lang= (the hreflang alternates), then the switcher's cookie, then
    # Accept-Language, then LANGUAGE_CODE (core/i18n.py). Sets Content-Language and Vary.
    "core.i18n.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person without a language cookie (a new browser) gets the language saved on their account.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pages.context_processors.haven",
            ],
            # `date_as`: dates and times in the active language's named formats (core/formats/).
            "builtins": ["core.templatetags.haven_formats"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haven.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Every form field renders through templates/includes/form_field.html (core/forms.py).
FORM_RENDERER = "core.forms.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Flash messages live in the server-side session, never in a cookie: allauth's "Confirmation email
# sent to <address>" and "Signed in as <address>" would otherwise sit, readable, in the browser.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# --- allauth -------------------------------------------------------------------------------
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True  # donors who never set a password sign in by emailed code
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Every limit answers 429 (accounts.adapters.AccountAdapter.validation_error, pages/views.py).
# Wrong passwords: 10 a minute per IP, 5 per 5 minutes per address (then password sign-in for that
# address pauses; sign-in by emailed code stays open). Code requests: 20 a minute per IP, 3 a minute
# per address and IP (the key is "<address>|<ip>", accounts.forms.RequestLoginCodeForm), so nobody
# can use up the owner's requests from elsewhere.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    # Wrong check-in codes (volunteers/checkin_views.py), counted only when wrong: at one kiosk 30 per
    # 5 minutes, for one name 5 per 5 minutes (a 4-digit PIN then takes days to guess, the shift lasts
    # hours); the shift's QR code 10 per 5 minutes per signed-in volunteer.
    "volunteers_kiosk_code": "30/5m/key",
    "volunteers_kiosk_person": "5/5m/key",
    "volunteers_self_check_in": "10/5m/key",
}
# How many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For:
# core.http.client_ip takes the client's address from there (0: the header is ignored). Haven's own
# limits use that helper, and so does allauth's (through AccountAdapter.get_client_ip); allauth's
# own setting is kept equal for any code of allauth that reads it directly.
HAVEN_TRUSTED_PROXY_COUNT = env_int("HAVEN_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = HAVEN_TRUSTED_PROXY_COUNT
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Haven] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("HAVEN_ORG_NAME", "Haven")
# People holding these roles must enrol in MFA before they can use staff or coordinator pages.
HAVEN_MFA_REQUIRED_ROLES = env_list("HAVEN_MFA_REQUIRED_ROLES", "staff,coordinator")

# --- Content-Security-Policy and Permissions-Policy ---------------------------------------------
# Nothing inline: every script and style is a file under static/ (no 'unsafe-inline', no nonce needed;
# a template that needs one can use django-csp's {{ request.csp_nonce }}). Charts are SVG drawn with
# presentation attributes, progress bars too. img-src allows data: for the QR code of two-factor setup.
# form-action also allows Stripe's hosted pages, since a form post there ends in a redirect to them
# (and the origin of STRIPE_API_BASE, added per response by core.middleware, for the local stand-in).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
    },
}
# Browser features no Haven page uses, switched off for the page and anything it could embed.
HAVEN_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- i18n / time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# The organisation's zone: how times are shown. The database always holds aware UTC.
TIME_ZONE = env("HAVEN_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
# The languages content can be written in. Names are each language's own name for itself.
LANGUAGES = [("en", "English"), ("es", "Español")]
# The translation catalogues (makemessages writes here, compilemessages builds the .mo files at install).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers per language: Django's own formats, with Haven's few overrides.
FORMAT_MODULE_PATH = ["core.formats"]
# The switcher's choice lives a year; Lax so that following a link from an email keeps it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content that staff write (pages, the directory of partner services) has one column per language
# (django-modeltranslation): English is required, another language falls back to English when empty.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("HAVEN_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Haven <hello@haven.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Redis, cache, Celery ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is unreachable (core/cache.py says why).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public pages seen anonymously (core/public_cache.py): how long browsers and a CDN may keep one
# (seconds; at most this stale after a write), and how long the shared copy lives at most (what changes
# with the clock alone, such as a shift that has started, shows within this).
HAVEN_PUBLIC_CACHE_ENABLED = env_bool("HAVEN_PUBLIC_CACHE_ENABLED", True)
HAVEN_PUBLIC_CACHE_MAX_AGE = env_int("HAVEN_PUBLIC_CACHE_MAX_AGE", 60)
HAVEN_PUBLIC_CACHE_TIMEOUT = env_int("HAVEN_PUBLIC_CACHE_TIMEOUT", 120)
# Each web process keeps copies of recent entries (bytes of page bodies at most), so that a hit asks Redis
# only for the content versions; a copy is used only while Redis says its versions are current.
HAVEN_PUBLIC_CACHE_LOCAL_BYTES = env_int("HAVEN_PUBLIC_CACHE_LOCAL_BYTES", 16 * 1024 * 1024)
# For this long (seconds) a process trusts the content versions it last read or wrote: a hit on its own copy
# then asks Redis nothing. Its own writes show at once; another process's within this window. 0: ask
# Redis on every request.
HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS = env_int("HAVEN_PUBLIC_CACHE_VERSIONS_SECONDS", 1)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A task is acknowledged only once it finished; one whose worker died is delivered again. Every task
# is written to be safe to run twice (it checks state and marks what it sent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A dead broker must not hang a web request that queues a task: a publish gives up within a second
# (0.5 s to connect, 0.5 s per socket operation, no retry; tests/messaging/test_broker_down.py measures
# it against a refused port, a listener that never answers and a connection that goes silent). A
# webhook publishes up to two tasks (the receipt's delivery and the coalesced totals refresh), so with
# the broker blackholed it still answers well within Stripe's patience (tests/stack/test_broker_faults.py
# asserts p99 < 3 s through the proxy). Nothing is lost by giving up: the message is a row, the totals
# mark is a row, and the sweepers publish them once the broker is back. (redis-py reconnects a
# connection the server closed by itself, so no retry is needed for that.)
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 0.5,
    "socket_connect_timeout": 0.5,
    "max_retries": 1,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic jobs live here, in one place (entries are added per app below the dict).
CELERY_BEAT_SCHEDULE: dict = {}
# Hourly, but each coordinator gets at most one digest per local day, from HAVEN_COORDINATOR_DIGEST_HOUR on
# (the stack tests check more often, HAVEN_COORDINATOR_DIGEST_CHECK_SECONDS, to race several beats).
CELERY_BEAT_SCHEDULE["volunteers-coordinator-digest"] = {
    "task": "volunteers.tasks.coordinator_digests_send",
    "schedule": float(env_int("HAVEN_COORDINATOR_DIGEST_CHECK_SECONDS", 3600)),
}
HAVEN_COORDINATOR_DIGEST_HOUR = env_int("HAVEN_COORDINATOR_DIGEST_HOUR", 7)
# Bookings whose volunteer lost clearance go on hold and the volunteer is told; pages decide the
# address on every read, this only catches changes no service announced (volunteers.services.holds).
CELERY_BEAT_SCHEDULE["volunteers-booking-holds"] = {
    "task": "volunteers.tasks.booking_holds_sync_all",
    "schedule": 15 * 60.0,
}
CELERY_BEAT_SCHEDULE["volunteers-waitlist-offers"] = {
    "task": "volunteers.tasks.waitlist_offers_expire",
    "schedule": 60.0,
}
# The outbox's safety net: publishes what is due (reminders, digests, retries after their backoff) and
# what was lost (a failed publish, a task the broker dropped, a worker killed mid-send). A sweep older
# than its own interval is dropped rather than run late. Every 30 s (the stack tests sweep every 5 s,
# so that their waits for a sweep take seconds).
HAVEN_MESSAGE_SWEEP_SECONDS = max(2, env_int("HAVEN_MESSAGE_SWEEP_SECONDS", 30))
CELERY_BEAT_SCHEDULE["messaging-sweep"] = {
    "task": "messaging.tasks.messages_sweep",
    "schedule": float(HAVEN_MESSAGE_SWEEP_SECONDS),
    "options": {"expires": HAVEN_MESSAGE_SWEEP_SECONDS * 5 / 6},
}
CELERY_BEAT_SCHEDULE["donations-stripe-events-waiting"] = {
    "task": "donations.tasks.stripe_events_release_stale",
    "schedule": 120.0,
}
CELERY_BEAT_SCHEDULE["donations-annual-statements"] = {
    "task": "donations.tasks.statements_send_last_year",
    "schedule": 6 * 3600.0,
}
# Campaign and fund totals are refreshed once per this many seconds after gifts change, however many
# change (campaigns.services.totals_refresh_soon); beat catches marks whose queued refresh was lost.
HAVEN_TOTALS_REFRESH_SECONDS = env_int("HAVEN_TOTALS_REFRESH_SECONDS", 5)
CELERY_BEAT_SCHEDULE["campaigns-totals-refresh-due"] = {
    "task": "campaigns.tasks.totals_refresh_due_task",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Safety net for the cached campaign and fund totals (normally refreshed after each gift's change).
CELERY_BEAT_SCHEDULE["campaigns-recompute-totals"] = {
    "task": "campaigns.tasks.totals_recompute_all_task",
    "schedule": 6 * 3600.0,
}
# The retention policy (accounts/retention.py), applied once a day; the privacy page states it.
# Public figures (pages, API, CSVs, feeds) move in batches, at most this often (0: live). Staff see
# live figures. The donor's thanks page says their gift will appear on the bar shortly.
HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES = env_int("HAVEN_PUBLIC_TOTALS_INTERVAL_MINUTES", 30)
CELERY_BEAT_SCHEDULE["campaigns-publish-totals"] = {
    "task": "campaigns.tasks.public_totals_publish_task",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["accounts-retention"] = {
    "task": "accounts.tasks.retention_apply",
    "schedule": 24 * 3600.0,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- the organisation ----------------------------------------------------------------------
HAVEN_ORG_NAME = env("HAVEN_ORG_NAME", "Haven")
# Where "Exit this page" (and pressing Shift three times) sends a visitor, replacing the current page
# in the browser's history: a neutral page that looks like everyday browsing (templates/includes/
# quick_exit.html, static/js/quick-exit.js).
HAVEN_QUICK_EXIT_URL = env("HAVEN_QUICK_EXIT_URL", "https://www.google.com/search?q=weather")
# The registered name on receipts and statements (the name above when not set).
HAVEN_ORG_LEGAL_NAME = env("HAVEN_ORG_LEGAL_NAME", "")
HAVEN_ORG_ADDRESS = env("HAVEN_ORG_ADDRESS", "PO Box 0000, Anytown, USA")
HAVEN_ORG_TAX_ID = env("HAVEN_ORG_TAX_ID", "00-0000000")
# Where in-kind gifts are brought (and when), unless a need says otherwise. Private: it goes only in the
# email to people who pledged (donations.inkind_messages), never on a public page.
HAVEN_INKIND_DROPOFF = env("HAVEN_INKIND_DROPOFF", "")
HAVEN_CURRENCY = env("HAVEN_CURRENCY", "usd")
# Languages staff can say a partner service in the "Find help" directory helps in (codes; names
# come from CLDR in the visitor's language). "ase" is American Sign Language.
HAVEN_DIRECTORY_LANGUAGES = env_list(
    "HAVEN_DIRECTORY_LANGUAGES", "en,es,zh,yue,vi,ko,tl,ar,fr,ht,ru,uk,pt,hi,pa,so,am,fa,ase"
)
# Spending is published per category per month only once the month has closed and this many days
# have passed, so a single payment cannot be timed from the public books.
HAVEN_SPENDING_PUBLISH_DELAY_DAYS = env_int("HAVEN_SPENDING_PUBLISH_DELAY_DAYS", 15)
# The month the organisation's fiscal year starts in (7 = July to June); 1 = the calendar year, and
# then donors are offered calendar-year statements only (donations/periods.py).
HAVEN_FISCAL_YEAR_START_MONTH = env_int("HAVEN_FISCAL_YEAR_START_MONTH", 1)
if not 1 <= HAVEN_FISCAL_YEAR_START_MONTH <= 12:
    raise ValueError("HAVEN_FISCAL_YEAR_START_MONTH must be a month number, 1 to 12.")

# --- Stripe --------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
# Only outside production: where the stripe library sends its calls (the local stand-in).
STRIPE_API_BASE = env("STRIPE_API_BASE", "")
# Fee that the "cover the processing fee" option makes up for: basis points plus fixed minor units.
STRIPE_FEE_BPS = env_int("STRIPE_FEE_BPS", 290)
STRIPE_FEE_FIXED = env_int("STRIPE_FEE_FIXED", 30)
# What the donor's card statement shows; neutral so a household member learns nothing from it. Card
# statements read "<prefix>* <suffix>" in at most 22 characters: the prefix is the Stripe account's
# own (Dashboard: Settings > Public details, `settings.card_payments.statement_descriptor_prefix`),
# the suffix is ours, cut to what fits, on one-time gifts and on every month of a monthly gift.
STRIPE_STATEMENT_DESCRIPTOR_PREFIX = env("STRIPE_STATEMENT_DESCRIPTOR_PREFIX", "HVN")
STRIPE_STATEMENT_DESCRIPTOR = env("STRIPE_STATEMENT_DESCRIPTOR", "COMMUNITY FUND")
DONATION_MIN_AMOUNT = env_int("DONATION_MIN_AMOUNT", 500)  # minor units
DONATION_MAX_AMOUNT = env_int("DONATION_MAX_AMOUNT", 5_000_000)
# The thank-you page after a gift shows its amount only to the browser session that gave, for this
# long; after that (or in any other browser) it is a neutral page with no name and no amount.
HAVEN_THANKS_PAGE_MINUTES = env_int("HAVEN_THANKS_PAGE_MINUTES", 60)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Haven open books API",
    "DESCRIPTION": "Read-only public data: campaigns, planned splits, spending by category and month, "
    "fund totals. Amounts are integer minor units with a currency code. No personal data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Every record goes through the one handler, which redacts the secrets of URLs (core/secret_urls.py):
# Django's own loggers ("Not Found: /calendar/….ics", runserver's request lines in the demo) lose
# their default handlers and propagate to it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.secret_urls.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- volunteers ----------------------------------------------------------------------------
# Hours before a booked shift at which a reminder is sent (each exactly once: outbox messages with a
# due time, sent by the messaging sweeper).
HAVEN_SHIFT_REMINDER_OFFSETS_HOURS = [int(h) for h in env_list("HAVEN_SHIFT_REMINDER_OFFSETS_HOURS", "48,3")]
# How long a waitlist offer holds a freed place before it goes to the next person.
HAVEN_WAITLIST_OFFER_HOURS = env_int("HAVEN_WAITLIST_OFFER_HOURS", 12)
# A booked volunteer may offer their place to a colleague until this many hours before the start.
HAVEN_SWAP_CUTOFF_HOURS = env_int("HAVEN_SWAP_CUTOFF_HOURS", 2)

# --- messaging: the one outbox -----------------------------------------------------------------
# One backend per channel (messaging/channels.py, messaging/sms.py). Texts go out only where the "sms"
# channel exists: here when the provider is configured, always in the demo (caught mail) and tests.
HAVEN_MESSAGE_CHANNELS = {"email": "messaging.channels.EmailChannel"}
# Text messages through Twilio's REST API (messaging.sms.TwilioSmsChannel); HAVEN_SMS_API_BASE may point
# at another host of the same shape. The inbound webhook (/sms/inbound/) is verified with the auth token.
HAVEN_SMS_API_BASE = env("HAVEN_SMS_API_BASE", "https://api.twilio.com")
HAVEN_SMS_ACCOUNT_SID = env("HAVEN_SMS_ACCOUNT_SID", "")
HAVEN_SMS_AUTH_TOKEN = env("HAVEN_SMS_AUTH_TOKEN", "")
HAVEN_SMS_FROM = env("HAVEN_SMS_FROM", "")
HAVEN_SMS_MESSAGING_SERVICE = env("HAVEN_SMS_MESSAGING_SERVICE", "")
HAVEN_SMS_TIMEOUT_SECONDS = env_int("HAVEN_SMS_TIMEOUT_SECONDS", 10)
if HAVEN_SMS_ACCOUNT_SID:
    HAVEN_MESSAGE_CHANNELS["sms"] = env("HAVEN_SMS_CHANNEL", "messaging.sms.TwilioSmsChannel")
# No text goes out in these local hours (TIME_ZONE): one due inside them waits until they end.
HAVEN_SMS_QUIET_HOURS = env("HAVEN_SMS_QUIET_HOURS", "21:00-08:00")
# Phone numbers without a country code are read as numbers of this region (django-phonenumber-field).
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", "US")
PHONENUMBER_DB_FORMAT = "E164"
# A failed attempt waits base × 2^(attempt-1) seconds (capped) before the next; after the last attempt the
# message is marked failed and shown to staff at /staff/messages/ (30 s, 1, 2, 4 … 32 min: about 64 min).
HAVEN_MESSAGE_MAX_ATTEMPTS = env_int("HAVEN_MESSAGE_MAX_ATTEMPTS", 8)
HAVEN_MESSAGE_RETRY_BASE_SECONDS = env_int("HAVEN_MESSAGE_RETRY_BASE_SECONDS", 30)
HAVEN_MESSAGE_RETRY_MAX_SECONDS = env_int("HAVEN_MESSAGE_RETRY_MAX_SECONDS", 3600)
# A claim this old belongs to a dead worker (the delivery task's hard time limit is 50 s).
HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS = env_int("HAVEN_MESSAGE_CLAIM_TIMEOUT_SECONDS", 60)
# A message handed to the broker but still unsent this long after is handed again (a lost publish).
HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS = env_int("HAVEN_MESSAGE_REQUEUE_AFTER_SECONDS", 120)

# --- retention: what Haven keeps, and how long (accounts/retention.py; stated on /privacy/) ---------
# Volunteer data of people who have neither signed in nor had a shift for this many months.
HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS = env_int("HAVEN_RETENTION_VOLUNTEER_INACTIVE_MONTHS", 24)
# Donors' names and addresses on their gifts, kept this many full calendar years after the year of
# their last gift, for tax records (the gifts stay, anonymised). Check the rule where you operate.
HAVEN_RETENTION_DONOR_YEARS = env_int("HAVEN_RETENTION_DONOR_YEARS", 7)
# The text of sent messages (emails), kept this many days.
HAVEN_RETENTION_MESSAGE_BODY_DAYS = env_int("HAVEN_RETENTION_MESSAGE_BODY_DAYS", 90)
