"""The server extension that keeps widget state (the person's entries) out of saved notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbook import notebook_state as ns

REPO = Path(__file__).resolve().parents[2]
STATE = {ns.WIDGET_STATE: {"state": {"m1": {"model_name": "TextareaModel",
                                            "state": {"value": "my private note"}}},
                           "version_major": 2, "version_minor": 0}}


def notebook(source: str | list[str], widgets: bool = True) -> dict:
    metadata: dict = {"kernelspec": {"name": "python3"}}
    if widgets:
        metadata["widgets"] = json.loads(json.dumps(STATE))
    return {"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": []}],
            "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("source", [
    "from workbook.ui import app\n\napp()",
    ["from workbook.ui import tool\n", "\n", 'tool("mood")'],
    "import workbook.ui\nworkbook.ui.app()",
    "# a therapist's own notebook\n  from workbook.ui.review import ReviewBoard",
])
def test_widget_state_is_dropped_from_workbook_notebooks(source):
    nb = notebook(source)
    assert ns.strip_widget_state(nb) is True
    assert "widgets" not in nb["metadata"]
    assert "my private note" not in json.dumps(nb)
    assert nb["metadata"]["kernelspec"] == {"name": "python3"}  # the rest is kept


@pytest.mark.parametrize("source", ["import workbooks", "print('from workbook import x')",
                                    "import pandas as pd"])
def test_other_notebooks_keep_their_widget_state(source):
    nb = notebook(source)
    assert ns.strip_widget_state(nb) is False
    assert nb["metadata"]["widgets"] == STATE


def test_markdown_that_mentions_the_workbook_is_not_an_import():
    nb = notebook("x = 1")
    nb["cells"].append({"cell_type": "markdown", "source": "from workbook import nothing", "metadata": {}})
    assert ns.strip_widget_state(nb) is False


def test_the_hook_acts_on_notebook_models_only():
    model = {"type": "notebook", "content": notebook("from workbook.ui import app")}
    ns.pre_save_hook(model=model, path="app.ipynb", contents_manager=None)
    assert "widgets" not in model["content"]["metadata"]
    text = {"type": "file", "format": "text", "content": "from workbook.ui import app"}
    ns.pre_save_hook(model=dict(text), path="notes.py", contents_manager=None)  # no error
    ns.pre_save_hook(model={"type": "notebook", "content": None}, path="x.ipynb")


def test_the_extension_adds_its_hook_beside_others():
    from jupyter_server.services.contents.filemanager import FileContentsManager

    class Log:
        def info(self, *args):
            pass

    class Server:
        log = Log()
        contents_manager = FileContentsManager()

    def theirs(model, **kwargs):
        model["content"]["metadata"]["theirs"] = True

    Server.contents_manager.register_pre_save_hook(theirs)
    ns._load_jupyter_server_extension(Server)
    model = {"type": "notebook", "content": notebook("from workbook.ui import app")}
    Server.contents_manager.run_pre_save_hooks(model=model, path="app.ipynb")
    assert model["content"]["metadata"].get("theirs") is True
    assert "widgets" not in model["content"]["metadata"]
    assert ns._jupyter_server_extension_points() == [{"module": "workbook.notebook_state"}]


def test_the_wheel_switches_the_extension_on_where_jupyter_looks():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")  # (tomllib is 3.11+)
    source = "jupyter-config/jupyter_server_config.d/between-sessions.json"
    shared = pyproject.split("[tool.hatch.build.targets.wheel.shared-data]", 1)[1].split("\n[", 1)[0]
    assert f'"{source}" = "etc/jupyter/jupyter_server_config.d/between-sessions.json"' in shared
    config = json.loads((REPO / source).read_text(encoding="utf-8"))
    assert config == {"ServerApp": {"jpserver_extensions": {"workbook.notebook_state": True}}}
