from pathlib import Path

from workbook import datadoc, exercises

DOC = Path(__file__).parents[2] / "docs" / "data.md"


def test_data_md_is_current():
    assert DOC.read_text(encoding="utf-8") == datadoc.render(), (
        "docs/data.md is out of date: run `python -m workbook.datadoc > docs/data.md`"
    )


def test_every_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for exercise in exercises.builtin().values():
        for column in exercise.columns:
            assert f"| `{column}` |" in text

