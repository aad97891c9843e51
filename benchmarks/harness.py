"""Plumbing for the benchmarks: servers, Chromium, kernels' memory, statistics.

Every figure is measured beside a floor in the same run on the same machine, because these
machines are shared and noisy; results are reported as ratios with median and spread.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("WB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)
    preheated: bool = False  # keeps a kernel started ahead of time (Voila's pool)

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes this server started."""
        try:
            parent = psutil.Process(self.proc.pid)
        except psutil.NoSuchProcess:
            return []
        found = []
        for child in parent.children(recursive=True):
            try:  # a kernel shut down a moment ago is a zombie until reaped: not counted
                if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(child.cmdline()):
                    found.append(child)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return found


def wait_kernels(server: Server, at_most: int, timeout: float = 30) -> None:
    """Until the server runs at most `at_most` kernels (a closed page's kernel is given back
    a moment after it closes; the server refuses pages beyond its bound)."""
    deadline = time.monotonic() + timeout
    while len(server.kernels()) > at_most and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_pool(server: Server, timeout: float = 120) -> None:
    """Until a server with a preheated kernel has one ready again, done with its start-up work
    (the kernel idle): as when a person opens the workbook a while after starting it. Nothing
    to wait for on a server without a pool."""
    if not server.preheated:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = "".join(server.log)
        if log.count("is filled with 1 kernel") > log.count("Using pre-heated kernel"):
            break
        time.sleep(0.2)
    while time.monotonic() < deadline:  # the newest kernel's imports and reads are done
        kernels = sorted(server.kernels(), key=lambda k: k.create_time())
        try:
            if kernels and kernels[-1].cpu_percent(interval=0.5) < 5:
                return
        except psutil.NoSuchProcess:
            continue


def close(page, context) -> None:
    """Close a page as a person closes a tab: its `beforeunload` runs, so Voila's page asks
    for its kernel's shutdown (closing the context alone skips it, and the kernel stays)."""
    try:
        page.close(run_before_unload=True)
        deadline = time.monotonic() + 5
        while not page.is_closed() and time.monotonic() < deadline:
            time.sleep(0.05)
    except Exception:  # noqa: BLE001 - already closed, or the page never loaded
        pass
    context.close()


def _drain(stream, sink: list[str]) -> None:
    for line in iter(stream.readline, ""):
        sink.append(line)


def _wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def _printed_url(server: Server, timeout: float = 90) -> str:
    """The address the server printed on a line of its own (with its launch key)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        urls = [line.strip() for line in server.log if line.startswith("http://")]
        if urls:
            return urls[0]
        if server.proc.poll() is not None:
            raise RuntimeError("the server exited before printing its address:\n"
                               + "".join(server.log[-30:]))
        time.sleep(0.05)
    raise TimeoutError("no address printed:\n" + "".join(server.log[-30:]))


@contextmanager
def serve_command(command: list[str], url: str | None, env: dict | None = None) -> Iterator[Server]:
    """Run a server; `url=None` means: use the address it prints (the only way in)."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True, cwd=REPO)
    server = Server(url=url or "", proc=proc)
    threading.Thread(target=_drain, args=(proc.stdout, server.log), daemon=True).start()
    try:
        if not server.url:
            server.url = _printed_url(server)
        _wait_http(server.url)
        yield server
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


FLOOR_CELL = """import ipywidgets as w
word = w.HTML()
word.add_class('floor-word')
button = w.Button(description='Save')
button.add_class('floor-button')
button.on_click(lambda _: setattr(word, 'value', '<span class="floor-saved">Saved</span>'))
w.VBox([button, word])"""


def one_button_notebook(folder: Path) -> Path:
    """The floor: a notebook with one ipywidgets button whose click shows a word, nothing else."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "one_button.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@contextmanager
def stock_voila(notebook: Path, extra: list[str] | None = None) -> Iterator[Server]:
    """Stock Voila from the same environment, default template."""
    port = free_port()
    command = [str(BIN / "voila"), str(notebook), f"--port={port}", "--no-browser",
               "--Voila.ip=127.0.0.1", *(extra or [])]
    with serve_command(command, f"http://127.0.0.1:{port}/") as server:
        server.preheated = "--preheat_kernel=True" in command
        yield server


@contextmanager
def workbook_serve(data_dir: Path) -> Iterator[Server]:
    port = free_port()
    command = [str(BIN / "workbook"), "serve", "--no-browser", "--port", str(port),
               "--data-dir", str(data_dir)]
    with serve_command(command, None) as server:  # the printed address, with its key
        server.preheated = True  # `workbook serve` keeps one app kernel ready
        yield server


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ByteCounter:
    """Bytes the page received: HTTP bodies and websocket frames (from the DevTools protocol)."""

    def __init__(self, page):
        self.http = 0
        self.ws = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.loadingFinished", self._finished)
        session.on("Network.webSocketFrameReceived", self._frame)

    def _finished(self, event: dict) -> None:
        self.http += int(event.get("encodedDataLength", 0))

    def _frame(self, event: dict) -> None:
        payload = event.get("response", {}).get("payloadData", "")
        self.ws += len(payload.encode("utf-8")) if isinstance(payload, str) else 0

    @property
    def total(self) -> int:
        return self.http + self.ws


def rss_mb(processes: list[psutil.Process]) -> float:
    total = 0
    for proc in processes:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 1e6


def summary(values: list[float]) -> dict:
    """Median and spread (min-max, and the interquartile range when there are enough runs)."""
    ordered = sorted(values)
    out = {"median": statistics.median(ordered), "min": ordered[0], "max": ordered[-1],
           "runs": len(ordered)}
    if len(ordered) >= 4:
        q = statistics.quantiles(ordered, n=4)
        out["iqr"] = (q[0], q[2])
    return out


def dump(results: dict, path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
