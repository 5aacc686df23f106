"""The messages sent to a person, for the data export and for erasure: the "messages" part of
accounts/privacy.py, registered from MessagingConfig.ready(). The export lists what was sent and when
(never a body: some held a sign-in code); erasure keeps only that a message existed."""

from __future__ import annotations

from accounts.privacy import Erasure, PrivacyPart

from .models import Message
from .services import messages_erase


def export_for(user) -> list[dict]:
    rows = Message.objects.filter(user=user).order_by("created_at", "pk")
    return [
        {
            "kind": m.kind,
            "channel": m.channel,
            "recipient": m.recipient,
            "subject": m.subject,
            "status": m.status,
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in rows
    ]


def erase(erasure: Erasure) -> dict[str, int]:
    erased = messages_erase(user=erasure.user, recipients=erasure.emails, placeholder=erasure.placeholder)
    return {"messages_erased": erased}


PART = PrivacyPart(section="messages", export=export_for, erase=erase)
