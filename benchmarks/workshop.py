"""Workshop rows for benchmarks/run.py: `workbook workshop` with a room of people joining.

    python -c "import sys; sys.path.insert(0, 'benchmarks'); import workshop; print(workshop.run(1))"

Rows:
  join    what one participant waits when 12 open their links at the same moment, vs the same page
          opened alone on the same server                                          target <= 3x
  memory  30 participants with their pages up: the server and all its kernels     target <= 6 GB

One real Chromium page is timed (link opened -> the app usable: `.wb-nav-mood` visible). The other
participants join through a lightweight client that makes the server do what a browser makes it
do (GET the page: the kernel builds that participant's app; then the kernel websocket:
kernel_info, comm_info and the widget manager's request_states, which sends every widget's
state), so that eleven more Chromiums do not fight the measured one for a small machine's cores.
The lightweight clients draw nothing, so their "page usable" cannot be timed: the row's figure is
the Chromium page's, and the value shows when the others had all their widget state, a lower bound
of theirs. Each run uses a fresh server whose pool of kernels has filled and gone quiet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import harness
import psutil

CROWD = 12                # participants joining at the same moment (one of them in Chromium)
ROOM = 30                 # participants with their pages up, for the memory row
READY_MS = 300_000        # a page must be usable within this, even on a loaded machine
CLIENT_S = 300            # the same bound for a lightweight client
FILL_S = 900              # the pool of a 30-person workshop fills within this
REFILL_S = 120            # the pool tops up again within this (Voila waits 15 s first)
QUIET_S = 300             # kernels go quiet within this after filling
_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', re.S)


# -- the server ----------------------------------------------------------------------------
class Workshop:
    def __init__(self, server: harness.Server):
        self.server = server

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in list(self.server.log)
                if line.startswith("http") and "key=" in line]

    def tree(self) -> list[psutil.Process]:
        """`workbook workshop`, the Voila server it starts and that server's kernels."""
        try:
            top = psutil.Process(self.server.proc.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def fills(self) -> int:
        """How many times the server logged its pool of kernels full."""
        return sum("is filled" in line for line in list(self.server.log))

    def wait_filled(self, after: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.fills() > after:
                return True
            if self.server.proc.poll() is not None:
                raise RuntimeError("workbook workshop stopped:\n" + "".join(self.server.log[-30:]))
            time.sleep(0.2)
        return False

    def settle(self, timeout: float = QUIET_S) -> None:
        """Until the kernels have gone quiet (the pool's imports and app building are done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kernels = self.server.kernels()
            before = _cpu(kernels)
            time.sleep(3)
            if kernels and (_cpu(kernels) - before) / 3 < 0.05 * len(kernels):
                return


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


@contextmanager
def workshop_server(participants: int) -> Iterator[Workshop]:
    """A fresh `workbook workshop` in a folder of its own, its pool of kernels filled and quiet.

    Stopped on the way out with everything it started (its process group, then any straggler)."""
    root = Path(tempfile.mkdtemp(prefix="wb-bench-workshop-"))
    port = harness.free_port()
    command = [str(harness.BIN / "workbook"), "workshop", "--participants", str(participants),
               "--no-browser", "--port", str(port), "--data-dir", str(root / "data")]
    # A static file tells the server is up; the page itself would take a kernel from the pool.
    ready = f"http://127.0.0.1:{port}/voila/static/voila.js"
    started: set[psutil.Process] = set()
    try:
        with harness.serve_command(command, ready) as server:
            workshop = Workshop(server)
            try:
                if not workshop.wait_filled(0, FILL_S):
                    raise TimeoutError(f"the pool of {participants} never filled:\n"
                                       + "".join(server.log[-30:]))
                started.update(workshop.tree())
                workshop.settle()
                if len(workshop.links) < participants:
                    raise RuntimeError(f"{len(workshop.links)} links for {participants} participants")
                yield workshop
            finally:
                started.update(workshop.tree())
    finally:
        _, alive = psutil.wait_procs(list(started), timeout=20)
        for proc in alive:
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        shutil.rmtree(root, ignore_errors=True)


# -- participants without a browser ---------------------------------------------------------
def _message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> str:
    return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "username": "bench", "session": session,
                                  "msg_type": msg_type, "version": "5.3",
                                  "date": dt.datetime.now(dt.timezone.utc).isoformat()},
                       "parent_header": {}, "metadata": metadata or {}, "content": content,
                       "channel": "shell", "buffers": []})


class LightCrowd:
    """Participants that open their links at the same moment without a browser, in a thread.

    Each GETs its page, opens the kernel websocket and asks for every widget's state, as the
    page's JavaScript does, then keeps the connection open until `release()`."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.go = threading.Barrier(2)
        self.hold = threading.Event()
        self.done = threading.Event()
        self.results: list[tuple[float, float]] = []  # (page HTML, all widget state) in s
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Returns when the clients are about to start: time the page you measure from here."""
        self.thread.start()
        self.go.wait(60)

    def wait(self, timeout: float = CLIENT_S + 60) -> list[tuple[float, float]]:
        """Until every client has all its widget state."""
        if not self.done.wait(timeout):
            raise TimeoutError("lightweight clients did not finish")
        if self.error is not None:
            raise RuntimeError(f"a lightweight client failed: {self.error!r}") from self.error
        return self.results

    def release(self) -> None:
        self.hold.set()
        self.thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._crowd())
        except BaseException as exc:  # handed to the main thread
            self.error = self.error or exc
        finally:
            self.done.set()

    async def _crowd(self) -> None:
        from tornado.httpclient import AsyncHTTPClient

        # Tornado's client queues beyond 10 requests at a time by default: everyone at once here.
        http = AsyncHTTPClient(force_instance=True, max_clients=len(self.urls) + 4)
        connections: list = []
        try:
            self.go.wait(60)
            tasks = [asyncio.ensure_future(self._client(http, url, connections)) for url in self.urls]
            try:
                self.results = list(await asyncio.gather(*tasks))
            except BaseException as exc:
                self.error = exc
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            self.done.set()
            await asyncio.to_thread(self.hold.wait, 1800)
        finally:
            for conn in connections:
                conn.close()
            await asyncio.sleep(0.2)  # let the close frames go out
            http.close()

    async def _client(self, http, url: str, connections: list) -> tuple[float, float]:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        start = time.perf_counter()
        response = await http.fetch(url, request_timeout=CLIENT_S, connect_timeout=CLIENT_S)
        config = json.loads(_CONFIG.search(response.body.decode())[1])
        html_s = time.perf_counter() - start
        base = url.split("?")[0].replace("http://", "ws://")
        session = uuid.uuid4().hex
        conn = await websocket_connect(HTTPRequest(
            f"{base}api/kernels/{config['kernelId']}/channels?session_id={session}",
            connect_timeout=CLIENT_S, request_timeout=CLIENT_S))
        connections.append(conn)
        await conn.write_message(_message(session, "kernel_info_request", {}))
        await conn.write_message(_message(session, "comm_info_request", {"target_name": "jupyter.widget"}))
        comm = uuid.uuid4().hex
        await conn.write_message(_message(session, "comm_open", {
            "comm_id": comm, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"}))
        await conn.write_message(_message(session, "comm_msg", {
            "comm_id": comm, "data": {"method": "request_states"}}))
        while True:
            frame = await asyncio.wait_for(conn.read_message(), CLIENT_S)
            if frame is None:
                raise RuntimeError("the kernel websocket closed before the widget state came")
            if (frame.encode() if isinstance(frame, str) else frame).find(b'"update_states"') >= 0:
                return html_s, time.perf_counter() - start


# -- the timed page ----------------------------------------------------------------------------
def time_page(browser, url: str) -> float:
    """From opening the link until the app is usable; the page is closed as a participant would."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=READY_MS)
        page.locator(".wb-nav-mood").wait_for(state="visible", timeout=READY_MS)
        usable = time.perf_counter() - start
        page.close(run_before_unload=True)  # Voila shuts the page's kernel down on unload
        time.sleep(1)
        return usable
    finally:
        context.close()


def bench_join(runs: int) -> dict:
    alone: list[float] = []
    crowd: list[float] = []
    others: list[float] = []  # per run: when the last lightweight client had all its widget state
    with harness.chromium() as browser:
        for _ in range(runs):
            with workshop_server(CROWD) as workshop:
                links = workshop.links
                fills = workshop.fills()
                alone.append(time_page(browser, links[0]))
                # The pool tops up what the page took (after Voila's delay): wait for it, and quiet.
                workshop.wait_filled(fills, REFILL_S)
                workshop.settle()
                light = LightCrowd(links[1:CROWD])  # 11 others; the same timed page makes 12
                light.start()
                try:
                    crowd.append(time_page(browser, links[0]))
                    others.append(max(states for _, states in light.wait()))
                finally:
                    light.release()
    s_alone, s_crowd = harness.summary(alone), harness.summary(crowd)
    return {"row": f"workshop: {CROWD} participants open their links at the same moment; "
                   "slowest page usable vs one alone",
            "value": f"{s_crowd['median']:.2f} s ({s_crowd['min']:.2f}-{s_crowd['max']:.2f}) the "
                     f"Chromium page among {CROWD - 1} others; their widget state all in by "
                     f"{statistics.median(others):.2f} s",
            "floor": f"{s_alone['median']:.2f} s same page alone",
            "ratio": s_crowd["median"] / s_alone["median"], "target": 3.0, "kind": "ratio"}


def bench_memory() -> dict:
    """One workshop: its memory barely moves between runs, and filling 30 kernels takes minutes."""
    with workshop_server(ROOM) as workshop:
        fills = workshop.fills()
        light = LightCrowd(workshop.links[:ROOM])
        light.start()
        try:
            light.wait()
            # Memory as the room holds it: the pages up and the spare kernels the pool keeps.
            workshop.wait_filled(fills, REFILL_S)
            workshop.settle()
            kernels = workshop.server.kernels()
            kernel_ids = {k.pid for k in kernels}
            total = harness.rss_mb(workshop.tree())
            per_kernel = [harness.rss_mb([k]) for k in kernels]
            server = harness.rss_mb([p for p in workshop.tree() if p.pid not in kernel_ids])
        finally:
            light.release()
    return {"row": f"workshop: {ROOM} participants with pages up, memory in all",
            "value": f"{total / 1000:.1f} GB",
            "floor": f"RSS of {len(kernels)} kernels (median {statistics.median(per_kernel):.0f} MB) "
                     f"+ {server:.0f} MB server",
            "ratio": total, "target": 6000, "kind": "MB"}


def run(runs: int) -> list[dict]:
    return [bench_join(runs), bench_memory()]


if __name__ == "__main__":
    started = time.perf_counter()
    for row in run(int(os.environ.get("WB_RUNS", "1"))):
        print(row)
    print(f"{time.perf_counter() - started:.0f} s")
