"""The sample tenant's figures counted again from the export files in data/sample.

pandas and the spec's words only (shared/spec/rules.md, exports.md): nothing here imports
kakeai_ops, so a figure kops shows is checked against a count that shares no code with
it. IDs are NFKC-folded (「０００１１６」 is 000116), dates come in several forms, the
1on1 history is the union of every month's export (a later export replaces an id), and
retired people (退職) are left out of everything.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kakeai_ops import model

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
MONTHS = ("2026-10", "2026-11")
BLANK = {"", "-", "－", "nan", "None"}
TRUE = {"true", "1", "あり", "○", "yes"}
STUCK_ORDER = (
    "not_activated",
    "no_pair",
    "no_1on1",
    "lapsed",
    "no_prep",
    "no_rating",
    "no_recurrence",
    "healthy",
)
MILESTONES = (1, 5, 10, 20, 50, 100)


def read(path: Path) -> pd.DataFrame:
    """A CSV (UTF-8 with or without BOM, or CP932) or XLSX export, every cell as text."""
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, engine="calamine")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"{path}: neither UTF-8 nor CP932")


def ids(column: pd.Series) -> pd.Series:
    return column.astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())


def given(column: pd.Series) -> pd.Series:
    return ~column.fillna("").astype(str).str.strip().isin(BLANK)


# exports.md: a topic or 対応 spelled another way is the same value once folded (NFKC, no
# spaces, 欲しい as ほしい, 聞 as き), onto exports.md's list of 対応 (kops' constant of it).
RESPONSES = list(model.RESPONSES)


def _folded(text: str) -> str:
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return key.replace("欲し", "ほし").replace("聞", "き")


def canonical(column: pd.Series, values: list[str]) -> pd.Series:
    """Each value as its canonical spelling (blank stays blank, an unknown one too)."""
    by_key = {_folded(v): v for v in values}
    return column.map(
        lambda v: v if not isinstance(v, str) or not v.strip() else by_key.get(_folded(v), v)
    )


def rating(column: pd.Series) -> pd.Series:
    """A rating as a number: full-width digits are digits (NFKC), a blank is no rating."""
    text = column.fillna("").astype(str).map(lambda v: unicodedata.normalize("NFKC", v).strip())
    return pd.to_numeric(text.where(~text.isin(BLANK)), errors="raise")


def times(column: pd.Series) -> pd.Series:
    text = column.fillna("").astype(str).str.strip().str.replace("T", " ", regex=False)
    return pd.to_datetime(text.where(~text.isin(BLANK)), format="mixed")


@dataclass
class Sample:
    users: pd.DataFrame  # user_id, division, department, employment, logged_in
    pairs: pd.DataFrame  # formed pairs: manager_id, member_id, accepted_at, recurring
    held: pd.DataFrame  # held 1on1s up to the as-of day: manager_id, member_id, held_at, …
    as_of: dt.date

    def since(self, days: int, end: dt.date | None = None) -> pd.DataFrame:
        """The held 1on1s of the ``days`` days ending on ``end`` (the as-of day)."""
        last = end or self.as_of
        start = pd.Timestamp(last - dt.timedelta(days=days - 1))
        held_at = self.held["held_at"]
        return self.held[(held_at >= start) & (held_at < pd.Timestamp(last + dt.timedelta(1)))]


def load(month: str = "2026-11") -> Sample:
    """The snapshot a month's exports make: that month's users and pairs, and every
    1on1 exported up to that month (read once per process; each caller gets its copy)."""
    made = _load(month)
    return Sample(made.users.copy(), made.pairs.copy(), made.held.copy(), made.as_of)


@functools.cache
def _load(month: str) -> Sample:
    folder = SAMPLE / month
    raw = read(folder / "users.csv")
    users = pd.DataFrame(
        {
            "user_id": ids(raw["ユーザーID"]),
            "division": raw["事業部"].where(given(raw["事業部"]), "(未設定)"),
            "department": raw["部署"].where(given(raw["部署"]), "(未設定)"),
            "employment": raw["在籍状況"].where(given(raw["在籍状況"]), "在籍"),
            "last_login": times(raw["最終ログイン日時"]),
        }
    )
    users = users[users["employment"] != "退職"].reset_index(drop=True)
    raw_pairs = read(folder / "pairs.csv")
    pairs = pd.DataFrame(
        {
            "manager_id": ids(raw_pairs["上司ID"]),
            "member_id": ids(raw_pairs["部下ID"]),
            "formed": given(raw_pairs["承認日"]),
            "accepted_at": times(raw_pairs["承認日"]),
            "recurring": raw_pairs["繰り返し設定"].fillna("").str.strip().str.lower().isin(TRUE),
        }
    )
    # A pair with someone who has left is left out with them (rules.md: 退職 are left
    # out of everything).
    here = set(users["user_id"])
    pairs = pairs[pairs["formed"] & pairs["manager_id"].isin(here) & pairs["member_id"].isin(here)]
    pairs = pairs.drop(columns="formed")
    months = [m for m in MONTHS if m <= month]
    meetings = pd.concat([read(SAMPLE / m / "meetings.xlsx") for m in months])
    meetings = meetings.drop_duplicates("1on1ID", keep="last")
    held = pd.DataFrame(
        {
            "manager_id": ids(meetings["上司ID"]),
            "member_id": ids(meetings["部下ID"]),
            "held_at": times(meetings["実施日時"]),
            "status": meetings["ステータス"].str.strip(),
            "topic": meetings["トピック"],
            "response": canonical(meetings["対応"], RESPONSES),
            "prepared_at": times(meetings["事前準備日時"]),
            "sukkiri": rating(meetings["スッキリ度"]),
            "growth": rating(meetings["成長実感"]),
        }
    )
    held = held[held["status"] == "実施済"]
    as_of = max(held["held_at"].max(), users["last_login"].max()).date()
    held = held[held["held_at"] < pd.Timestamp(as_of + dt.timedelta(days=1))].copy()
    # Prepared: a topic chosen, at or before the 1on1 (rules.md).
    held["prepared"] = (
        held["prepared_at"].notna()
        & (held["prepared_at"] <= held["held_at"])
        & given(held["topic"])
    )
    return Sample(users, pairs, held.reset_index(drop=True), as_of)


def headline(
    sample: Sample, days: int, group: pd.Series | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """rules.md §4's figures per group (the member's group for 1on1s): headcount, ログイン率,
    ペア成立率, 1on1実施率, 部下1人あたり月間1on1数, 事前準備率, スッキリ度入力率, 平均スッキリ度・成長実感."""
    users = sample.users.assign(group=group if group is not None else "全社")
    in_pair = set(sample.pairs["manager_id"]) | set(sample.pairs["member_id"])
    members = set(sample.pairs["member_id"])
    recent = sample.since(days, end).merge(
        users[["user_id", "group"]], left_on="member_id", right_on="user_id"
    )
    met = set(recent["member_id"])
    rows = {}
    # The 部下 of the window: paired, or met as 部下, by its last day (today's 部下 paired
    # since had no pair then: not 部下 without a 1on1).
    last = pd.Timestamp((end or sample.as_of) + dt.timedelta(days=1))
    paired_then = set(sample.pairs.loc[sample.pairs["accepted_at"] < last, "member_id"])
    paired_then |= set(sample.held.loc[sample.held["held_at"] < last, "member_id"])
    for name, people in users.groupby("group"):
        mine = recent[recent["group"] == name]
        member = people["user_id"].isin(members)
        of_then = member & people["user_id"].isin(paired_then | met)
        n_members = int(of_then.sum())
        rows[name] = {
            "headcount": len(people),
            "activation_rate": people["last_login"].notna().mean(),
            "pair_rate": people["user_id"].isin(in_pair).mean(),
            "members": int(member.sum()),
            "implementation_rate": (member & people["user_id"].isin(met)).sum() / n_members,
            "held": len(mine),
            "per_member_month": len(mine) / n_members / (days / 30.4375),
            "prepared_share": mine["prepared"].mean(),
            "rated_share": mine["sukkiri"].notna().mean(),
            "sukkiri_avg": mine["sukkiri"].mean(),
            "growth_avg": mine["growth"].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def stuck_points(
    sample: Sample, lapse_days: int = 30, recent_n: int = 3, share: float = 0.5
) -> pd.DataFrame:
    """Each person's first stuck point in the funnel order of rules.md §1, and role."""
    pairs, held = sample.pairs, sample.held
    managers, members = set(pairs["manager_id"]), set(pairs["member_id"])
    ever = set(held["manager_id"]) | set(held["member_id"])
    window = held[held["held_at"] >= pd.Timestamp(sample.as_of - dt.timedelta(lapse_days - 1))]
    lately = set(window["manager_id"]) | set(window["member_id"])
    last = held.sort_values("held_at").groupby("member_id").tail(recent_n)
    prep = last.groupby("member_id")["prepared"].mean()
    rated = last.groupby("member_id")["sukkiri"].apply(lambda s: s.notna().mean())
    recurring = set(pairs.loc[pairs["recurring"], "manager_id"])
    rows = []
    for person in sample.users.itertuples():
        who = person.user_id
        is_manager, is_member = who in managers, who in members
        role = {
            (True, True): "both",
            (True, False): "manager",
            (False, True): "member",
            (False, False): "none",
        }[(is_manager, is_member)]
        checks = {
            "not_activated": pd.isna(person.last_login),
            "no_pair": not (is_manager or is_member),
            "no_1on1": who not in ever,
            "lapsed": who not in lately,
            "no_prep": is_member and who in prep.index and prep[who] < share,
            "no_rating": is_member and who in rated.index and rated[who] < share,
            "no_recurrence": is_manager and who not in recurring,
        }
        first = next((key for key, applies in checks.items() if applies), "healthy")
        rows.append({"user_id": who, "role": role, "stuck_point": first})
    return pd.DataFrame(rows).set_index("user_id")


def held_counts(sample: Sample) -> pd.DataFrame:
    """Per person, the 1on1s held as manager and as member up to the as-of day."""
    return pd.DataFrame(
        {
            "manager": sample.held.groupby("manager_id").size(),
            "member": sample.held.groupby("member_id").size(),
        }
    ).fillna(0)


def milestones_due(before: Sample, now: Sample) -> dict[tuple[int, str], int]:
    """Person-role pairs whose held count crossed a milestone between the two as-of days
    (rules.md §2), by the highest milestone crossed and role: people employed and not on
    leave (those on leave are never mailed)."""
    old, new = held_counts(before), held_counts(now)
    here = set(now.users.loc[now.users["employment"] == "在籍", "user_id"])
    due: dict[tuple[int, str], int] = {}
    for role in ("manager", "member"):
        for person, count in new[role].items():
            was = old[role].get(person, 0)
            crossed = [m for m in MILESTONES if was < m <= count]
            if person in here and crossed:
                due[(crossed[-1], role)] = due.get((crossed[-1], role), 0) + 1
    return due
