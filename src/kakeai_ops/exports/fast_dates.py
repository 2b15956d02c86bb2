"""The common date form of an export, ``2026-11-24 09:05:00``, read straight from the bytes.

A big export writes millions of dates in exactly this form. pandas parses them by
first boxing every cell into a Python string; here the fixed-width cells are read
as a matrix of ASCII digits instead. Only cells that are exactly this form and a
real calendar time (month 1–12, a day the month has, 00:00:00–23:59:59, years
1900–2200) are converted; everything else is left to the general parser, so the
answer for any cell is the one pandas' ISO 8601 parser gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .distinct import arrow_text

WIDTH = 19  # YYYY-MM-DD HH:MM:SS
BLOCK = 1 << 18
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord(" "), 13: ord(":"), 16: ord(":")}
_DIGITS = [i for i in range(WIDTH) if i not in _SEPARATORS]
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)


def fixed_width_datetimes(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[us] per row, mask of the rows converted); unconverted rows hold NaT."""
    values = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    converted = np.zeros(len(text), dtype=bool)
    column = arrow_text(text)
    # Blocks of rows rather than the reader's small chunks: fewer, larger NumPy steps.
    for start in range(0, len(column), BLOCK):
        block = column.slice(start, BLOCK).combine_chunks()
        stop = start + len(block)
        if block.null_count == 0 and len(block):
            _convert_chunk(block, values[start:stop], converted[start:stop])
    return values, converted


def _convert_chunk(chunk: pa.Array, values: np.ndarray, converted: np.ndarray) -> None:
    """Fill ``values``/``converted`` (views of this chunk's rows) for its fixed-width cells."""
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ]
    if data_buffer is None:
        return
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    widths = np.diff(offsets)
    full = widths == WIDTH
    if (full | (widths == 0)).all():
        # Every cell is of the width or blank (blank cells have no bytes): the cells'
        # bytes lie back to back and are the matrix as they are.
        rows = np.flatnonzero(full)
        if len(rows) == 0:
            return
        cells = data[offsets[0] : offsets[-1]].reshape(-1, WIDTH)
    else:
        rows = np.flatnonzero(full)
        if len(rows) == 0:
            return
        cells = data[offsets[rows].astype(np.int64)[:, None] + np.arange(WIDTH)]
    shaped = np.ones(len(rows), dtype=bool)
    for position, separator in _SEPARATORS.items():
        shaped &= cells[:, position] == separator
    digits = cells - np.uint8(ord("0"))  # not a digit: wraps to above 9
    for position in _DIGITS:  # column by column: no gathered copy of the digits
        shaped &= digits[:, position] <= 9

    def number(first: int, last: int) -> np.ndarray:
        value = np.zeros(len(rows), dtype=np.int32)
        for position in range(first, last + 1):
            value = value * 10 + digits[:, position]
        return value

    year, month, day = number(0, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    valid_month = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.where(valid_month, month - 1, 0)] + ((month == 2) & leap)
    good = (
        shaped
        & (year >= 1900)
        & (year <= 2200)
        & valid_month
        & (day >= 1)
        & (day <= days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    if not good.any():
        return
    rows = rows[good]
    days = _days_since_epoch(year[good], month[good], day[good])
    seconds = days * 86400 + hour[good] * 3600 + minute[good] * 60 + second[good]
    values[rows] = (seconds * 1_000_000).view("datetime64[us]")
    converted[rows] = True


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of valid Gregorian dates (years ≥ 1 BC), in integer steps:
    H. Hinnant's days_from_civil, the year counted from March so leap days come last."""
    year = year.astype(np.int64) - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
