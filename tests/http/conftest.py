"""HTTP tier: `workbook serve`'s and `workbook workshop`'s Voila in the test process, fetched over HTTP.

No browser: what a request gets back (status, headers, body) and what the server does about it
(kernels started or not, its log) is checked directly. One server per module; see wb_http.py.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent):  # wb_http beside this file, tests/processes.py above it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from processes import free_port  # noqa: E402
from wb_http import SECRET, InProcessVoila  # noqa: E402

from workbook.store import ENV_VAR, Store  # noqa: E402

PARTICIPANTS = 3
TEST_TIMEOUT_S = 120


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is marked `http` and gets a timeout: a hung server fails the test, not the run."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.http)
            # the workshop's pool top-up, cancelled at the end while it waited (wb_http.py)
            item.add_marker(pytest.mark.filterwarnings(
                "ignore:coroutine '.*VoilaKernelManager._initialize' was never awaited:RuntimeWarning"))
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


def _jupyter_path() -> str:
    from workbook.cli import share_dir

    return os.pathsep.join(filter(None, [str(share_dir()), os.environ.get("JUPYTER_PATH")]))


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessVoila]:
    """`workbook serve` on a folder holding one private note: its class, arguments and environment."""
    from workbook import cli, server, voila_main

    data = tmp_path_factory.mktemp("person") / "data"
    Store(data).add("mood", {"mood": 4, "note": SECRET})
    port = free_port()

    def build() -> type:  # what workbook.voila_main.main does before launching
        server.accept_shutdown_beacons()
        server.bound_kernels(server.BoundedKernels, max_kernels=voila_main.MAX_KERNELS)
        return server.voila_class()

    command = cli.voila_command(cli.notebooks_dir() / cli.tools()["app"], port)
    assert command[1:3] == ["-m", "workbook.voila_main"], command
    token = secrets.token_urlsafe(32)
    env = {ENV_VAR: str(data), "JUPYTER_PATH": _jupyter_path(), server.TOKEN_ENV: token}
    running = InProcessVoila(build, command[3:], env, port, secret=token).start()
    yield running
    running.stop()


@dataclass
class Workshop:
    """A running workshop: its server, the participants' links and the facilitator's, and the
    pages opened so far (link -> what opening it returned)."""

    server: InProcessVoila
    links: list[str]
    admin: str
    root: Path
    pages: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """`workbook workshop --participants 3` with one kernel kept ready, as its command starts it."""
    from workbook import server
    from workbook import workshop as ws
    from workbook import workshop_server as wss
    from workbook.cli import notebooks_dir

    root = tmp_path_factory.mktemp("workshop") / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    group = ws.Workshop(root)
    group.save_settings(host="127.0.0.1", port=port, public_url=base)
    group.ensure(PARTICIPANTS)
    issued = group.issued()
    links = [i.url(base) for i in issued if i.member.role == ws.PARTICIPANT]
    admin = next(i.url(base) for i in issued if i.member.role == ws.FACILITATOR)

    def build() -> type:  # what workbook.workshop_server.main does before launching
        server.bound_kernels(wss.WorkshopKernels, max_kernels=PARTICIPANTS + 1)
        server.accept_shutdown_beacons()
        return wss.workshop_voila_class(ws.workshop_dir())

    argv = wss.voila_arguments(notebooks_dir() / wss.NOTEBOOK, "127.0.0.1", port, pool=1, idle_minutes=10)
    # The pool is not topped up while the tests run: a kernel starting in the middle of a test would
    # make "this request started no kernel" unprovable. (The command refills it after 15 s.)
    refill = f"--VoilaKernelManager.fill_delay={wss.REFILL_DELAY_S}"
    assert refill in argv, argv
    argv[argv.index(refill)] = "--VoilaKernelManager.fill_delay=3600"
    env = {ws.WORKSHOP_ENV: str(root), ENV_VAR: None, "QUERY_STRING": None,
           server.HOSTS_ENV: "127.0.0.1", "JUPYTER_PATH": _jupyter_path()}
    running = InProcessVoila(build, argv, env, port).start()
    yield Workshop(running, links, admin, root)
    running.stop()
