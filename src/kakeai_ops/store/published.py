"""Every figure kops published: which, as shown, for whom, in which file, and what it is.

A report built later is audited together with these: a figure that left kops stays
known, whatever the settings say now (an advisor added, a merge changed), so it is
treated as shown. Each row also holds the figure itself (its measure, its people,
the days it covers, its label or value, what it sums up with) so that a report of
another period or snapshot sharing some of those days has it in the attacker's
equations (``privacy/publication.py``). The table is in the state database's
schema (store/state.py, versions 7 and 8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from ..clock import now_text
from ..privacy.cells import Cell
from ..privacy.publication import node_digest, node_key, node_text
from ..workspace import Workspace


@dataclass(frozen=True)
class PublishedFile:
    """One file's worth of figures: the cells of one report as they left kops (only
    those at ``only``, when a file shows part of a report: the deck's slides)."""

    cells: Sequence[Cell]
    first_day: dt.date
    last_day: dt.date
    only: frozenset[int] | None = None


def record_published(
    ws: Workspace,
    snapshot: str,
    publications: Iterable[PublishedFile],
    audience: str,
    file: str,
) -> None:
    """Record every figure of ``publications`` as published to ``audience`` in ``file``."""
    from .state import connect

    at = now_text()
    rows = []
    for publication in publications:
        report = uuid.uuid4().hex  # the figures of one report sum up among themselves
        for index, cell in enumerate(publication.cells):
            digest = node_digest(cell)
            if digest is None or (publication.only is not None and index not in publication.only):
                continue
            rows.append(
                (
                    snapshot,
                    cell.period,
                    digest,
                    cell.shown,
                    audience,
                    file,
                    at,
                    publication.first_day.isoformat(),
                    publication.last_day.isoformat(),
                    _figure_text(cell, index, report),
                )
            )
    with closing(connect(ws)) as db:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO published (snapshot, period, node, shown, audience, file, at, "
            "first_day, last_day, figure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("COMMIT")


def published_figures(ws: Workspace, snapshot: str) -> dict[str, list[str]]:
    """Node → what each publication of it showed, for ``snapshot``."""
    from .state import connect

    with closing(connect(ws)) as db:
        rows = db.execute(
            "SELECT node, shown FROM published WHERE snapshot = ? ORDER BY at", (snapshot,)
        ).fetchall()
    out: dict[str, list[str]] = {}
    for node, shown in rows:
        out.setdefault(node, []).append(shown)
    return out


def published_reports(
    ws: Workspace, snapshot: str, first_day: dt.date, last_day: dt.date
) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """The reports published earlier whose days overlap ``first_day``…``last_day``, or are
    linked to them by reports between (``_connected_days``), each as the cells it
    published (shown ones released): those of ``snapshot``, and those of other snapshots."""
    from .state import connect

    with closing(connect(ws)) as db:
        low, high = _connected_days(db, first_day.isoformat(), last_day.isoformat())
        rows = db.execute(
            "SELECT rowid, snapshot, figure FROM published WHERE figure != '' "
            "AND first_day <= ? AND last_day >= ? ORDER BY at, rowid",
            (high, low),
        ).fetchall()
    # A report made again with the same figures (a rehearsal, the deck's copy of a report,
    # the same command run twice) tells an attacker nothing its first copy did not: it is
    # read once. Without this each run of a month would add a copy to what every later
    # run reads and audits. Copies are found before decoding: a row's text names its
    # report, and two copies' texts differ only there.
    by_report: dict[str, list[tuple[int, str, str]]] = {}
    for rowid, owner, text in rows:
        at = text.find(_REPORT)
        named = text[at + len(_REPORT) : at + len(_REPORT) + 32] if at >= 0 else ""
        report = named if len(named) == 32 else f"row {rowid}"  # unreadable: kept, then named
        by_report.setdefault(report, []).append((rowid, owner, text))
    seen: set[tuple[str, bytes]] = set()
    reports: dict[str, dict[int, dict[str, Any]]] = {}
    owners: dict[str, str] = {}
    for report, lines in by_report.items():
        # A report's rows are written and read in the order of its figures.
        digest = hashlib.blake2b(digest_size=16)
        for _, _, text in lines:
            digest.update(text.replace(report, "").encode())
        key = (lines[0][1], digest.digest())
        if key in seen:
            continue
        seen.add(key)
        for rowid, owner, text in lines:
            try:
                figure = json.loads(text)
                reports.setdefault(str(figure["report"]), {})[int(figure["index"])] = figure
            except (ValueError, TypeError, KeyError) as error:
                raise _damaged(ws, rowid, error) from None
            owners[str(figure["report"])] = owner
    try:
        same = [_cells(f) for report, f in reports.items() if owners[report] == snapshot]
        other = [_cells(f) for report, f in reports.items() if owners[report] != snapshot]
    except (ValueError, TypeError, KeyError) as error:
        raise _damaged(ws, None, error) from None
    return same, other


_REPORT = '"report": "'  # how json.dumps writes a figure's report id, before its 32 digits


def _connected_days(db: Any, low: str, high: str) -> tuple[str, str]:
    """The days (ISO text) of the reports that overlap ``low``…``high``, of those that
    overlap one of them, and so on. An attacker links reports through those between
    them: a quarter (10〜12月) and 9月 share no day, but 90 days of 8月23日〜11月20日
    share days with both, and the three together narrowed 9月's hidden count, which
    the quarter's audit never saw (only reports sharing a day with it were read)."""
    while True:
        first, last = db.execute(
            "SELECT min(first_day), max(last_day) FROM published WHERE figure != '' "
            "AND first_day <= ? AND last_day >= ?",
            (high, low),
        ).fetchone()
        wider = (min(low, first or low), max(high, last or high))
        if wider == (low, high):
            return low, high
        low, high = wider


def _damaged(ws: Workspace, rowid: int | None, error: Exception) -> Exception:
    """A recorded figure kops cannot read back: the database named, nothing written."""
    from ..i18n import _
    from .integrity import Reason
    from .state import damaged_database

    if rowid is None:
        said = _("a figure recorded in the published table cannot be read back")
    else:
        said = _("the figure recorded in row {row} of the published table cannot be read back")
        said = said.format(row=rowid)
    return damaged_database(ws, Reason(said))


FIELDS = (
    "table",
    "period",
    "division",
    "department",
    "metric",
    "unit",
    "topic",
    "response",
    "threshold",
    "additive",
    "at_least_size",
    "at_most_size",
    "state",
)


def _figure(cell: Cell, index: int, report: str) -> dict[str, Any]:
    figure = {name: getattr(cell, name) for name in FIELDS}
    figure.update(
        report=report,
        index=index,
        value=cell.value,
        node=node_key(cell.node),
        depends=list(cell.depends),
        denominator=list(cell.denominator),
        numerator=cell.numerator,
    )
    return figure


def _figure_text(cell: Cell, index: int, report: str) -> str:
    """``json.dumps(_figure(cell, index, report), ensure_ascii=False)``, the node's JSON
    (the most of it, the same in many figures) written once per node: a dict's JSON is
    its items' JSON in order, so the node's is put between those before and after it."""
    before = {name: getattr(cell, name) for name in FIELDS}
    before.update(report=report, index=index, value=cell.value)
    after = {
        "depends": list(cell.depends),
        "denominator": list(cell.denominator),
        "numerator": cell.numerator,
    }
    head, tail = json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)
    return f'{head[:-1]}, "node": {node_text(cell.node)}, {tail[1:]}'


def as_read_back(cells: Sequence[Cell], only: Iterable[int]) -> list[Cell]:
    """The cells ``only`` of a report as a later run reads them back once recorded: what
    an attacker holding the file knows of them (labels, shown values, sums among them)."""
    report = uuid.uuid4().hex
    return _cells({i: json.loads(_figure_text(cells[i], i, report)) for i in sorted(only)})


def _cells(figures: dict[int, dict[str, Any]]) -> list[Cell]:
    """A recorded report as cells; indexes are renumbered over the figures kept."""
    order = sorted(figures)
    position = {index: n for n, index in enumerate(order)}

    def kept(indexes: Iterable[int]) -> tuple[int, ...]:
        return tuple(position[i] for i in indexes if i in position)

    cells = []
    for index in order:
        figure = figures[index]
        hidden = bool(figure["state"])
        cells.append(
            Cell(
                **{name: figure[name] for name in FIELDS},
                raw=None if hidden or figure["value"] is None else float(figure["value"]),
                # Only the label reaches the record: a shown figure was large enough.
                size=int(figure["threshold"]),
                depends=kept(figure["depends"]),
                denominator=kept(figure["denominator"]),
                numerator=position.get(figure["numerator"]),
                node=_tuples(figure["node"]),
                released=not hidden,
            )
        )
    return cells


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples of ``node_key``."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value
