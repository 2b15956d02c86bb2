"""The stuck-point facts of a snapshot's tables, worked out once per process for each content.

Every mail run works out everyone's facts (``segmentation.segment``) before choosing its
audience; a second run on the same data (a resumed run, a plan then its send, a test
send) would work out the same again. The facts are a function of the tables, the rules
and the as-of date alone, so they are kept under what identifies those: the hashes of
the snapshot files the tables were read from (each file is checked against its hash as
it is read), the columns read, the rules and the day. A new snapshot, other rules or
another day is another key; each caller gets a copy of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

import pandas as pd

from ..analyses import segmentation
from ..config import Rules
from ..model import TABLE_NAMES
from ..store import SnapshotInfo, Tables

KEPT = 8  # contents kept at most: the few snapshots one process works on
_FACTS: dict[tuple[str, str, dt.date], pd.DataFrame] = {}


def tables_content(snapshot: SnapshotInfo, columns: Mapping[str, Sequence[str]]) -> str | None:
    """What identifies ``columns`` of the snapshot's tables: each file's recorded hash and
    the columns read; None when a file has no hash recorded (a snapshot written before
    hashes), whose tables are then never taken for another's."""
    hashes = [snapshot.table_digest(name) for name in TABLE_NAMES if name in columns]
    if None in hashes:
        return None
    read = {name: list(names) for name, names in columns.items()}
    return json.dumps([hashes, read], sort_keys=True)


def segment_facts(
    tables: Tables, rules: Rules, as_of: dt.date, content: str | None = None
) -> pd.DataFrame:
    """``segmentation.segment(tables, rules, as_of)``; with ``content`` (see
    tables_content) worked out once per process."""
    if content is None:
        return segmentation.segment(tables, rules, as_of)
    key = (content, rules.model_dump_json(), as_of)
    known = _FACTS.get(key)
    if known is None:
        known = segmentation.segment(tables, rules, as_of)
        if len(_FACTS) >= KEPT:
            _FACTS.clear()
        _FACTS[key] = known
    return known.copy()
