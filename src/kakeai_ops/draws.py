"""The campaign draw: gather its inputs, record it, verify it, explain it.

The draw itself is ``analyses.draw`` (pure); this module gathers its inputs
(entries, eligibility, earlier winners), records it and checks it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .analyses import draw as draw_rules
from .analyses import streaks
from .calendar import BusinessCalendar
from .clock import now_text
from .config import Campaign, Settings
from .errors import KopsError
from .store import (
    Tables,
    audit,
    awards,
    campaign_draws,
    campaign_entries,
    draw_entrants,
    latest_snapshot,
    load_tables,
    os_user,
    record_draw,
)
from .workspace import Workspace


def judge(tables: Tables, campaign: Campaign, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Per user: division, eligible, employment_status (active|leave|retired)."""
    calendar = BusinessCalendar(settings.calendar.company_holidays)
    users = streaks.eligibility(tables, campaign, calendar, as_of).users
    status = tables.users.set_index("user_id")["employment_status"]
    frame = users[["user_id", "name", "division", "eligible"]].copy()
    frame["employment_status"] = frame["user_id"].map(status).fillna("retired")
    return frame


def judge_latest(ws: Workspace, settings: Settings, campaign: Campaign) -> pd.DataFrame | None:
    """Eligibility as of the newest snapshot, or None when nothing was ingested."""
    snap = latest_snapshot(ws)
    if snap is None or snap.as_of is None:
        return None
    return judge(load_tables(snap), campaign, settings, snap.as_of)


def previous_winners(ws: Workspace, campaign_id: str) -> set[str]:
    """Who won another campaign: drawn in its current draw, or awarded (kops campaign award)."""
    drawn = draw_entrants(ws)
    given = awards(ws)
    return set(drawn.loc[drawn["won"] & (drawn["campaign"] != campaign_id), "user_id"]) | set(
        given.loc[given["campaign"] != campaign_id, "user_id"]
    )


# --- the draw ---------------------------------------------------------------------


def draw_pool(
    ws: Workspace, campaign_id: str, campaign: Campaign, judged: pd.DataFrame
) -> pd.DataFrame:
    """Every entry with whether it goes into the draw and why not (user_id, division, …)."""
    entries = campaign_entries(ws, campaign_id)
    if entries.empty:
        raise KopsError(
            f"campaign '{campaign_id}' has no entries",
            hint=f"record them first: kops campaign entries {campaign_id} entries.csv",
        )
    earlier = previous_winners(ws, campaign_id) if campaign.exclude_previous_winners else set()
    return draw_rules.entrant_status(entries, judged, earlier)


def choose_seed(campaign_id: str, campaign: Campaign, seed: str | None) -> str:
    """The announced seed: --seed or the campaign's draw_seed, never a surprise default."""
    configured = campaign.draw_seed
    if seed is not None and configured is not None and seed != configured:
        raise KopsError(
            f"--seed '{seed}' differs from the announced draw_seed '{configured}' in kops.yaml",
            hint="draw with the seed you announced; change kops.yaml only if the announcement "
            "changed",
        )
    chosen = seed if seed is not None else configured
    if chosen is None or not chosen.strip():
        raise KopsError(
            f"campaign '{campaign_id}' has no seed for the draw",
            hint="announce a seed before the draw (e.g. the date and a public number such as "
            "that day's closing index) and pass it as --seed TEXT, or write it in kops.yaml "
            "as draw_seed",
        )
    return chosen


def run_draw(
    ws: Workspace,
    campaign_id: str,
    pool: pd.DataFrame,
    seed: str,
    winners: int,
    per_division: int | None,
    snapshot: str,
    as_of: dt.date,
    reason: str | None,
) -> tuple[int, draw_rules.DrawResult]:
    entrants = [
        draw_rules.Entrant(u, d)
        for u, d in zip(
            pool.loc[pool["in_draw"], "user_id"], pool.loc[pool["in_draw"], "division"], strict=True
        )
    ]
    if not entrants:
        raise KopsError(
            f"nobody who entered campaign '{campaign_id}' is eligible as of {as_of}",
            hint=f"`kops campaign list` shows the entries; `kops campaign eligible {campaign_id}`",
        )
    result = draw_rules.draw(entrants, seed, winners, per_division)
    number = record_draw(
        ws,
        {
            "campaign": campaign_id,
            "drawn_at": now_text(),
            "drawn_by": os_user(),
            "algorithm": draw_rules.ALGORITHM,
            "seed": seed,
            "winners": winners,
            "per_division": per_division,
            "entrants": len(result.picks),
            "fingerprint": result.fingerprint,
            "snapshot": snapshot,
            "as_of": as_of.isoformat(),
            "reason": reason,
        },
        [(p.user_id, p.division, p.position, p.won) for p in result.picks],
    )
    detail: dict[str, Any] = {
        "draw": number,
        "seed": seed,
        "entrants": len(result.picks),
        "fingerprint": result.fingerprint,
        "winners": result.winners,
    }
    if reason:
        detail["redraw_reason"] = reason
    audit(
        ws,
        "campaign redraw" if reason else "campaign draw",
        scope=campaign_id,
        snapshot=snapshot,
        rows=len(result.winners),
        detail=detail,
    )
    return number, result


@dataclass(frozen=True)
class Verification:
    draw_no: int
    seed: str
    recorded_fingerprint: str
    fingerprint: str
    recorded_winners: list[str]
    winners: list[str]

    @property
    def entrants_intact(self) -> bool:
        return self.fingerprint == self.recorded_fingerprint

    @property
    def ok(self) -> bool:
        return self.entrants_intact and self.winners == self.recorded_winners


def current_draw(ws: Workspace, campaign_id: str) -> tuple[dict[str, Any], pd.DataFrame]:
    draws = campaign_draws(ws, campaign_id)
    current = draws[draws["current"] == 1]
    if current.empty:
        raise KopsError(
            f"campaign '{campaign_id}' has not been drawn",
            hint=f"kops campaign draw {campaign_id} --winners N --seed TEXT",
        )
    return current.iloc[0].to_dict(), draw_entrants(ws, campaign_id)


def verify_draw(ws: Workspace, campaign_id: str) -> Verification:
    """Recompute the current draw from its recorded seed and entrants."""
    meta, entrants = current_draw(ws, campaign_id)
    if meta["algorithm"] != draw_rules.ALGORITHM:
        raise KopsError(f"draw uses algorithm '{meta['algorithm']}', unknown to this kops")
    people = [
        draw_rules.Entrant(u, d)
        for u, d in zip(entrants["user_id"], entrants["division"], strict=True)
    ]
    per_division = None if pd.isna(meta["per_division"]) else int(meta["per_division"])
    recorded = sorted(entrants.loc[entrants["won"], "user_id"])
    if not people:
        return Verification(
            int(meta["draw_no"]), str(meta["seed"]), str(meta["fingerprint"]), "", recorded, []
        )
    again = draw_rules.draw(people, str(meta["seed"]), int(meta["winners"]), per_division)
    return Verification(
        int(meta["draw_no"]),
        str(meta["seed"]),
        str(meta["fingerprint"]),
        again.fingerprint,
        recorded,
        sorted(again.winners),
    )


# --- what list and explain show -------------------------------------------------------


def overview(
    ws: Workspace,
    campaign_id: str,
    campaign: Campaign,
    judged: Callable[[], pd.DataFrame | None],
) -> dict[str, Any]:
    """Entries, eligible entrants and winners of a campaign.

    ``judged`` is a callable returning the eligibility frame (or None when there
    is no data), called only when entries exist and no draw has fixed the entrants.
    """
    entries = campaign_entries(ws, campaign_id)
    drawn = draw_entrants(ws, campaign_id)
    if len(drawn):
        eligible: int | None = len(drawn)
        winners: int | None = int(drawn["won"].sum())
    else:
        winners = None
        frame = judged() if len(entries) else None
        eligible = (
            int(draw_pool(ws, campaign_id, campaign, frame)["in_draw"].sum())
            if frame is not None
            else (0 if entries.empty else None)
        )
    return {"entries": len(entries), "eligible_entrants": eligible, "winners": winners}


@dataclass(frozen=True)
class PersonDraw:
    entered: bool
    entered_at: str | None
    source: str | None
    drawn: bool  # the campaign has a draw
    draw_no: int | None
    seed: str | None
    in_draw: bool
    position: int | None
    entrants: int
    won: bool


def person(ws: Workspace, campaign_id: str, user_id: str) -> PersonDraw:
    entries = campaign_entries(ws, campaign_id)
    mine = entries[entries["user_id"] == user_id]
    draws_ = campaign_draws(ws, campaign_id)
    current = draws_[draws_["current"] == 1]
    drawn = draw_entrants(ws, campaign_id)
    row = drawn[drawn["user_id"] == user_id]
    entered_at = None if mine.empty else mine.iloc[0]["entered_at"]
    return PersonDraw(
        entered=not mine.empty,
        entered_at=None if entered_at is None or pd.isna(entered_at) else str(entered_at),
        source=None if mine.empty else str(mine.iloc[0]["source"]),
        drawn=not current.empty,
        draw_no=None if current.empty else int(current.iloc[0]["draw_no"]),
        seed=None if current.empty else str(current.iloc[0]["seed"]),
        in_draw=not row.empty,
        position=None if row.empty else int(row.iloc[0]["position"]),
        entrants=len(drawn),
        won=bool(not row.empty and row.iloc[0]["won"]),
    )
