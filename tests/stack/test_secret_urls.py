"""Through nginx, with real processes: a secret in a URL (core/secret_urls.py's list) reaches no log
file of the stack — nginx's access and error logs, gunicorn's access log, Django's request warnings,
the worker's and beat's logs — whether it is asked for, sent as the Referer of the next request, or
a real email-confirmation key followed from the mail."""

import re
import secrets
import uuid
from pathlib import Path

import pytest

from core.secret_urls import SECRET_URLS

pytestmark = pytest.mark.stack

PASSWORD = "stack tests correct horse"


def _log_files(stack) -> list[Path]:
    """Every file the stack writes that is not mail (which carries the links by design), a key or a
    static file."""
    skipped = {"mail", "tls", "static", "nginx"}
    files = [
        path
        for path in stack.directory.rglob("*")
        if path.is_file() and not skipped & set(path.relative_to(stack.directory).parts[:1])
    ]
    return [*files, *(stack.directory / "nginx").glob("*.log")]


def _leaks(stack, secret: str) -> list[str]:
    return [
        str(path.relative_to(stack.directory))
        for path in _log_files(stack)
        if secret.encode() in path.read_bytes()
    ]


def _wait_for_access_log(stack, marker: str) -> None:
    """nginx writes its access line after the response; wait for the last request's line."""
    log = stack.directory / "log" / "nginx-access.log"
    stack.wait_until("the access log line", lambda: log.exists() and marker in log.read_text(), 10, 0.1)


@pytest.mark.parametrize("secret_url", SECRET_URLS, ids=lambda s: s.name)
def test_a_secret_url_asked_for_and_sent_as_referer_reaches_no_log(stack, secret_url):
    secret = secrets.token_urlsafe(16)
    url = stack.origin + secret_url.example.format(secret=secret)
    client = stack.client("127.70.0.1")

    # when it is asked for (most answer 404: no such token) and then sent as the Referer of a page
    asked = client.get(url, timeout=30, allow_redirects=False)
    marker = f"/healthz?{uuid.uuid4().hex}"
    client.get(stack.origin + marker, headers={"Referer": url}, timeout=30)
    _wait_for_access_log(stack, marker)

    # then the request was logged (redacted), and the secret is in no log file
    assert asked.status_code < 500
    assert "[redacted]" in (stack.directory / "log" / "nginx-access.log").read_text()
    assert _leaks(stack, secret) == []


def test_a_real_email_confirmation_key_reaches_no_log(stack):
    # given someone who signs up and follows the link of the confirmation mail
    email = f"secret-{uuid.uuid4().hex[:8]}@example.org"
    stack.sign_up(email, PASSWORD, source="127.70.0.2")
    body = stack.wait_for_mail(email, "Please Confirm Your Email Address")[0].get_body(("plain",))
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", body.get_content()).group(1)
    marker = f"/healthz?{uuid.uuid4().hex}"
    stack.client("127.70.0.2").get(stack.origin + marker, timeout=30)
    _wait_for_access_log(stack, marker)

    # then its key is in the mail only
    assert _leaks(stack, key) == []
