"""How a file's headers tell which of the three tables it holds, and which header is
which canonical field (the fields themselves: model.py)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..config import Exports
from ..errors import Phrase, Problem
from ..i18n import N_


def header_key(text: str) -> str:
    """Headers compare after NFKC, case folding and without spaces (ＩＤ = ID)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Recognition:
    table: str | None
    columns: dict[str, str]  # canonical field → header as found in the file
    ignored: list[str]  # headers kops does not use
    never_read: list[str]  # free-text headers dropped unread (memo)
    # Not recognised, yet most of one table's headers are there (an id column renamed,
    # 社員番号 for ユーザーID): that table, and the key fields it lacks.
    likely: str | None = None
    likely_missing: tuple[str, ...] = ()
    likely_columns: dict[str, str] | None = None  # its fields found, as ``columns``


def recognise(headers: list[str], settings: Exports) -> Recognition:
    """Which table a header row belongs to, and which header is which field."""
    by_key = {header_key(h): h for h in headers if h.strip()}
    maps = {
        "users": settings.headers.users,
        "pairs": settings.headers.pairs,
        "meetings": settings.headers.meetings,
    }
    found: dict[str, dict[str, str]] = {}
    for name_of_table, mapping in maps.items():
        columns: dict[str, str] = {}
        for field, names in mapping.items():
            for name in names:
                if header_key(name) in by_key:
                    columns[field] = by_key[header_key(name)]
                    break
        found[name_of_table] = columns
    # The first table whose key fields are all there (KEY_FIELDS' order decides).
    table = next((n for n, keys in KEY_FIELDS.items() if all(k in found[n] for k in keys)), None)
    chosen = found[table] if table else {}
    used = set(chosen.values())
    never = {header_key(n) for n in settings.headers.never_read}
    never_read = [h for h in headers if header_key(h) in never and h not in used]
    ignored = [h for h in headers if h.strip() and h not in used and h not in never_read]
    likely, lacking = (None, ()) if table else _likely(found)
    likely_columns = found[likely] if likely else None
    return Recognition(table, chosen, ignored, never_read, likely, lacking, likely_columns)


# The fields that tell each table apart, in the order ``recognise`` asks for them (a file
# with a 1on1ID is the 1on1s whatever else it holds).
KEY_FIELDS = {
    "meetings": ("meeting_id",),
    "users": ("user_id",),
    "pairs": ("manager_id", "member_id"),
}


def _likely(found: dict[str, dict[str, str]]) -> tuple[str | None, tuple[str, ...]]:
    """The table most of whose other headers a file has (three at least, or two that no
    other table has: 氏名 and メールアドレス), with the key fields it lacks."""
    counts = sorted(((len(cols), name) for name, cols in found.items()), reverse=True)
    (best, name), (second, _other) = counts[0], counts[1]
    if best < 2 or best == second or (best == 2 and second > 0):
        return None, ()
    return name, tuple(f for f in KEY_FIELDS[name] if f not in found[name])


def repeated_columns(headers: list[str], used: set[str]) -> dict[str, list[int]]:
    """Headers kops reads that appear more than once (compared as ``header_key`` does),
    with their 1-based column positions. Reading either copy would be a guess."""
    positions: dict[str, list[int]] = {}
    for position, header in enumerate(headers, start=1):
        if header.strip():
            positions.setdefault(header_key(header), []).append(position)
    used_keys = {header_key(h) for h in used}
    return {
        headers[where[0] - 1]: where
        for key, where in positions.items()
        if len(where) > 1 and key in used_keys
    }


def repeated_column_problems(
    file: str, row: int, headers: list[str], used: set[str]
) -> list[Problem]:
    """One problem per column kops reads that the header row holds more than once."""
    return [
        Problem(
            file,
            row,
            header,
            Phrase(
                N_("column appears more than once (columns {columns} and {last}); keep one"),
                columns=", ".join(map(str, where[:-1])),
                last=where[-1],
            ),
        )
        for header, where in repeated_columns(headers, used).items()
    ]
