"""The notebooks in JupyterLab: run the app notebook, save a mood check-in, light and dark.

A real `jupyter lab` on a free port with a token, on a copy of notebooks/ and a data folder of
its own, with this repository's server configuration (jupyter-config/, installed by the wheel
into etc/jupyter) and JupyterLab's "save widget state" setting turned on, so that the saved
notebook is checked where the setting would otherwise write the person's entries into it.
Everything the page loads must come from that server: widgets and charts render from the
installed JupyterLab extensions, nothing from a CDN.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import processes
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from wb_browser import (
    ACTION_TIMEOUT_MS,
    APP_READY_TIMEOUT_MS,
    PAGE_BUILD_TIMEOUT_MS,
    SERVER_START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    Watch,
    observe,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
WIDGET_SETTINGS = "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"
NEWS_SETTINGS = "@jupyterlab/apputils-extension/notification.jupyterlab-settings"
SCREENSHOTS = REPO / "docs" / "screenshots"
DARK_PAGE = "rgb(33, 33, 33)"  # --wb-page in the dark theme (#212121)
LIGHT_PAGE = "rgb(255, 255, 255)"


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    data_dir: Path
    proc: subprocess.Popen
    log: list[str] = field(default_factory=list)

    def log_tail(self, lines: int = 60) -> str:
        return "".join(self.log[-lines:])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """`jupyter lab` on a copy of the notebooks and an empty data folder; stopped afterwards."""
    root = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", root)
    data_dir = tmp_path / "data"
    settings = tmp_path / "lab-settings"
    (settings / WIDGET_SETTINGS).parent.mkdir(parents=True)
    (settings / WIDGET_SETTINGS).write_text(json.dumps({"saveState": True}), encoding="utf-8")
    (settings / NEWS_SETTINGS).parent.mkdir(parents=True)  # no "Jupyter news?" toast on top
    (settings / NEWS_SETTINGS).write_text(json.dumps({"fetchNews": "false"}), encoding="utf-8")
    token = uuid.uuid4().hex
    port = processes.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VOILA"))}
    env.update(
        WORKBOOK_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),  # nothing from the user's own config
        JUPYTER_CONFIG_PATH=str(REPO / "jupyter-config"),  # what the wheel installs
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    proc = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                            start_new_session=True)
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, data_dir=data_dir,
                 proc=proc)
    threading.Thread(target=processes.drain, args=(proc.stdout, server.log), daemon=True).start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({proc.returncode}):\n{server.log_tail()}")
            try:
                request = urllib.request.Request(f"{server.url}/api/status",
                                                 headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer in {SERVER_START_TIMEOUT_S} s:\n"
                                   f"{server.log_tail()}")
            time.sleep(0.3)
        yield server
    finally:
        processes.stop(proc, timeout=STOP_TIMEOUT_S, group=True, children_too=True)


@pytest.fixture
def lab_page(browser, lab: Lab) -> Iterator[tuple[Page, Watch]]:
    """A page on the Lab server; a request to any other host or a dialog fails the test."""
    found = Watch(netloc=lab.url.split("//", 1)[1])
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = observe(context.new_page(), found)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    yield page, found
    context.close()
    assert not found.foreign(), f"requests to other hosts: {found.foreign()}"
    assert not found.dialogs, found.dialogs


def lab_command(page: Page, command: str, args: dict | None = None) -> None:
    """Run a JupyterLab command (the app is exposed to the page by the server's setting)."""
    page.evaluate("([c, a]) => window.jupyterapp.commands.execute(c, a)", [command, args or {}])


def open_and_run(page: Page, lab: Lab, name: str) -> None:
    """Open a notebook, wait for its kernel, run all its cells, wait for the app."""
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext",
                           timeout=APP_READY_TIMEOUT_MS)
    status = page.evaluate("""async () => {
        const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.ready;
        await panel.sessionContext.ready;
        return panel.sessionContext.session && panel.sessionContext.session.kernel.name;
    }""")
    assert status == "python3", status
    lab_command(page, "notebook:run-all-cells")
    try:
        page.locator(".wb-app .wb-nav-mood").wait_for(state="visible", timeout=APP_READY_TIMEOUT_MS)
    except PlaywrightError as exc:
        text = page.locator(".jp-Notebook").inner_text()[:3000]
        raise AssertionError(f"the app did not appear in JupyterLab: {exc}\n--- notebook:\n{text}"
                             f"\n--- server log:\n{lab.log_tail()}") from None


def style(page: Page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, "(el, p) => getComputedStyle(el).getPropertyValue(p)",
                                 prop).strip()


def test_app_notebook_in_jupyterlab_saves_a_check_in_in_light_and_dark(lab: Lab, lab_page) -> None:
    page, found = lab_page
    note = f"jupyterlab note {uuid.uuid4().hex[:8]}"
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.locator(".jp-LabShell").wait_for(timeout=APP_READY_TIMEOUT_MS)
    lab_body_font = style(page, "body", "font-family")
    lab_toolbar = style(page, "#jp-top-panel", "background-color")

    open_and_run(page, lab, "app.ipynb")
    app = page.locator(".wb-app")
    expect(app).to_have_count(1)
    # the workbook's stylesheet reaches the app, and only the app
    expect(app).to_have_attribute("data-wb-theme", "light")
    assert style(page, ".wb-app", "background-color") == LIGHT_PAGE
    assert style(page, ".wb-app .wb-brand", "font-weight") == "600"
    assert style(page, ".wb-app .wb-brand", "color") == "rgb(44, 79, 124)"  # --wb-brand, light
    assert style(page, "body", "font-family") == lab_body_font
    assert style(page, "#jp-top-panel", "background-color") == lab_toolbar

    # a mood check-in through the widgets, saved to the data folder
    page.locator(".wb-app .wb-nav-mood").click()
    root = page.locator(".wb-page-mood")
    expect(root).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)
    # the page script's names and roles reach the app in JupyterLab too
    expect(root.locator(".wb-field-mood .noUi-handle")).to_have_attribute("aria-label",
                                                                         re.compile("Mood"))
    expect(page.locator(".wb-app .wb-nav-mood")).to_have_attribute("aria-current", "page")
    root.locator(".wb-field-mood .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(root.locator(".wb-input-mood .wb-readout")).to_have_text("7")
    box = root.locator(".wb-field-note textarea")
    box.fill(note)
    box.blur()
    root.locator(".wb-save").click()
    expect(root.locator(".wb-form .wb-ok")).to_be_visible()
    rows = [row for row in _rows(lab.data_dir / "mood.csv") if row["note"] == note]
    assert len(rows) == 1 and rows[0]["mood"] == "7", rows
    expect(root.locator(".wb-entries")).to_contain_text(note)
    chart = root.locator(".wb-chart-canvas svg").first
    expect(chart).to_be_visible(timeout=PAGE_BUILD_TIMEOUT_MS)  # drawn by JupyterLab, offline
    chart.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "jupyterlab-light.png")

    # JupyterLab Dark: the app follows it, the chart sits on its own dimmed paper
    lab_command(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    expect(app).to_have_attribute("data-wb-theme", "dark")
    assert style(page, ".wb-app", "background-color") == DARK_PAGE
    assert _dark(style(page, ".wb-page-mood .wb-field-note textarea", "background-color"))
    assert "brightness" in style(page, ".wb-page-mood .wb-chart-canvas svg", "filter")
    toggle = page.locator(".wb-app .wb-theme-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=SCREENSHOTS / "jupyterlab-dark.png")

    # the theme button: the app alone turns light; JupyterLab stays dark
    lab_dark_toolbar = style(page, "#jp-top-panel", "background-color")
    toggle.click()
    expect(app).to_have_attribute("data-wb-theme", "light")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert style(page, ".wb-app", "background-color") == LIGHT_PAGE
    assert not _dark(style(page, ".wb-page-mood .wb-field-note textarea", "background-color"))
    assert page.evaluate("document.body.dataset.jpThemeLight") == "false"
    assert style(page, "#jp-top-panel", "background-color") == lab_dark_toolbar
    toggle.click()
    expect(app).to_have_attribute("data-wb-theme", "dark")

    # saving the notebook (with "save widget state" on) keeps the entry out of the file
    saved = lab.root / "app.ipynb"
    before = saved.stat().st_mtime_ns
    lab_command(page, "docmanager:save")
    deadline = time.monotonic() + ACTION_TIMEOUT_MS / 1000
    while saved.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert saved.stat().st_mtime_ns != before, "the notebook was not saved"
    text = saved.read_text(encoding="utf-8")
    notebook = json.loads(text)
    assert any(cell.get("outputs") for cell in notebook["cells"]), "saved without its outputs"
    assert "widgets" not in notebook["metadata"], list(notebook["metadata"])
    assert note not in text
    assert not re.search(r"jupyterlab note", text)
    assert not found.page_errors, found.page_errors


def _rows(path: Path) -> list[dict[str, str]]:
    import csv

    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _dark(colour: str) -> bool:
    """Whether a computed `rgb(...)` colour is dark (mean channel under a half)."""
    channels = [float(c) for c in re.findall(r"[\d.]+", colour)[:3]]
    return len(channels) == 3 and sum(channels) / 3 < 128
