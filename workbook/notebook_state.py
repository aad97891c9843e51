"""Saved notebooks never carry the person's entries: a Jupyter server extension.

JupyterLab can write every widget's state into a notebook when it saves it (the setting
"Save Jupyter widget state in notebooks", off unless someone turns it on). For the workbook's
notebooks that state is the person's entries: the lists, the charts' data, what was typed. This
extension, switched on by the wheel's `etc/jupyter/jupyter_server_config.d/between-sessions.json`,
adds a pre-save hook to the server's contents manager that drops the widget state from any
notebook that uses the workbook before it reaches the disk, whatever the setting says.
Other notebooks are saved untouched.

Headless runs (`jupyter nbconvert --execute`) do not save through a server; for them the app
holds no entries until a browser shows it (`workbook.ui.lab.PageSignal`).
"""

from __future__ import annotations

import re
from typing import Any

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
USES_WORKBOOK = re.compile(r"^\s*(?:from|import)\s+workbook\b", re.M)


def uses_workbook(notebook: dict[str, Any]) -> bool:
    """Whether a notebook (nbformat 4 JSON as a dict) imports the workbook in a code cell."""
    for cell in notebook.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source") or ""
        if USES_WORKBOOK.search(source if isinstance(source, str) else "".join(source)):
            return True
    return False


def strip_widget_state(notebook: dict[str, Any]) -> bool:
    """Remove saved widget state from a workbook notebook, in place; True if any was removed."""
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict) or "widgets" not in metadata or not uses_workbook(notebook):
        return False
    del metadata["widgets"]
    return True


def pre_save_hook(model: dict[str, Any], **_kwargs: Any) -> None:
    """The contents manager's hook: called with the model about to be written."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_widget_state(model["content"])


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workbook.notebook_state"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the hook beside any the person configured (not in place of theirs)."""
    serverapp.contents_manager.register_pre_save_hook(pre_save_hook)
    serverapp.log.info("Between Sessions: widget state is left out of saved workbook notebooks")
