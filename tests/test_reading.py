"""Reading an export's rows (exports/reading.py): a workbook is parsed once per read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from kakeai_ops.exports import reading

HEADERS = ["1on1ID", "上司ID", "部下ID", "実施日時", "ステータス"]


def workbook(path: Path, rows: int) -> Path:
    """An export-shaped workbook of ``rows`` 1on1s (ids as numbers, as Excel keeps them)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for n in range(rows):
        sheet.append([f"M{n:04d}", 1, 2, f"2026/11/{n % 20 + 1:02d} 10:00", "実施済"])
    book.save(path)
    return path


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The workbooks calamine parsed, in order (the real parser runs)."""
    seen: list[Path] = []
    parse = reading._parse_sheet

    def counted(path: Path, sheet: str | None) -> object:
        seen.append(path)
        return parse(path, sheet)

    monkeypatch.setattr(reading, "_parse_sheet", counted)
    reading._parsed.clear()
    yield seen
    reading._parsed.clear()


def test_the_header_and_the_rows_come_from_one_parse(parses: list[Path], tmp_path: Path) -> None:
    meetings = workbook(tmp_path / "meetings.xlsx", 30)
    header = reading.find_header(meetings)
    table = reading.read_table(meetings, lambda headers: headers)
    assert parses == [meetings]
    assert header.headers == table.headers == HEADERS
    assert table.frame["1on1ID"].tolist() == [f"M{n:04d}" for n in range(30)]
    assert table.numeric_columns == {"上司ID", "部下ID"}


def test_a_file_changed_between_the_two_reads_is_parsed_again(
    parses: list[Path], tmp_path: Path
) -> None:
    """The parse is handed over only while the file is the one parsed: an export saved
    again meanwhile (another size, another time) is read as it is now."""
    meetings = workbook(tmp_path / "meetings.xlsx", 30)
    reading.find_header(meetings)
    stat = meetings.stat()
    workbook(meetings, 20)
    os.utime(meetings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    table = reading.read_table(meetings, lambda headers: headers)
    assert parses == [meetings, meetings]
    assert len(table.frame) == 20


def test_each_workbook_keeps_its_own_parse(parses: list[Path], tmp_path: Path) -> None:
    """Headers of several exports found first (as ingest does), then each read whole: one
    parse each, and no workbook's rows read as another's."""
    books = [
        (workbook(tmp_path / name, rows), rows)
        for name, rows in (("a.xlsx", 30), ("b.xlsx", 25), ("c.xlsx", 10))
    ]
    for path, _ in books:
        reading.find_header(path)
    for path, expected in books:
        assert len(reading.read_table(path, lambda headers: headers).frame) == expected
    assert parses == [path for path, _ in books]
