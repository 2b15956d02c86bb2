"""Raw export tables → canonical frames: the dates parsed on other threads change nothing
that is reported, nor its order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import MEETINGS_HEADER, USERS_HEADER, write_csv
from kakeai_ops.config import Settings
from kakeai_ops.exports import columns
from kakeai_ops.exports.canonical import canonicalise, repeated_headers
from kakeai_ops.exports.findings import Findings
from kakeai_ops.exports.reading import find_header, read_rows
from kakeai_ops.exports.tables import recognise

NOW = pd.Timestamp("2026-11-30 12:00")


def _meetings(path: Path) -> Path:
    """A meetings export with problems in every checked column, dates among them: more
    bad dates than are kept as examples, in both date columns, on the same rows as other
    problems."""
    rows = []
    for n in range(60):
        held = ["2026-11-02 10:00:00", "2026/13/02", "2027-01-05 09:00", "1999-12-31", ""][n % 5]
        prepared = ["2026-11-01 09:00:00", "yesterday", "2026-11-31", ""][n % 4]
        status = ["実施済", "済み", "予定", "実施済"][n % 4]
        meeting_id = f"M{n:04d}" if n % 7 else "M0001"
        rows.append([meeting_id, "000101", "000102", held, status, "", "", prepared, "", ""])
    return write_csv(path, MEETINGS_HEADER, rows)


def _users(path: Path) -> Path:
    """A users export with bad values in each of its three date columns."""
    header = [*USERS_HEADER, "アカウント作成日", "生年月日"]
    logins = ["2026-11-01 08:00", "2027-01-01", "z"]
    created = ["2025/01/02", "2025/02/30", "", "x"]
    born = ["1980/4/1", "1980/2/30", "?"]
    rows = [
        [
            f"{n:06d}",
            f"氏名{n}",
            "",
            "営業部",
            "一課",
            "営業",
            "",
            "在籍",
            logins[n % 3],
            created[n % 4],
            born[n % 3],
        ]
        for n in range(60)
    ]
    return write_csv(path, header, rows)


def _read(path: Path) -> tuple[str, pd.DataFrame, Findings]:
    settings = Settings()
    header = find_header(path)
    recognition = recognise(header.headers, settings.exports)
    assert recognition.table is not None
    findings = Findings()
    raw = read_rows(
        path,
        set(recognition.columns.values()),
        findings,
        encoding=header.encoding,
        repeated=repeated_headers(recognition.table, recognition.columns),
    )
    assert raw is not None
    frame = canonicalise(
        recognition.table, raw, recognition.columns, settings.exports, findings, NOW
    )
    return recognition.table, frame, findings


@pytest.mark.parametrize("make", [_meetings, _users])
def test_dates_parsed_ahead_report_as_dates_parsed_in_turn(
    make: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callable(make)
    path = make(tmp_path / "export.csv")
    _table, ahead, found_ahead = _read(path)
    with monkeypatch.context() as patch:
        # Parsed where ``dates`` is called, on this thread: the order reports were made in.
        patch.setattr(columns.Context, "parse_dates_ahead", lambda *_args: None)
        _table, in_turn, found_in_turn = _read(path)
    assert found_in_turn.total > 40  # the examples kept are fewer than the problems
    assert any("date" in str(p.what) for p in found_in_turn.problems)
    assert found_ahead.problems == found_in_turn.problems
    assert found_ahead.total == found_in_turn.total
    assert found_ahead.notes == found_in_turn.notes
    pd.testing.assert_frame_equal(ahead, in_turn)


def test_a_1on1_without_a_date_is_refused_as_blank_not_as_unreadable(tmp_path: Path) -> None:
    """実施日時 is required: blank, spaces and a dash are 'blank' (taken from what the date
    parser read and refused, not from the text stripped again); anything else unreadable
    is an unreadable date."""
    cells = ["", "  ", "-", "－", "2026-11-02 10:00:00", "2026/13/02", "　"]
    rows = [
        [f"M{n}", "000101", "000102", held, "実施済", "", "", "", "", ""]
        for n, held in enumerate(cells)
    ]
    _table, _frame, found = _read(write_csv(tmp_path / "meetings.csv", MEETINGS_HEADER, rows))
    said = {(p.row, p.column, str(p.what)) for p in found.problems}
    blank = {(row, "実施日時", "required value is blank") for row in (2, 3, 4, 5, 8)}
    assert blank <= said
    assert {row for row, column, what in said if column == "実施日時"} == {2, 3, 4, 5, 7, 8}
