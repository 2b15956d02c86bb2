"""Hostile inputs for the fast paths that replaced plain code in reading exports and
writing CSV: each must give the plain rule's answer byte for byte (decoding at chunk
boundaries, dates read from bytes, distinct values and their first rows, CSV fields).
The mail and analysis fast paths: test_fast_paths_mail_analyses.py."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from conftest import Cli
from kakeai_ops.columnar.buffers import first_bytes, text_bytes
from kakeai_ops.columnar.distinct import Distinct
from kakeai_ops.exports import decoding, fast_dates, normalise
from kakeai_ops.exports.decoding import ReadFailure, detect_encoding, utf8_copy
from kakeai_ops.outputs import files
from kakeai_ops.outputs.neutralise import csv_field
from kakeai_ops.workspace import Workspace
from test_ingest import _fails

# --- 1. decoding: chunked CP932 decoding and chunked UTF-8 validation -------------------


def _plain_encoding(data: bytes) -> str:
    """BOM → strict UTF-8 → strict CP932 (without the bytes Excel never writes) → refuse."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "refused"
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "refused"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return "refused"
    return "refused" if any(c in text for c in decoding.NOT_CP932) else "cp932"


_PIECES_UTF8 = ["id,氏名\r\n", "あ", "𠮷", "é", "ｱ", "髙", "①", "\r\n", "a"]
_PIECES_CP932 = ["id,氏名\r\n", "あ", "ｱ", "髙", "①", "～", "\r\n", "a", "表"]
_RAW = [
    b"\xa0",  # never written by Excel: cp932 maps it to a private-use character
    b"\xfd",
    b"\xfe",
    b"\xff",
    b"\x81",  # a lone CP932 lead byte
    b"\xed\xa0\x80",  # a UTF-8 surrogate
    b"\xc0\xaf",  # overlong
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\x80",
    b"\xe3\x81",  # a truncated あ
]


def _hostile_files() -> list[bytes]:
    cases: list[bytes] = []
    for encoding, pieces in (("utf-8", _PIECES_UTF8), ("cp932", _PIECES_CP932)):
        encoded = [p.encode(encoding) for p in pieces]
        for first, second in itertools.product(encoded, repeat=2):
            cases.append(first + second)
            for raw in _RAW:
                cases += [first + raw + second, raw + first, first + second + raw]
        cases.append(codecs.BOM_UTF8 + b"".join(encoded))
    cases += [codecs.BOM_UTF8 + b"\xe3\x81", codecs.BOM_UTF8, b"", b"\xff\xfeid", b"\r", b"\n"]
    return cases


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, bytes]]:
    """The hostile files written once for every chunk size (the tests only read them)."""
    folder = tmp_path_factory.mktemp("hostile")
    files = []
    for number, data in enumerate(_hostile_files()):
        path = folder / f"f{number}.csv"
        path.write_bytes(data)
        files.append((path, data))
    return files


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 7])
def test_chunked_decoding_decides_as_the_whole_file(
    chunk: int, hostile_files: list[tuple[Path, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoding, "CHUNK", chunk)  # every character split at some boundary
    wrong = []
    for path, data in hostile_files:
        assert path.read_bytes() == data  # as written: no test changes them
        try:
            found = detect_encoding(path)
        except ReadFailure:
            found = "refused"
        if found != _plain_encoding(data):
            wrong.append((data, found, _plain_encoding(data)))
        elif found == "cp932":
            copy = bytes(utf8_copy(path)).decode("utf-8")
            if copy != data.decode("cp932"):
                wrong.append((data, "copy", copy))
    assert wrong == []


# --- 2. dates read from bytes; distinct values in first-appearance order ---------------

_DATE_CELLS: dict[str, Any] = {
    "2026-11-24 09:05:00": "2026-11-24 09:05:00",
    "2024-02-29 10:00:00": "2024-02-29 10:00:00",
    "2000-02-29 00:00:00": "2000-02-29 00:00:00",
    "2026-02-29 00:00:00": None,
    "2100-02-29 00:00:00": None,
    "2026-13-01 00:00:00": None,
    "2026-00-10 00:00:00": None,
    "2026-04-31 00:00:00": None,
    # No time of day past 23:59:59: pandas read these as the next day's 0:00, a 1on1
    # moved to another day (and week) without a word.
    "2026-11-24 24:00:00": None,
    "2026-11-24 23:59:60": None,
    " 2026-11-24 09:05:00": "2026-11-24 09:05:00",
    "2026-11-24 09:05:00 ": "2026-11-24 09:05:00",
    "２０２６-11-24 09:05:00": "2026-11-24 09:05:00",
    "2026-11-24 09:05": "2026-11-24 09:05:00",
    "2026/11/24 09:05:00": "2026-11-24 09:05:00",
    "2026-11-24T09:05:00": "2026-11-24 09:05:00",
    "1999-12-31 23:59:59": "1999-12-31 23:59:59",
    "1899-12-31 23:59:59": None,
    "2200-12-31 23:59:59": "2200-12-31 23:59:59",
    "2201-01-01 00:00:00": None,
    "+026-11-24 09:05:00": None,
    "2026-11-24 09:05:0٣": "2026-11-24 09:05:03",  # not ASCII: left to the general parser
    "0000-01-01 00:00:00": None,
    "": "blank",
}


def _check_dates(cells: list[str]) -> None:
    values, bad = normalise.parse_datetimes(pd.Series(cells, dtype="str"))
    for position, text in enumerate(cells):
        expected = _DATE_CELLS[text]
        got = values.iloc[position]
        if expected == "blank":
            assert pd.isna(got) and not bad.iloc[position], text
        elif expected is None:
            assert pd.isna(got) and bad.iloc[position], text
        else:
            assert got == pd.Timestamp(expected) and not bad.iloc[position], text


@pytest.mark.parametrize("block", [1 << 18, 1, 3])
def test_dates_from_bytes_in_any_mix_and_order(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_dates, "BLOCK", block)
    cells = list(_DATE_CELLS)
    _check_dates(cells)
    _check_dates(cells[::-1])
    _check_dates(sorted(cells, key=len))
    # A column all of the fixed width but for blanks takes the back-to-back branch.
    _check_dates(["2026-02-29 00:00:00", "", "2026-11-24 09:05:00", "", "2026-11-24 24:00:00"])


def _arrow_backed(parts: list[list[str]]) -> pd.Series:
    chunks = pa.chunked_array([pa.array(p, pa.large_string()) for p in parts], pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(chunks))


def test_dates_across_arrow_chunks_and_a_sliced_column() -> None:
    column = _arrow_backed(
        [["2026-11-24 09:05:00", "x"], [], ["2026-02-29 00:00:00", "2026-11-25 10:00:00"]]
    )
    for sliced in (column, column.iloc[1:], column.iloc[2:]):
        values, bad = normalise.parse_datetimes(sliced.reset_index(drop=True))
        expected = [
            pd.NaT if t in ("x", "2026-02-29 00:00:00") else pd.Timestamp(t) for t in sliced
        ]
        assert values.tolist() == expected
        assert bad.tolist() == [t in ("x", "2026-02-29 00:00:00") for t in sliced]


def _plain_distinct(values: list[str]) -> tuple[list[str], list[int]]:
    """Distinct values in order of first appearance and the row each first appears on."""
    first: dict[str, int] = {}
    for row, value in enumerate(values):
        first.setdefault(value, row)
    return list(first), list(first.values())


@pytest.mark.parametrize(
    "parts",
    [
        [["b", "a", "b"], ["c", "a", "d"], [], ["d", "e"]],
        [["x"], ["x"], ["y", "x"], ["ｘ", "x"]],  # NFKC twins stay apart
        [[""], ["", "a"], ["a", ""]],
    ],
)
def test_distinct_first_rows_over_chunks_and_slices(parts: list[list[str]]) -> None:
    column = _arrow_backed(parts)
    for start in range(len(column)):
        sliced = column.iloc[start:]
        text = sliced.tolist()
        distinct = Distinct.of(sliced)
        values, first_rows = _plain_distinct(text)
        assert distinct.values.tolist() == values
        assert [distinct.first_row(i) for i in range(len(values))] == first_rows
        assert distinct.row_counts().tolist() == [text.count(v) for v in values]
        assert first_bytes(sliced).tolist() == [t.encode()[0] if t else 0 for t in text]
        assert b"".join(v.tobytes() for v in text_bytes(sliced)) == "".join(text).encode()


@pytest.mark.parametrize(
    ("rows", "categories"),
    [
        (["x", "y", "x", "z"], ["x", "y", "z", "unused"]),  # unused category at the end
        (["y", "x", "y"], ["x", "y"]),  # categories in another order
        (["x", "z", "x"], ["x", "y", "z"]),  # an unused category in the middle
        (["x", "x"], ["x", "y"]),
    ],
)
def test_distinct_of_a_categorical_is_first_appearance(
    rows: list[str], categories: list[str]
) -> None:
    column = pd.Series(pd.Categorical(rows, categories=pd.Index(categories, dtype="str")))
    distinct = Distinct.of_categorical(column)
    values, first_rows = _plain_distinct(rows)
    assert distinct.values.tolist() == values
    assert [distinct.first_row(i) for i in range(len(values))] == first_rows
    spread = distinct.spread(pd.Series([v.upper() for v in values], dtype="str"))
    assert spread.tolist() == [r.upper() for r in rows]


# --- 3. CSV fields against csv.writer and the formula guard ----------------------------


def _plain_csv(frame: pd.DataFrame, line_end: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([csv_field(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([csv_field(files.cell(v)) for v in row])
    return buffer.getvalue()


_TEXTS = ["=1+1", "+x", "-3", "@a", "\tz", "\r=1", 'a"b', "a,b", "a\nb", "a\rb", "x\x00y"]
_TEXTS += ["", "ok", "'=", " =x", "\u3000=", "a\r\nb", '"', "山田, 太郎"]

_FRAMES: dict[str, pd.DataFrame] = {
    "text": pd.DataFrame(
        {"a": pd.Series(_TEXTS, dtype="str"), "b": pd.Series(_TEXTS[::-1], dtype="str")}
    ),
    "text with missing": pd.DataFrame({"a": pd.Series(["x", None, "=y"], dtype="str")}),
    "lone blank field": pd.DataFrame({"a": pd.Series(["", "x", None], dtype="str")}),
    "floats": pd.DataFrame(
        {"f": [0.0, -0.0, math.nan, math.inf, -math.inf, 1e20, 1.23456789, 2.5e-5, -1e-5, 1 / 3]}
    ),
    "ints": pd.DataFrame(
        {
            "i": np.array([0, -1, 2**62, -(2**63)], dtype=np.int64),
            "u": np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64),
        }
    ),
    "nullable ints": pd.DataFrame({"i": pd.array([1, None, -5, 2**62], dtype="Int64")}),
    "nullable floats": pd.DataFrame({"f": pd.array([0.1, None, -0.0, 2.5], dtype="Float64")}),
    "float32": pd.DataFrame({"f": np.array([0.1, np.nan], dtype=np.float32)}),
    "booleans": pd.DataFrame({"b": [True, False], "n": pd.array([True, None], dtype="boolean")}),
    "dates": pd.DataFrame(
        {
            "d": pd.to_datetime(
                [
                    "1969-12-31 23:59:30",
                    "1900-01-01",
                    "2200-12-31 23:59:59.999",
                    None,
                    "1970-01-01 00:00:59",
                    "2026-11-24 09:05:30",
                ],
                format="ISO8601",
            )
        }
    ),
    "dates in seconds": pd.DataFrame(
        {
            "d": pd.Series(
                [dt.datetime(1969, 12, 31, 23, 59), dt.datetime(2026, 1, 1)], dtype="datetime64[s]"
            )
        }
    ),
    "years before 1000": pd.DataFrame(
        {
            "d": pd.Series(
                [pd.Timestamp("0999-01-01"), pd.Timestamp("2026-01-01 10:00")],
                dtype="datetime64[us]",
            )
        }
    ),
    "categories": pd.DataFrame(
        {
            "c": pd.Categorical(
                ["=a", "b", None, "b"], categories=pd.Index(["=a", "b", "unused,x"], dtype="str")
            )
        }
    ),
    "all missing": pd.DataFrame(
        {"s": pd.Series([None, None], dtype="str"), "f": [math.nan] * 2, "o": [None, None]}
    ),
    "empty": pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype=float)}),
    "objects": pd.DataFrame(
        {
            "o": [
                "=x",
                1,
                1.5,
                None,
                math.nan,
                pd.Timestamp("2026-01-01"),
                dt.date(2026, 1, 2),
                True,
                np.int64(3),
                np.float64(0.1),
                "a,b",
                -0.0,
                10**30,
            ]
        }
    ),
    "formula headers": pd.DataFrame({"=x": [1], "a,b": [2]}),
}


@pytest.mark.parametrize("name", list(_FRAMES))
@pytest.mark.parametrize("line_end", ["\r\n", "\n"])
def test_csv_fields_are_what_csv_writer_writes(name: str, line_end: str) -> None:
    frame = _FRAMES[name]
    assert files.csv_text(frame, line_end) == _plain_csv(frame, line_end)


# --- 2 (through ingest). "first at row N" names the true first row --------------------


def test_duplicates_in_odd_orders_name_their_true_first_rows(
    ws: Workspace, cli: Cli, make_exports: Any
) -> None:
    def held(meeting_id: str, manager: str = "0001") -> list[str]:
        return [meeting_id, manager, "0002", "2026/11/02", "実施済", "", "", "", "", ""]

    files = make_exports(
        meetings=[
            held("M2"),  # row 2
            held("M1", "０００１"),  # row 3 (the manager id NFKC'd)
            held("M2"),  # row 4: first at row 2
            held("Ｍ1"),  # row 5: M1 after NFKC, first at row 3
            held("M1"),  # row 6: first at row 3
            held("M3", "0001"),  # row 7
            held("M3", "０００１"),  # row 8: first at row 7
        ]
    )
    message = _fails(ws, cli, files)
    for row, value, first in ((4, "M2", 2), (5, "M1", 3), (6, "M1", 3), (8, "M3", 7)):
        assert (
            f"meetings.csv:{row}: 1on1ID: duplicate 1on1 id ('{value}', first at row {first})"
            in message
        )
    assert "meetings.csv:2: 1on1ID" not in message and "meetings.csv:7: 1on1ID" not in message


@pytest.mark.parametrize(
    ("managers", "count", "first"),
    [
        (["0001", "0001", "０００１", "0001", "０００１"], 2, 4),
        (["０００１", "0001", "0001", "０００１", "0001"], 2, 2),
        (["0001", "0001", "0001", "0001", "０００１"], 1, 6),
    ],
)
def test_normalised_note_names_the_first_changed_row(
    ws: Workspace, cli: Cli, make_exports: Any, managers: list[str], count: int, first: int
) -> None:
    meetings = [
        [f"M{n}", manager, "0002", "2026/11/02", "実施済", "", "", "", "", ""]
        for n, manager in enumerate(managers)
    ]
    result = cli("ingest", *map(str, make_exports(meetings=meetings)))
    assert (
        f"meetings.csv: 上司ID: {count} value(s) normalised, e.g. row {first}: '０００１' → '0001'"
        in result.stderr
    )
