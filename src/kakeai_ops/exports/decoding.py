"""Which encoding a CSV file is in, decided on the whole file.

A BOM means UTF-8; otherwise the whole file must decode as UTF-8, else as CP932
(what Japanese Excel writes); anything else is refused, never read as mojibake.

Checking a CP932 file means decoding all of it; the UTF-8 text that decoding
produces is kept (for the last file each thread checked) so that the CSV reader parses
it instead of transcoding the file a second time, in small pieces, through
Python's codec.
"""

from __future__ import annotations

import codecs
import threading
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..i18n import N_

CHUNK = 8 << 20

# Python's cp932 maps the single bytes 0xA0 and 0xFD–0xFF to private-use characters
# instead of failing; Japanese Excel never writes them, so they mean "not CP932".
NOT_CP932 = "\uf8f0\uf8f1\uf8f2\uf8f3"


class _Copies(threading.local):
    """Per thread, (path, size, modification time) → the file's text as UTF-8 (a pyarrow
    Buffer): a file is checked and read on one thread, and files read on two threads at
    once keep each its own copy."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, int, int], Any] = {}


_utf8_copies = _Copies()

Identity = tuple[str, int, int]  # (path, size, modification time): the file as it is

# UTF-8 checks started before the file is read (check_ahead), by the file's identity.
_checks_ahead: dict[Identity, Future[bool]] = {}


class ReadFailure(Exception):
    def __init__(self, problem: Problem, *more: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.problems = [problem, *more]


# The first bytes of an OLE compound file (an old .xls, or an .xlsx saved with a
# password) and of a zip archive (an .xlsx): a workbook given where a CSV is read.
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_SIGNATURE = b"PK\x03\x04"


def detect_encoding(path: Path) -> str:
    """'utf-8-sig', 'utf-8' or 'cp932'; raises ReadFailure for anything else."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE_SIGNATURE:
        raise _whole_file(
            path,
            N_(
                "is an old Excel file (.xls) or has a password: open it in Excel and save "
                "it as an Excel workbook (.xlsx) without a password"
            ),
        )
    if head.startswith(ZIP_SIGNATURE):
        raise _whole_file(
            path,
            N_(
                "is an Excel workbook (.xlsx), not a CSV: give it the name .xlsx, or "
                "save it from Excel as CSV"
            ),
        )
    if head.startswith(codecs.BOM_UTF8):
        if _utf8(path):
            return "utf-8-sig"
        raise _whole_file(path, N_("starts with a UTF-8 BOM but is not valid UTF-8"))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _whole_file(
            path, N_("is UTF-16; save it as CSV UTF-8 or as CSV (Shift-JIS/CP932) from Excel")
        )
    if _utf8(path):
        return "utf-8"
    if _is_cp932(path):
        return "cp932"
    raise _whole_file(
        path,
        N_(
            "unknown encoding: neither UTF-8 nor CP932 (Shift-JIS); "
            "save it from Excel as 'CSV UTF-8' or 'CSV'"
        ),
    )


def _whole_file(path: Path, message: str) -> ReadFailure:
    """A file refused as a whole (no row, no column): what it is and what to do with it."""
    return ReadFailure(Problem(path.name, None, None, message))


def utf8_copy(path: Path) -> Any:
    """A CP932 file's text as UTF-8 in a pyarrow Buffer: the copy its check made, or a
    fresh one. The kept copy is handed over once (it is as big as the file)."""
    kept = _utf8_copies.kept.pop(_identity(path), None)
    if kept is not None:
        return kept
    if not _is_cp932(path):
        raise ReadFailure(Problem(path.name, None, None, N_("is no longer valid CP932")))
    return _utf8_copies.kept.pop(_identity(path))


def check_ahead(path: Path, pool: Executor) -> Identity:
    """Start the file's UTF-8 check on ``pool``; ``detect_encoding`` takes its answer if
    the file is unchanged by then. The identity to ``forget_checks`` afterwards."""
    identity = _identity(path)
    _checks_ahead[identity] = pool.submit(_is_utf8, path)
    return identity


def forget_checks(identities: list[Identity]) -> None:
    """Drop the checks started ahead that were not taken (a file not read after all)."""
    for identity in identities:
        _checks_ahead.pop(identity, None)


def _utf8(path: Path) -> bool:
    """``_is_utf8``, answered by the check started ahead when there is one."""
    ahead = _checks_ahead.pop(_identity(path), None)
    if ahead is not None and not ahead.cancelled():
        return ahead.result()
    return _is_utf8(path)


def _identity(path: Path) -> Identity:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def _is_utf8(path: Path) -> bool:
    """Strict UTF-8 (surrogates and overlong forms refused, as Python's codec does),
    checked by Arrow's validator a chunk at a time, cut at character boundaries. Read,
    not mapped into memory: a file cut short while mapped would end the process (SIGBUS)
    rather than be refused; the check runs ahead on another thread anyway (ahead.py)."""
    import numpy as np
    import pyarrow as pa

    rest = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            data = rest + chunk if rest else chunk
            cut = _last_boundary(data)
            rest = data[cut:]
            # One string over the chunk's bytes, up to the cut, validated without a copy.
            offsets = pa.py_buffer(np.array([0, cut], dtype=np.int64))
            text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
            try:
                text.validate(full=True)
            except pa.ArrowInvalid:
                return False
    try:
        rest.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _last_boundary(data: bytes) -> int:
    """Where the last character of ``data`` starts when it may be incomplete (it begins
    within the last four bytes); else the end."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)  # ASCII ends the data: nothing incomplete
        if byte >= 0xC0:
            return len(data) - back  # a lead byte: the character may go on in the next chunk
    return len(data)


def _is_cp932(path: Path) -> bool:
    """The whole file decodes as CP932; its UTF-8 text is kept for ``utf8_copy``."""
    import pyarrow as pa

    decoder = codecs.getincrementaldecoder("cp932")(errors="strict")
    # UTF-8 takes at most three bytes per CP932 byte (half-width katakana): one buffer
    # of that size, of which only the pages written are ever resident, never grows.
    # From the system allocator: its pages go back to the OS as soon as it is parsed.
    space = pa.allocate_buffer(3 * path.stat().st_size + 16, memory_pool=pa.system_memory_pool())
    sink = pa.FixedSizeBufferWriter(space)
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                text = decoder.decode(chunk)
                # Four plain searches: a tenth of the time of a regex over the text.
                if any(char in text for char in NOT_CP932):
                    return False
                sink.write(text.encode("utf-8"))
            sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        return False
    _utf8_copies.kept.clear()
    _utf8_copies.kept[_identity(path)] = space.slice(0, sink.tell())
    return True
