"""The command line: every command is documented in the README, and demo keeps data apart."""

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from workbook import cli

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


@pytest.mark.parametrize("name", commands())
def test_every_command_is_in_the_readme(name):
    assert f"workbook {name}" in README


def test_demo_fills_its_own_folder_and_serves_it(tmp_path, monkeypatch):
    served = {}
    monkeypatch.setattr(cli, "serve", lambda args: served.update(vars(args)) or 0)
    monkeypatch.setenv("WORKBOOK_DATA_DIR", str(tmp_path / "mine"))
    assert cli.main(["demo", "--no-browser", "--data-dir", str(tmp_path / "demo")]) == 0
    assert served["data_dir"] == str(tmp_path / "demo")
    assert (tmp_path / "demo" / "mood.csv").exists()
    assert not (tmp_path / "mine").exists()  # the person's own folder is not touched
    before = (tmp_path / "demo" / "mood.csv").read_bytes()
    cli.main(["demo", "--no-browser", "--data-dir", str(tmp_path / "demo")])
    assert (tmp_path / "demo" / "mood.csv").read_bytes() == before  # kept between runs


def test_the_demo_page_says_it_is_sample_data_and_ones_own_does_not(tmp_path, monkeypatch):
    from workbook.store import Store
    from workbook.ui.app import App

    monkeypatch.setattr(cli, "serve", lambda args: 0)
    cli.main(["demo", "--no-browser", "--data-dir", str(tmp_path / "demo")])
    note = App(Store(tmp_path / "demo")).sample_note.value
    assert "Sample data" in note and "make run" in note
    assert App(Store(tmp_path / "mine")).sample_note.value == ""


def test_voila_runs_standalone_on_loopback_and_culls_closed_tabs():
    command = " ".join(cli.voila_command(Path("app.ipynb"), 8866, False))
    assert "--Voila.ip=127.0.0.1" in command
    assert "--template=workbook" in command
    assert "cull_idle_timeout" in command


def voila_as_served(tmp_path, monkeypatch) -> Any:
    """A Voila application initialised with exactly the arguments `workbook serve` gives it."""
    import signal

    from voila.app import Voila

    notebook = tmp_path / "app.ipynb"
    notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    monkeypatch.setenv("JUPYTER_PATH", str(cli.share_dir()))
    command = cli.voila_command(notebook, 8866, False)
    assert command[1:3] == ["-m", "workbook.voila_main"]
    app = Voila()
    before = signal.getsignal(signal.SIGTERM)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # e.g. "=[] for containers is deprecated"
            app.initialize(command[3:])
    finally:
        signal.signal(signal.SIGTERM, before)
    return app


def test_voila_shows_no_tracebacks_and_serves_no_files_from_its_config_file(tmp_path, monkeypatch):
    # a voila.json in the folder the person starts from does not loosen the workbook's settings
    (tmp_path / "voila.json").write_text(json.dumps(
        {"VoilaConfiguration": {"file_allowlist": [".*"], "show_tracebacks": True, "theme": "dark"}}))
    monkeypatch.chdir(tmp_path)
    settings = voila_as_served(tmp_path, monkeypatch).voila_configuration
    assert settings.file_allowlist == []  # Voila's default serves every .png/.jpg/.gif/.svg
    assert settings.show_tracebacks is False
    assert settings.theme == "light"
    assert settings.template == "workbook"


def test_the_voila_config_file_is_in_the_package():
    assert (cli.config_dir() / "voila.json").is_file()
    assert cli.config_dir().parent == Path(cli.__file__).parent


def test_version_is_the_packages_one_written_in_one_place(capsys):
    import workbook

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"workbook {workbook.__version__}"
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"(, "readme")?\]', pyproject, re.M)  # (tomllib is 3.11+)
    assert not re.search(r"^version\s*=", pyproject, re.M)
    assert re.search(r'^\[tool\.hatch\.version\]\npath = "workbook/__init__\.py"$', pyproject, re.M)


def test_top_level_help_describes_the_program_and_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "self-guided CBT workbook" in text
    assert "Start the workbook in your browser, on your data folder" not in text  # serve's own
    for name in commands():
        assert name in text


def test_notebooks_prints_the_folder_holding_every_tools_notebook(capsys):
    assert cli.main(["notebooks"]) == 0
    out, err = capsys.readouterr()
    folder = Path(out.strip())
    assert folder.is_dir()
    for notebook in cli.tools().values():
        assert (folder / notebook).is_file()
    assert "therapist.ipynb" in err
    assert cli.main(["notebooks", "--quiet"]) == 0
    assert capsys.readouterr() == (f"{folder}\n", "")


def test_docs_prints_the_folder_of_the_guides_the_readme_names(capsys):
    assert cli.main(["docs"]) == 0
    out, err = capsys.readouterr()
    folder = Path(out.strip())
    for name, _what in cli.DOC_GUIDES:
        assert (folder / name).is_file()
        assert name in err
    assert cli.main(["docs", "--quiet"]) == 0
    assert capsys.readouterr() == (f"{folder}\n", "")


@pytest.mark.parametrize(("tool", "notebook", "named"), [
    ("app", "app.ipynb", ""),
    ("mood", "mood.ipynb", "mood"),  # an exercise with a notebook of its own
    ("checkin", cli.TOOL_NOTEBOOK, "checkin"),  # any other exercise in the menu
])
def test_serve_tool_opens_any_exercise_in_the_menu(tool, notebook, named, tmp_path, monkeypatch, capsys):
    served: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli, "run_server", lambda command, env, url=None: served.append((command, env)) or 0)
    assert cli.main(["serve", "--tool", tool, "--data-dir", str(tmp_path), "--no-browser"]) == 0
    ((command, env),) = served
    assert Path(next(c for c in command if c.endswith(".ipynb"))).name == notebook
    assert env["WORKBOOK_TOOL"] == named
    assert (cli.notebooks_dir() / notebook).is_file()


def test_serve_tool_offers_no_exercise_kept_out_of_the_menu(capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--tool", "safety_plan"])
    assert "invalid choice: 'safety_plan'" in capsys.readouterr().err
