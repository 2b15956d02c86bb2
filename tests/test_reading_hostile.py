"""A folder or a device given where a file is expected is called what it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace


def test_a_folder_or_device_given_for_a_file_is_called_what_it_is(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """'file not found' for a folder that plainly exists sent people looking for a typo."""
    folder = tmp_path / "2026-11"
    folder.mkdir()
    device = tmp_path / "users.csv"
    device.symlink_to("/dev/null")
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    ingest = cli("ingest", str(folder), str(device), ok=False)
    assert f"{folder}: a folder, not a file" in ingest.stderr, ingest.stderr
    assert f"{device}: not a regular file" in ingest.stderr, ingest.stderr
    listed = cli("mail", "plan", "--users", str(folder), "--template", "no_pair", ok=False)
    assert f"{folder}: a folder, not a file" in listed.stderr
    missing = cli(
        "mail", "plan", "--users", str(tmp_path / "nope.csv"), "--template", "no_pair", ok=False
    )
    assert "file not found" in missing.stderr
    assert tree_digest(sample_copy.root) == before


def _xlsx_files(tmp_path: Path) -> dict[str, Path]:
    """Files named .xlsx that are not readable workbooks, as people meet them."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["ユーザーID", "氏名"])  # type: ignore[union-attr]
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    files = {
        # an old .xls, or a workbook Excel saved with a password (both OLE compound files)
        "ole": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600),
        "csv": "ユーザーID,氏名\n000101,山田\n".encode("cp932"),
        "cut": whole.read_bytes()[: whole.stat().st_size // 2],
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name / "users.xlsx"
        paths[name].parent.mkdir()
        paths[name].write_bytes(data)
    return paths


def test_an_unreadable_xlsx_is_said_by_what_it_is_in_both_languages(
    ws: Workspace, tmp_path: Path
) -> None:
    """The reader's library says 'invalid Zip archive: Could not find EOCD' for all three;
    kops says which it is and what to do, in Japanese without the library's English."""
    paths = _xlsx_files(tmp_path)
    cli = Cli(ws)
    said = {
        "ole": (
            "古い形式の Excel ファイル（.xls）か、パスワード付き",
            "is an old Excel file (.xls)",
        ),
        "csv": ("中身が Excel ブックではありません", "is not an Excel workbook inside"),
        "cut": ("Excel ブックが壊れています", "is a damaged Excel workbook"),
    }
    for name, path in paths.items():
        japanese = cli("ingest", str(path), ok=False, env={"KOPS_LANG": "ja"})
        assert japanese.exit_code == 1
        line = japanese.stderr.replace("\n", "")
        assert f"users.xlsx: {said[name][0]}" in line, line
        assert "Zip" not in line and "EOCD" not in line, line
        english = cli("ingest", str(path), ok=False)
        assert f"users.xlsx: {said[name][1]}" in english.stderr.replace("\n", " ")
    assert not list(ws.snapshots_dir.glob("*"))


def test_a_missing_file_is_said_in_japanese(ws: Workspace, tmp_path: Path) -> None:
    result = Cli(ws)("ingest", str(tmp_path / "nope.csv"), ok=False, env={"KOPS_LANG": "ja"})
    assert "nope.csv: ファイルが見つかりません" in result.stderr.replace("\n", "")
    assert "file not found" not in result.stderr
    # A name that leads to no file has nothing to fix or map in kops.yaml: the hint said to.
    said = result.stderr.replace("\n", "")
    assert "ファイルの名前とフォルダを確かめて" in said and "kops.yaml" not in said


def test_an_unclosed_quote_is_named_where_it_opened(ws: Workspace, tmp_path: Path) -> None:
    """A quote never closed swallows every row after it: the problem was said at the
    file's last row (255 of 255), far from the row to fix."""
    from conftest import SAMPLE

    lines = (SAMPLE / "2026-10" / "users.csv").read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b",", b',"', 1)  # row 4 of the file opens a quote
    path = tmp_path / "users.csv"
    path.write_bytes(b"\n".join(lines))
    last = len([line for line in lines if line.strip()])
    english = Cli(ws)("ingest", str(path), ok=False)
    assert 'users.csv:4: a quote (") opened in this row is not closed' in english.stderr
    assert f"the rows to line {last} read as one cell" in english.stderr
    japanese = Cli(ws)("ingest", str(path), ok=False, env={"KOPS_LANG": "ja"})
    assert 'users.csv:4: 引用符（"）がこの行で開いたまま閉じられていません' in japanese.stderr


def test_a_second_bom_before_the_header_is_not_part_of_it(ws: Workspace, tmp_path: Path) -> None:
    """A tool that adds a BOM to a file that has one: the first header read '\ufeff上司ID'
    and the export was not recognised ("can't tell which export this is")."""
    from conftest import SAMPLE

    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(b"\xef\xbb\xbf" + (SAMPLE / "2026-11" / "pairs.csv").read_bytes())
    users = SAMPLE / "2026-11" / "users.csv"
    result = Cli(ws)("ingest", str(users), str(pairs))
    assert "can't tell" not in result.stderr, result.stderr
    assert len(list(ws.snapshots_dir.glob("*"))) == 1


def test_a_link_leading_nowhere_is_not_called_a_missing_file(ws: Workspace, tmp_path: Path) -> None:
    loop = tmp_path / "users.csv"
    loop.symlink_to(tmp_path / "pairs.csv")
    (tmp_path / "pairs.csv").symlink_to(loop)
    result = Cli(ws)("ingest", str(loop), ok=False)
    assert "users.csv: a link that leads to no file" in result.stderr.replace("\n", " ")
    japanese = Cli(ws)("ingest", str(loop), ok=False, env={"KOPS_LANG": "ja"})
    assert "リンク" in japanese.stderr, japanese.stderr


def test_trailing_blank_rows_are_residue_not_rows_of_blanks(ws: Workspace, tmp_path: Path) -> None:
    """Rows whose contents were deleted in Excel (「,,,,」 in the CSV) or a space typed far
    below the table refused the whole ingest, a 「required value is blank」 for every row;
    after the last row with data they are not data."""
    import openpyxl

    from conftest import SAMPLE

    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(
        (SAMPLE / "2026-11" / "pairs.csv").read_bytes().rstrip(b"\r\n") + b"\r\n,,,,\r\n , ,,,\r\n"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in csv.reader(io.StringIO((SAMPLE / "2026-11" / "users.csv").read_text("cp932"))):
        sheet.append(row)
    sheet.cell(row=sheet.max_row + 40, column=2).value = "　"  # a full-width space
    users = tmp_path / "users.xlsx"
    book.save(users)
    Cli(ws)("ingest", str(users), str(pairs))
    assert len(list(ws.snapshots_dir.glob("*"))) == 1
    middle = tmp_path / "middle.csv"
    lines = (SAMPLE / "2026-11" / "pairs.csv").read_bytes().split(b"\n")
    middle.write_bytes(b"\n".join([*lines[:3], b",,,,", *lines[3:]]))
    refused = Cli(ws)("ingest", str(middle), ok=False)  # a blank row among the data is said
    assert "middle.csv:4: 上司ID: required value is blank" in refused.stderr, refused.stderr


def test_excels_lock_file_is_said_to_be_one(ws: Workspace, tmp_path: Path) -> None:
    """`kops ingest *.xlsx` while an export is open in Excel picks up Excel's hidden
    ~$meetings.xlsx (the name of who has it open, 165 bytes): it was called 「not an Excel
    workbook inside (a CSV …?)」."""
    lock = tmp_path / "~$meetings.xlsx"
    lock.write_bytes(b"\x0bsecretariat" + bytes(153))
    result = Cli(ws)("ingest", str(lock), ok=False)
    said = result.stderr.replace("\n", " ")
    assert "~$meetings.xlsx: is the lock file Excel keeps while meetings.xlsx is open" in said, said
    japanese = Cli(ws)("ingest", str(lock), ok=False, env={"KOPS_LANG": "ja"})
    assert "meetings.xlsx" in japanese.stderr and "ロック" in japanese.stderr, japanese.stderr


def test_an_unclosed_quote_in_a_big_file_is_named_not_an_internal_error(
    ws: Workspace, tmp_path: Path
) -> None:
    """Past 128 KB after the quote, the row-by-row reread met Python's CSV field limit and
    ended in `Internal error: Error: field larger than field limit (131072)`; past Arrow's
    block (1 MB), the file was "not a readable CSV (a damaged file?)"."""
    from conftest import SAMPLE

    lines = (SAMPLE / "2026-11" / "pairs.csv").read_bytes().split(b"\n")
    rows = [lines[0], *lines[1:] * 250]  # about 2.5 MB: past Arrow's block too
    rows[3] = rows[3].replace(b",", b',"', 1)
    path = tmp_path / "pairs.csv"
    path.write_bytes(b"\n".join(rows))
    users = str(SAMPLE / "2026-11" / "users.csv")
    result = Cli(ws)("ingest", users, str(path), ok=False)
    assert result.exit_code == 1 and "Internal error" not in result.stderr, result.stderr
    assert 'pairs.csv:4: a quote (") opened in this row is not closed' in result.stderr


def test_a_last_row_is_blank_only_when_every_column_is(tmp_path: Path) -> None:
    """Blank rows at the end were judged on the columns kops reads: a last row with a name
    and no id was dropped as one, where the same row mid-file is refused. Rows of nothing
    but separators and spaces (empty lines between) still go, however many."""
    from kakeai_ops.exports.reading import read_table

    path = tmp_path / "list.csv"
    path.write_text("ID,氏名\r\n0001,甲\r\n,乙\r\n,\r\n \t, \r\n\r\n,\r\n", encoding="cp932")
    read = read_table(path, lambda headers: ["ID"], encoding="cp932")
    assert read.frame["ID"].tolist() == ["0001", ""]
    path.write_text("ID,氏名\n0001,甲\n" + ",\n" * 40_000, encoding="utf-8")  # past the tail read
    assert read_table(path, lambda headers: ["ID"], encoding="utf-8").frame["ID"].tolist() == [
        "0001"
    ]


def test_a_row_of_blanks_wider_than_the_header_is_named(tmp_path: Path) -> None:
    """「,,」 among the rows of a two-column header (Excel saves the cells a row once
    held) refused the file with 「rows with the wrong number of fields」 and no row to
    look at. (At the end such a row is none: the test below.)"""
    import pytest

    from kakeai_ops.exports.decoding import ReadFailure
    from kakeai_ops.exports.reading import read_table

    path = tmp_path / "list.csv"
    path.write_text("ID,氏名\n0001,甲\n,,\n0002,乙\n", encoding="utf-8")
    with pytest.raises(ReadFailure) as caught:
        read_table(path, lambda headers: ["ID"], encoding="utf-8")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row) == ("list.csv", 3)


def test_blank_rows_at_the_end_go_whatever_their_width(tmp_path: Path) -> None:
    """「,」 under a three-column header (a row Excel kept one cell of) was refused where
    「,,」 was skipped; a row with a name above them is still a row; in the middle, a row
    of the wrong width is named; a header with no line break after it has no data rows
    (it was 「not a readable CSV (a damaged file?)」)."""
    import pytest

    from kakeai_ops.exports.decoding import ReadFailure
    from kakeai_ops.exports.findings import Findings
    from kakeai_ops.exports.reading import read_rows, read_table

    def ids(text: str) -> list[str]:
        path = tmp_path / "list.csv"
        path.write_text(text, encoding="utf-8")
        return read_table(path, lambda headers: ["ID"], encoding="utf-8").frame["ID"].tolist()

    assert ids("ID,氏名,分\n0001,甲,1\n,\n , \n") == ["0001"]
    assert ids("ID,氏名,分\n0001,甲,1\n,乙,2\n,\n,\n") == ["0001", ""]
    with pytest.raises(ReadFailure) as caught:
        ids("ID,氏名,分\n0001,甲,1\n,\n0002,乙,2\n")
    assert [p.row for p in caught.value.problems] == [3]
    path = tmp_path / "header.csv"
    path.write_text("ID,氏名", encoding="utf-8")
    findings = Findings()
    assert read_rows(path, ["ID"], findings) is None
    assert [str(p.what) for p in findings.problems] == ["has a header row but no data rows"]


def test_an_empty_line_between_rows_moves_no_row_number(tmp_path: Path) -> None:
    """Arrow skipped empty lines: a problem three rows after three of them was named on
    row 102 where the file (and Excel) has it on 105. Empty lines are rows of blanks: in
    the middle named by their own numbers, at the end dropped with the other blank rows;
    CR, LF and CRLF end lines, and nothing else does (U+2028 in a blank row's cell made
    the row two lines of the wrong width, refused as a blank id)."""
    import pytest

    from kakeai_ops.exports.decoding import ReadFailure
    from kakeai_ops.exports.reading import read_table

    def ids(text: str, newline: str = "\n") -> list[str]:
        path = tmp_path / "list.csv"
        path.write_bytes(text.replace("\n", newline).encode("utf-8"))
        return read_table(path, lambda headers: ["ID"], encoding="utf-8").frame["ID"].tolist()

    for newline in ("\n", "\r\n", "\r"):
        assert ids("ID,氏名\n0001,甲\n\n\n0002,乙\n", newline) == ["0001", "", "", "0002"]
        assert ids("ID,氏名\n0001,甲\n0002,乙\n\n\n", newline) == ["0001", "0002"]
    # CR CR LF (a Windows program adding its own CR to CRLF) is one line end: every row
    # was followed by an empty one, all refused as blank.
    assert ids("ID,氏名\n0001,甲\n0002,乙\n", "\r\r\n") == ["0001", "0002"]
    assert ids("ID,氏名,分\n0001,甲,1\n,,\u2028\n") == ["0001"]
    assert ids("ID,氏名,分\n0001,甲,1\n,\u3000,\n\n") == ["0001"]
    with pytest.raises(ReadFailure):
        ids("ID,氏名\n0001,甲\n\n0002\n")  # the short row is still named


def test_ingest_names_the_rows_after_empty_lines_by_their_own_numbers(
    ws: Workspace, tmp_path: Path
) -> None:
    from conftest import SAMPLE, Cli

    source = (SAMPLE / "2026-11" / "pairs.csv").read_bytes().decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in source else "\n"
    lines = source.split(newline)
    fields = lines[104].split(",")
    fields[1] = "999999"  # a member no user is, on line 105
    lines[104] = ",".join(fields)
    lines[11:11] = ["", "", ""]  # three empty lines before it, after line 11
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(newline.join(lines).encode("utf-8-sig"))
    exports = [SAMPLE / "2026-11" / "users.csv", pairs, SAMPLE / "2026-11" / "meetings.xlsx"]
    said = Cli(ws)("ingest", *map(str, exports), ok=False).stderr
    assert "pairs.csv:108: 部下ID" in said and "'999999'" in said, said
    assert all(f"pairs.csv:{row}: 上司ID: required value is blank" in said for row in (12, 13, 14))
