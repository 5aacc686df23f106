"""DEBUG only (core.dev_urls): the demo's caught mail, as written by core.mail.OutboxEmailBackend.

Caught mail holds sign-in codes, password-reset and confirmation links for every account, so reading
it is taking over any account. Only two kinds of visitor may: a signed-in superuser, or someone who
typed the key `manage.py demo` prints at start (a fresh one each start, handed to the web server as
HAVEN_DEV_OUTBOX_KEY). The key is posted from a form, never put in a URL (URLs end up in logs and in
the browser's history); the session then remembers a fingerprint of it, so a restarted demo with a
new key locks old sessions out again."""

import hashlib
import hmac
from email import policy
from email.parser import BytesParser
from functools import wraps
from io import BytesIO
from pathlib import Path

from csp.decorators import csp
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .csp import inline_style_hashes

SESSION_KEY = "haven_dev_outbox"


def _outbox_dir() -> Path:
    return Path(settings.HAVEN_OUTBOX_DIR)


def _configured_key() -> str:
    return getattr(settings, "HAVEN_DEV_OUTBOX_KEY", "") or ""


def _fingerprint(key: str) -> str:
    return hashlib.sha256(f"haven-dev-outbox:{key}".encode()).hexdigest()


def outbox_key_matches(candidate: str) -> bool:
    """Whether `candidate` is this demo's outbox key (constant-time; never true without a key)."""
    key = _configured_key()
    return bool(key) and hmac.compare_digest(candidate.strip().encode(), key.encode())


def may_read_outbox(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    key = _configured_key()
    remembered = request.session.get(SESSION_KEY, "")
    return bool(key) and hmac.compare_digest(remembered.encode(), _fingerprint(key).encode())


def outbox_reader_required(view):
    """Lets through a signed-in superuser or a session that gave the demo's key; anyone else gets the
    key form with status 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if may_read_outbox(request):
            return view(request, *args, **kwargs)
        wrong_key = False
        if request.method == "POST" and "outbox_key" in request.POST:
            if outbox_key_matches(request.POST["outbox_key"]):
                request.session.cycle_key()
                request.session[SESSION_KEY] = _fingerprint(_configured_key())
                return redirect(request.path)
            wrong_key = True
        return render(
            request,
            "dev/outbox_locked.html",
            {"wrong_key": wrong_key, "has_key": bool(_configured_key())},
            status=403,
        )

    wrapped.haven_access = "dev_outbox:superuser_or_demo_key"  # read by the URL access test
    return wrapped


def _sent_at(msg):
    """The message's Date header as an aware datetime (templates show it in the site's time zone),
    or None when it is missing or unreadable."""
    header = msg["date"]
    try:
        return header.datetime if header is not None and header.datetime.tzinfo else None
    except (AttributeError, TypeError, ValueError):
        return None


@outbox_reader_required
def outbox(request):
    """DEBUG only: the demo's caught mail, newest first."""
    messages = []
    for path in sorted(_outbox_dir().glob("*.eml"), reverse=True)[:200]:
        with path.open("rb") as fh:
            msg = BytesParser(policy=policy.default).parse(fh, headersonly=True)
        messages.append(
            {"name": path.stem, "subject": msg["subject"], "to": msg["to"], "date": _sent_at(msg)}
        )
    return render(request, "dev/outbox.html", {"messages_list": messages})


def _message(name: str):
    path = _outbox_dir() / f"{Path(name).name}.eml"
    if not path.exists():
        raise Http404
    with path.open("rb") as fh:
        return BytesParser(policy=policy.default).parse(fh)


@outbox_reader_required
def outbox_message(request, name):
    msg = _message(name)
    attachment = request.GET.get("attachment")
    attachments = list(msg.iter_attachments())
    if attachment is not None:
        try:
            part = attachments[int(attachment)]
        except (ValueError, IndexError) as exc:
            raise Http404 from exc
        return FileResponse(
            BytesIO(part.get_content()),
            filename=part.get_filename() or "attachment",
            content_type=part.get_content_type(),
        )
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return render(
        request,
        "dev/outbox_message.html",
        {
            "msg": msg,
            "sent_at": _sent_at(msg),
            "name": name,
            "text": text.get_content() if text else "",
            "has_html": html is not None,
            "attachments": [(i, part.get_filename()) for i, part in enumerate(attachments)],
        },
    )


@outbox_reader_required
@xframe_options_sameorigin
def outbox_message_html(request, name):
    """The HTML body alone, for the message page's sandboxed frame. Mail needs inline styles (mail
    programs drop style sheets), so this response's policy allows exactly the styles it carries, by
    hash, and nothing else: no script, no remote image, embeddable only by Haven's own page."""
    html = _message(name).get_body(preferencelist=("html",))
    if html is None:
        raise Http404
    content = html.get_content()
    response = HttpResponse(content)
    policy = {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-hashes'", *inline_style_hashes(content)] if content else ["'none'"],
        "img-src": ["data:"],
        "frame-ancestors": ["'self'"],
        "sandbox": [True],  # no script, no form, an opaque origin
    }
    # The whole policy of this response, in place of the site's (not merged with it).
    return csp(policy)(lambda _request: response)(request)
