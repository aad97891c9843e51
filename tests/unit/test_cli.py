"""The command line: every command is documented in the README, and demo keeps data apart."""

from pathlib import Path

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


def test_voila_runs_standalone_without_tracebacks_and_culls_closed_tabs():
    command = " ".join(cli.voila_command(Path("app.ipynb"), 8866, False))
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert "--Voila.ip=127.0.0.1" in command
    assert "--template=workbook" in command
    assert "cull_idle_timeout" in command
