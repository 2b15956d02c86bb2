"""Every figure kops published for a snapshot: which, as shown, for whom, in which file.

A report built later for the same snapshot is audited together with these: a figure
that left kops stays known, whatever the settings say now (an advisor added, a
merge changed), so it is treated as shown. The table is in the state database's
schema (store/state.py, version 7).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing

from ..clock import now_text
from ..workspace import Workspace


def record_published(
    ws: Workspace,
    snapshot: str,
    figures: Iterable[tuple[str, str, str]],
    audience: str,
    file: str,
) -> None:
    """Record ``figures`` (period, node, shown) as published to ``audience`` in ``file``."""
    from .state import connect

    at = now_text()
    rows = [(snapshot, p, n, s, audience, file, at) for p, n, s in figures]
    with closing(connect(ws)) as db:
        db.execute("BEGIN")
        db.executemany("INSERT INTO published VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
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
