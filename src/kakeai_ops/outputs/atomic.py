"""Files replaced in one step: nobody (Excel included) sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import KopsError
from ..i18n import _


@contextmanager
def replacing(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary file next to ``path`` to write; when the block ends without error it
    replaces ``path`` in one step, so nobody (Excel included) sees half a file and a
    failed write leaves the old file as it was."""
    if not path.parent.is_dir():
        # Every writer comes here: a folder that is not there is the reader's mistake,
        # said as one, not a traceback from the temporary file.
        raise KopsError(
            _("{path}: no such directory").format(path=path.parent),
            hint=_("create it first or choose another path"),
        )
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    with replacing(path) as temp:
        temp.write_bytes(data)
