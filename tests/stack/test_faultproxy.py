"""The fault-injecting TCP proxy the stack tests put in front of Redis: it forwards, refuses, and
blackholes (connect hangs, open connections go silent), and recovers."""

import contextlib
import socket
import threading

import pytest

from tests.stack.faultproxy import FaultProxy


@pytest.fixture
def echo_server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    def _echo(conn):
        with conn, contextlib.suppress(ConnectionResetError):  # the proxy resets it on a fault
            while data := conn.recv(1024):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()
    listener.close()


@pytest.fixture
def proxy(echo_server):
    proxy = FaultProxy(upstream=echo_server).start()
    yield proxy
    proxy.close()


def _roundtrip(port: int, timeout: float = 2.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"ping")
        return sock.recv(4)


def test_it_forwards_both_ways(proxy):
    assert _roundtrip(proxy.port) == b"ping"


def test_refused_connections_fail_at_once_and_open_ones_are_reset(proxy):
    held = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
    held.sendall(b"ping")
    assert held.recv(4) == b"ping"

    proxy.refuse()

    with pytest.raises(ConnectionRefusedError):
        _roundtrip(proxy.port)
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        held.sendall(b"ping")
        if not held.recv(4):
            raise ConnectionResetError
    held.close()


def test_blackholed_connects_hang_and_open_connections_go_silent(proxy):
    held = socket.create_connection(("127.0.0.1", proxy.port), timeout=0.5)
    held.sendall(b"ping")
    assert held.recv(4) == b"ping"

    proxy.blackhole()

    held.sendall(b"ping")
    with pytest.raises(TimeoutError):
        held.recv(4)  # no answer on the connection already open
    with pytest.raises(TimeoutError):
        _roundtrip(proxy.port, timeout=0.5)  # a new connection never completes
    held.close()


def test_it_recovers_after_each_fault(proxy):
    proxy.refuse()
    proxy.passthrough()
    assert _roundtrip(proxy.port) == b"ping"

    proxy.blackhole()
    proxy.passthrough()
    assert _roundtrip(proxy.port) == b"ping"
