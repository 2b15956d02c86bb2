"""The date forms exports hold, read straight from the bytes.

A big export writes millions of dates; pandas parses them by first boxing every cell
into a Python string. Here each cell's bytes are read as a row of a small matrix of
ASCII characters instead, in every form ingest accepts on its fast path:

- ``2026-11-24 09:05:00`` (the export's usual form; its fixed width lets the matrix be
  the column's bytes as they lie), ``2026-11-24T09:05:00`` (ISO), ``2026-11-24 09:05``;
- what Excel writes when a person re-saves the file: ``2026/9/28 9:05``, ``2026/9/28``,
  ``2026/09/28 09:05:00`` (month, day, hour, minute and second of one or two digits,
  the date's two separators alike: ``-``, ``/`` or ``.``);
- Excel's long date ``2026年9月28日`` (read as ``2026-9-28``).

Only cells that are exactly such a form and a real calendar time (month 1–12, a day the
month has, 00:00:00–23:59:59, years 1900–2200) are converted; everything else (an
offset, a fraction of a second, full-width digits, a serial number…) is left to the
general parser. For every form above the general parser gives the same time (a test
compares the two form by form), so the answer for any cell is the one it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar.buffers import StringBuffers, arrow_text

WIDTH = 19  # the longest form: YYYY-MM-DD HH:MM:SS
SHORTEST = 8  # YYYY/M/D
BLOCK = 1 << 18
_DATE_SEPARATORS = np.array([ord("-"), ord("/"), ord(".")], dtype=np.uint8)
FIRST_YEAR, LAST_YEAR = 1900, 2200
# Excel's long date, a whole cell of it, as the short one (anything else with 年 is
# left to the general parser).
_KANJI_DATE = r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$"


def fast_datetimes(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[us] per row, mask of the rows converted); unconverted rows hold NaT.
    ``text`` is stripped, with '' for blank."""
    values = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    converted = np.zeros(len(text), dtype=bool)
    column = arrow_text(text)
    # Blocks of rows rather than the reader's small chunks: fewer, larger NumPy steps.
    for start in range(0, len(column), BLOCK):
        block = column.slice(start, BLOCK).combine_chunks()
        stop = start + len(block)
        if block.null_count == 0 and len(block):
            _convert_block(_kanji_as_short(block), values[start:stop], converted[start:stop])
    return values, converted


def _kanji_as_short(block: pa.Array) -> pa.Array:
    """``2026年9月28日`` as ``2026-9-28``; only when some cell is not ASCII (rare)."""
    if not (StringBuffers.of(block).joined() >= 0x80).any():
        return block
    return pc.replace_substring_regex(block, _KANJI_DATE, r"\1-\2-\3")


def _convert_block(block: pa.Array, values: np.ndarray, converted: np.ndarray) -> None:
    """Fill ``values``/``converted`` (views of this block's rows) for the cells in a
    fast form."""
    cells_of = StringBuffers.of(block)
    widths = cells_of.widths
    if ((widths == WIDTH) | (widths == 0)).all():
        # Every cell is of the longest width or blank (blank cells have no bytes): the
        # cells' bytes lie back to back and are the matrix as they are (the usual export).
        rows = np.flatnonzero(widths)
        cells = cells_of.joined().reshape(-1, WIDTH)
    else:
        rows = np.flatnonzero((widths >= SHORTEST) & (widths <= WIDTH))
        cells = cells_of.matrix(rows, WIDTH, zero_past_end=False)
    if len(rows) == 0:
        return
    # The usual form first, column by column (most cells of most exports), then the rest.
    usual = _read_form(_USUAL, cells, rows, widths[rows], values, converted)
    others = np.flatnonzero(~usual)
    if len(others) == 0:
        return
    cells, rows = cells[others], rows[others]
    # Which bytes are digits says where each field lies: rows of one pattern are read
    # together with fixed positions, as a few fixed-width columns.
    pattern = _digit_pattern((cells - np.uint8(ord("0"))) <= 9, widths[rows])
    for key in np.flatnonzero(np.bincount(pattern)):
        form = _Form.of(int(key))
        if form is not None:
            chosen = np.flatnonzero(pattern == key)
            _read_form(form, cells[chosen], rows[chosen], widths[rows[chosen]], values, converted)


def _digit_pattern(is_digit: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Per row, bit i set when byte i is a digit of the cell (WIDTH bits; none past
    the cell's end)."""
    packed = np.packbits(is_digit, axis=1, bitorder="little")  # rows × 3 bytes
    pattern = np.zeros(len(is_digit), dtype=np.int32)
    for byte in range(packed.shape[1]):
        pattern |= packed[:, byte].astype(np.int32) << (8 * byte)
    return pattern & ((1 << widths.astype(np.int32)) - 1)


@dataclass(frozen=True)
class _Form:
    """Where the fields of one pattern of digits lie: (start, end) per field, year
    first, then month, day and maybe hour, minute and second; one byte between two."""

    fields: tuple[tuple[int, int], ...]

    @classmethod
    @lru_cache(maxsize=512)
    def of(cls, pattern: int) -> _Form | None:
        """The form of a digit pattern, or None when no fast form has it."""
        runs: list[tuple[int, int]] = []
        position = 0
        while position < WIDTH:
            if pattern >> position & 1:
                start = position
                while position < WIDTH and pattern >> position & 1:
                    position += 1
                runs.append((start, position))
            position += 1
        if len(runs) not in (3, 5, 6) or runs[0] != (0, 4):
            return None
        if any(end - start > 2 for start, end in runs[1:]):
            return None
        if any(start != previous_end + 1 for (_, previous_end), (start, _) in pairwise(runs)):
            return None  # not one byte between two fields
        return cls(tuple(runs))

    @property
    def end(self) -> int:
        return self.fields[-1][1]


_USUAL = _Form(((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)))  # 2026-11-24 09:05:00


def _read_form(
    form: _Form,
    cells: np.ndarray,
    rows: np.ndarray,
    widths: np.ndarray,
    values: np.ndarray,
    converted: np.ndarray,
) -> np.ndarray:
    """Convert the cells in ``form`` (separators and digits checked here); which were."""
    fields = form.fields
    digits = cells - np.uint8(ord("0"))  # not a digit (or past the cell's end): above 9

    def number(field: int) -> np.ndarray:
        value = np.zeros(len(cells), dtype=np.int32)
        if field < len(fields):
            for position in range(*fields[field]):
                value = value * 10 + digits[:, position]
        return value

    def between(field: int) -> np.ndarray:
        """The byte before ``field``."""
        return cells[:, fields[field][0] - 1]

    good = widths == form.end
    for start, end in fields:  # column by column: no gathered copy of the digits
        for position in range(start, end):
            good &= digits[:, position] <= 9
    separator = between(1)
    good &= ((separator == 45) | (separator == 47) | (separator == 46)) & (between(2) == separator)
    if len(fields) > 3:
        good &= ((between(3) == ord(" ")) | (between(3) == ord("T"))) & (between(4) == ord(":"))
    if len(fields) > 5:
        good &= between(5) == ord(":")
    year, month, day = number(0), number(1), number(2)
    hour, minute, second = number(3), number(4), number(5)
    # Each (year, month) of 1900–2200 once, in tables: its length and its first day.
    month_of = (year - FIRST_YEAR) * 12 + month - 1
    known = (year >= FIRST_YEAR) & (year <= LAST_YEAR) & (month >= 1) & (month <= 12)
    month_of = np.where(known, month_of, 0)
    good &= (
        known
        & (day >= 1)
        & (day <= _MONTH_LENGTH[month_of])
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    if good.any():
        day_number = _MONTH_START[month_of[good]] + (day[good] - 1)
        clock = hour[good] * 3600 + minute[good] * 60 + second[good]
        seconds = day_number * 86400 + clock
        values[rows[good]] = (seconds * 1_000_000).view("datetime64[us]")
        converted[rows[good]] = True
    return good


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of valid Gregorian dates (years ≥ 1 BC), in integer steps:
    H. Hinnant's days_from_civil, the year counted from March so leap days come last."""
    year = year.astype(np.int64) - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _month_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per month of FIRST_YEAR–LAST_YEAR: days since 1970-01-01 of its first day, and
    how many days it has."""
    years = np.repeat(np.arange(FIRST_YEAR, LAST_YEAR + 1), 12)
    months = np.tile(np.arange(1, 13), LAST_YEAR - FIRST_YEAR + 1)
    starts = _days_since_epoch(years, months, np.ones_like(years))
    after = np.append(
        starts[1:], _days_since_epoch(np.array([LAST_YEAR + 1]), np.array([1]), np.array([1]))
    )
    return starts, (after - starts).astype(np.int32)


_MONTH_START, _MONTH_LENGTH = _month_tables()
