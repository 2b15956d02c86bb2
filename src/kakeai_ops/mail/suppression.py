"""The suppression list follows the person, not only the address.

An opt-out ("配信不要") is a person's wish: suppressing an address also puts
the user id it belongs to on the list, and suppressing a user id also their
address. When an export later gives a suppressed person a new address, the
user id keeps them off every run, the new address is added to the list, and
ingest says so. An address a bounce put on the list stays an address: it is
the mailbox that failed, not the person's wish.
"""

from __future__ import annotations

import shlex
import unicodedata
from contextlib import closing
from dataclasses import dataclass

import pandas as pd

from ..errors import KopsError
from ..i18n import _
from ..ids import same_number
from ..store import latest_snapshot, load_tables, record_action
from ..store.ledger import Ledger
from ..workspace import Workspace


@dataclass(frozen=True)
class Suppressed:
    key: str
    added: bool
    user_id: str | None  # the person the key belongs to, when the latest snapshot knows
    also: tuple[str, ...]  # the person's other keys put on the list with it


def _addresses(users: pd.DataFrame) -> pd.DataFrame:
    """user_id and lower-cased email of the users who have one. A missing address is
    no address (a snapshot's string column holds it as missing, not as "": kept, it was
    put on the list as NaN and `mail suppress` of such a person stopped half-way)."""
    frame = users.loc[users["email"].notna(), ["user_id", "email"]].astype(str)
    frame = frame[frame["email"].str.strip() != ""]
    return frame.assign(email=frame["email"].str.lower())


def latest_users(ws: Workspace) -> pd.DataFrame | None:
    snapshot = latest_snapshot(ws)
    if snapshot is None:
        return None
    return load_tables(snapshot, only=("users",), columns={"users": ["user_id", "email"]}).users


def suppress(ws: Workspace, key: str, reason: str, users: pd.DataFrame | None) -> Suppressed:
    """Put ``key`` (an address or a user id) on the list with the person's other key."""
    hidden = [c for c in key if unicodedata.category(c).startswith("C")]
    if not key.strip() or hidden:
        what = f"U+{ord(hidden[0]):04X}" if hidden else _("nothing visible")
        raise KopsError(
            _("{key} can't be put on the suppression list ({what})").format(
                key=repr(key), what=what
            ),
            hint=_("give an email address or a user id as the export has it"),
        )
    person: str | None = None
    others: list[str] = []
    if users is not None and len(users):
        if "@" not in key:
            key = _whole_id(key, users["user_id"].astype(str))
        known = _addresses(users)
        if "@" in key:
            match = known.loc[known["email"] == key, "user_id"]
            if len(match):
                person = str(match.iloc[0])
                others = [person]
        else:
            in_users = users["user_id"].astype(str) == key
            if in_users.any():
                person = key
                others = list(known.loc[known["user_id"] == key, "email"])
    with closing(Ledger(ws)) as ledger:
        added = ledger.suppress(key, reason, "manual", person)
        for other in others:
            ledger.suppress(other, reason, "manual", person)
    return Suppressed(key, added, person, tuple(others))


def _whole_id(key: str, known: pd.Series) -> str:
    """A user id typed without its leading zeros (127) is the one user whose id it is
    with them (000127); with two such users, it is refused (neither is meant for sure).
    An id no user has stays as typed (someone not in the exports yet)."""
    if (known == key).any():
        return key
    found = same_number(key, known)
    if len(found) > 1:
        raise KopsError(
            _("{key}: {count} users have this number: {ids}").format(
                key=key, count=len(found), ids=", ".join(found)
            ),
            hint=_("give the whole user id, with its leading zeros"),
        )
    return found[0] if found else key


def follow_address_changes(
    ws: Workspace, before: pd.DataFrame | None, after: pd.DataFrame
) -> list[str]:
    """Keep suppressed people suppressed across an export that changes their address.

    An address on the list that names no person yet (suppressed before kops knew
    them, or by an older kops) is tied to the user the previous snapshot gave it.
    Returns one line per person whose address changed, for the ingest report."""
    with closing(Ledger(ws)) as ledger:
        rows = ledger.suppression_rows()
        if not rows:
            return []
        previous = _addresses(before) if before is not None and len(before) else None
        if previous is not None:
            owner = dict(zip(previous["email"], previous["user_id"], strict=True))
            for key, reason, person in rows:
                if person is None and "@" in key and key in owner:
                    ledger.suppress(key, reason, "manual", owner[key])
                    ledger.suppress(owner[key], reason, "manual", owner[key])
            rows = ledger.suppression_rows()
        current = _addresses(after)
        now = dict(zip(current["user_id"], current["email"], strict=True))
        keys = {key for key, _reason, _person in rows}
        people: dict[str, tuple[str, list[str]]] = {}
        for key, reason, person in rows:
            if person is not None:
                entry = people.setdefault(person, (reason, []))
                if "@" in key:
                    entry[1].append(key)
        notes = []
        for person, (reason, addresses) in people.items():
            new = now.get(person)
            if new is None or new in keys:
                continue
            ledger.suppress(new, reason, "address change", person)
            # A first address is not a change (「変わりました（前は（なし））」).
            said = (
                _(
                    "user {user} is on the suppression list ({reason}) and now has the "
                    "address {new} (was {was}): they stay suppressed "
                    "(`kops mail unsuppress {quoted}` to mail them again)"
                )
                if addresses
                else _(
                    "user {user} is on the suppression list ({reason}) and now has an "
                    "address, {new}: they stay suppressed "
                    "(`kops mail unsuppress {quoted}` to mail them again)"
                )
            )
            notes.append(
                said.format(
                    user=person,
                    reason=reason,
                    new=new,
                    was=", ".join(addresses),
                    quoted=shlex.quote(person),
                )
            )
    return notes


def suppress_by_hand(ws: Workspace, key: str, reason: str) -> Suppressed:
    """`kops mail suppress`: :func:`suppress` against the latest users, and its audit
    entry when something was added."""
    done = suppress(ws, key, reason, latest_users(ws))
    if done.added:
        record_action(
            ws,
            "mail suppress",
            target=done.key,
            count=1 + len(done.also),
            detail={"reason": reason, "also": list(done.also)},
        )
    return done


def unsuppress(ws: Workspace, key: str) -> str:
    """`kops mail unsuppress`: take ``key`` off the list (refused when it is not on it);
    a user id typed without its leading zeros is the one key on the list it stands for.
    Returns the key taken off."""
    with closing(Ledger(ws)) as ledger:
        listed = [listed_key for listed_key, _reason, _person in ledger.suppression_rows()]
        if "@" not in key and key not in listed:
            found = same_number(key, listed)
            if len(found) == 1:
                key = found[0]
        removed = ledger.unsuppress(key)
    if not removed:
        raise KopsError(
            _("{key} is not on the suppression list").format(key=key),
            hint=_("`kops mail suppressed` lists it"),
        )
    record_action(ws, "mail unsuppress", target=key, count=1)
    return key
