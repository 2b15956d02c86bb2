"""A fair draw anyone can recompute: SHA-256 of seed and user id, lowest wins.

The algorithm (``sha256-v1``), in full:

1. The entrants are the eligible people who entered, sorted by user id.
   Their list, one line ``user_id<TAB>事業部`` each (UTF-8, ``\\n`` after
   every line), has a SHA-256 fingerprint that is recorded with the draw, so
   any later change to the list is detected.
2. Each entrant's key is ``sha256(seed + "\\n" + user_id)`` in hexadecimal,
   with the seed and id as UTF-8 text exactly as recorded.
3. Entrants are taken in ascending order of key (ties, practically
   impossible, by user id). Each is a winner unless their 事業部 already has
   ``per_division`` winners; the first ``winners`` taken win.
4. When the cap leaves places open because only capped 事業部 have entrants
   left, those places go to the skipped entrants, still in key order.

Nothing here reads files or the clock: the same seed and entrants give the
same winners on any machine, in any process.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

ALGORITHM = "sha256-v1"

# Why an entry is not in the draw, in the order they are checked.
NOT_DRAWN_REASONS = {
    "retired": "退職のため抽選対象外",
    "on_leave": "休職・休業中のため抽選対象外",
    "not_eligible": "応募条件を満たしていないため抽選対象外",
    "previous_winner": "過去のキャンペーンで当選済みのため抽選対象外",
}


@dataclass(frozen=True)
class Entrant:
    user_id: str
    division: str


@dataclass(frozen=True)
class Pick:
    user_id: str
    division: str
    key: str
    position: int  # 1 = lowest key
    won: bool
    over_cap: bool  # won a place the per-division cap had left open


@dataclass(frozen=True)
class DrawResult:
    seed: str
    winners_wanted: int
    per_division: int | None
    fingerprint: str
    picks: list[Pick]  # every entrant, in key order

    @property
    def winners(self) -> list[str]:
        return [p.user_id for p in self.picks if p.won]


def draw_key(seed: str, user_id: str) -> str:
    return hashlib.sha256(f"{seed}\n{user_id}".encode()).hexdigest()


def sorted_entrants(entrants: Iterable[Entrant]) -> list[Entrant]:
    return sorted(set(entrants), key=lambda e: e.user_id)


def fingerprint_line(entrant: Entrant) -> str:
    return f"{entrant.user_id}\t{entrant.division}\n"


def fingerprint(entrants: Iterable[Entrant]) -> str:
    """SHA-256 of the sorted entrant list, one ``user_id<TAB>division`` line each."""
    text = "".join(fingerprint_line(e) for e in sorted_entrants(entrants))
    return hashlib.sha256(text.encode()).hexdigest()


def draw(
    entrants: Iterable[Entrant], seed: str, winners: int, per_division: int | None = None
) -> DrawResult:
    if winners < 1:
        raise ValueError("winners must be at least 1")
    if per_division is not None and per_division < 1:
        raise ValueError("per_division must be at least 1")
    people = sorted_entrants(entrants)
    ordered = sorted(people, key=lambda e: (draw_key(seed, e.user_id), e.user_id))
    taken: Counter[str] = Counter()
    won: set[str] = set()
    for entrant in ordered:
        if len(won) == winners:
            break
        if per_division is not None and taken[entrant.division] >= per_division:
            continue
        won.add(entrant.user_id)
        taken[entrant.division] += 1
    over_cap: set[str] = set()
    for entrant in ordered:  # only capped 事業部 remain: fill the open places in key order
        if len(won) == winners:
            break
        if entrant.user_id not in won:
            won.add(entrant.user_id)
            over_cap.add(entrant.user_id)
    picks = [
        Pick(
            user_id=entrant.user_id,
            division=entrant.division,
            key=draw_key(seed, entrant.user_id),
            position=position,
            won=entrant.user_id in won,
            over_cap=entrant.user_id in over_cap,
        )
        for position, entrant in enumerate(ordered, start=1)
    ]
    return DrawResult(
        seed=seed,
        winners_wanted=winners,
        per_division=per_division,
        fingerprint=fingerprint(people),
        picks=picks,
    )


def entrant_status(
    entries: pd.DataFrame,
    eligibility: pd.DataFrame,
    previous_winners: set[str],
) -> pd.DataFrame:
    """Each entry (user_id) with whether it goes into the draw and, if not, why.

    ``eligibility`` is the campaign's per-user judgement (user_id, division,
    eligible, employment_status); people on leave or retired are never drawn,
    whatever else is true of them.
    """
    facts = eligibility.set_index("user_id")
    rows = []
    for user_id in entries["user_id"]:
        known = user_id in facts.index
        status = str(facts.at[user_id, "employment_status"]) if known else "retired"
        if not known or status == "retired":
            reason = "retired"
        elif status == "leave":
            reason = "on_leave"
        elif not bool(facts.at[user_id, "eligible"]):
            reason = "not_eligible"
        elif user_id in previous_winners:
            reason = "previous_winner"
        else:
            reason = ""
        rows.append(
            {
                "user_id": user_id,
                "division": str(facts.at[user_id, "division"]) if known else "",
                "in_draw": reason == "",
                "reason": reason,
            }
        )
    return pd.DataFrame(rows, columns=["user_id", "division", "in_draw", "reason"])
