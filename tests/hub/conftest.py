"""The JupyterHub tier: deploy/jupyterhub/jupyterhub_config.py run for real on loopback.

`make hub-deps` (idempotent) installs JupyterHub and its plugins into the venv and
configurable-http-proxy from npm into .hub/. When that, or Debian's chromium, cannot be had,
the live tests fail if $CI is set and are skipped otherwise.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "tests") not in sys.path:  # tests/processes.py, whatever the import mode
    sys.path.insert(0, str(REPO / "tests"))

import processes  # noqa: E402
from processes import drain, free_port  # noqa: E402

HUB_CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HUB_START_TIMEOUT_S = 60
HUB_STOP_TIMEOUT_S = 40


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hub: a real JupyterHub on loopback from deploy/jupyterhub (make hub-deps)")


def unavailable(reason: str) -> None:
    """A missing prerequisite: a failure on CI, a skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def hub_deps() -> Path:
    """`make hub-deps`; returns the jupyterhub command beside this Python."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} not found: the hub test drives Debian's chromium (`make browser`)")
    if shutil.which("make") is None or shutil.which("npm") is None:
        unavailable("`make` and `npm` are needed to install the hub's dependencies (make hub-deps)")
    try:
        done = subprocess.run(["make", "--no-print-directory", "hub-deps"], cwd=REPO, text=True,
                              capture_output=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        unavailable(f"`make hub-deps` did not finish: {exc}")
    if done.returncode != 0:
        unavailable(f"`make hub-deps` failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    jupyterhub = Path(sys.executable).with_name("jupyterhub")
    if not jupyterhub.exists() or not PROXY.exists():
        unavailable(f"after `make hub-deps`, {jupyterhub} or {PROXY} is missing "
                    f"(is this Python the project's .venv? {sys.executable})")
    return jupyterhub


# -- a hub process -------------------------------------------------------------------------
@dataclass
class Hub:
    url: str                    # ends with "/"
    state: Path
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)

    @property
    def homes(self) -> Path:
        return self.state / "homes"

    def data_dir(self, user: str) -> Path:
        return self.homes / user / "between-sessions"

    def rows(self, user: str, kind: str) -> list[dict[str, str]]:
        path = self.data_dir(user) / f"{kind}.csv"
        if not path.exists():
            return []
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def log_tail(self, lines: int = 60) -> str:
        return "".join(self.log[-lines:])


def _default_sigint() -> None:
    # A shell's background job inherits SIGINT ignored; JupyterHub stops its servers and
    # services with SIGINT first, so give it (and them) the normal handler back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_hub(jupyterhub: Path, state: Path, auth: str, admins: str = "") -> Hub:
    """`jupyterhub -f deploy/jupyterhub/jupyterhub_config.py` on free loopback ports."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBOOK_", "JUPYTERHUB_"))}
    env.update({
        "WORKBOOK_HUB_AUTH": auth,
        "WORKBOOK_HUB_ADMINS": admins,
        "WORKBOOK_HUB_STATE": str(state),
        "WORKBOOK_HUB_PORT": str(port),
        "WORKBOOK_HUB_PROXY_API_PORT": str(free_port()),
        "WORKBOOK_HUB_INTERNAL_PORT": str(free_port()),
    })
    proc = subprocess.Popen([str(jupyterhub), "-f", str(HUB_CONFIG)], cwd=REPO, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", errors="replace", start_new_session=True,
                            preexec_fn=_default_sigint)
    hub = Hub(url=f"http://127.0.0.1:{port}/", state=state, proc=proc)
    threading.Thread(target=drain, args=(proc.stdout, hub.log), daemon=True).start()
    deadline = time.monotonic() + HUB_START_TIMEOUT_S
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({proc.returncode}):\n{hub.log_tail()}")
            try:
                with urllib.request.urlopen(hub.url + "hub/health", timeout=5) as response:
                    if response.status == 200:
                        return hub
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not answer in {HUB_START_TIMEOUT_S} s:\n{hub.log_tail()}")
            time.sleep(0.25)
    except BaseException:
        stop_hub(hub)
        raise


def stop_hub(hub: Hub) -> None:
    """SIGTERM the hub (it stops servers, proxy and culler); SIGKILL, by pid, what it left."""
    processes.stop(hub.proc, timeout=HUB_STOP_TIMEOUT_S)


@pytest.fixture
def hub_factory(hub_deps: Path, tmp_path: Path,
                request: pytest.FixtureRequest) -> Iterator[Callable[..., Hub]]:
    """Start hubs for this test (each with its own state folder); all stopped at teardown."""
    hubs: list[Hub] = []
    request.node.wb_hubs = hubs

    def make(auth: str, admins: str = "") -> Hub:
        hub = start_hub(hub_deps, tmp_path / f"state-{auth}-{len(hubs)}", auth, admins)
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        stop_hub(hub)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failure, show what the hub, its proxy and the users' servers logged."""
    report = yield
    if report.failed:
        for number, hub in enumerate(getattr(item, "wb_hubs", [])):
            report.sections.append((f"hub {number} log ({hub.url})", hub.log_tail(120)))
    return report


# -- the browser ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser(hub_deps, playwright_instance):
    chromium = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
