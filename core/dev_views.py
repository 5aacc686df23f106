"""DEBUG only (core.dev_urls): the demo's caught mail, as written by core.mail.OutboxEmailBackend."""

from email import policy
from email.parser import BytesParser
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from .access import public


def _outbox_dir() -> Path:
    return Path(settings.HAVEN_OUTBOX_DIR)


@public  # exists only with DEBUG on (core.dev_urls): the demo's caught mail
def outbox(request):
    """DEBUG only: the demo's caught mail, newest first."""
    messages = []
    for path in sorted(_outbox_dir().glob("*.eml"), reverse=True)[:200]:
        with path.open("rb") as fh:
            msg = BytesParser(policy=policy.default).parse(fh, headersonly=True)
        messages.append({"name": path.stem, "subject": msg["subject"], "to": msg["to"], "date": msg["date"]})
    return render(request, "dev/outbox.html", {"messages_list": messages})


@public
def outbox_message(request, name):
    path = _outbox_dir() / f"{Path(name).name}.eml"
    if not path.exists():
        raise Http404
    with path.open("rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
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
            "name": name,
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
            "attachments": [(i, part.get_filename()) for i, part in enumerate(attachments)],
        },
    )
