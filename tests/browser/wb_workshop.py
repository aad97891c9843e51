"""A real `workbook workshop` server for the browser tier: its links, its folder, stopping it.

Kept apart from the test modules so that each can start a workshop of its own.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from processes import drain, free_port
from wb_browser import REPO, WORKBOOK, Server, stop_server

from workbook import workshop as ws

PARTICIPANTS = 3
POOL = 2
MAX_KERNELS = 8
IDLE_MINUTES = 0.34          # ~20 s: a page closed without saying so is culled soon after
START_TIMEOUT_S = 240        # the pool fills by starting kernels on a shared 2-core machine


@dataclass
class Running:
    """A `workbook workshop` process, its links and everything it printed."""

    server: Server
    links: list[str]
    admin: str
    stdout: list[str]
    secrets_used: set[str] = field(default_factory=set)

    @property
    def root(self) -> Path:
        return self.server.data_dir

    @property
    def base(self) -> str:
        return self.server.url

    def workshop(self) -> ws.Workshop:
        return ws.Workshop(self.root)

    def member(self, url: str) -> ws.Member:
        """The member a link belongs to, open or closed."""
        digest = ws.hash_secret(ws.key_from_query(urlsplit(url).query))
        return next(m for m in self.workshop().members() if m.hash == digest)

    def rows(self, url: str, kind: str) -> list[dict[str, str]]:
        folder = self.workshop().folder(self.member(url).id)
        return Server(url="", data_dir=folder, proc=self.server.proc).rows(kind)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """`workbook workshop ARGS --data-dir ROOT` beside the running server."""
        return subprocess.run([str(WORKBOOK), "workshop", *args, "--data-dir", str(self.root)],
                              capture_output=True, text=True, timeout=60, cwd=REPO)


def start_workshop(root: Path, pool: int = POOL, max_kernels: int = MAX_KERNELS) -> Running:
    """`workbook workshop --participants 3`; returns once the pool of kernels is filled."""
    command = [str(WORKBOOK), "workshop", "--participants", str(PARTICIPANTS), "--no-browser",
               "--port", str(free_port()), "--data-dir", str(root), "--pool", str(pool),
               "--max-kernels", str(max_kernels), "--idle-minutes", str(IDLE_MINUTES)]
    ready = "Kernel pool of workshop.ipynb is filled" if pool else "running at"
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBOOK_DATA_DIR", ws.WORKSHOP_ENV)}
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", start_new_session=True)
    server = Server(url="", data_dir=root, proc=proc)
    stdout: list[str] = []
    threading.Thread(target=drain, args=(proc.stderr, server.stderr_lines), daemon=True).start()
    threading.Thread(target=drain, args=(proc.stdout, stdout), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while not any(ready in line for line in server.stderr_lines):
            if proc.poll() is not None:
                raise RuntimeError(f"workbook workshop exited ({proc.returncode}):\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the pool did not fill in {START_TIMEOUT_S} s:\n{server.log_tail()}")
            time.sleep(0.2)
        links = [line.strip() for line in stdout if line.strip()]
        assert len(links) == PARTICIPANTS, stdout
        admin = next(i for i in ws.Workshop(root).issued() if i.member.role == ws.FACILITATOR)
        base = links[0].split("?", 1)[0]
        server.url = base
        assert urlsplit(base).hostname == "127.0.0.1"
        running = Running(server=server, links=links, admin=admin.url(base), stdout=stdout)
        running.secrets_used.update(ws.key_from_query(urlsplit(u).query) for u in [*links, running.admin])
        return running
    except BaseException:
        stop_server(server)
        raise
