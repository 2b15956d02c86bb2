"""Files replaced in one step: nobody (Excel included) sees half a file.

Every file kops writes for people comes here, so this is also where a path the reader
chose (``--out``) is checked and where what the system says when a write fails is put in
the reader's words (a folder given for a file, a name Windows refuses, a file open in
Excel, a disk full), never a traceback."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..errors import KopsError
from ..i18n import _, language
from .filenames import windows_refuses

# The temporary file's name is the target's, cut to this many characters, then a dot,
# eight random characters and the suffix: a name near the system's 255 stays writable.
_TEMP_NAME_CHARS = 100


def check_target(path: Path) -> None:
    """Refuse, before any work, a path no file can be written to: a folder, a name
    Windows refuses, a parent that is missing or is a file."""
    _checked(path, _check_target)


def _checked(path: Path, check: Callable[[Path], None]) -> None:
    """``check`` of a path given for writing, after refusing `-`; a name too long even to
    look at is said as one that cannot be written."""
    _not_a_dash(path)
    try:
        check(path)
    except OSError as error:
        raise unwritable(path, error) from None


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise KopsError(
            _("{path}: a folder, not a file").format(path=path),
            hint=_("name a file in it, e.g. {example}").format(
                example=path / f"list{path.suffix or '.xlsx'}"
            ),
        )
    refused = windows_refuses(path.name)
    if refused is not None:
        raise KopsError(
            _("{path}: Windows does not allow this file name ({reason})").format(
                path=path, reason=refused
            ),
            hint=_("choose another name, e.g. with - or _ instead"),
        )
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise KopsError(
            _("{path}: a file, not a folder").format(path=parent),
            hint=_("move or rename that file, or choose another path"),
        )
    if not parent.is_dir():
        # Every writer comes here: a folder that is not there is the reader's mistake,
        # said as one, not a traceback from the temporary file.
        raise KopsError(
            _("{path}: no such directory").format(path=parent),
            hint=_("create it first or choose another path"),
        )


def _not_a_dash(path: Path) -> None:
    if str(path) == "-":
        raise KopsError(
            _("'-' is not a file name: kops does not write files to standard output"),
            hint=_("for the data on standard output, leave out --out and use --format csv"),
        )


def unwritable(path: Path, error: OSError) -> KopsError:
    """What the system said when ``path`` could not be written, in the reader's words."""
    if isinstance(error, PermissionError):
        # On Windows a file open in Excel or PowerPoint cannot be replaced: the usual case.
        return KopsError(
            _(
                "{path}: could not be written: it is open in another program (Excel, "
                "PowerPoint) or there is no permission to write there"
            ).format(path=path),
            hint=_(
                "close the file if it is open and run the command again, or choose another folder"
            ),
        )
    if error.errno == errno.ENAMETOOLONG:
        return KopsError(
            _("{path}: could not be written: the name is too long").format(path=path),
            hint=_("choose a shorter name or a folder nearer the top of the drive"),
        )
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return KopsError(
            _("{path}: could not be written: the disk is full").format(path=path),
            hint=_("free some space, or choose another drive"),
        )
    if error.errno == errno.EROFS:
        return KopsError(
            _("{path}: could not be written: the drive is read-only").format(path=path),
            hint=_("choose a folder on another drive"),
        )
    said = _("{path}: could not be written").format(path=path)
    if language() == "en" and error.strerror:  # the system's own words are English
        said += f" ({error.strerror})"
    return KopsError(said, hint=_("choose another folder, or check that the drive is reachable"))


def check_folder(path: Path) -> None:
    """Refuse, before any work, a folder to write files into that cannot be one: a file,
    a path through a file, a name Windows refuses."""
    _checked(path, _check_folder)


def _check_folder(path: Path) -> None:
    refused = windows_refuses(path.name)
    if refused is not None:
        raise KopsError(
            _("{path}: Windows does not allow this folder name ({reason})").format(
                path=path, reason=refused
            ),
            hint=_("choose another name, e.g. with - or _ instead"),
        )
    if path.exists() and not path.is_dir():
        raise KopsError(
            _("{path}: a file, not a folder").format(path=path),
            hint=_("give a folder for the files, e.g. {example}").format(
                example=path.with_name(path.stem + "-files")
            ),
        )
    above = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if above is not None:
        raise KopsError(
            _("{path}: a file, not a folder").format(path=above),
            hint=_("move or rename that file, or choose another path"),
        )


def make_folder(path: Path) -> None:
    """``path`` as a folder (made with its parents if need be), or why it cannot be one."""
    check_folder(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        raise KopsError(
            _("{path}: the folder could not be made: no permission to write there").format(
                path=path
            ),
            hint=_("choose another folder"),
        ) from None
    except OSError as error:
        raise unwritable(path, error) from None


@contextmanager
def replacing_folder(path: Path) -> Iterator[Path]:
    """A new folder next to ``path`` to fill; when the block ends without error it takes
    the place of ``path`` and what was there before is gone, so the folder holds this
    write's files only (a second dry run of a run left the first one's mails beside its
    own: 27 files for 22 mails).

    Each step is one rename: the old folder is set aside whole, the new one put in its
    place, and only then is the old one removed. Deleting the old files one by one first
    left a folder half emptied when one of them was open (Outlook, Explorer). A failed
    write or a refused rename leaves the old folder as it was."""
    import shutil

    check_folder(path)
    make_folder(path.parent)
    prefix = f".{path.name[:_TEMP_NAME_CHARS]}."
    _remove_leftovers(path.parent, prefix)
    try:
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
    except OSError as error:
        raise unwritable(path, error) from None
    aside: Path | None = None
    try:
        yield staging
        if path.exists():
            aside = path.with_name(f"{prefix}old-{os.getpid()}-{id(staging):x}")
            path.rename(aside)
        try:
            staging.rename(path)
        except OSError:
            if aside is not None:
                aside.rename(path)  # the old one back in its place
                aside = None
            raise
    except OSError as error:
        raise KopsError(
            _(
                "{path}: the folder could not be replaced ({reason}); the old one is as it was"
            ).format(path=path, reason=error.strerror or type(error).__name__),
            hint=_("close any window or program using the folder or a file in it, then run again"),
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)  # a file still open there: left hidden


def _remove_leftovers(parent: Path, prefix: str) -> None:
    """The new and old folders a replacement stopped midway left (a run killed): hidden,
    named after the folder, never anyone's own."""
    import shutil

    try:
        found = [p for p in parent.iterdir() if p.name.startswith(prefix) and p.is_dir()]
    except OSError:
        return
    for leftover in found:
        shutil.rmtree(leftover, ignore_errors=True)


# The files written inside ``together()``: (temporary file, its target), put in place
# when the block ends.
_held: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("held", default=None)


@contextmanager
def together() -> Iterator[None]:
    """Files that belong together (the review's deck and its workbook) are put in place
    only when every one of them is written: a run stopped midway (Ctrl-C, an error)
    leaves the old pair, never a new deck beside last month's workbook. The renames
    follow one another at the end (a target refused then, say open in PowerPoint, is
    named; those before it are in place)."""
    held: list[tuple[Path, Path]] = []
    token = _held.set(held)
    try:
        try:
            yield
        finally:
            _held.reset(token)
        for temp, path in held:
            try:
                temp.replace(path)
            except OSError as error:  # one already in place is said by the caller's paths
                raise unwritable(path, error) from None
    finally:
        for temp, _path in held:
            temp.unlink(missing_ok=True)


@contextmanager
def replacing(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary file next to ``path`` to write; when the block ends without error it
    replaces ``path`` in one step, so nobody (Excel included) sees half a file and a
    failed write leaves the old file as it was. Inside ``together()`` the step waits
    for the other files of the block."""
    check_target(path)
    prefix = f".{path.name[:_TEMP_NAME_CHARS]}."
    try:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    except OSError as error:
        raise unwritable(path, error) from None
    os.close(handle)
    temp = Path(name)
    held = _held.get()
    try:
        try:
            yield temp
        except OSError as error:
            if error.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
                raise
            raise unwritable(path, error) from None
        if held is not None:
            held.append((temp, path))
            return
        try:
            temp.replace(path)
        except OSError as error:
            raise unwritable(path, error) from None
    finally:
        if held is None or (temp, path) not in held:
            temp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    with replacing(path) as temp:
        temp.write_bytes(data)
