"""What can be learnt of the export files before they are read: each CSV's UTF-8 check
and each file's SHA-256, on another thread.

Both let other threads run (Arrow validates, hashlib hashes, without Python's lock), so
started first, by the command, they are done while the data libraries are still being
imported and while the files are read. This module imports none of them itself.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import decoding


class ReadAhead:
    """The files' UTF-8 checks (taken by ``decoding.detect_encoding``) and SHA-256s
    (``digest``), computed on one thread in that order. ``close`` stops what is left."""

    def __init__(self, paths: list[Path]) -> None:
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1)
        # Regular files only: opening a pipe or a device could block (ingest says why).
        files = [path for path in paths if path.is_file()]
        self._digests = {path: self._pool.submit(sha256_of, path, self._stop) for path in files}
        self._checked = [decoding.check_ahead(path, self._pool) for path in files]

    def digest(self, path: Path) -> Future[str] | None:
        """The file's SHA-256, being computed (None for a path that was not a file)."""
        return self._digests.get(path)

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        decoding.forget_checks(self._checked)


def sha256_of(path: Path, stop: threading.Event | None = None) -> str:
    """The file's SHA-256 ('' when ``stop`` is set before the end: no longer wanted)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if stop is not None and stop.is_set():
                return ""
            digest.update(chunk)
    return digest.hexdigest()
