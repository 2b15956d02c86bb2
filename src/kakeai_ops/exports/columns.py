"""One export's columns by canonical field, and row-numbered problem reporting."""

from __future__ import annotations

from concurrent.futures import Executor, Future

import pandas as pd
import pyarrow.compute as pc

from ..columnar.buffers import arrow_text
from ..columnar.distinct import Distinct
from ..errors import Phrase
from ..i18n import N_, _
from . import normalise
from .findings import Findings
from .reading import RawTable

# Before this, a date in an export is an Excel serial read wrongly (1900-02-29 is
# Excel's serial 60), not a login or a 1on1. Birth dates are exempt.
EARLIEST = pd.Timestamp("2000-01-01")


class Context:
    """Column access by canonical field, and row-numbered problem reporting."""

    def __init__(
        self,
        raw: RawTable,
        columns: dict[str, str],
        findings: Findings,
        now: pd.Timestamp | None = None,
    ) -> None:
        self.raw = raw
        self.columns = columns
        self.findings = findings
        self.now = now
        self.file = raw.display
        self.length = len(raw.frame)
        self._parsing: dict[str, Future[tuple[pd.Series, pd.Series]]] = {}
        self._unparsed: dict[str, pd.Series] = {}  # per date field, the values refused

    def parse_dates_ahead(self, fields: list[str], pool: Executor) -> None:
        """Start parsing these date columns on ``pool``'s threads (the parser works in
        NumPy and Arrow, which let other threads run): ``dates`` takes the answer. Only
        the parsing moves; what is reported, and in which order, stays with ``dates``."""
        for field in fields:
            if field in self.columns:
                self._parsing[field] = pool.submit(normalise.parse_datetimes, self.text(field))

    def text(self, field: str) -> pd.Series:
        if field not in self.columns:
            return pd.Series([""] * self.length, index=self.raw.frame.index, dtype=str)
        return self.raw.frame[self.columns[field]].astype(str)

    def distinct(self, field: str) -> Distinct:
        """The field's column as its distinct values (read as a categorical or encoded here)."""
        if field in self.columns:
            column = self.raw.frame[self.columns[field]]
            if isinstance(column.dtype, pd.CategoricalDtype):
                return Distinct.of_categorical(column)
        return Distinct.of(self.text(field))

    def header(self, field: str) -> str:
        return self.columns.get(field, field)

    def bad(
        self, field: str, mask: pd.Series, what: str, values: pd.Series, kind: str = ""
    ) -> None:
        self.findings.rows(
            self.file, mask, self.raw.first_row, self.header(field), what, values, kind or what
        )

    def bad_each(
        self,
        field: str,
        column: Distinct,
        mask: pd.Series,
        what: str,
        values: pd.Series,
        kind: str = "",
    ) -> None:
        """``bad`` for a mask and values given per distinct value of ``column``."""
        if mask.any():
            self.bad(field, column.rows_with(mask), what, column.spread(values), kind)

    def plain_text(self, field: str) -> pd.Series:
        """The field's raw text, refusing control characters (NUL, CR/LF, tab, DEL, C1)."""
        raw = self.text(field)
        control = normalise.has_control(raw)
        if control.any():  # the message spells the characters out (findings.visible)
            self.bad(
                field,
                control,
                N_("contains a control character (line break, tab, NUL…)"),
                raw,
                kind="control",
            )
        return raw

    def required(self, field: str, values: pd.Series, raw: pd.Series) -> None:
        self.required_where(field, values == "", raw)

    def required_where(self, field: str, blank: pd.Series, raw: pd.Series) -> None:
        self.bad(field, blank, "required value is blank", raw, kind="blank")

    def note_respelled(
        self, field: str, before: pd.Series, after: pd.Series, column: Distinct | None = None
    ) -> None:
        """Count (in rows) the values normalisation changed, with the first as an example.

        ``column``: ``before``/``after`` are its distinct values rather than rows."""
        changed = (before.astype(str).str.strip() != after) & (after != "")
        if not changed.any():
            return
        if column is None:
            count = int(changed.sum())
            first = changed[changed].index[0]
            row = int(first)
        else:
            count = int(column.row_counts()[changed.to_numpy(dtype=bool)].sum())
            first = changed[changed].index[0]
            row = int(column.index[column.first_row(int(first))])
        self.findings.note(
            _(
                "{file}: {column}: {count} value(s) normalised, e.g. row {row}: "
                "'{before}' → '{after}'"
            ).format(
                file=self.file,
                column=self.header(field),
                count=count,
                row=self.raw.first_row + row,
                before=before.loc[first],
                after=after.loc[first],
            )
        )

    def dates(self, field: str, happened: bool = False, since_2000: bool = True) -> pd.Series:
        """Parsed dates. ``happened``: must not lie after ``now`` (a login; held 1on1s are
        checked with their status); ``since_2000``: anything earlier is an Excel mishap
        (all but birth dates)."""
        raw = self.text(field)
        parsing = self._parsing.pop(field, None)
        values, bad = parsing.result() if parsing else normalise.parse_datetimes(raw)
        self._unparsed[field] = bad
        self.bad(
            field,
            bad,
            N_("unparseable date (expected e.g. 2026/11/24, 2026-11-24 09:05 or an Excel date)"),
            raw,
            kind="date",
        )
        if since_2000:
            self.bad(
                field,
                values < EARLIEST,
                N_("before 2000-01-01 (an Excel date serial read wrongly?)"),
                raw,
                kind="early",
            )
        if happened:
            self.not_after_now(field, values, raw, values.notna())
        return values

    def blank_dates(self, field: str, values: pd.Series) -> pd.Series:
        """The rows of a date column ``dates`` read (``values``) that hold no date (blank,
        '-'): those it neither read nor refused, without stripping the text again."""
        return values.isna() & ~self._unparsed[field]

    def not_after_now(
        self, field: str, values: pd.Series, raw: pd.Series, applies: pd.Series
    ) -> None:
        if self.now is None:
            return
        stamp = self.now.strftime("%Y-%m-%d %H:%M")
        self.bad(
            field,
            applies & (values > self.now),
            Phrase(N_("later than now ({stamp} JST): can't have happened yet"), stamp=stamp),
            raw,
            kind="future",
        )

    def duplicates(self, field: str, values: pd.Series, what: str) -> None:
        """Rows repeating an earlier row's value, each naming that first row."""
        if _ascending(values) or pd.Index(values).is_unique:
            return
        repeated = values.duplicated(keep="first") & (values != "")
        if not repeated.any():
            return
        positions = pd.Series(values.index, index=values.index)
        first = positions.groupby(values.to_numpy()).transform("first")
        # In the reader's language (「最初は 2 行目」), built for the repeated rows only.
        said = _("'{value}', first at row {row}")
        rows = (first + self.raw.first_row)[repeated]
        described = pd.Series("", index=values.index, dtype=object)
        described.loc[repeated] = pd.Series(
            [said.format(value=v, row=r) for v, r in zip(values[repeated], rows, strict=True)],
            index=rows.index,
            dtype=object,
        )
        self.findings.rows(
            self.file,
            repeated,
            self.raw.first_row,
            self.header(field),
            what,
            described,
            kind="duplicate",
            quote=False,
        )


def _ascending(values: pd.Series) -> bool:
    """Whether each value is greater than the one before (by its UTF-8 bytes): then no
    two are the same. Exports list 1on1s by id, and comparing neighbours is a twentieth
    of the time of hashing 2.5M ids."""
    if len(values) < 2:
        return True
    text = arrow_text(values)
    later = pc.greater(text.slice(1), text.slice(0, len(text) - 1))
    return bool(pc.all(later, skip_nulls=False).as_py())
