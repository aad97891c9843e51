"""The built wheel, installed alone into a fresh venv, is the whole program.

Built with pip (the PEP 517 front end every Python has; hatchling comes from the index), then
installed with its dependencies into a venv of its own, with no PYTHONPATH, no JUPYTER_PATH and
a HOME of its own, so nothing of the checkout or of this machine's Jupyter set-up can help:
`workbook --version`, the packaged notebooks, the PDF font, plain `voila --template=workbook`
and `workbook serve` are tried as a pipx or wheel user has them. Minutes, not seconds: the
install is most of it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import workbook
from workbook import cli

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]
TEMPLATE_MARK = 'id="wb-dark-theme"'  # only the workbook template's page has it


@dataclass
class Installed:
    wheel: Path
    venv: Path
    env: dict[str, str]
    home: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(args, env=self.env, cwd=self.home, capture_output=True, text=True,
                              timeout=300, **kwargs)


def _clean_env(home: Path, venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "WORKBOOK", "PIP_TARGET"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               WORKBOOK_DATA_DIR=str(home / "data"), PYTHONNOUSERSITE="1")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    home, venv, dist = tmp / "home", tmp / "venv", tmp / "dist"
    home.mkdir()
    env = _clean_env(home, venv)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                    str(dist), str(REPO)], check=True, env={**env, "HOME": os.environ.get("HOME", "")},
                   timeout=300)
    wheel = next(dist.glob("between_sessions-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # pip's cache lives under the real HOME: a fresh venv, not a fresh download of every package
    subprocess.run([*pip, str(wheel)], check=True, env={**env, "HOME": os.environ.get("HOME", "")},
                   timeout=600)
    return Installed(wheel, venv, env, home)


def test_the_wheel_holds_the_template_as_data_the_fonts_and_the_license(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    data = f"between_sessions-{workbook.__version__}.data/data/share/jupyter/voila/templates/workbook/"
    for name in ("index.html.j2", "conf.json", "workbook.css", "error.html", "404.html"):
        assert data + name in names
    assert {"workbook/fonts/DejaVuSans.ttf", "workbook/fonts/DejaVuSans-Bold.ttf",
            "workbook/fonts/LICENSE_DEJAVU", "workbook/config/voila.json"} <= set(names)
    assert any(re.fullmatch(r"between_sessions-[^/]+\.dist-info/(licenses/)?LICENSE", n) for n in names)


def test_version_from_the_installed_command_and_metadata(installed):
    done = installed.run(installed.bin("workbook"), "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"workbook {workbook.__version__}"
    meta = installed.run(installed.bin("python"), "-c",
                         "import importlib.metadata as m; print(m.version('between-sessions'))")
    assert meta.stdout.strip() == workbook.__version__


def test_the_notebooks_command_points_into_the_installed_package(installed):
    done = installed.run(installed.bin("workbook"), "notebooks", "--quiet")
    folder = Path(done.stdout.strip())
    assert installed.venv in folder.parents, folder  # not the checkout's notebooks/
    for notebook in cli.tools().values():
        assert (folder / notebook).is_file()


def test_the_docs_command_points_at_the_installed_guides(installed):
    done = installed.run(installed.bin("workbook"), "docs", "--quiet")
    folder = Path(done.stdout.strip())
    assert installed.venv in folder.parents, folder
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(p.name for p in (REPO / "docs").glob("*.md"))


def test_the_package_index_page_has_no_link_that_leads_nowhere(installed):
    """The index shows the README without the repository beside it: no relative link or image is
    left, and every guide the README names is still named, with where the installed copy is."""
    with zipfile.ZipFile(installed.wheel) as wheel:
        meta = wheel.read(f"between_sessions-{workbook.__version__}.dist-info/METADATA").decode()
    body = meta.split("\n\n", 1)[1]
    assert re.findall(r"\]\((?!https?:)[^)]*\)", body) == []
    for guide in sorted(set(re.findall(r"\]\((docs/[a-z_]+\.md)\)", (REPO / "README.md").read_text()))):
        assert f"`{guide}`" in body
    assert "`workbook docs`" in body


def test_the_pdf_font_comes_with_the_package_without_matplotlib(installed):
    done = installed.run(installed.bin("python"), "-c", "\n".join([
        "import importlib.util, json",
        "from workbook import report_pdf",
        "print(json.dumps([str(report_pdf._font_dir()), importlib.util.find_spec('matplotlib') is None]))"]))
    folder, no_matplotlib = json.loads(done.stdout)
    assert installed.venv in Path(folder).parents and no_matplotlib, done.stderr


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _page(url: str, proc: subprocess.Popen, timeout: float = 240) -> str:
    """The page at `url` once the server answers, read until it ends or `timeout` passes.

    Voila streams the page while the notebook runs (heartbeats first), and a page whose template
    is missing never ends, so the page is read in pieces against one deadline.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server stopped"
        try:
            response = urllib.request.urlopen(url, timeout=30)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
            continue
        with response:
            pieces: list[bytes] = []
            while time.monotonic() < deadline:
                try:
                    piece = response.read1(65536)
                except TimeoutError:
                    continue
                if not piece:
                    return b"".join(pieces).decode("utf-8")
                pieces.append(piece)
            raise AssertionError(f"{url}: the page did not end in {timeout} s; it began: "
                                 f"{b''.join(pieces)[:300]!r}")
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.fixture
def server_log(installed) -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _log(proc: subprocess.Popen) -> str:
    proc.terminate()
    return proc.communicate(timeout=30)[0]


def test_plain_voila_finds_the_template(installed, server_log):
    folder = Path(installed.run(installed.bin("workbook"), "notebooks", "-q").stdout.strip())
    notebook = installed.home / "mood.ipynb"
    notebook.write_bytes((folder / "mood.ipynb").read_bytes())
    port = _port()
    proc = subprocess.Popen([installed.bin("voila"), "--template=workbook", "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1", str(notebook)],
                            env=installed.env, cwd=installed.home, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    server_log.append(proc)
    page = _page(f"http://127.0.0.1:{port}/", proc)
    log = _log(proc)
    assert TEMPLATE_MARK in page, log
    assert "TemplateNotFound" not in log


def test_workbook_serve_from_the_wheel(installed, server_log):
    port = _port()
    proc = subprocess.Popen([installed.bin("workbook"), "serve", "--no-browser", f"--port={port}",
                             "--tool=mood"], env=installed.env, cwd=installed.home,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server_log.append(proc)
    url = ""
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("http://"):
            url = line.strip()
            break
    assert url.startswith(f"http://127.0.0.1:{port}/"), url
    page = _page(url, proc)
    log = _log(proc)
    assert TEMPLATE_MARK in page, log
    assert "deprecated" not in log.lower(), log  # no option Voila warns about on every start
