"""A TCP proxy that breaks on request, put between the stack and Redis by the stack tests.

    proxy = FaultProxy(upstream=("127.0.0.1", 6379)); proxy.start()   # listens on proxy.port
    proxy.refuse()      # connecting is refused at once; open connections are reset
    proxy.blackhole()   # connecting hangs, and open connections go silent (nothing forwarded)
    proxy.passthrough() # back to normal; connections held while blackholed are reset

Blackholing without root or iptables: a listening socket with a backlog of 0 that nobody accepts
from, its one queue slot taken by a connection of our own. The kernel then drops further SYNs, so a
client's connect() waits until its own timeout, as with a host that dropped off the network."""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time

PASS, REFUSE, BLACKHOLE = "pass", "refuse", "blackhole"


def _reset(sock: socket.socket) -> None:
    """Close with RST (linger 0), as a dead peer's kernel would answer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1", port: int = 0):
        self.upstream = upstream
        self.host = host
        self.port = port
        self.mode = PASS
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._blackhole: list[socket.socket] = []
        self._connections: set[tuple[socket.socket, socket.socket]] = set()
        self._generation = 0  # bumped on every mode change; pumps of older generations stop
        self.accepted = 0

    # --- modes -------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._listen()
        return self

    def passthrough(self) -> None:
        with self._lock:
            self.mode = PASS
            self._generation += 1
            self._close_blackhole()
            self._drop_connections()
            self._listen_locked()

    def refuse(self) -> None:
        with self._lock:
            self.mode = REFUSE
            self._generation += 1
            self._close_listener()
            self._close_blackhole()
            self._drop_connections()

    def blackhole(self) -> None:
        with self._lock:
            self.mode = BLACKHOLE
            self._generation += 1
            self._close_listener()
            # Open connections stay open but their pumps stop: requests sent on them get no answer.
            sink = socket.socket()
            sink.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sink.bind((self.host, self.port))
            sink.listen(0)
            filler = socket.create_connection((self.host, self.port), timeout=2)
            self._blackhole = [sink, filler]

    def close(self) -> None:
        with self._lock:
            self._generation += 1
            self._close_listener()
            self._close_blackhole()
            self._drop_connections()

    # --- internals ---------------------------------------------------------------------------------

    def _listen(self) -> None:
        with self._lock:
            self._listen_locked()

    def _listen_locked(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 5
        while True:  # the port of a socket just closed can take a moment to be free
            try:
                listener.bind((self.host, self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._listener.close()
            self._listener = None

    def _close_blackhole(self) -> None:
        for sock in self._blackhole:
            _reset(sock)
        self._blackhole = []

    def _drop_connections(self) -> None:
        for client, server in list(self._connections):
            _reset(client)
            _reset(server)
        self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by a mode change
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if self._listener is not listener:  # the mode changed meanwhile
                    _reset(client)
                    _reset(server)
                    return
                self.accepted += 1
                self._connections.add((client, server))
                generation = self._generation
            threading.Thread(target=self._pump, args=(client, server, generation), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket, generation: int) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while self._generation == generation:
                for key, _ in selector.select(timeout=0.2):
                    if self._generation != generation:
                        break  # blackholed (or reset): forward nothing more
                    try:
                        data = key.fileobj.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            if self.mode != BLACKHOLE or self._generation == generation:
                with self._lock:
                    self._connections.discard((client, server))
                _reset(client)
                _reset(server)
