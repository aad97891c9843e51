"""Servers the tests start, and stopping them: only ever the processes a server started.

Shared by the browser tier (`workbook serve`, `workbook workshop`) and the hub tier
(`jupyterhub`). Importable from any test folder: tests/conftest.py sits beside this file and
pytest puts that folder on sys.path; the modules that import this one also do so themselves.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path


def free_port() -> int:
    """A TCP port free on loopback just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drain(stream, sink: list[str]) -> None:
    """Read a child's output line by line into `sink` (in a thread) so that it never blocks."""
    for line in iter(stream.readline, ""):
        sink.append(line)
    stream.close()


def descendants(pid: int) -> list[int]:
    """Child processes, recursively (Linux /proc), even those in sessions of their own."""
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _signal_server(proc: subprocess.Popen, sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def stop(proc: subprocess.Popen, timeout: float, group: bool = False, children_too: bool = False) -> None:
    """SIGTERM a server this test run started, wait, then SIGKILL whatever it started that lingers.

    The children are listed (by pid, from /proc) before anything is signalled, so only processes
    this server started are ever signalled. `group`: the server runs in a session of its own, so
    its whole process group is signalled with it. `children_too`: its children are sent SIGTERM at
    once as well and waited for (Voila's kernels hold nothing unsaved); otherwise the server is
    trusted to stop them (JupyterHub stops its proxy and users' servers) and only what it left
    behind is killed.
    """
    started = descendants(proc.pid)
    if children_too:
        _signal(started, signal.SIGTERM)
    if proc.poll() is None:
        _signal_server(proc, signal.SIGTERM, group)
    waited_for = [proc.pid, *started] if children_too else [proc.pid]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in waited_for):
        proc.poll()  # reap the server so that it stops counting as alive
        time.sleep(0.1)
    _signal([p for p in started if alive(p)], signal.SIGKILL)
    _signal_server(proc, signal.SIGKILL, group)
    proc.wait(timeout=10)
