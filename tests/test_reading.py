"""Reading an export's rows (exports/reading.py): a workbook is parsed once per read."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from kakeai_ops.exports import reading

SAMPLE_MEETINGS = (
    Path(__file__).resolve().parents[1] / "data" / "sample" / "2026-11" / "meetings.xlsx"
)


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
    meetings = tmp_path / "meetings.xlsx"
    shutil.copy(SAMPLE_MEETINGS, meetings)
    header = reading.find_header(meetings)
    table = reading.read_table(meetings, lambda headers: headers)
    assert parses == [meetings]
    assert header.headers[:3] == table.headers[:3] and len(table.frame) > 100
    # What was read is what openpyxl reads from the same file.
    sheet = openpyxl.load_workbook(meetings, read_only=True).worksheets[0]
    first = [str(c) for c in next(sheet.iter_rows(values_only=True))]
    assert [h.strip() for h in table.headers] == [h.strip() for h in first]
    assert len(table.frame) == sheet.max_row - 1


def test_a_file_changed_between_the_two_reads_is_parsed_again(
    parses: list[Path], tmp_path: Path
) -> None:
    """The parse is handed over only while the file is the one parsed: an export saved
    again meanwhile (another size, another time) is read as it is now."""
    meetings = tmp_path / "meetings.xlsx"
    shutil.copy(SAMPLE_MEETINGS, meetings)
    reading.find_header(meetings)
    book = openpyxl.load_workbook(meetings)
    book.worksheets[0].delete_rows(3, 10)
    book.save(meetings)
    stat = meetings.stat()
    os.utime(meetings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    table = reading.read_table(meetings, lambda headers: headers)
    assert parses == [meetings, meetings]
    assert len(table.frame) == openpyxl.load_workbook(meetings).worksheets[0].max_row - 1


def test_each_workbook_keeps_its_own_parse(parses: list[Path], tmp_path: Path) -> None:
    """Headers of several exports found first (as ingest does), then each read whole: one
    parse each, and no workbook's rows read as another's."""
    books = []
    for name, drop in (("a.xlsx", 0), ("b.xlsx", 5), ("c.xlsx", 20)):
        path = tmp_path / name
        book = openpyxl.load_workbook(SAMPLE_MEETINGS)
        if drop:
            book.worksheets[0].delete_rows(2, drop)
        book.save(path)
        books.append((path, book.worksheets[0].max_row - 1))
    for path, _ in books:
        reading.find_header(path)
    for path, expected in books:
        assert len(reading.read_table(path, lambda headers: headers).frame) == expected
    assert parses == [path for path, _ in books]
