"""The security tier for `workbook workshop` as real processes: signals stop the server and every kernel.

What HTTP requests can prove (a flood of bad links, the rate limit, the request-info socket,
kernels reached with another participant's cookie, hosts, headers) is in tests/http, with the
workshop's Voila in the test process. Each test names the promise it proves (docs/security.md,
"Workshops"); an attack succeeds here if anything is left running after the command was told to stop.
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import processes
import pytest
from wb_browser import stop_server
from wb_workshop import Running, start_workshop

pytestmark = pytest.mark.browser

KERNEL_FILE = re.compile(r"kernel-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json")


def kernel_pids(running: Running) -> dict[str, int]:
    """kernel id -> pid of every kernel this workshop started (read from /proc, as `ps` shows)."""
    found = {}
    for pid in processes.descendants(running.server.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        match = KERNEL_FILE.search(cmdline) if "ipykernel" in cmdline else None
        if match:
            found[match[1]] = pid
    return found


# -- the tests ----------------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_workshop_and_every_kernel(tmp_path: Path, sig: int) -> None:
    """Promise W6: SIGTERM or SIGHUP on `workbook workshop` leaves no server and no kernel running."""
    running = start_workshop(tmp_path / "data", pool=1, max_kernels=3)
    try:
        started = processes.descendants(running.server.proc.pid)
        assert kernel_pids(running), "no kernel to stop"
        os.kill(running.server.proc.pid, sig)  # the command alone, as `kill` or a closed terminal would
        running.server.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(processes.alive(p) for p in started):
            time.sleep(0.2)
        assert not [p for p in started if processes.alive(p)], "still running after the signal"
        with pytest.raises(OSError):
            urllib.request.urlopen(running.links[0], timeout=5)
    except urllib.error.HTTPError as exc:  # pragma: no cover - the server answered: it still runs
        pytest.fail(f"the workshop still answers after the signal ({exc.code})")
    finally:
        stop_server(running.server)
