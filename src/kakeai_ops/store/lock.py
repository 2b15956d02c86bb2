"""One writer at a time: the workspace lock, and the tidying only its holder may do.

Every command that writes state (snapshots, the state database, mail plans)
runs inside ``workspace_lock``. It is an OS file lock (filelock: ``flock`` on
Unix, ``LockFileEx`` on Windows), so a killed command never leaves it held.
A small JSON file beside it says who holds it, for the message a waiting
command prints. Read-only commands never take it: snapshots appear whole (by
rename) and SQLite keeps each read consistent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..clock import JST
from ..errors import KopsError, WorkspaceBusy, WorkspaceError
from ..i18n import _, language
from ..workspace import STAGING_PREFIX, Workspace

TIMEOUT_VAR = "KOPS_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 30.0

Say = Callable[[str], None]


def lock_timeout() -> float:
    """How long a command waits for the workspace: ``KOPS_LOCK_TIMEOUT`` seconds, else 30."""
    text = os.environ.get(TIMEOUT_VAR, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise KopsError(
            _("{variable}: '{text}' is not a number of seconds").format(
                variable=TIMEOUT_VAR, text=text
            ),
            hint=_("e.g. {variable}=120 to wait two minutes, 0 not to wait, or unset it").format(
                variable=TIMEOUT_VAR
            ),
        )
    return value


@contextmanager
def workspace_lock(
    ws: Workspace, command: str, timeout: float | None = None, say: Say | None = None
) -> Iterator[None]:
    """Hold the workspace for ``command``; wait up to ``timeout`` seconds, then refuse.

    Once held, snapshot staging directories left by a killed ingest are removed:
    whoever wrote them no longer holds the lock, so they can never complete.
    """
    wait = lock_timeout() if timeout is None else timeout
    ws.state_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(ws.lock_path)
    if not _acquire(lock, 0):
        if say is not None and wait > 0:
            say(_("{busy}; waiting up to {wait:g} s…").format(busy=_busy_text(ws), wait=wait))
        if not _acquire(lock, wait):
            raise WorkspaceBusy(
                _("{busy}; wait for it to finish").format(busy=_busy_text(ws)),
                hint=_(
                    "run the command again when it has finished ({variable}=SECONDS waits longer)"
                ).format(variable=TIMEOUT_VAR),
            )
    try:
        acquired = time.time()
        _write_holder(ws, command, acquired)
        removed = remove_stale_staging(ws, older_than=acquired)
        if removed and say is not None:
            say(
                _("removed {count} unfinished snapshot(s) left by an interrupted ingest").format(
                    count=removed
                )
            )
        yield
    finally:
        ws.lock_holder_path.unlink(missing_ok=True)
        lock.release()


def writer_at_work(ws: Workspace) -> bool:
    """Whether a command holds the workspace now (a send under way). A read-only command
    asks: a run left 「送信中」 by a killed send is not one being sent. A lock that cannot
    be taken at all (a read-only share) is taken as nobody at work."""
    if not ws.lock_path.exists():
        return False
    lock = FileLock(ws.lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


def tidy_workspace(ws: Workspace, say: Say | None = None) -> None:
    """What a read-only command does on opening the workspace: if an interrupted ingest
    left staging directories and nobody holds the lock, remove them."""
    if not staging_dirs(ws):
        return
    try:
        with workspace_lock(ws, "kops (tidying the workspace)", timeout=0, say=say):
            pass
    except WorkspaceError:
        # Busy: a writer is at work and its staging directory may be live. Unlockable
        # (a read-only share): reading must still work; a writer will tidy up later.
        pass


def staging_dirs(ws: Workspace) -> list[Path]:
    if not ws.snapshots_dir.is_dir():
        return []
    return [p for p in ws.snapshots_dir.glob(f"{STAGING_PREFIX}*") if p.is_dir()]


def remove_stale_staging(ws: Workspace, older_than: float) -> int:
    """Remove staging directories last touched before ``older_than`` (epoch seconds).

    Only the lock holder calls this; the time check also spares one that a
    process outside the lock (a test, a script) is writing right now.
    """
    removed = 0
    for path in staging_dirs(ws):
        try:
            if path.stat().st_mtime >= older_than:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not path.exists()
    return removed


def _acquire(lock: FileLock, timeout: float) -> bool:
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        return False
    except OSError as error:  # e.g. state/ read-only, or the lock path is a directory
        said = _("cannot lock the workspace ({file})").format(file=lock.lock_file)
        if language() == "en":  # the system's own words are English
            said += f": {error.strerror or error}"
        raise WorkspaceError(
            said,
            hint=_("kops needs to create and lock this file; check the folder's permissions"),
        ) from None
    return True


def _write_holder(ws: Workspace, command: str, since: float) -> None:
    holder = {
        "pid": os.getpid(),
        "command": command,
        "since": dt.datetime.fromtimestamp(since, JST).isoformat(timespec="seconds"),
    }
    temporary = ws.lock_holder_path.with_suffix(f".{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(holder, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, ws.lock_holder_path)  # readers never see half a file
    except OSError:
        temporary.unlink(missing_ok=True)  # the holder note is a courtesy, never a failure


def _busy_text(ws: Workspace) -> str:
    return _("another kops command is writing to this workspace ({holder})").format(
        holder=_holder_text(ws)
    )


def _holder_text(ws: Workspace) -> str:
    try:
        holder = json.loads(ws.lock_holder_path.read_text(encoding="utf-8"))
        since = dt.datetime.fromisoformat(holder["since"]).astimezone(JST)
        return _("pid {pid}, command {command}, since {since} JST").format(
            pid=int(holder["pid"]), command=holder["command"], since=f"{since:%Y-%m-%d %H:%M:%S}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return _("who holds it is not recorded")
