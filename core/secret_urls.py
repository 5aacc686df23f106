"""URLs that carry a secret, and how every log Haven writes leaves the secret out.

A calendar feed's secret, a waitlist offer's token, a password-reset or email-confirmation key, the
thanks page's gift id, an update email's unsubscribe token: whoever holds the URL holds the access,
and URLs end up in access logs (the request line and the Referer of the next request), in Django's
"Not Found: /path" warnings and in runserver's request lines. This module is the one list of them:

- Python: `RedactSecretsFilter` on the one handler of config/settings/base.py's LOGGING (Django's
  request, server and security loggers, runserver's lines in the demo, Celery's worker and beat, which
  config/celery.py hands Django's LOGGING), and on gunicorn's access and error logs
  (`RedactingGunicornLogger`, config/gunicorn.py's logger_class).
- nginx: `nginx_maps()` writes the `map` blocks between the markers in
  deploy/nginx/haven.conf.template (`python -m core.secret_urls` rewrites them; a test fails when the
  file and this list differ, and requests each example through the stack and greps every log).

Imports nothing from Django: gunicorn's master and the stack load it before any settings exist."""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REDACTED = "[redacted]"


@dataclass(frozen=True)
class SecretURL:
    """`before` and `after` are what surrounds the secret (`secret`, a regex of its characters); the
    secret is replaced by REDACTED, the rest is kept so a log still says which page was asked for."""

    name: str
    before: str
    secret: str
    after: str
    example: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(f"({self.before})({self.secret})({self.after})")


SECRET_URLS: tuple[SecretURL, ...] = (
    SecretURL(
        name="calendar feed secret",
        before=r"/calendar/",
        secret=r"[^/?#\s\"]+?",
        after=r"\.ics",
        example="/calendar/{secret}.ics",
    ),
    SecretURL(
        name="waitlist offer token",
        before=r"/waitlist/offers/",
        secret=r"[^/?#\s\"]+",
        after=r"",
        example="/waitlist/offers/{secret}/",
    ),
    SecretURL(
        name="password reset key",
        before=r"/accounts/password/reset/key/",
        secret=r"[^/?#\s\"]+",
        after=r"",
        example="/accounts/password/reset/key/{secret}/",  # uidb36-key, both redacted
    ),
    SecretURL(
        name="email confirmation key",
        before=r"/accounts/confirm-email/",
        secret=r"[^/?#\s\"]+",
        after=r"",
        example="/accounts/confirm-email/{secret}/",
    ),
    SecretURL(
        name="thanks page gift id",
        before=r"/donations/",
        secret=r"[^/?#\s\"]+",
        after=r"/thanks",
        example="/donations/{secret}/thanks/",
    ),
    SecretURL(
        name="update email unsubscribe token",
        before=r"/updates/unsubscribe/",
        secret=r"[^/?#\s\"]+",
        after=r"",
        example="/updates/unsubscribe/{secret}/",
    ),
    # Whatever a link or a form sends in its query string under these names (sign-in codes, keys).
    SecretURL(
        name="secret query parameter",
        before=r"[?&](?:code|key|token|secret|login_code)=",
        secret=r"[^&#\s\"]+",
        after=r"",
        example="/accounts/login/code/confirm/?code={secret}",
    ),
)


def redact(text: str) -> str:
    """`text` with the secret of every secret URL in it replaced by REDACTED."""
    if not text or "/" not in text and "=" not in text:
        return text
    for secret_url in SECRET_URLS:
        text = secret_url.pattern.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(3)}", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """A handler filter: the record's message, formatted, with every URL secret redacted (the record
    is changed in place, so every handler after this one sees it redacted too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's to report, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def handlers_redact(logger: logging.Logger) -> None:
    """Puts the filter on each of `logger`'s handlers (once)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # the demo and tests run without gunicorn's logging
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with its access and error logs redacted (config/gunicorn.py)."""

        def setup(self, cfg) -> None:
            super().setup(cfg)
            handlers_redact(self.access_log)
            handlers_redact(self.error_log)


# --- nginx -----------------------------------------------------------------------------------------

NGINX_TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "haven.conf.template"
BEGIN = "# BEGIN secret URLs (generated by `python -m core.secret_urls` from core/secret_urls.py)"
END = "# END secret URLs"


def _nginx_regex(secret_url: SecretURL) -> str:
    # nginx's PCRE: the same pattern, anchored at the start of the request URI; "(?<b>…)" keeps the
    # part before the secret, "(?<a>…)" everything after it.
    return f"^(?<b>.*?{secret_url.before}){secret_url.secret}(?<a>{secret_url.after}.*)$"


def nginx_maps() -> str:
    """The `map` blocks the template's access log format uses: $haven_log_uri is $request_uri and
    $haven_log_referer is $http_referer, each passed through every secret URL pattern in turn (one
    map per pattern, as a map stops at its first match)."""
    blocks = [BEGIN]
    for source, name in (("$request_uri", "uri"), ("$http_referer", "referer")):
        current = source
        for number, secret_url in enumerate(SECRET_URLS, start=1):
            last = number == len(SECRET_URLS)
            target = f"$haven_log_{name}" if last else f"$haven_log_{name}_{number}"
            regex = _nginx_regex(secret_url).replace("\\", "\\\\").replace('"', '\\"')
            blocks += [
                f"# {secret_url.name}",
                f"map {current} {target} {{",
                f'    "~{regex}" "$b{REDACTED}$a";',
                f"    default {current};",
                "}",
            ]
            current = target
    blocks.append(END)
    return "\n".join(blocks)


def nginx_template_with_maps(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + nginx_maps() + text[end:]


if __name__ == "__main__":
    NGINX_TEMPLATE.write_text(nginx_template_with_maps(NGINX_TEMPLATE.read_text()))
    sys.stdout.write(f"Wrote the secret URL maps into {NGINX_TEMPLATE}\n")
