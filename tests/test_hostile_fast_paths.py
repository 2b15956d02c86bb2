"""Hostile inputs for the fast paths that replaced plain code: each must give the plain
rule's answer byte for byte (decoding, dates, distinct values, CSV fields, reused mail
renders, per-user positions)."""

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

from kakeai_ops.analyses.common import user_positions
from kakeai_ops.exports import decoding, fast_dates, normalise
from kakeai_ops.exports.decoding import ReadFailure, detect_encoding, utf8_copy
from kakeai_ops.exports.distinct import Distinct, first_bytes, text_bytes
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.outputs import files
from kakeai_ops.outputs.neutralise import csv_field

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


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 7])
def test_chunked_decoding_decides_as_the_whole_file(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoding, "CHUNK", chunk)  # every character split at some boundary
    wrong = []
    for number, data in enumerate(_hostile_files()):
        path = tmp_path / f"f{number}.csv"
        path.write_bytes(data)
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
    "2026-11-24 24:00:00": "2026-11-25 00:00:00",  # as pandas' ISO 8601 parser reads it
    "2026-11-24 23:59:60": "2026-11-25 00:00:00",  # as the general parser reads it
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


# --- 4. mail rendered once per distinct value of what its templates read ---------------

_TEMPLATES = {
    "loop.txt": "subject: {{ name }} 様\n---\n{% for k, v in user.items() %}{{ k }}={{ v }}\n"
    "{% endfor %}",
    "keyed.txt": "subject: {{ name }}\n---\n{% set key = 'email' %}{{ user[key] }} {{ loop_x }}\n",
    "include_var.txt": "subject: x\n---\n{% include part %}\n",
    "_part_a.txt": "A {{ user.email }}",
    "_part_b.txt": "B {{ user.division }}",
    "macros.txt": "subject: {{ name }}\n---\n{% import '_macros.txt' as m with context %}"
    "{{ m.who() }} {{ m.hi(name) }}\n",
    "_macros.txt": "{% macro who() %}{{ user.email }}{% endmacro %}"
    "{% macro hi(n) %}{{ n|upper }} {{ user['division'] }}{% endmacro %}",
    "from.txt": "subject: s\n---\n{% from '_macros.txt' import who with context %}{{ who() }}\n",
    "blocks.txt": "subject: {{ facts.stuck_point }}\n---\n{% block b %}{{ user.email }}{% endblock %}"
    " {{ self.b() }} {% for x in [1, 2] %}{{ loop.index }}{{ user.role }}{% endfor %}\n",
    "split.txt": "subject: {{ user.division }}\n---\n{{ name }} {{ user.email }}\n",
    "extends.txt": "subject: e\n---\n{% extends '_base.txt' %}{% block body %}{{ name }}"
    "{% endblock %}",
    "_base.txt": "{% block body %}{% endblock %} / {{ user.email }}",
    "filters.txt": "subject: {{ name|default('x') }}\n---\n{{ user|dictsort|map(attribute=1)"
    "|join(',') }} {{ facts|tojson }}\n",
}


def _recipient(name: str, email: str, division: str, **more: Any) -> dict[str, Any]:
    user = {"name": name, "email": email, "division": division, "role": more.get("role", "")}
    return {
        "name": name,
        "user": user,
        "facts": {"stuck_point": more.get("stuck", "s"), "n": more.get("n", 1)},
        "part": more.get("part", "_part_a.txt"),
        "loop_x": more.get("loop_x", 0),
    }


def _recipients() -> list[dict[str, Any]]:
    same = "山田 太郎"
    people = [
        _recipient(same, "a@x.jp", "営業"),
        _recipient(same, "b@x.jp", "営業"),
        _recipient(same, "a@x.jp", "開発"),
        _recipient(same, "a@x.jp", "営業", role="manager"),
        _recipient(same, "a@x.jp", "営業", stuck="t"),
        _recipient(same, "a@x.jp", "営業", part="_part_b.txt"),
        _recipient(same, "a@x.jp", "営業", loop_x=1),
        _recipient(same, "a@x.jp", "営業", loop_x=True),
        _recipient(same, "a@x.jp", "営業", loop_x=1.0),
        _recipient(same, "a@x.jp", "営業", n=-0.0),
        _recipient(same, "a@x.jp", "営業", n=0.0),
        _recipient("山田 次郎", "a@x.jp", "営業"),
    ]
    # The same people again, in another order: reuse must find each one's own message.
    return people + people[::-1]


@pytest.mark.parametrize("template", [n[:-4] for n in _TEMPLATES if not n.startswith("_")])
def test_reused_mail_is_each_recipients_own(template: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in _TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    reused = TemplateSet(folder).get(template)
    for context in _recipients():
        fresh = TemplateSet(folder).get(template)  # a new set renders without reuse
        assert reused.render(context, "【P】") == fresh.render(context, "【P】")


# --- 5. user positions by Arrow's index_in -----------------------------------------------


@pytest.mark.parametrize("index_dtype", ["str", "string[python]", "string[pyarrow]"])
@pytest.mark.parametrize("ids_dtype", ["str", "string[python]", "string[pyarrow]"])
def test_user_positions_match_get_indexer(index_dtype: str, ids_dtype: str) -> None:
    index = pd.Index(["u1", "ｕ1", "U1", "", "u2", "ｕ２"], dtype=index_dtype)
    ids = pd.Series(["u2", "ｕ1", "", "x", "u1", "u2", "ｕ２", "u１"], dtype=ids_dtype)
    expected = index.get_indexer(ids)
    assert user_positions(index, ids).tolist() == expected.tolist()
    rows = np.array([True, False, True, True, False, True, True, False])
    assert user_positions(index, ids, rows, missing=99).tolist() == [
        99 if p < 0 else p for p in expected[rows]
    ]


def test_user_positions_over_arrow_chunks_and_categories() -> None:
    index = pd.Index(_arrow_backed([["a", "b"], ["c"]]))
    ids = _arrow_backed([["c"], ["a", "q", "b"]])
    assert user_positions(index, ids).tolist() == [2, 0, -1, 1]
    codes = pd.Series(
        pd.Categorical(["q", "b", "q", "a"], categories=pd.Index(["z", "q", "b", "a"], dtype="str"))
    )
    assert user_positions(index, codes).tolist() == [-1, 1, -1, 0]
