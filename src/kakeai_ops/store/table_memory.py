"""Snapshot tables this process has read already, by their file's content.

A command reads each table of a snapshot once. `kops demo` runs a whole month's
commands in one process, and so does a test process: they read the same snapshot
(or a copy of it, byte for byte) again and again. An Arrow table never changes once
read, so a table read for a file whose SHA-256 is known is handed out again for the
same content and columns. A large table is not kept: a command of a large company
reads it once anyway, and a long-lived process would hold it for nothing."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

MOST_ROWS = 200_000  # a table with more rows is read every time
MOST_TABLES = 16  # the tables of a few snapshots (five tables each)

Key = tuple[str, tuple[str, ...] | None]  # the file's SHA-256, the columns read (None: all)

_tables: OrderedDict[Key, Any] = OrderedDict()
_lock = threading.Lock()  # a snapshot's tables are read in threads of their own


def remembered(key: Key) -> Any | None:
    """The table read for this content and these columns, if it is still kept."""
    with _lock:
        table = _tables.get(key)
        if table is not None:
            _tables.move_to_end(key)
        return table


def remember(key: Key, table: Any) -> None:
    """Keep ``table`` (an Arrow table) for the next read of the same content and columns."""
    if table.num_rows > MOST_ROWS:
        return
    with _lock:
        _tables[key] = table
        _tables.move_to_end(key)
        while len(_tables) > MOST_TABLES:
            _tables.popitem(last=False)


def forget() -> None:
    """Keep nothing (for a test that counts reads)."""
    with _lock:
        _tables.clear()
