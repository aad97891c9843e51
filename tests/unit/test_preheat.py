"""`workbook serve`'s preheated kernel: counted in the bound, claimed only through the server,
and the person's App built from the folder as it is when the page is opened."""

from __future__ import annotations

import asyncio
import itertools
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from workbook import preheat, server
from workbook.cli import preheat_arguments
from workbook.store import Store


def run_async(coroutine):
    """On a loop of its own, in a thread (a browser tier's Playwright may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class _Task:
    """A pool entry as Voila keeps it: a finished task whose result names its kernel."""

    def __init__(self, kernel_id: str):
        self.kernel_id = kernel_id

    def done(self) -> bool:
        return True

    def cancelled(self) -> bool:
        return False

    def exception(self):
        return None

    def result(self) -> dict:
        return {"kernel_id": self.kernel_id}

    def __await__(self):
        return self.result()
        yield  # an awaitable that is already done


class _FakeVoilaManager:
    """What PooledKernels relies on in Voila's preheating kernel manager."""

    notebook_path = "app.ipynb"

    def __init__(self) -> None:
        self.kernel_pools_config = {"default": {"pool_size": 1}}
        self._pools: dict[str, list] = {"app.ipynb": []}
        self.kernels: list[str] = []
        self.started_env: list[dict] = []
        self.pool_env: list[dict] = []
        self.log = logging.getLogger("test.preheat")
        self.ids = itertools.count()

    def list_kernel_ids(self) -> list[str]:
        return list(self.kernels)

    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None, **kw):
        self.pool_env.append(dict(extra_kernel_env_variables or {}))
        while len(self._pools[notebook_name]) < self.kernel_pools_config["default"]["pool_size"]:
            kid = f"k{next(self.ids)}"
            self.kernels.append(kid)
            self._pools[notebook_name].append(_Task(kid))

    async def start_kernel(self, **kwargs) -> str:
        self.started_env.append(dict(kwargs.get("env") or {}))
        kid = f"k{next(self.ids)}"
        self.kernels.append(kid)
        return kid

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        self.kernels.remove(kernel_id)

    def take(self) -> str:
        """A request that proved the key takes the pooled kernel; Voila then tops the pool up."""
        kid = self._pools["app.ipynb"].pop(0).kernel_id
        self.fill_if_needed(notebook_name="app.ipynb",
                            extra_kernel_env_variables={"VOILA_REQUEST_URL": "http://h/?token=KEY"})
        return kid


class _Kernels(server.PooledKernels, _FakeVoilaManager):
    max_kernels = 3
    loading_grace_s = 0.0  # a page that never connected counts as closed at once here


def test_the_pooled_kernel_counts_in_the_bound():
    from tornado import web

    km = _Kernels()
    km.fill_if_needed(notebook_name="app.ipynb")
    assert len(km._pools["app.ipynb"]) == 1 and km.in_use() == 0
    km.take()
    km.take()
    assert km.in_use() == 2 and len(km._pools["app.ipynb"]) == 1  # two pages, one kernel waiting
    km.take()  # the third page: no room left for a pooled kernel
    assert km.in_use() == 3 and len(km._pools["app.ipynb"]) == 0
    assert len(km.list_kernel_ids()) == 3
    km.evict_closed = False
    with pytest.raises(web.HTTPError) as refused:
        run_async(km.start_kernel(env={}))
    assert refused.value.status_code == 503
    run_async(km.shutdown_kernel("k0"))  # a page gave its kernel back: the pool is topped up
    assert len(km._pools["app.ipynb"]) == 1 and len(km.list_kernel_ids()) == 3


def test_room_made_for_a_request_is_not_taken_by_the_pool():
    km = _Kernels()
    km.fill_if_needed(notebook_name="app.ipynb")
    km.take(), km.take(), km.take()
    assert len(km.list_kernel_ids()) == 3 and not km._pools["app.ipynb"]
    kid = run_async(km.start_kernel(env={}))  # full: a page that never connected is given back
    assert kid in km.list_kernel_ids() and len(km.list_kernel_ids()) == 3
    assert not km._pools["app.ipynb"]


def test_a_person_comes_before_a_kernel_kept_for_nobody():
    km = _Kernels()
    km.evict_closed = False
    km.fill_if_needed(notebook_name="app.ipynb")
    km.take(), km.take()
    pooled = km._pools["app.ipynb"][0].kernel_id
    assert len(km.list_kernel_ids()) == 3  # two pages and the pooled kernel: full
    kid = run_async(km.start_kernel(env={}))
    assert pooled not in km.list_kernel_ids() and kid in km.list_kernel_ids()
    assert len(km.list_kernel_ids()) == 3 and not km._pools["app.ipynb"]


def test_only_a_ready_kernel_is_handed_out():
    km = _Kernels()
    km._pools["app.ipynb"].append(_Task("k9"))
    assert km.get_pool_size("app.ipynb") == 1
    starting = _Task("k10")
    starting.done = lambda: False  # still starting (or waiting out the refill's delay)
    km._pools["app.ipynb"][:] = [starting]
    assert km.get_pool_size("app.ipynb") == 0


def test_the_key_never_reaches_a_kernel_environment():
    km = _Kernels()
    km.fill_if_needed(notebook_name="app.ipynb",
                      extra_kernel_env_variables={"VOILA_REQUEST_URL": "http://h/?token=KEY"})
    km.take()
    assert km.pool_env and all("KEY" not in str(env) for env in km.pool_env)
    run_async(km.start_kernel(env={"QUERY_STRING": "token=KEY", "VOILA_REQUEST_URL": "http://h/?token=KEY",
                                   "PATH": "/bin"}))
    assert km.started_env[-1] == {"PATH": "/bin"}


def test_the_request_info_socket_hands_a_claim_once_without_the_key():
    handler = server.request_info_handler("s3cret")
    sent: list[dict] = []

    class Waiter:
        def write_message(self, payload: dict) -> None:
            sent.append(payload)

    handler.send_updates({"kernel_id": "k1", "payload": {"QUERY_STRING": "token=KEY",
                                                         "VOILA_REQUEST_URL": "http://h/?token=KEY",
                                                         "SERVER_NAME": "127.0.0.1"}})
    assert "KEY" not in str(handler._cache["k1"])
    handler.forget("k1")  # its kernel shut down before it asked: nothing kept
    assert "k1" not in handler._cache
    handler._waiters["k2"] = Waiter()
    handler.send_updates({"kernel_id": "k2", "payload": {"QUERY_STRING": "token=KEY"}})
    assert sent == [{"QUERY_STRING": ""}] and "k2" not in handler._waiters
    assert handler.check_origin(None, "http://127.0.0.1:8866") is False  # no browser gets in


def test_serve_preheats_one_kernel_of_the_app_only():
    args = preheat_arguments()
    assert "--preheat_kernel=True" in args and "--pool_size=1" in args


def test_a_kernel_started_for_a_request_builds_at_once_and_forgets_the_request(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr("workbook.request_info.wait_for_request", lambda url=None: calls.append(url))
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv(preheat.QUERY_URL_ENV, "ws://127.0.0.1:1/voila/query/s3cret")
    monkeypatch.setenv("QUERY_STRING", "token=KEY")
    assert preheat.wait_until_claimed() is False and calls == []
    for name in preheat.SECRET_ENV:
        assert name not in __import__("os").environ


def test_a_pooled_kernel_builds_the_app_from_the_folder_as_it_is_when_claimed(tmp_path, monkeypatch):
    """The App is built after the claim: an entry saved while the kernel waited (another tab) is
    there, the first-run welcome is not, and warming built no widgets of its own."""
    from ipywidgets.widgets import widget as widget_module

    from workbook.ui.app import app

    data = tmp_path / "data"
    Store(data)  # an empty folder when the kernel is started

    def claimed(url=None):
        assert url == "ws://127.0.0.1:1/voila/query/s3cret"
        Store(data).add("mood", {"mood": 6, "note": "saved in another tab"})

    monkeypatch.setattr("workbook.request_info.wait_for_request", claimed)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv(preheat.QUERY_URL_ENV, "ws://127.0.0.1:1/voila/query/s3cret")
    before = set(widget_module._instances)
    page = app(str(data))
    assert preheat.QUERY_URL_ENV not in __import__("os").environ
    assert not page.welcome.children  # the folder has an entry now: no first-run welcome
    page.show("mood")
    assert "saved in another tab" in str([c.get_state() for c in _tree(page)])
    built = set(widget_module._instances) - before
    shown = {c.model_id for c in _tree(page)}
    assert len(built - shown) < 20, "widgets were built that the page does not show"


def _tree(widget) -> list:
    """Every widget reachable from `widget` (children, layouts, styles)."""
    import ipywidgets as w

    seen, todo, out = set(), [widget], []
    while todo:
        item = todo.pop()
        if not isinstance(item, w.Widget) or item.model_id in seen:
            continue
        seen.add(item.model_id)
        out.append(item)
        for name in item.keys:
            value = getattr(item, name, None)
            todo.extend(value if isinstance(value, (list, tuple)) else [value])
    return out
