"""Kombu's filesystem transport with atomic publishing: the demo's broker when Redis is not set.

Kombu 5.7's `filesystem` transport creates a message file under its final name and then writes the
body into it. A worker listing the folder in between finds an empty (or half-written) file, takes it,
and fails to decode it: the demo's worker crashed on exactly that. Here a message is written to a
hidden temporary name in the same folder (which no consumer matches: consumers take
`<time>_<uuid>.<queue>.msg`), flushed, and renamed into place. `rename(2)` within one folder is
atomic, so a consumer sees a message whole or not at all. Consumers already claim a message by
moving it away; here that move is always a `rename(2)` into a folder beside the queue (upstream
moves to the system's temporary folder, which on another filesystem is a copy that two consumers
can both make), so two consumers never take the same message.

Chosen over kombu's SQLAlchemy transport on SQLite because it needs no new dependency and keeps the
demo's queue as plain files one can look at, and because the fix is one method on a documented
extension point (a transport class named in `CELERY_BROKER_TRANSPORT`)."""

from __future__ import annotations

import contextlib
import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: write a hidden file, then rename it to the name consumers
        look for."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".partial-{uuid.uuid4().hex}")
        try:
            with open(partial, "wb") as handle:
                handle.write(dumps(payload).encode())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        """Take the oldest message of `queue`: claim it by renaming it into the processed folder
        (only one consumer's rename succeeds), read it, and delete it unless processed messages
        are kept."""
        wanted = f"{queue}.msg"
        claimed_folder = self.processed_folder
        os.makedirs(claimed_folder, exist_ok=True)
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(claimed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:  # another consumer took it first
                continue
            try:
                with open(claimed, "rb") as handle:
                    payload = handle.read()
                if not self.store_processed:
                    os.unlink(claimed)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            return loads(payload)
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
