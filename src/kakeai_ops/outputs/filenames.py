"""File and folder names made from names people chose (advisors, run ids, recipients).

Two rules keep such names safe on every machine the secretariat uses:

- readable: the original text is kept, Japanese included; only what Windows
  forbids is replaced (``<>:"/\\|?*``, control characters, trailing dots and
  spaces, reserved device names such as ``CON`` or ``COM1``);
- unique: a short hash of the exact original text is appended, so two names
  that differ only by a replaced character (``営業 本部長`` / ``営業/本部長``), by
  case (Windows and macOS ignore it) or past the length cut never share a file.

``FileNames`` also remembers what it handed out, so that within one run a
second key can never be given a name already written (the hash makes that
practically impossible; the check makes it certain).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import KopsError
from ..i18n import _

# What Windows refuses in a file name, every control character (C0, DEL, C1), and
# lone surrogates (undecodable bytes from a command line: no file system takes them).
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f\ud800-\udfff]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{device}{digit}" for device in ("COM", "LPT") for digit in "123456789¹²³"
}
# Long enough to read, short enough for Windows paths (260) and 255-byte file names.
READABLE_CHARS = 40
HASH_CHARS = 8


def key_hash(key: str) -> str:
    """A short stable hash of the exact text (so equal names, and only they, share it)."""
    data = key.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def readable(key: str) -> str:
    """The key with only what Windows forbids replaced by ``_``; never empty or reserved."""
    text = _FORBIDDEN.sub("_", key)[:READABLE_CHARS].rstrip(". ")
    if not text:
        return "_"
    if text.split(".")[0].upper() in _RESERVED:
        return "_" + text
    return text


def windows_refuses(name: str) -> str | None:
    """Why Windows would not take ``name`` (a file name the reader typed), or None. The
    files are opened on Windows: a name refused there is refused on every system, so a
    file is never written that the secretariat cannot open (``a:b.xlsx`` on NTFS is a
    hidden stream of a file ``a``, ``CON.xlsx`` the console)."""
    found = _FORBIDDEN.search(name)
    if found is not None:
        character = found.group()
        if character.isprintable():
            return _("the character {character}").format(character=character)
        return _("the invisible character U+{code:04X}").format(code=ord(character))
    if name != name.rstrip(". "):
        return _("it ends with a space or a dot")
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        return _("{name} is a name Windows keeps for a device").format(name=name.split(".")[0])
    return None


def safe_name(key: str, prefix: str = "", suffix: str = "") -> str:
    """``prefix + readable(key) + '-' + hash + suffix``.

    e.g. ``division-report-営業本部長-1a2b3c4d.xlsx``
    """
    return f"{prefix}{readable(key)}-{key_hash(key)}{suffix}"


class FileNames:
    """Names for the files of one run in one folder; a name is never given to two keys."""

    def __init__(self, directory: Path, prefix: str = "", suffix: str = "") -> None:
        self.directory = directory
        self.prefix = prefix
        self.suffix = suffix
        self._keys: dict[str, str] = {}  # case-folded name → the key it was given to

    def path(self, key: str) -> Path:
        """The file for ``key``; the same key always gets the same file."""
        name = safe_name(key, self.prefix, self.suffix)
        # Windows and macOS compare names without case: so does this check.
        folded = name.casefold()
        holder = self._keys.setdefault(folded, key)
        if holder != key:
            raise KopsError(
                _(
                    "{path}: already written in this run for {holder}, not overwriting it for {key}"
                ).format(path=self.directory / name, holder=repr(holder), key=repr(key)),
                hint=_("rename one of the two in kops.yaml or the exports"),
            )
        return self.directory / name
