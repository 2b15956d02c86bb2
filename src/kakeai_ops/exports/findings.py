"""Problems (errors) and notes (warnings) gathered while reading exports."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from ..errors import Phrase, Problem

CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)

# Per (file, column, kind) only the first few rows are kept as examples; the
# count of the rest is still exact, so a broken 2.5M-row file can't flood memory.
EXAMPLES_PER_KIND = 20

Kind = tuple[str, str | None, str]  # (file, column, kind of problem): what examples count by


class Findings:
    """``examples_per_kind=None`` keeps every problem: for rows that are refused one by
    one while the rest of the file is used (form entries), where each one is reported."""

    def __init__(self, examples_per_kind: int | None = EXAMPLES_PER_KIND) -> None:
        self.examples_per_kind = examples_per_kind
        self.problems: list[Problem] = []
        self.total = 0
        self.notes: list[str] = []
        self._per_kind: Counter[Kind] = Counter()
        self._kinds: list[Kind] = []  # each kept problem's kind (for ``absorb``)

    def problem(self, problem: Problem, kind: str | None = None) -> None:
        problem = replace(
            problem,
            column=None if problem.column is None else visible(problem.column),
            what=(
                problem.what.with_values(visible)
                if isinstance(problem.what, Phrase)
                else visible(problem.what)
            ),
            value=None if problem.value is None else visible(problem.value),
        )
        key = (problem.file, problem.column, kind or problem.what)
        self.total += 1
        self._per_kind[key] += 1
        if self.examples_per_kind is None or self._per_kind[key] <= self.examples_per_kind:
            self.problems.append(problem)
            self._kinds.append(key)

    def problems_of(self, problems: Iterable[Problem]) -> None:
        """Each of ``problems`` (a file that could not be read says why, row by row)."""
        for problem in problems:
            self.problem(problem)

    def rows(
        self,
        file: str,
        mask: pd.Series,
        first_row: int | pd.Series,
        column: str,
        what: str,
        values: pd.Series | None = None,
        kind: str | None = None,
        quote: bool = True,
    ) -> None:
        """One problem per row where ``mask`` is true.

        ``first_row`` is the file row of position 0, or a series of the real row
        numbers (for frames merged from several files).
        """
        hits = mask[mask].index
        count = len(hits)
        if count == 0:
            return
        key = (file, column, kind or what)
        room = (
            count
            if self.examples_per_kind is None
            else max(self.examples_per_kind - self._per_kind[key], 0)
        )
        for position in hits[:room]:
            value = None if values is None else visible(str(values.loc[position]))
            shown = _quote(value) if quote else value
            row = (
                int(first_row.loc[position])
                if isinstance(first_row, pd.Series)
                else first_row + int(position)
            )
            self.problems.append(Problem(file, row, visible(column), what, shown))
            self._kinds.append(key)
        self._per_kind[key] += count
        self.total += count

    def absorb(self, other: Findings) -> None:
        """What ``other`` found, as if it had been found here after what is here already:
        the same examples kept, counts and notes (a file read on another thread is
        absorbed in the order the files were given)."""
        seen: Counter[Kind] = Counter()
        for problem, key in zip(other.problems, other._kinds, strict=True):
            # ``other`` kept the first of each kind; here, as many as there is room for.
            if self.examples_per_kind is None or (
                self._per_kind[key] + seen[key] < self.examples_per_kind
            ):
                self.problems.append(problem)
                self._kinds.append(key)
            seen[key] += 1
        self._per_kind.update(other._per_kind)
        self.total += other.total
        self.notes.extend(other.notes)

    def count_of(self, kind: str) -> int:
        """How many problems of ``kind`` were found, examples or not."""
        return sum(
            count for (_file, _column, each), count in self._per_kind.items() if each == kind
        )

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def failed(self) -> bool:
        return self.total > 0

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.file, p.row or 0, p.column or ""))


def visible(text: str) -> str:
    """Control characters spelled out (\\x1b, \\r\\n): a value quoted in a message never
    moves the cursor, clears the terminal or splits a line."""
    return CONTROL.sub(_spelled, text) if CONTROL.search(text) else text


def _spelled(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    spelled = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return {"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(char, spelled)


def _quote(value: str | None) -> str | None:
    return None if value is None else f"'{value}'"
