"""CSV fields column by column: exactly what ``csv.writer`` writes for ``files.cell`` of
each value, with the formula guard, built with vectorised string operations.

A 50,000-user list has 1.3M fields; a Python call per field (``cell``, the guard, the
writer's quoting) cost about a second. Here each column becomes an Arrow string array
at once: text by Arrow string kernels, dates by numpy, numbers per distinct value, and
the lines are joined by Arrow too. Columns of any other kind go through ``cell`` value
by value, as before.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..columnar import buffers
from .neutralise import FORMULA_TRIGGERS, csv_field

if TYPE_CHECKING:  # imported where a frame is written: ``table_csv_text`` needs no pandas
    import pandas as pd

QUOTE = '"'
TEXT = pa.large_string()
# " HH:MM" for each minute of a day, after a blank for a whole day (written as a date).
CLOCK = buffers.texts([""] + [f" {h:02d}:{m:02d}" for h in range(24) for m in range(60)])


def _scalar(value: str) -> pa.Scalar:
    # Not pa.scalar, which imports pandas (see columnar.buffers).
    return buffers.text(value)


def csv_rows(columns: list[pa.Array], line_end: str) -> str:
    """The lines of fields made by ``field_column``, each ending in ``line_end``."""
    if not columns or not len(columns[0]):
        return ""
    if len(columns) == 1:
        # csv.writer quotes a lone empty field, else the line would be blank.
        blank = pc.equal(columns[0], _scalar(""))
        columns = [pc.if_else(blank, _scalar(QUOTE * 2), columns[0])]
    lines = pc.binary_join_element_wise(*columns, _scalar(","))
    ended = pc.binary_join_element_wise(lines, _scalar(""), _scalar(line_end))
    if isinstance(ended, pa.ChunkedArray):
        ended = ended.combine_chunks()
    # No nulls: the character data of the array is the lines one after another.
    return buffers.joined_text(ended)


def table_csv_text(table: pa.Table, line_end: str = "\n") -> str:
    """An Arrow table as CSV, as ``files.csv_text`` writes a frame of the same columns
    (the names, then the rows; text guarded and quoted, blank where missing, booleans
    true/false, integers as str() writes them), for a command that never loads pandas.
    Only those kinds of column: any other is refused (TypeError)."""
    header = io.StringIO()
    csv.writer(header, lineterminator=line_end).writerow(
        [csv_field(name) for name in table.column_names]
    )
    if not table.num_rows:  # (combining no chunks would make an array by pa.array)
        return header.getvalue()
    fields = [_arrow_field(column.combine_chunks(), line_end) for column in table.columns]
    return header.getvalue() + csv_rows(fields, line_end)


def _arrow_field(values: pa.Array, line_end: str) -> pa.Array:
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        return _text_field(pc.fill_null(values.cast(TEXT), _scalar("")), line_end)
    if pa.types.is_timestamp(kind) and kind.tz is None:  # as a datetime64 column
        unit = f"datetime64[{kind.unit}]"
        times = buffers.to_numbers(values, missing=np.iinfo(np.int64).min).view(unit)
        dates = _date_fields(times)
        if dates is None:
            raise TypeError("years before 1000 or after 9999 are not written here")
        return _text_field(dates, line_end)
    if pa.types.is_float64(kind):  # as a float64 column: a null is NaN
        return _float_fields(buffers.to_floats(values))
    if pa.types.is_integer(kind):  # as an int64 column, or Int64 where there are nulls
        numbers = buffers.to_numbers(values, missing=0)
        return _optional_int_fields(numbers, ~buffers.present(values))
    if values.null_count:
        raise TypeError(f"a column of {kind} with missing values is not written here")
    if pa.types.is_boolean(kind):
        return pc.if_else(values, _scalar("true"), _scalar("false"))
    raise TypeError(f"a column of {kind} is not written here")


def field_column(column: pd.Series, line_end: str, cell: Callable[[Any], Any]) -> pa.Array:
    """Each value of ``column`` as its CSV field (guarded, quoted as csv.writer would)."""
    special = sorted({",", QUOTE, *line_end})  # what makes csv.writer quote a field
    text = _text(column)
    if text is not None:
        return _text_field(text, line_end)
    values = _plain(column)
    if values is not None:
        return values
    # Anything else: value by value, as csv.writer turns each cell into text.
    fields = [_quote_one(_as_field(csv_field(cell(v))), special) for v in column]
    return pa.array(fields, TEXT)


def _text_field(text: pa.Array, line_end: str) -> pa.Array:
    """Text (no nulls) as CSV fields: guarded, and quoted where csv.writer would."""
    special = sorted({",", QUOTE, *line_end})  # what makes csv.writer quote a field
    # Most columns need neither the guard nor quotes: one scan says so.
    either = FORMULA_START + "|" + _any_of(special)
    if not pc.any(pc.match_substring_regex(text, either)).as_py():
        return text
    return _quoted(_guarded(text), special)


def _text(column: pd.Series) -> pa.Array | None:
    """The column as Arrow text when every cell of it is text in files (dates, text,
    text categories; blank for missing); None otherwise."""
    import pandas as pd

    dtype = column.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        return _dates(column)
    if isinstance(dtype, pd.StringDtype):
        return _arrow_text(column)
    if isinstance(dtype, pd.CategoricalDtype) and isinstance(
        dtype.categories.dtype, pd.StringDtype
    ):
        # Each category once, then spread by the codes (-1, missing, picks the blank).
        categories = _arrow_text(pd.Series(dtype.categories))
        texts = pa.concat_arrays([categories, pa.array([""], TEXT)])
        codes = column.cat.codes.to_numpy().astype(np.int64)
        return texts.take(np.where(codes < 0, len(categories), codes))
    return None


def _arrow_text(column: pd.Series) -> pa.Array:
    text = pa.array(column)  # Arrow-backed text: no copy
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return pc.fill_null(text.cast(TEXT), _scalar(""))


def _dates(column: pd.Series) -> pa.Array | None:
    return _date_fields(column.to_numpy())


def _date_fields(values: np.ndarray) -> pa.Array | None:
    """``YYYY-MM-DD`` for a whole day, else ``YYYY-MM-DD HH:MM``; blank for missing
    (NaT); None for years before 1000 or after 9999."""
    known = ~np.isnat(values)
    years = values[known].astype("datetime64[Y]").astype(np.int64) + 1970
    if len(years) and (years.min() < 1000 or years.max() > 9999):
        # Timestamp.strftime writes such years unpadded (999-01-01), numpy and the
        # column's strftime padded: value by value, as cell() writes them.
        return None
    # Each distinct day is written once and each minute of the day comes from a table
    # of 1,440: formatting 50k timestamps one by one costs six times as much.
    present = values[known]
    minutes = present.astype("datetime64[m]").view(np.int64)
    day = minutes // 1440
    days, which_day = _distinct(day)
    day_texts = np.append(np.datetime_as_string(days.astype("datetime64[D]"), unit="D"), "")
    day_of = np.full(len(values), len(days), dtype=np.int64)  # the blank, for missing
    day_of[known] = which_day
    whole = present.astype("datetime64[D]") == present
    minute_of = np.zeros(len(values), dtype=np.int64)  # the blank: missing or a whole day
    minute_of[known] = np.where(whole, 0, minutes - day * 1440 + 1)
    return pc.binary_join_element_wise(
        _spread(day_texts.tolist(), day_of),
        CLOCK.take(buffers.numbers(minute_of)),
        _scalar(""),
    )


def _float_fields(values: np.ndarray) -> pa.Array:
    """As cell() rounds each float and csv.writer writes repr(), blank for NaN: once per
    distinct value (by bits, so 0.0 and -0.0 stay apart)."""
    bits, which = _distinct(values.view(np.int64))
    texts = ["" if v != v else repr(round(v, 4)) for v in bits.view(np.float64).tolist()]
    return _spread(texts, which)


def _optional_int_fields(values: np.ndarray, missing: np.ndarray) -> pa.Array:
    """Integers as str() writes them, blank where ``missing``."""
    numbers = pc.cast(buffers.numbers(values.astype(np.int64)), TEXT)
    return pc.if_else(buffers.numbers(missing), _scalar(""), numbers)


def _spread(texts: list[str], which: np.ndarray) -> pa.Array:
    return buffers.texts(texts).take(buffers.numbers(which.astype(np.int64)))


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``columnar.distinct.distinct_numbers`` (a hash table) where pandas is loaded, else
    ``np.unique``: the same answer (sorted distinct values, and per value which)."""
    if "pandas" in sys.modules:
        from ..columnar.distinct import distinct_numbers

        return distinct_numbers(values)
    distinct, which = np.unique(values, return_inverse=True)
    return distinct, which.reshape(-1)


def _literal(text: str) -> str:
    """``text`` as an Arrow (RE2) regular expression, each character by its code."""
    return "".join(f"\\x{{{ord(char):x}}}" for char in text)


def _any_of(texts: Iterable[str]) -> str:
    return "(?:" + "|".join(_literal(text) for text in texts) + ")"


FORMULA_START = "^" + _any_of(FORMULA_TRIGGERS)


def _guarded(text: pa.Array) -> pa.Array:
    """Formula-like text prefixed with ' (as ``csv_field``)."""
    formula = pc.match_substring_regex(text, FORMULA_START)
    if not pc.any(formula).as_py():
        return text
    prefixed = pc.binary_join_element_wise(_scalar("'"), text, _scalar(""))
    return pc.if_else(formula, prefixed, text)


def _quoted(text: pa.Array, special: list[str]) -> pa.Array:
    needs = pc.match_substring_regex(text, _any_of(special))
    if not pc.any(needs).as_py():
        return text
    doubled = pc.replace_substring(text, QUOTE, QUOTE * 2)
    quoted = pc.binary_join_element_wise(_scalar(QUOTE), doubled, _scalar(QUOTE), _scalar(""))
    return pc.if_else(needs, quoted, text)


def _plain(column: pd.Series) -> pa.Array | None:
    """Numbers and booleans (never quoted, never guarded: ``cell`` keeps them numbers;
    booleans become true/false); None for other columns."""
    import pandas as pd

    dtype = column.dtype
    if dtype == np.bool_:
        return pc.if_else(pa.array(column.to_numpy()), _scalar("true"), _scalar("false"))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), TEXT)  # as str() writes an int
    if dtype == np.float64:
        return _float_fields(column.to_numpy())
    if isinstance(dtype, pd.Int64Dtype | pd.Int32Dtype | pd.Int16Dtype | pd.Int8Dtype):
        values = column.to_numpy(dtype=np.int64, na_value=0)
        return _optional_int_fields(values, column.isna().to_numpy(dtype=bool))
    return None


def _as_field(value: Any) -> str:
    """As csv.writer turns a value into text: None blank, else str() (a numpy float's
    repr would be ``np.float64(0.1)``; its str is 0.1, as csv.writer writes it)."""
    if value is None:
        return ""
    return str(value)


def _quote_one(text: str, special: list[str]) -> str:
    if any(char in text for char in special):
        return QUOTE + text.replace(QUOTE, QUOTE * 2) + QUOTE
    return text
