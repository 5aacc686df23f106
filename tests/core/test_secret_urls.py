"""core.secret_urls: the one list of URLs that carry a secret, and the logs that leave it out (Python's
handlers, gunicorn's, and nginx's access log through maps generated from the same list). Through the
stack, tests/stack/test_secret_urls.py requests each of them and greps every log."""

import io
import logging
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from core.secret_urls import (
    BEGIN,
    END,
    NGINX_TEMPLATE,
    REDACTED,
    SECRET_URLS,
    RedactSecretsFilter,
    _nginx_regex,
    nginx_maps,
    redact,
)

SECRET = "s3cr3t-Tok_en:x1"


@pytest.mark.parametrize("secret_url", SECRET_URLS, ids=lambda s: s.name)
def test_each_secret_url_keeps_its_page_and_loses_its_secret(secret_url):
    url = secret_url.example.format(secret=SECRET)

    for line in (url, f'"GET {url} HTTP/1.1" 200', f"Referer: https://haven.example.org{url}"):
        redacted = redact(line)
        assert SECRET not in redacted
        assert secret_url.example.format(secret=REDACTED) in redacted


@pytest.mark.parametrize(
    "url",
    [
        reverse("volunteers:calendar_feed", kwargs={"token": SECRET}),
        reverse("volunteers:offer_confirm", kwargs={"token": SECRET}),
        reverse("account_reset_password_from_key", kwargs={"uidb36": "2z", "key": SECRET}),
        reverse("account_confirm_email", kwargs={"key": SECRET}),
        reverse("donations:thanks", kwargs={"public_id": uuid.UUID(int=7)}),
        reverse("account_confirm_login_code") + f"?code={SECRET}",
    ],
)
def test_the_routes_that_carry_a_secret_are_the_ones_listed(url):
    secret = SECRET if SECRET in url else str(uuid.UUID(int=7))

    assert secret not in redact(f"Not Found: {url}")


@pytest.mark.parametrize(
    "url", ["/shifts/3/", "/donate/?amount=5000", "/staff/donations/00000000-0000-0000-0000-000000000007/"]
)
def test_urls_without_a_secret_are_logged_as_they_are(url):
    assert redact(f'"GET {url} HTTP/1.1"') == f'"GET {url} HTTP/1.1"'


def test_the_filter_redacts_the_formatted_message_before_any_handler_writes_it():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.secret_urls")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: %s", f"/calendar/{SECRET}.ics")
    finally:
        logger.removeHandler(handler)

    assert out.getvalue() == f"Not Found: /calendar/{REDACTED}.ics\n"


def test_every_django_log_goes_through_the_one_redacting_handler():
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["redact_secrets"]
    # Django's own loggers keep no handler of their own (its defaults would print unredacted).
    for name in ("django", "django.server"):
        assert settings.LOGGING["loggers"][name]["handlers"] == []
        assert settings.LOGGING["loggers"][name]["propagate"] is True


def test_gunicorns_access_and_error_logs_redact():
    from gunicorn.config import Config

    from core.secret_urls import RedactingGunicornLogger

    config = Config()
    config.set("accesslog", "-")
    logger = RedactingGunicornLogger(config)

    for log in (logger.access_log, logger.error_log):
        assert log.handlers
        assert all(any(isinstance(f, RedactSecretsFilter) for f in h.filters) for h in log.handlers)


def test_the_nginx_template_holds_the_maps_of_this_list():
    text = NGINX_TEMPLATE.read_text()
    block = text[text.index(BEGIN) : text.index(END) + len(END)]

    assert block == nginx_maps(), "run `python -m core.secret_urls` to write them again"


@pytest.mark.parametrize("secret_url", SECRET_URLS, ids=lambda s: s.name)
def test_each_nginx_map_redacts_as_the_python_filter_does(secret_url):
    # nginx's PCRE named groups, read by Python's re
    pattern = re.compile(_nginx_regex(secret_url).replace("(?<", "(?P<"))
    url = "https://haven.example.org" + secret_url.example.format(secret=SECRET)

    match = pattern.match(url)
    assert match, secret_url.name
    assert f"{match['b']}{REDACTED}{match['a']}" == redact(url)


@pytest.mark.parametrize("logger_name", ["django.server", "django.request", "celery.app.trace"])
def test_a_line_logged_by_runserver_django_or_celery_reaches_the_console_redacted(logger_name):
    # the handler LOGGING configured (the one every logger propagates to), writing into a buffer
    console = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    )
    out = io.StringIO()
    previous = console.setStream(out)
    try:
        logging.getLogger(logger_name).warning('"GET %s HTTP/1.1" 404', f"/waitlist/offers/{SECRET}/")
    finally:
        console.setStream(previous)

    assert SECRET not in out.getvalue()
    assert f"/waitlist/offers/{REDACTED}/" in out.getvalue()
