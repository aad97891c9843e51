"""Browser tier: Debian's Chromium (through Playwright) against a real `workbook serve`.

One Voila server serves the whole session from a temporary data folder; each test gets
a fresh browser context and page (so a fresh kernel and a fresh App). A test that needs
a data folder nobody else writes to asks for `fresh_server` and its `page` is opened on
that server instead.

Every page is watched: a request to any host other than the server's own (data: and
blob: URLs aside) or any JavaScript dialog (alert, confirm, prompt) fails the test at
teardown. When a test fails, its report also shows Python errors and stderr the kernel
sent, the last kernel messages and the server's log, since Voila shows no tracebacks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the helpers beside this file, whatever the import mode
    sys.path.insert(0, str(HERE))

from wb_browser import (  # noqa: E402
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    Watch,
    observe,
    open_app,
    start_server,
    stop_server,
)

VIEWPORT = {"width": 1000, "height": 900}
TEST_TIMEOUT_S = 180           # per test (pytest-timeout)

# A kernel round trip (a click, then the page changes) can wait behind a chart being drawn on
# this 2-core machine while other tests run: every expectation gets the same room as a wait.
expect.set_options(timeout=ACTION_TIMEOUT_MS)


# -- marking -----------------------------------------------------------------------------
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test with a generous timeout."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


def unavailable(reason: str) -> None:
    """A missing prerequisite: a hard failure on CI, a clear skip on a developer machine."""
    if os.environ.get("CI"):
        pytest.fail(reason + " CI is set, so this is a failure, not a skip.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """No Chromium: a hard failure on CI, a clear skip on a developer machine."""
    if Path(CHROMIUM).exists():
        return
    unavailable(f"{CHROMIUM} not found: the browser tests use Debian's chromium "
                "(`make browser` or `apt-get install chromium`).")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shared server; tests on it use text of their own to find their rows."""
    srv = start_server(tmp_path_factory.mktemp("shared") / "data")
    yield srv
    stop_server(srv)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server on an empty data folder of its own, for tests that count entries."""
    srv = start_server(tmp_path / "data")
    yield srv
    stop_server(srv)


AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_path() -> Path:
    if AXE_JS.exists():
        return AXE_JS
    unavailable(f"{AXE_JS} not found: `make browser` installs axe-core "
                "(npm ci --prefix tests/browser/axe).")


# -- the browser -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser(playwright_instance):
    chromium = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def app_server(request: pytest.FixtureRequest) -> Server:
    """The server this test's page talks to: `fresh_server` if the test asked for it."""
    if "fresh_server" in request.fixturenames:
        return request.getfixturevalue("fresh_server")
    return request.getfixturevalue("server")


@pytest.fixture
def watch(request: pytest.FixtureRequest, app_server: Server) -> Watch:
    """What the test's page does; also kept on the test item for the failure report."""
    found = Watch(netloc=app_server.netloc, log_start=len(app_server.stderr_lines))
    request.node.wb_watch = found
    request.node.wb_server = app_server
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failure, show what the kernel and the server said during the test."""
    report = yield
    found: Watch | None = getattr(item, "wb_watch", None)
    srv: Server | None = getattr(item, "wb_server", None)
    if report.failed and found is not None:
        if found.kernel_errors:
            report.sections.append(("kernel errors", "\n".join(found.kernel_errors)))
        if found.frames:
            report.sections.append(("last kernel messages", "\n".join(found.frames[-80:])))
        if found.page_errors:
            report.sections.append(("page errors", "\n".join(found.page_errors)))
        if srv is not None:
            report.sections.append(("server log", "".join(srv.stderr_lines[found.log_start:])[-6000:]))
    return report


@pytest.fixture
def page(browser, app_server: Server, watch: Watch):
    """A fresh page with the app loaded and ready; foreign requests or dialogs fail the test."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(ACTION_TIMEOUT_MS)
    observe(pg, watch)
    try:
        open_app(pg, app_server.url, app_server)
        yield pg
    finally:
        context.close()
        problems = []
        foreign = watch.foreign()
        if foreign:
            problems.append("requests to other hosts than "
                            f"{watch.netloc}:\n  " + "\n  ".join(sorted(set(foreign))))
        if watch.dialogs:
            problems.append("JavaScript dialogs opened:\n  " + "\n  ".join(watch.dialogs))
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
