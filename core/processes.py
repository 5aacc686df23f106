"""A small process supervisor, shared by `manage.py demo` and the production-like stack
(`python -m deploy.stack`). It imports nothing from Django, so the stack can use it before any
settings exist.

Children run in their own process groups with their output streamed, prefixed with their name, to
the terminal and to a log file per child. They are stopped together: on request, or as soon as one of
them exits by itself.

They also go when the supervisor dies without cleaning up, even by SIGKILL:
- each child gets the parent-death signal (Linux `prctl(PR_SET_PDEATHSIG, SIGTERM)`), so it is told
  the moment the supervisor is gone;
- a child's own children (gunicorn's and nginx's workers, Celery's pool) are not covered by that
  signal (the kernel clears it on fork), and nginx's workers outlive a killed master. So a
  *reaper* process, started first in a session of its own, holds the read end of a pipe whose write
  end only the supervisor has. The kernel closes that pipe however the supervisor dies; on EOF the
  reaper sends SIGTERM to every child's process group it was told about, then SIGKILL to what is
  left after the grace period. A normal stop tells the reaper that nothing is left to do."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import PIPE, STDOUT, Popen, TimeoutExpired

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
RESTART_LIMIT = 5
RESTART_WINDOW = 60.0
# Looked up once here: between fork and exec (where preexec_fn runs, other threads frozen at any
# point) the child must not load libraries or take locks, only make the one call.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """preexec_fn of every child: SIGTERM when the supervisor's thread that started it exits. The
    supervisor starts children from its main thread only, which lives as long as the process."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: Popen | None = None
    log_path: Path | None = None
    env: dict[str, str] | None = None
    # Started again when it exits by itself (as a process manager would restart a service), instead
    # of stopping everything; given up on after RESTART_LIMIT exits within RESTART_WINDOW seconds.
    restart: bool = False
    exits: list[float] = field(default_factory=list)
    _reader: threading.Thread | None = field(default=None, repr=False)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts children in their own process groups, streams their output with a name prefix (and
    into <log_dir>/<log_prefix>-<name>.log), and stops all of them together: on request, or as soon
    as any one of them exits by itself."""

    def __init__(
        self,
        env: dict[str, str],
        log_dir: Path,
        out=sys.stdout,
        grace_seconds: float = 10.0,
        log_prefix: str = "demo",
        label: str = "demo",
    ):
        self.env = env
        self.log_dir = log_dir
        self.out = out
        self.grace_seconds = grace_seconds
        self.log_prefix = log_prefix
        self.label = label
        self.children: list[Child] = []
        self._stop = threading.Event()
        self._print_lock = threading.Lock()
        self._reaper: Popen | None = None

    # --- starting ----------------------------------------------------------------------------------

    def _ensure_reaper(self) -> None:
        if self._reaper is not None:
            return
        self._reaper = Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "core.processes", "reap", str(self.grace_seconds)],
            stdin=PIPE,
            text=True,
            bufsize=1,
            start_new_session=True,  # not in our group: whoever kills our group must not kill it
            cwd=str(Path(__file__).resolve().parent.parent),
            close_fds=True,
        )

    def _tell_reaper(self, line: str) -> None:
        if self._reaper is None or self._reaper.stdin is None:
            return
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            self._reaper.stdin.write(line + "\n")
            self._reaper.stdin.flush()

    def start(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, restart: bool = False
    ) -> Child:
        child = Child(
            name=name,
            argv=argv,
            env=env,
            restart=restart,
            log_path=self.log_dir / f"{self.log_prefix}-{name}.log",
        )
        self._spawn(child)
        self.children.append(child)
        return child

    def _spawn(self, child: Child) -> None:
        self._ensure_reaper()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        child.process = Popen(  # noqa: S603 - our own argv, no shell
            child.argv,
            env=child.env if child.env is not None else self.env,
            stdout=PIPE,
            stderr=STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            bufsize=1,
            text=True,
        )
        # The child leads its own group (start_new_session), so its pid is the group id.
        self._tell_reaper(str(child.process.pid))
        child._reader = threading.Thread(target=self._pump, args=(child,), daemon=True)
        child._reader.start()

    def _restart(self, child: Child) -> bool:
        """Starts an exited child again; False when it exited too often to keep trying."""
        now = time.monotonic()
        child.exits = [at for at in child.exits if now - at < RESTART_WINDOW] + [now]
        if len(child.exits) > RESTART_LIMIT:
            return False
        _kill_leftovers(child.process.pid)  # its own children, if it left any
        self._tell_reaper(f"-{child.process.pid}")
        if child._reader is not None:
            child._reader.join(timeout=2)
        self.say(f"{child.name} exited with code {child.process.returncode}; starting it again.")
        self._spawn(child)
        return True

    def _pump(self, child: Child) -> None:
        with child.log_path.open("a", encoding="utf-8") as log:
            for line in child.process.stdout:
                log.write(line)
                log.flush()
                with self._print_lock:
                    self.out.write(f"[{child.name:7}] {line}")
                    self.out.flush()

    # --- stopping ----------------------------------------------------------------------------------

    def request_stop(self, *_args) -> None:
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def dead_child(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def wait(self, poll_seconds: float = 0.3) -> int:
        """Blocks until stop is requested (→ 0) or a child exits by itself (→ non-zero)."""
        while not self._stop.is_set():
            dead = self.dead_child()
            if dead is not None and dead.restart and self._restart(dead):
                continue
            if dead is not None:
                self.say(f"{dead.name} exited with code {dead.process.returncode}; stopping everything.")
                self.stop_all()
                return dead.process.returncode or 1
            self._stop.wait(poll_seconds)
        self.stop_all()
        return 0

    def stop(self, child: Child) -> None:
        """Stops one child (and its group) politely, then by force after the grace period."""
        _signal_group(child.process, signal.SIGTERM)
        try:
            child.process.wait(timeout=self.grace_seconds)
        except TimeoutExpired:
            _signal_group(child.process, signal.SIGKILL)
            child.process.wait()
        _kill_leftovers(child.process.pid)
        self._tell_reaper(f"-{child.process.pid}")
        if child._reader is not None:
            child._reader.join(timeout=2)

    def stop_all(self) -> None:
        for child in reversed(self.children):
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for child in reversed(self.children):
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except TimeoutExpired:  # it would not stop politely
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            # A group leader that exited may leave workers behind (nginx's do, when killed).
            _kill_leftovers(child.process.pid)
        for child in self.children:
            if child._reader is not None:
                child._reader.join(timeout=2)
        self._close_reaper()

    def _close_reaper(self) -> None:
        if self._reaper is None:
            return
        self._tell_reaper("done")
        with contextlib.suppress(OSError, ValueError):
            self._reaper.stdin.close()
        with contextlib.suppress(TimeoutExpired):
            self._reaper.wait(timeout=5)
        self._reaper = None

    def say(self, text: str) -> None:
        with self._print_lock:
            self.out.write(f"[{self.label:7}] {text}\n")
            self.out.flush()


def _signal_group(process: Popen, sig: int) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process we may not signal took the id: not ours
        return False
    return True


def _kill_leftovers(pgid: int) -> None:
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def reap(grace_seconds: float, lines=None) -> int:
    """The reaper's main loop (`python -m core.processes reap GRACE`): reads process group ids from
    stdin ("123" adds one, "-123" removes it, "done" means the supervisor cleaned up itself). On EOF
    without "done", the supervisor died: SIGTERM to every group, SIGKILL to what is left after
    the grace period."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the supervisor, not for us
    groups: set[int] = set()
    for raw in lines if lines is not None else sys.stdin:
        line = raw.strip()
        if line == "done":
            return 0
        if line.startswith("-") and line[1:].isdigit():
            groups.discard(int(line[1:]))
        elif line.isdigit():
            groups.add(int(line))
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(_group_alive(g) for g in groups):
        time.sleep(0.1)
    for pgid in groups:
        _kill_leftovers(pgid)
    return 0


# --- ports -----------------------------------------------------------------------------------------


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, timeout: float, alive=lambda: True) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "reap":
        sys.exit(reap(float(sys.argv[2])))
    sys.exit("usage: python -m core.processes reap GRACE_SECONDS")
