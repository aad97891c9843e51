"""workbook.store.codec: CSV text in and out, with no files."""

from __future__ import annotations

import pytest

from workbook.store import codec

DECLARED = ["id", "created_at", "note"]
GOOD = "2026-03-01T09:00:00+01:00"


def _no_problem(row, seen):
    return "" if row["id"] not in seen else "repeated"


@pytest.mark.parametrize("raw, rows, bad_lines", [
    (f"id,created_at,note\r\n1,{GOOD},hi\r\n".encode(), [("1", "hi")], []),
    (f"\ufeffid;created_at;note\r\n1;{GOOD};a,b\r\n".encode(), [("1", "a,b")], []),       # BOM and ;
    (f"id,created_at,note\n1,{GOOD},x\n2,{GOOD}\n3,{GOOD},z\n".encode(), [("1", "x"), ("3", "z")], [3]),
    (f"id,created_at,note\n1,{GOOD},x\n1,{GOOD},again\n".encode(), [("1", "x")], [3]),
    (f'id,created_at,note\n1,{GOOD},x\n2,{GOOD},"cut of'.encode(), [("1", "x")], [3]),    # a cut-off write
    (f"id,created_at,note\n1,{GOOD},caf\xe9\n".encode("cp1252"), [("1", "caf\xe9")], []),
    (b"", [], []),
])
def test_decode_table_keeps_good_rows_and_says_where_the_bad_ones_were(raw, rows, bad_lines):
    table = codec.decode_table(raw, DECLARED, _no_problem)
    assert [(r["id"], r["note"]) for r in table.rows] == rows
    assert [b.line for b in table.bad] == bad_lines


def test_columns_found_beyond_the_declared_ones_are_kept_after_them():
    table = codec.decode_table(f"note,mystery,id,created_at\r\nhi,kept,1,{GOOD}\r\n".encode(),
                               DECLARED, _no_problem)
    assert table.header == ("id", "created_at", "note", "mystery")
    assert table.rows[0] == {"id": "1", "created_at": GOOD, "note": "hi", "mystery": "kept"}


@pytest.mark.parametrize("raw", [b"just some text\r\n", b"a,b\r\n1,2\r\n"])
def test_text_without_id_and_created_at_has_no_header(raw):
    with pytest.raises(codec.NoHeader, match="id and created_at"):
        codec.decode_table(raw, DECLARED, _no_problem)


def test_encoded_rows_decode_to_the_same_strings():
    rows = [{"id": "1", "created_at": GOOD, "note": 'a "quote", a\r\nbreak and \x00'}]
    text = codec.encode_rows(DECLARED, rows)
    assert text.endswith("\r\n")
    assert codec.decode_table(text.encode(), DECLARED, _no_problem).rows == tuple(rows)
    appended = text + codec.encode_rows(DECLARED, [{**rows[0], "id": "2"}], with_header=False)
    assert [r["id"] for r in codec.decode_table(appended.encode(), DECLARED, _no_problem).rows] == ["1", "2"]


def test_without_record_takes_only_that_records_lines():
    data = ("\ufeffid,created_at,note\r\n1,x,\"two\r\nlines\"\r\n2,x,keep\r\n").encode()
    assert codec.without_record(data, "1") == "\ufeffid,created_at,note\r\n2,x,keep\r\n".encode()
    assert codec.without_record(data, "3") is None
    assert codec.without_record(b"\xff\xfe", "1") is None


def test_a_spreadsheet_copy_quotes_every_cell_and_defuses_formulas():
    data = codec.spreadsheet_csv(["id", "note"], [["1", "=SUM(A1)"], ["2", "'-x"], ["3", "plain"]])
    assert data.decode("utf-8") == ('\ufeff"id","note"\r\n"1","\'=SUM(A1)"\r\n"2","\'\'-x"\r\n'
                                    '"3","plain"\r\n')
    assert [codec.unescape_cell(c) for c in ("'=SUM(A1)", "''-x", "plain")] == ["=SUM(A1)", "'-x", "plain"]


def test_a_quarantine_line_says_when_from_where_and_why():
    bad = [codec.BadRow(3, "2 values for 3 columns", "2,x")]
    assert codec.quarantine_text(bad, "mood.csv", GOOD, with_header=True) == (
        f"moved_at,file,line,reason,row\r\n{GOOD},mood.csv,3,2 values for 3 columns,\"2,x\"\r\n")
    assert codec.quarantine_text(bad, "mood.csv", GOOD, with_header=False).count("\r\n") == 1
