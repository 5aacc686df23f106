"""The demo's mail catcher: every message is written to var/outbox as an .eml file, and
/dev/outbox/ (DEBUG only) lists them with their attachments."""

import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxEmailBackend(BaseEmailBackend):
    _lock = threading.Lock()

    def send_messages(self, email_messages):
        outbox = Path(settings.HAVEN_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            with self._lock:
                (outbox / name).write_bytes(message.message().as_bytes())
            sent += 1
        return sent
