"""Campaign eligibility (rules.md §2): weekly streaks over consecutive calendar months.

Vectorised: a users × weeks matrix of held counts, reduced to months, then to
runs of consecutive months. No per-user Python loop in the computation.

The judgement itself (``judge``) works on NumPy arrays: ``eligibility`` gives it a
snapshot's pandas frames and returns a frame, ``eligibility_table`` its Arrow tables
and returns an Arrow table, for `campaign eligible --format csv`, which then never
loads pandas (a third of a second of its start).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..calendar import BusinessCalendar, months_between, weeks_of_month
from ..config import Campaign, StreakRule
from . import reads

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ..model import Tables

DAY = dt.timedelta(days=1)

# The columns of `kops campaign eligible ID --all --format csv`, in this order.
ELIGIBLE_COLUMNS = [
    "user_id",
    "name",
    "division",
    "department",
    "eligible",
    "run_start",
    "run_end",
    "missed_weeks",
    "months_judged",
    "best_run_months",
    "employment",
    "note",
]

# What ``eligibility`` and ``eligibility_counts`` read of a snapshot (see load_tables).
NEEDED_COLUMNS = reads.ELIGIBILITY


@dataclass(frozen=True)
class WeekGrid:
    """The weeks of a campaign window, month by month."""

    mondays: list[dt.date]
    month_of: np.ndarray  # per week: index into months
    months: list[tuple[int, int]]
    excused: np.ndarray  # per week: no business day
    judged: np.ndarray  # per month: the month's last week has ended by the as-of date
    week_done: np.ndarray  # per week: its Sunday is on or before the as-of date


def week_grid(campaign: Campaign, calendar: BusinessCalendar, as_of: dt.date) -> WeekGrid:
    months = months_between(campaign.window.start, campaign.window.end)
    mondays: list[dt.date] = []
    month_of: list[int] = []
    for index, (year, month) in enumerate(months):
        for monday in weeks_of_month(year, month):
            mondays.append(monday)
            month_of.append(index)
    week_done = np.array([m + 6 * DAY <= as_of for m in mondays], dtype=bool)
    month_index = np.array(month_of, dtype=int)
    judged = np.array(
        [bool(week_done[month_index == i].all()) for i in range(len(months))], dtype=bool
    )
    return WeekGrid(mondays, month_index, months, calendar.excused(mondays), judged, week_done)


# The 備考 of an active person not eligible: how close the closest months came (a list's
# words; `kops campaign explain` says the closest run in the reader's language instead).
CLOSEST_NOTE = "条件にいちばん近い期間に実施のなかった週 "
LEAVE_NOTE = "休職・休業中のため対象外"
# The role the campaign counts, as the 備考 says it: a manager who held 1on1s with their
# 部下 but none as 部下 held none for a campaign of members.
ROLE_WORDS = {"member": "部下としての", "manager": "上司としての", "any": ""}


def condition_words(rule: StreakRule) -> str:
    """The condition in words, for a reader who does not know the campaign:
    「3か月連続で毎週、部下としての1on1を実施（営業日のない週は除く）」 (「毎週2回以上」 with
    ``min_per_week`` 2). A week of holidays only (お盆) is excused: 19 of 78 awarded held
    none that week, and the room asked why they were awarded."""
    weekly = "毎週" if rule.min_per_week == 1 else f"毎週{rule.min_per_week}回以上"
    return (
        f"{rule.months}か月連続で{weekly}、{ROLE_WORDS[rule.role]}1on1を実施"
        "（営業日のない週は除く）"
    )


def none_held_notes(rule: StreakRule) -> tuple[str, str]:
    """備考 of someone with no week counted in the window: none held in the role
    (「判定期間中に部下としての1on1の実施なし」), or some held but never ``min_per_week`` in
    one week (「判定期間中に部下としての1on1が週2回以上の週なし」)."""
    role = ROLE_WORDS[rule.role]
    return (
        f"判定期間中に{role}1on1の実施なし",
        f"判定期間中に{role}1on1が週{rule.min_per_week}回以上の週なし",
    )


@dataclass(frozen=True)
class Eligibility:
    grid: WeekGrid
    users: pd.DataFrame  # ELIGIBLE_COLUMNS (+ internal columns), one row per user
    counts: np.ndarray  # users × weeks: held 1on1s in the role
    user_index: pd.Index


@dataclass(frozen=True)
class Verdicts:
    """What ``judge`` finds, per user: NumPy arrays, and each text column as its few
    distinct texts with, per user, which of them (``Verdicts.texts``)."""

    eligible: np.ndarray
    qualifies_by_calendar: np.ndarray  # a full run of good months, by the calendar alone
    months_judged: int
    best_run_months: np.ndarray
    texts: dict[str, tuple[list[str], np.ndarray]]  # run_start, run_end, missed_weeks, note
    # Not yet eligible, good in every judged month since the last missed one (at least
    # one), and the window has months enough left to finish the run (達成見込み).
    on_track: np.ndarray


def eligibility(
    tables: Tables, campaign: Campaign, calendar: BusinessCalendar, as_of: dt.date
) -> Eligibility:
    """Who is eligible for a weekly-streak campaign as of a date, and why (not)."""
    import pandas as pd

    from .definitions import current_users, held_mask, user_positions

    grid = week_grid(campaign, calendar, as_of)
    # Those who have left (退職) are left out of everything (rules.md); those on leave stay:
    # listed, never eligible.
    users = current_users(tables.users).set_index("user_id")
    index = users.index
    meetings = tables.meetings
    held = held_mask(meetings, as_of)  # a mask, not a copy of every column
    days = meetings["held_at"].to_numpy()[held].astype("datetime64[D]")
    sides = [
        user_positions(index, meetings[column], held, missing=len(index))
        for column in _role_columns(campaign.rule.role)
    ]
    counts = held_counts(days, sides, len(index), grid)
    verdicts = judge(counts, users["employment_status"].to_numpy(), grid, campaign.rule)

    def text(name: str) -> pd.api.extensions.ExtensionArray:
        texts, which = verdicts.texts[name]
        return pd.array(texts, dtype="str")[which]

    frame = pd.DataFrame(
        {
            "user_id": index,
            "name": users["name"].array,
            "division": users["division"].array,
            "department": users["department"].array,
            "eligible": verdicts.eligible,
            "run_start": text("run_start"),
            "run_end": text("run_end"),
            "missed_weeks": text("missed_weeks"),
            "months_judged": verdicts.months_judged,
            "best_run_months": verdicts.best_run_months,
            "employment": users["employment"].array,
            "note": text("note"),
            "qualifies_by_calendar": verdicts.qualifies_by_calendar,
            "on_track": verdicts.on_track,
        }
    )
    return Eligibility(grid, frame, counts, index)


def eligibility_table(
    users: pa.Table,
    meetings: pa.Table,
    campaign: Campaign,
    calendar: BusinessCalendar,
    as_of: dt.date,
) -> pa.Table | None:
    """``eligibility(...).users[ELIGIBLE_COLUMNS]`` from the snapshot's Arrow tables
    (reads.ELIGIBILITY), without pandas; None for tables it does not take as a snapshot
    stores them (repeated user ids, held_at not naive times), which ``eligibility``
    then judges as before."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..columnar.arrow_codes import (
        all_different,
        code_of,
        dictionary_codes,
        id_positions,
        is_text,
    )
    from ..columnar.buffers import numbers, texts, to_numbers

    # As definitions.current_users: those who have left are not judged. (Arrow compute with a Python
    # string would convert it through pa.array, which loads pandas.)
    status = pc.cast(users.column("employment_status"), pa.large_string()).to_pylist()
    current = np.array([s != "retired" for s in status], dtype=bool)
    users = users.filter(numbers(current))
    employment = np.array(
        [s for s, keep in zip(status, current, strict=True) if keep], dtype=object
    )
    user_ids = users.column("user_id")
    # (Combining no chunks would make an empty array by pa.array, which loads pandas.)
    ids = user_ids.combine_chunks() if user_ids.num_chunks else texts([])
    held_at = meetings.column("held_at")
    if not (
        pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)
    ) or not all_different(ids):
        return None
    if not (pa.types.is_timestamp(held_at.type) and held_at.type.tz is None):
        return None
    if not all(is_text(meetings.column(c)) for c in ("manager_id", "member_id", "status")):
        return None
    grid = week_grid(campaign, calendar, as_of)
    # As definitions.held_mask: 実施済, held on or before the as-of day (a missing time
    # is NaT, which compares False).
    statuses, status = dictionary_codes(meetings.column("status"))
    held_code = code_of(statuses, "held")
    unit = f"datetime64[{held_at.type.unit}]"
    times = to_numbers(held_at, missing=np.iinfo(np.int64).min).view(unit)
    held = (status == held_code) & (times < np.datetime64(as_of + DAY, "D").astype(unit))
    days = times[held].astype("datetime64[D]")
    n_users = len(ids)
    sides = [
        id_positions(ids, meetings.column(column), held, missing=n_users)
        for column in _role_columns(campaign.rule.role)
    ]
    counts = held_counts(days, sides, n_users, grid)
    verdicts = judge(counts, employment, grid, campaign.rule)

    def text(name: str) -> pa.Array:
        distinct, which = verdicts.texts[name]
        return texts(distinct).take(numbers(which.astype(np.int64)))

    columns = {
        "user_id": ids,
        "name": users.column("name"),
        "division": users.column("division"),
        "department": users.column("department"),
        "eligible": numbers(verdicts.eligible),
        "run_start": text("run_start"),
        "run_end": text("run_end"),
        "missed_weeks": text("missed_weeks"),
        "months_judged": numbers(np.full(n_users, verdicts.months_judged, dtype=np.int64)),
        "best_run_months": numbers(verdicts.best_run_months.astype(np.int64)),
        "employment": users.column("employment"),
        "note": text("note"),
    }
    return pa.table(columns)


def _role_columns(role: str) -> list[str]:
    """The 1on1 columns whose person the campaign's role counts."""
    sides = (("member", "member_id"), ("manager", "manager_id"))
    return [column for side, column in sides if role in (side, "any")]


def held_counts(
    days: np.ndarray, sides: Sequence[np.ndarray], n_users: int, grid: WeekGrid
) -> np.ndarray:
    """Held 1on1s in the campaign's role, users × the grid's weeks. ``days``: each held
    1on1's day (datetime64[D], overwritten); ``sides``: per counted side, each held
    1on1's user position (``n_users`` for an id of no user here)."""
    n_weeks = len(grid.mondays)
    week = _grid_weeks(days, grid)
    # Held 1on1s per user × week, with a spare row for ids of no user here and a spare
    # column for weeks outside the grid: no filtered copies of the 2M held rows.
    cells = np.zeros((n_users + 1) * (n_weeks + 1), dtype=np.int64)
    for positions in sides:
        flat = positions.astype(np.int64, copy=True)
        flat *= n_weeks + 1
        flat += week
        cells += np.bincount(flat, minlength=len(cells))
    return cells.reshape(n_users + 1, n_weeks + 1)[:n_users, :n_weeks]


def judge(counts: np.ndarray, employment: np.ndarray, grid: WeekGrid, rule: StreakRule) -> Verdicts:
    """The verdicts from each user's held 1on1s per week (``held_counts``) and their
    employment status (active / leave / retired)."""
    n_users = counts.shape[0]
    covered = counts >= rule.min_per_week
    ok = covered | grid.excused[None, :]
    missed = ~ok
    month_ok, month_missed = _per_month(ok, missed, grid)
    n_judged = len(np.flatnonzero(grid.judged))
    runs = _runs(month_ok, month_missed, n_judged, rule.months)

    active = employment == "active"
    eligible = runs.eligible & active
    # Longest streak of consecutive good months among the judged ones.
    best = _longest_true_run(month_ok[:, :n_judged]) if n_judged else np.zeros(n_users, int)
    current, possible = _run_so_far(month_ok, n_judged, len(grid.months), rule.months)

    # Text columns are taken from their few distinct values (the last one blank).
    month_labels = [f"{y:04d}-{m:02d}" for y, m in grid.months] + [""]
    blank = len(month_labels) - 1
    has_run = runs.length > 0
    start_of = np.where(has_run, np.minimum(runs.start, blank), blank)
    end_index = np.minimum(runs.start + runs.length - 1, blank)
    end_of = np.where(has_run, np.maximum(end_index, 0), blank)
    missed_texts, missed_of, missed_count = _missed_weeks_text(
        missed, grid, runs.start, runs.length, runs.eligible
    )
    # 備考, as an index into its few texts: the three fixed ones, the blank, then for
    # each count of weeks missed the closest-run note (built once per count, not per user).
    note_texts = [
        "退職のため対象外",
        LEAVE_NOTE,
        "判定できる月がまだ足りない",
        "",
        *(f"{CLOSEST_NOTE}{weeks}週" for weeks in range(len(grid.mondays) + 1)),
    ]
    note_of = np.select(
        [employment == "retired", employment == "leave"], [0, 1], 3 if runs.full else 2
    )
    # Too few months judged for a run, but a missed week already leaves too few months
    # in the window: 「まだ足りない」 read as still in the race.
    note_texts.append(OUT_OF_REACH)
    note_of = np.where(active & ~runs.full & ~possible, len(note_texts) - 1, note_of)
    # Active, judged and not eligible: 期間の開始月・終了月 are the closest months, which
    # beside 最長の連続月数 0 read as a run made; 備考 says they are the closest, and how close
    # (the words of `kops campaign explain`; the months are beside it: one line of print).
    closest = active & ~eligible & has_run & runs.full
    note_of = np.where(closest, 4 + missed_count, note_of)
    # Someone with no week counted in the window came no closer in one run of months than
    # another: months beside 「最長の連続月数 0」 would read as a run they made. 備考 says
    # which: none held in the role, or some but never enough in one week.
    held_none = closest & ~covered.any(axis=1)
    none_held, no_full_week = none_held_notes(rule)
    note_texts += [none_held, no_full_week]
    some_held = counts.sum(axis=1) > 0
    note_of = np.where(held_none, len(note_texts) - 2 + some_held, note_of)
    start_of = np.where(held_none, blank, start_of)
    end_of = np.where(held_none, blank, end_of)
    # On leave with months beside: say what the months are, or they read as the leave.
    leave_run = (employment == "leave") & has_run & runs.full
    note_texts += [
        f"{LEAVE_NOTE}（期間は条件を満たした期間）",
        f"{LEAVE_NOTE}（期間は条件にいちばん近い期間）",
    ]
    note_of = np.where(leave_run, len(note_texts) - 2 + ~runs.eligible, note_of)
    missed_texts = [*missed_texts, ""]
    missed_of = np.where(held_none, len(missed_texts) - 1, missed_of)
    return Verdicts(
        eligible=eligible,
        qualifies_by_calendar=runs.eligible,
        months_judged=n_judged,
        best_run_months=best,
        on_track=active & ~eligible & (current >= 1) & possible,
        texts={
            "run_start": (month_labels, start_of),
            "run_end": (month_labels, end_of),
            "missed_weeks": (missed_texts, missed_of),
            "note": (note_texts, note_of),
        },
    )


def _per_month(ok: np.ndarray, missed: np.ndarray, grid: WeekGrid) -> tuple[np.ndarray, np.ndarray]:
    """Per user × month: was every week ok, and how many weeks were missed."""
    n_users, n_weeks = ok.shape
    if not len(grid.months):
        return np.zeros((n_users, 0), dtype=bool), np.zeros((n_users, 0), dtype=int)
    starts = (
        np.flatnonzero(np.r_[True, np.diff(grid.month_of) != 0]) if n_weeks else np.array([], int)
    )
    month_ok = np.logical_and.reduceat(ok, starts, axis=1)
    month_missed = np.add.reduceat(missed, starts, axis=1, dtype=int)
    return month_ok, month_missed


@dataclass(frozen=True)
class _Runs:
    """Per user, the run of months the judgement is about."""

    eligible: np.ndarray  # a full run of good months, by the calendar alone
    start: np.ndarray  # the run's first month (index into the grid's months)
    length: np.ndarray  # the run's months
    full: bool  # enough months are judged for a full run


def _runs(month_ok: np.ndarray, month_missed: np.ndarray, n_judged: int, k: int) -> _Runs:
    """The first qualifying run, as long as its good months go on (April to September,
    not the first three of them: the award mail says the months of the streak), else the
    closest run of ``k`` judged months (fewest weeks missed, the earliest of equals)."""
    n_users = month_ok.shape[0]
    # Months are judged from the window's start without gaps; runs are windows of k of them.
    n_runs = max(n_judged - k + 1, 0)
    if not n_runs:
        # Too few months judged yet for a full run: show what there is.
        return _Runs(
            np.zeros(n_users, dtype=bool),
            np.zeros(n_users, dtype=int),
            np.full(n_users, n_judged),
            full=False,
        )
    good = month_ok[:, :n_judged].astype(int)
    good_sum = np.cumsum(np.c_[np.zeros(n_users, int), good], axis=1)
    run_good = good_sum[:, k:] - good_sum[:, :-k][:, :n_runs]
    miss_sum = np.cumsum(np.c_[np.zeros(n_users, int), month_missed[:, :n_judged]], axis=1)
    run_missed = miss_sum[:, k:] - miss_sum[:, :-k][:, :n_runs]
    qualifies = run_good == k
    eligible = qualifies.any(axis=1)
    first_good = qualifies.argmax(axis=1)
    fewest = run_missed.argmin(axis=1)  # the earliest of the closest runs
    # The qualifying run goes on to the first month after it that is not good (the month
    # before it is not good, or an earlier run would qualify).
    months = np.arange(n_judged)
    bad_after = (months[None, :] >= first_good[:, None]) & (good == 0)
    ends = np.where(bad_after.any(axis=1), bad_after.argmax(axis=1), n_judged)
    length = np.where(eligible, ends - first_good, k)
    return _Runs(eligible, np.where(eligible, first_good, fewest), length, True)


def _grid_weeks(days: np.ndarray, grid: WeekGrid) -> np.ndarray:
    """Each day's week as an index into the grid's weeks, ``len(grid.mondays)`` for a
    day outside the grid. ``days`` (datetime64[D]) is overwritten."""
    n_weeks = len(grid.mondays)
    if not n_weeks:
        return np.zeros(len(days), dtype=np.int64)
    # Weeks counted from Monday 1969-12-29 (1970-01-01 was a Thursday, hence the +3).
    grid_numbers = (np.array(grid.mondays, dtype="datetime64[D]").astype(np.int64) + 3) // 7
    first = int(grid_numbers.min())
    span = int(grid_numbers.max()) - first + 1
    lookup = np.full(span + 2, n_weeks, dtype=np.int64)  # a slot either side: outside
    lookup[grid_numbers - first + 1] = np.arange(n_weeks)
    numbers = days.view(np.int64)
    numbers += 3
    numbers //= 7
    numbers -= first - 1
    np.clip(numbers, 0, span + 1, out=numbers)
    return lookup[numbers]


OUT_OF_REACH = "実施のない週があり、判定期間内には条件を満たせない"


def _run_so_far(
    month_ok: np.ndarray, n_judged: int, n_months: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per user, the good months judged last in a row (the run that may still grow), and
    whether the window's months after them leave room for a run of ``k``."""
    n_users = month_ok.shape[0]
    if n_judged:
        last_first = month_ok[:, :n_judged][:, ::-1].astype(bool)
        current = np.where(last_first.all(axis=1), n_judged, (~last_first).argmax(axis=1))
    else:
        current = np.zeros(n_users, dtype=int)
    return current, current + (n_months - n_judged) >= k


def _longest_true_run(matrix: np.ndarray) -> np.ndarray:
    """Per row, the length of the longest run of True (vectorised over columns)."""
    best = np.zeros(matrix.shape[0], dtype=int)
    current = np.zeros(matrix.shape[0], dtype=int)
    for column in matrix.T:  # months: a handful of columns, not users
        current = np.where(column, current + 1, 0)
        best = np.maximum(best, current)
    return best


def _missed_weeks_text(
    missed: np.ndarray,
    grid: WeekGrid,
    run_start: np.ndarray,
    run_len: np.ndarray,
    eligible: np.ndarray,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The missed weeks of each user's chosen run, as Monday dates joined by ';': the
    distinct texts and, per user, which of them and how many weeks it names."""
    n_users = missed.shape[0]
    if not grid.mondays:
        nothing = np.zeros(n_users, dtype=np.int64)
        return [""], nothing, nothing
    month_of = grid.month_of[None, :]
    in_run = (month_of >= run_start[:, None]) & (month_of < (run_start + run_len)[:, None])
    relevant = missed & in_run & grid.week_done[None, :] & ~eligible[:, None]
    labels = np.array([m.isoformat() for m in grid.mondays], dtype=object)
    # Users share few distinct patterns of missed weeks: join each pattern once. A
    # pattern is numbered by its bits (sorting rows of booleans is much slower).
    packed = np.packbits(relevant, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    words = np.zeros((n_users, width), dtype=np.uint8)
    words[:, : packed.shape[1]] = packed
    numbers = words.view(np.uint64)
    if numbers.shape[1] == 1:
        _, first, which = np.unique(numbers[:, 0], return_index=True, return_inverse=True)
    else:
        _, first, which = np.unique(numbers, axis=0, return_index=True, return_inverse=True)
    which = which.reshape(-1)
    texts = [";".join(labels[relevant[row]]) for row in first]
    counts = relevant[first].sum(axis=1)
    return texts, which, counts[which]


@dataclass(frozen=True)
class WeekDetail:
    monday: dt.date
    month: tuple[int, int]
    held: int
    status: str  # held / excused / missed / not_judged
    holidays: list[tuple[dt.date, str]]
    meetings: list[dt.date]


def user_weeks(
    result: Eligibility,
    tables: Tables,
    campaign: Campaign,
    calendar: BusinessCalendar,
    as_of: dt.date,
    user_id: str,
) -> list[WeekDetail]:
    """Week by week for one user: held / excused (which holidays) / missed / not yet judged."""
    import pandas as pd

    from .definitions import held_meetings

    position = result.user_index.get_loc(user_id)
    grid = result.grid
    counts = result.counts[position]
    held = held_meetings(tables.meetings, as_of)
    role = campaign.rule.role
    mask = pd.Series(False, index=held.index)
    if role in ("member", "any"):
        mask |= held["member_id"] == user_id
    if role in ("manager", "any"):
        mask |= held["manager_id"] == user_id
    days = sorted(pd.Timestamp(t).date() for t in held.loc[mask, "held_at"])
    details = []
    for i, monday in enumerate(grid.mondays):
        sunday = monday + 6 * DAY
        dates = [d for d in days if monday <= d <= sunday]
        if counts[i] >= campaign.rule.min_per_week:
            status = "held"
        elif grid.excused[i]:
            status = "excused"
        elif not grid.week_done[i]:
            status = "not_judged"
        else:
            status = "missed"
        details.append(
            WeekDetail(
                monday,
                grid.months[int(grid.month_of[i])],
                int(counts[i]),
                status,
                calendar.week_holidays(monday),
                dates,
            )
        )
    return details


# A month of a campaign's window with weeks missed: (year, month, how many, their Mondays
# as ISO dates). Plans stored before the Mondays were named hold the first three only.
MissedMonth = tuple[int, int, int, list[str]]


def missed_months(
    result: Eligibility, campaign: Campaign, user_ids: list[str]
) -> dict[str, list[MissedMonth]]:
    """Per user: the judged months of the window with weeks missed, as (year, month,
    weeks missed, their Mondays), oldest first: what a "why not me?" answer names (the
    count alone could not be checked against one's own calendar)."""
    import pandas as pd

    grid = result.grid
    covered = result.counts >= campaign.rule.min_per_week
    missed = ~(covered | grid.excused[None, :])
    positions = result.user_index.get_indexer(pd.Index(user_ids))
    found: dict[str, list[MissedMonth]] = {}
    for user_id, position in zip(user_ids, positions, strict=True):
        if position < 0:
            continue
        months = []
        for index, (year, month) in enumerate(grid.months):
            if not grid.judged[index]:
                continue
            in_month = np.flatnonzero(grid.month_of == index)
            weeks = [int(w) for w in in_month if missed[position, w]]
            if weeks:
                mondays = [grid.mondays[w].isoformat() for w in weeks]
                months.append((year, month, len(weeks), mondays))
        found[user_id] = months
    return found
