"""Who was interviewed and who is kept out of shortlists: `kops interview record`,
`exclude` and `include` as the core records them, each with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the frames come from the store; the annotations only name them
    import pandas as pd

from ..clock import now
from ..errors import KopsError
from ..i18n import _
from ..ids import did_you_mean, typed_id
from ..store import (
    exclude_from_interviews,
    include_in_interviews,
    load_tables,
    record_action,
    record_interview,
    resolve_snapshot,
)
from ..workspace import Workspace


@dataclass(frozen=True)
class Interviewed:
    manager: str
    member: str
    on: dt.date
    added: bool  # False: the pair was recorded before


# How far ahead an interview may be recorded (one scheduled shortly); further is a typo.
AHEAD_DAYS = 31


def record_interviewed(
    ws: Workspace, manager_id: str, member_id: str, on: dt.date | None = None
) -> Interviewed:
    """Record the pair as interviewed on ``on`` (today by default). Both people must be in
    the latest snapshot (a typo would keep the wrong person out of every shortlist)."""
    manager, member = typed_id(manager_id), typed_id(member_id)
    # One read of the latest snapshot, the two columns asked of it (not every table, twice).
    tables = load_tables(resolve_snapshot(ws, None), columns=RECORD_COLUMNS)
    for user in (manager, member):
        _require_known(tables.users, user)
    _require_pair(tables.pairs, manager, member)
    today = now().date()
    day = on if on is not None else today
    if day > today + dt.timedelta(days=AHEAD_DAYS):
        # 2062 for 2026, 2099: a typo would keep the record (and its audit entry) for good.
        raise KopsError(
            _("--date: {day} is more than {days} days after today ({today})").format(
                day=day, days=AHEAD_DAYS, today=today
            ),
            hint=_("check the year; an interview is recorded once held, or shortly before"),
        )
    added = record_interview(ws, manager, member, day)
    if added:
        record_action(
            ws,
            "interview record",
            target=f"{manager} → {member}",
            count=1,
            detail={"date": day.isoformat()},
        )
    return Interviewed(manager, member, day, added)


def _require_known(users: pd.DataFrame, user: str) -> None:
    """``user`` is in the latest snapshot's ``users``: a typo would keep the wrong person
    out of every shortlist, and the one meant in."""
    known = set(users["user_id"])
    if user not in known:
        raise KopsError(
            _("no user '{user}' in the latest snapshot").format(user=user),
            hint=did_you_mean(user, known) or _("check the id with `kops segment --list`"),
        )


PAIR_COLUMNS = ("manager_id", "member_id", "accepted_at")
USER_IDS = {"users": ("user_id",)}
RECORD_COLUMNS = {**USER_IDS, "pairs": PAIR_COLUMNS}
LISTED = 10  # a manager's 部下 named in a refusal, the rest counted


def _require_pair(pairs: pd.DataFrame, manager: str, member: str) -> None:
    """``manager`` → ``member`` is a pair of the latest snapshot's export: two people typed
    the wrong way round, or who are no pair, were recorded as 上司 and 部下 of each other
    and both kept out of every later shortlist."""
    both = zip(pairs["manager_id"].astype(str), pairs["member_id"].astype(str), strict=True)
    listed = list(zip(both, pairs["accepted_at"].notna(), strict=True))
    # A pair invited and never accepted is no pair (ペア未成立): none of its 1on1s exist.
    known = {pair for pair, accepted in listed if accepted}
    if (manager, member) in known:
        return
    if (manager, member) in {pair for pair, _accepted in listed}:
        raise KopsError(
            _("{manager} (上司) → {member} (部下) was invited and never accepted").format(
                manager=manager, member=member
            ),
            hint=_("a pair is recorded once it is formed; check the ids in the latest export"),
        )
    if (member, manager) in known:
        hint = _(
            "{member} is the 上司 and {manager} the 部下: kops interview record {member} {manager}"
        )
    else:
        theirs = sorted(m for boss, m in known if boss == manager)
        shown = ", ".join(theirs[:LISTED])
        if len(theirs) > LISTED:  # never a cut list read as the whole
            shown += _(" and {n} more").format(n=len(theirs) - LISTED)
        hint = (
            _("{manager}'s 部下: {members}").format(manager=manager, members=shown)
            if theirs
            else _("{manager} is the 上司 of no pair: the ids are in `kops interview shortlist`")
        )
    raise KopsError(
        _("no pair {manager} (上司) → {member} (部下) in the latest snapshot").format(
            manager=manager, member=member
        ),
        hint=hint.format(manager=manager, member=member),
    )


def exclude(ws: Workspace, user_id: str, reason: str) -> str:
    """Keep the person out of every later shortlist; their id as stored."""
    user = typed_id(user_id)
    _require_known(load_tables(resolve_snapshot(ws, None), columns=USER_IDS).users, user)
    exclude_from_interviews(ws, user, reason)
    record_action(ws, "interview exclude", target=user, count=1, detail={"reason": reason})
    return user


def include(ws: Workspace, user_id: str) -> str:
    """Undo :func:`exclude`; refused for someone not excluded."""
    user = typed_id(user_id)
    if not include_in_interviews(ws, user):
        raise KopsError(
            _("{user} is not excluded").format(user=user),
            hint=_("`kops interview history` lists exclusions"),
        )
    record_action(ws, "interview include", target=user, count=1)
    return user
