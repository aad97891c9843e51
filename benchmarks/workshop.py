"""Workshop rows for benchmarks/run.py (`--only workshop`): a room of people saving a check-in.

    python benchmarks/run.py --runs 3 --only workshop
    python benchmarks/workshop.py          # the same rows, printed (WB_RUNS=3 for three rounds)

Rows:
  save    12 participants open their private links at the same moment and each saves a mood
          check-in (link opened -> Mood -> Save clicked the moment it shows -> "Saved"); the
          figure is the slowest confirmed save against one participant alone doing the same on
          the same server                                                      target <= 2x
  memory  30 participants, each with their page up and a check-in saved: the server and all its
          kernels (the spare kernels it keeps ready included), as unique memory  target <= 5 GB

What is real. Everything on the server's side is: a real `workbook workshop --participants N`
(its hardened Voila, link checks, preheated pool, request-info socket), real kernels, real
participants' folders and CSV files. Of the 12 participants, one is a real headless Chromium
page (it opens its link, clicks *Mood check-in* as soon as it shows, clicks *Save* the moment it
is visible and waits until the page shows "Saved"). The other 11 are lightweight clients that
make the server and their kernel do what a page makes them do, including the save: GET the
link (the kernel builds that participant's app) and every script and stylesheet the page names,
open the kernel websocket with the cookie the link was exchanged for (in the binary protocol
the page's widget manager asks for, `PROTOCOL`), kernel_info and
comm_info requests, the widget manager's request_states (every widget's state sent), then the
comm message a click on the Mood button sends, then, as soon as the mood form's Save button
exists, the message a click on it sends, and wait for the status widget's update that says
"Saved" (the model the page draws as `.wb-page-mood .wb-form .wb-status .wb-ok`). They draw
nothing: eleven more Chromiums would fight the measured one and the server for this machine's
two cores, while in a room each person brings their own device. Each kind is compared with
itself alone, on the same server in the same run: the real page alone vs the real page among
11 others, one lightweight participant alone vs the slowest of the 11; the figure is the worse
of the two ratios (medians over the runs). Rounds alternate which comes first (alone or crowd),
the first round is discarded (it warms disks and caches), and before each measurement the
server's pool of kept kernels is full again and quiet, as people find it when they arrive.
When a page or client is done it gives its kernel back the way a closed tab does (Voila's
shutdown request), so each round starts from the same state.

Memory is counted as PSS (proportional set size, psutil's `memory_full_info().pss`, read from
/proc/PID/smaps_rollup), summed over `workbook workshop`, its Voila server and every kernel.
RSS double-counts what the processes share (Python itself, the shared libraries: each of 33
kernels would count them again); USS counts only each process's own pages and so leaves the
shared ones out altogether. PSS splits each shared page between the processes that map it, so
the sum over the tree is what the workshop occupies in RAM. RSS and USS are reported beside it.
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
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import psutil
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

from workbook.workshop_command import REFILL_DELAY_S

CROWD = 12                # participants opening their links at the same moment (one in Chromium)
ROOM = 30                 # participants with their pages up, for the memory row
SAVE_TARGET = 2.0         # slowest confirmed save among the crowd vs one alone
ROOM_TARGET_MB = 5000     # 30 participants, server and kernels, unique memory
READY_MS = 300_000        # a page must save within this, even on a loaded machine
CLIENT_S = 300.0          # the same bound for a lightweight client
FILL_S = 900              # the pool of a 30-person workshop fills within this
QUIET_S = 300             # kernels go quiet within this after filling
SAVED = ".wb-page-mood .wb-form .wb-status .wb-ok"
_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', re.S)
_ASSETS = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"')
_KEPT = re.compile(r"Kernels: (\d+) kept ready, at most (\d+)")


# -- the server ----------------------------------------------------------------------------
class Workshop:
    def __init__(self, server: harness.Server):
        self.server = server

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in list(self.server.log)
                if line.startswith("http") and "key=" in line]

    def kept(self) -> int:
        """How many kernels the server keeps ready (its pool), as it printed."""
        for line in list(self.server.log):
            found = _KEPT.search(line)
            if found:
                return int(found[1])
        raise RuntimeError("the server did not say how many kernels it keeps ready")

    def tree(self) -> list[psutil.Process]:
        """`workbook workshop`, the Voila server it starts and that server's kernels."""
        try:
            top = psutil.Process(self.server.proc.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def ready(self, timeout: float = FILL_S) -> None:
        """Until the pool holds its kernels again, all started and quiet, and no page is open:
        the state a participant finds when they arrive."""
        deadline = time.monotonic() + timeout
        target = self.kept()
        while time.monotonic() < deadline:
            if self.server.proc.poll() is not None:
                raise RuntimeError("workbook workshop stopped:\n" + "".join(self.server.log[-30:]))
            if len(self.server.kernels()) == target:
                self.settle(deadline - time.monotonic())
                if len(self.server.kernels()) == target:
                    return
            time.sleep(0.5)
        raise TimeoutError(f"the pool never came back to {target} quiet kernels:\n"
                           + "".join(self.server.log[-30:]))

    def settle(self, timeout: float = QUIET_S) -> None:
        """Until the kernels have gone quiet (imports and app building done)."""
        deadline = time.monotonic() + max(timeout, 5)
        while time.monotonic() < deadline:
            kernels = self.server.kernels()
            before = _cpu(kernels)
            time.sleep(2)
            if kernels and (_cpu(kernels) - before) / 2 < 0.03 * len(kernels):
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
    """A fresh `workbook workshop` with its defaults, in a folder of its own, its pool of kernels
    filled and quiet. Stopped on the way out with everything it started."""
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
                workshop.ready()
                started.update(workshop.tree())
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


# -- memory ----------------------------------------------------------------------------------
def memory_mb(processes: list[psutil.Process]) -> dict[str, float]:
    """PSS, USS and RSS summed over `processes`, in MB (see the module's docstring for why PSS)."""
    out = {"pss": 0.0, "uss": 0.0, "rss": 0.0}
    for proc in processes:
        try:
            info = proc.memory_full_info()
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        for name in out:
            out[name] += getattr(info, name) / 1e6
    return out


# -- participants without a browser ---------------------------------------------------------
# The page's widget manager asks for Jupyter Server's binary websocket protocol, in which the
# server passes each message's frames through as they are; clients speaking the older JSON one
# would make the server decode and encode every message, work no page asks of it.
PROTOCOL = "v1.kernel.websocket.jupyter.org"


def _message(session: str, msg_type: str, content: dict, metadata: dict | None = None) -> bytes:
    header = {"msg_id": uuid.uuid4().hex, "username": "bench", "session": session,
              "msg_type": msg_type, "version": "5.3",
              "date": dt.datetime.now(dt.timezone.utc).isoformat()}
    parts = [header, {}, metadata or {}, content]
    return serialize_msg_to_ws_v1([json.dumps(part).encode() for part in parts], "shell")


def _decode(frame: bytes) -> dict:
    """A kernel message from the websocket, in the binary protocol: its channel, then its
    header, parent header, metadata and content as JSON, then any buffers."""
    if isinstance(frame, str):
        raise RuntimeError("the server answered in the JSON protocol, which no page asks for")
    _channel, parts = deserialize_msg_from_ws_v1(frame)
    header = json.loads(parts[0])
    return {"msg_type": header.get("msg_type"), "header": header, "content": json.loads(parts[3])}


class Widgets:
    """The widget models a page would hold, kept from the kernel's messages."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}

    def take(self, msg: dict) -> None:
        kind, content = msg.get("msg_type"), msg.get("content", {})
        data = content.get("data") or {}
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.state[content["comm_id"]] = dict(data.get("state") or {})
        elif kind == "comm_msg" and data.get("method") in ("update", "echo_update"):
            self.state.setdefault(content["comm_id"], {}).update(data.get("state") or {})
        elif kind == "comm_msg" and data.get("method") == "update_states":
            for model_id, entry in (data.get("states") or {}).items():
                self.state.setdefault(model_id, {}).update(entry.get("state") or {})
        elif kind == "comm_close":
            self.state.pop(content.get("comm_id"), None)

    def with_class(self, css: str, within: str | None = None) -> list[str]:
        """Models that carry the class `css` (in tree order below `within`, when given)."""
        ids = self.below(within) if within else list(self.state)
        return [i for i in ids if css in (self.state.get(i, {}).get("_dom_classes") or ())]

    def below(self, root: str) -> list[str]:
        """`root` and every model reachable from it through children, depth first, in order."""
        out, todo, seen = [], [root], set()
        while todo:
            model = todo.pop(0)
            if model in seen or model not in self.state:
                continue
            seen.add(model)
            out.append(model)
            children = [c[len("IPY_MODEL_"):] for c in self.state[model].get("children") or ()
                        if isinstance(c, str) and c.startswith("IPY_MODEL_")]
            todo[:0] = children
        return out

    def saved(self) -> bool:
        """Whether the mood form shows "Saved" (what the page draws as `SAVED`)."""
        for page in self.with_class("wb-page-mood"):
            for form in self.with_class("wb-form", within=page):
                for status in self.with_class("wb-status", within=form):
                    if 'class="wb-ok"' in str(self.state[status].get("value", "")):
                        return True
        return False

    def save_button(self) -> str | None:
        for page in self.with_class("wb-page-mood"):
            for form in self.with_class("wb-form", within=page):
                found = self.with_class("wb-save", within=form)
                if found:
                    return found[0]
        return None


class LightCrowd:
    """Participants that open their links at the same moment and save a check-in, without a
    browser, in a thread of their own (see the module's docstring for exactly what they send).

    Each keeps its connection, so its kernel and page stay up, until `release()`, which gives
    the kernels back as closing a tab does."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.go = threading.Barrier(2)
        self.hold = threading.Event()
        self.done = threading.Event()
        self.results: list[dict[str, float]] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Returns when the clients are about to start: time a page you measure from here."""
        self.thread.start()
        self.go.wait(60)

    def wait(self, timeout: float = CLIENT_S + 60) -> list[dict[str, float]]:
        """Until every client has seen "Saved"; per client: html, state, saved (s from opening)."""
        if not self.done.wait(timeout):
            raise TimeoutError("lightweight clients did not finish")
        if self.error is not None:
            raise RuntimeError(f"a lightweight client failed: {self.error!r}") from self.error
        return self.results

    def release(self) -> None:
        self.hold.set()
        self.thread.join(60)

    def _run(self) -> None:
        try:
            asyncio.run(self._crowd())
        except Exception as exc:  # noqa: BLE001 - handed to the main thread
            self.error = self.error or exc
        finally:
            self.done.set()

    async def _crowd(self) -> None:
        from tornado.httpclient import AsyncHTTPClient

        # Tornado's client queues beyond 10 requests at a time by default: everyone at once here.
        http = AsyncHTTPClient(force_instance=True, max_clients=4 * len(self.urls) + 8)
        opened: list[tuple] = []  # (connection, shutdown URL, cookie)
        try:
            self.go.wait(60)
            tasks = [asyncio.ensure_future(self._client(http, url, opened)) for url in self.urls]
            try:
                self.results = list(await asyncio.gather(*tasks))
            except Exception as exc:  # noqa: BLE001 - handed to the main thread
                self.error = exc
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            self.done.set()
            await asyncio.to_thread(self.hold.wait, 3600)
        finally:
            await asyncio.gather(*(self._leave(http, *item) for item in opened),
                                 return_exceptions=True)
            http.close()

    @staticmethod
    async def _leave(http, conn, shutdown_url: str, cookie: str) -> None:
        """As a closed tab: Voila's page asks for its kernel's shutdown, then the socket closes."""
        await http.fetch(shutdown_url, method="POST", body=b"", headers={"Cookie": cookie},
                         raise_error=False, request_timeout=30)
        conn.close()

    async def _client(self, http, url: str, opened: list) -> dict[str, float]:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        start = time.perf_counter()
        response = await http.fetch(url, request_timeout=CLIENT_S, connect_timeout=CLIENT_S)
        html = response.body.decode()
        cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_list("Set-Cookie"))
        origin = url.split("/", 3)[:3]
        assets = [a if a.startswith("http") else "/".join(origin) + a
                  for a in _ASSETS.findall(html) if a.startswith(("/", "http://127.0.0.1"))]
        await asyncio.gather(*(http.fetch(a, headers={"Cookie": cookie}, raise_error=False,
                                          request_timeout=CLIENT_S) for a in assets))
        html_s = time.perf_counter() - start
        config = json.loads(_CONFIG.search(html)[1])
        base = config.get("baseUrl") or "/"
        server = "/".join(origin)
        session = uuid.uuid4().hex
        conn = await websocket_connect(HTTPRequest(
            f"{server.replace('http://', 'ws://')}{base}api/kernels/{config['kernelId']}/channels"
            f"?session_id={session}", headers={"Cookie": cookie},
            connect_timeout=CLIENT_S, request_timeout=CLIENT_S), max_message_size=64 * 2**20,
            subprotocols=[PROTOCOL])
        if conn.selected_subprotocol != PROTOCOL:
            raise RuntimeError(f"the server did not take {PROTOCOL}, as it does for a page")
        opened.append((conn, f"{server}{base}voila/api/shutdown/{config['kernelId']}", cookie))
        def send(message: bytes):
            return conn.write_message(message, binary=True)

        await send(_message(session, "kernel_info_request", {}))
        await send(_message(session, "comm_info_request", {"target_name": "jupyter.widget"}))
        control = uuid.uuid4().hex
        await send(_message(session, "comm_open", {
            "comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            metadata={"version": "1.0.0"}))
        await send(_message(session, "comm_msg", {"comm_id": control,
                                                  "data": {"method": "request_states"}}))
        models = Widgets()
        times = {"html": html_s}
        clicked_save = False
        deadline = time.monotonic() + CLIENT_S
        while True:
            frame = await asyncio.wait_for(conn.read_message(), max(1.0, deadline - time.monotonic()))
            if frame is None:
                raise RuntimeError("the kernel websocket closed before the check-in was saved")
            msg = _decode(frame)
            models.take(msg)
            if "state" not in times and msg.get("content", {}).get("data", {}).get(
                    "method") == "update_states":
                times["state"] = time.perf_counter() - start
                nav = models.with_class("wb-nav-mood")
                if not nav:
                    raise RuntimeError("no Mood button among the page's widgets")
                await send(_click(session, nav[0]))
            if "state" in times and not clicked_save:
                save = models.save_button()
                if save:  # clicked the moment it exists, as a person clicks it once it shows
                    times["save_shown"] = time.perf_counter() - start
                    await send(_click(session, save))
                    clicked_save = True
            if clicked_save and models.saved():
                times["saved"] = time.perf_counter() - start
                return times


def _click(session: str, model_id: str) -> str:
    """The message ipywidgets' Button view sends when it is clicked."""
    return _message(session, "comm_msg", {"comm_id": model_id,
                                          "data": {"method": "custom", "content": {"event": "click"}}})


# -- the real page ------------------------------------------------------------------------------
def time_save(browser, url: str) -> dict[str, float]:
    """A participant in Chromium: open the link, click Mood as soon as it shows, click Save the
    moment it is visible, until the page says "Saved"; then close the page as a tab is closed."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=READY_MS)
        page.click(".wb-nav-mood", timeout=READY_MS)
        page.wait_for_selector(".wb-page-mood .wb-save", state="visible", timeout=READY_MS)
        shown = time.perf_counter() - start
        page.click(".wb-page-mood .wb-save", timeout=READY_MS)
        page.wait_for_selector(SAVED, state="visible", timeout=READY_MS)
        return {"save_shown": shown, "saved": time.perf_counter() - start}
    except Exception as exc:  # what the page showed instead, for the report
        try:
            shown_text = page.inner_text("body", timeout=5000)[:400]
        except Exception:  # noqa: BLE001 - the page itself is gone
            shown_text = "(no page)"
        raise RuntimeError(f"the page never said Saved; it showed: {shown_text!r}") from exc
    finally:
        harness.close(page, context)


def light_alone(url: str) -> dict[str, float]:
    crowd = LightCrowd([url])
    crowd.start()
    try:
        return crowd.wait()[0]
    finally:
        crowd.release()


def bench_save(runs: int) -> list[dict]:
    """12 open their links at the same moment and each saves a check-in, vs one alone."""
    real_alone: list[float] = []
    real_crowd: list[float] = []
    light_one: list[float] = []
    light_slowest: list[float] = []
    load: list[float] = []
    failures: list[str] = []
    with harness.chromium() as browser, workshop_server(CROWD) as workshop:
        links = workshop.links
        for round_ in range(runs + 1):  # the first round warms disks and caches: discarded
            order = ["alone", "crowd"] if round_ % 2 == 0 else ["crowd", "alone"]
            for what in order:
                if what == "alone":
                    workshop.ready()
                    real = time_save(browser, links[0])["saved"]
                    workshop.ready()
                    light = light_alone(links[1])["saved"]
                    if round_:
                        real_alone.append(real)
                        light_one.append(light)
                    continue
                workshop.ready()
                crowd = LightCrowd(links[1:CROWD])  # 11 others; the Chromium page makes 12
                crowd.start()
                try:
                    try:
                        real = time_save(browser, links[0])["saved"]
                    except RuntimeError as exc:  # counted as never saved, and said
                        failures.append(str(exc))
                        real = float("inf")
                    others = crowd.wait()
                finally:
                    crowd.release()
                if round_:
                    real_crowd.append(real)
                    light_slowest.append(max(o["saved"] for o in others))
                    load.append(os.getloadavg()[0])
    ra, rc = statistics.median(real_alone), statistics.median(real_crowd)
    la, lc = statistics.median(light_one), statistics.median(light_slowest)
    ratio = max(rc / ra, lc / la)
    s_rc, s_lc = harness.summary(real_crowd), harness.summary(light_slowest)
    return [{"row": f"workshop: {CROWD} open their links at the same moment and each saves a "
                    "mood check-in; slowest confirmed save (\"Saved\") vs one alone",
             "value": f"Chromium page {rc:.2f} s ({s_rc['min']:.2f}-{s_rc['max']:.2f}) among "
                      f"{CROWD - 1} others, {rc / ra:.2f}x; slowest of those {CROWD - 1} {lc:.2f} s "
                      f"({s_lc['min']:.2f}-{s_lc['max']:.2f}), {lc / la:.2f}x; load "
                      f"{statistics.median(load):.1f}"
                      + (f"; {len(failures)} Chromium page(s) never said Saved: {failures[0]}"
                         if failures else ""),
             "floor": f"alone: Chromium page {ra:.2f} s, protocol client {la:.2f} s",
             "ratio": ratio, "target": SAVE_TARGET, "kind": "ratio"}]


def bench_memory() -> list[dict]:
    """One workshop of 30, everyone's page up with a check-in saved: what it occupies in all."""
    with workshop_server(ROOM) as workshop:
        idle = memory_mb(workshop.tree())
        crowd = LightCrowd(workshop.links[:ROOM])
        crowd.start()
        try:
            crowd.wait()
            # as the room holds it: every page up, and the spare kernels the pool tops up (it
            # waits REFILL_DELAY_S after people join, then starts them)
            time.sleep(REFILL_DELAY_S + 5)
            workshop.settle()
            tree = workshop.tree()
            kernels = workshop.server.kernels()
            kernel_ids = {k.pid for k in kernels}
            total = memory_mb(tree)
            per_kernel = [memory_mb([k])["pss"] for k in kernels]
            server = memory_mb([p for p in tree if p.pid not in kernel_ids])
        finally:
            crowd.release()
    spares = len(kernels) - ROOM
    return [{"row": f"workshop: {ROOM} participants, each page up with a check-in saved: server "
                    "and kernels in all (unique memory, PSS)",
             "value": f"{total['pss'] / 1000:.2f} GB PSS (RSS would say {total['rss'] / 1000:.2f} GB, "
                      f"USS {total['uss'] / 1000:.2f} GB)",
             "floor": f"{len(kernels)} kernels ({ROOM} pages + {spares} kept ready; median "
                      f"{statistics.median(per_kernel):.0f} MB PSS) + {server['pss']:.0f} MB server; "
                      f"{idle['pss'] / 1000:.2f} GB before anyone joined",
             "ratio": total["pss"], "target": ROOM_TARGET_MB, "kind": "MB"}]


def run(runs: int) -> list[dict]:
    return [*bench_save(runs), *bench_memory()]


if __name__ == "__main__":
    started = time.perf_counter()
    for row in run(int(os.environ.get("WB_RUNS", "1"))):
        print(row)
    print(f"{time.perf_counter() - started:.0f} s")
