"""Executed copies of the notebooks carry none of the person's entries.

`jupyter nbconvert --execute` (and nbclient, papermill) save every widget's state into the
copy they write. Each notebook a person runs is executed here on a data folder whose every
entry holds a distinctive word, the copy is saved, and the word must be nowhere in the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbook.store import Store

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
PERSONAL = ("app", "mood", "thought_record", "win")
MARK = "Quokkasecret"


def fill(data_dir: Path) -> None:
    """A data folder where every kind of entry holds MARK."""
    store = Store(data_dir)
    store.add("mood", {"mood": 4, "note": f"{MARK} mood note", "tags": [f"{MARK}tag"]})
    store.add("win", {"description": f"{MARK} small win"})
    store.add("thought_record", {"situation": f"{MARK} situation",
                                 "balanced_thought": f"{MARK} balanced"})
    session = {name: f"{MARK} session" for name in _fields(store, "session")}
    store.add("session", {**session, "session_at": "2026-11-01T10:00:00+00:00", "treatment": "tms"})
    plan = {name: f"{MARK} plan" for name in _fields(store, "safety_plan")}
    store.add("safety_plan", plan)
    assert sum(MARK in p.read_text(encoding="utf-8") for p in data_dir.glob("*.csv")) >= 5


def _fields(store: Store, kind: str) -> list[str]:
    return [f.name for f in store.exercise(kind).fields if f.type in ("long_text", "text")]


@pytest.mark.notebooks
@pytest.mark.parametrize("name", PERSONAL)
def test_an_executed_copy_holds_no_entries(name, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    fill(data_dir)
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(data_dir))
    for variable in ("VOILA_KERNEL_ID", "SERVER_SOFTWARE"):
        monkeypatch.delenv(variable, raising=False)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    copy = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, copy)
    text = copy.read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in text  # the app was built
    assert MARK not in text


@pytest.mark.notebooks
def test_nbconvert_execute_copy_holds_no_entries(tmp_path):
    """The command from the report, as a person would type it."""
    data_dir = tmp_path / "data"
    fill(data_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("VOILA_KERNEL_ID", "SERVER_SOFTWARE")}
    env["WORKBOOK_DATA_DIR"] = str(data_dir)
    jupyter = Path(sys.executable).with_name("jupyter")
    subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute",
                    str(NOTEBOOKS / "mood.ipynb"), "--output-dir", str(tmp_path / "out")],
                   env=env, check=True, capture_output=True, timeout=300)
    text = (tmp_path / "out" / "mood.ipynb").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in text
    assert MARK not in text
