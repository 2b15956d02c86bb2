"""The division report's figures in one grouped pass over integer codes.

Stated plainly, each figure is one pandas groupby (and one merge of millions
of 1on1s with the users) per group level and period (tests/division_oracle.py
holds that statement); the report asks for about twenty of them. Here the
current users are numbered once, every held 1on1 is tied to its member's
number once, and each figure is a count over those numbers (``numpy.bincount``).
The frames are the same as the plain statement's, row for row and value for
value (the tests compare them): sums of ratings are sums of small whole numbers,
exact in floating point, so a mean computed here is the mean pandas computes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .. import model
from ..columnar.distinct import value_codes
from ..columnar.lookup import is_in
from ..model import Tables
from . import divisions as plain
from .definitions import current_users, day_end, formed_pairs, is_prepared, user_positions

TOTAL = model.COMPANY_ROW
FIGURE_COLUMNS = ["held_at", "prepared_at", "topic", "response", "sukkiri", "growth", "manager_id"]


class Grouping:
    """Each current user's group (-1: a level is missing, as groupby drops it).

    The groups of ``users[levels].groupby(levels, sort=True)``: ``index`` its
    ``size().index`` (the combinations present, in order), ``codes`` its ``ngroup()``.
    Worked out from each level's sorted codes (``pd.factorize``) rather than by a
    groupby: a report set asks for a dozen of these small groupings."""

    def __init__(self, users: pd.DataFrame, levels: list[str]) -> None:
        combined = np.zeros(len(users), dtype=np.int64)
        names = []
        for level in levels:
            codes, uniques = pd.factorize(users[level], sort=True)
            width = max(len(uniques), 1)
            combined = np.where((combined >= 0) & (codes >= 0), combined * width + codes, -1)
            names.append((uniques, width))
        known = combined >= 0
        present = np.unique(combined[known])
        self.codes = np.full(len(users), -1, dtype=np.int64)
        self.codes[known] = np.searchsorted(present, combined[known])
        arrays = []
        rest = present
        for uniques, width in reversed(names):
            arrays.append(uniques.take(rest % width))
            rest = rest // width
        arrays.reverse()
        if len(levels) == 1:
            self.index = arrays[0].rename(levels[0])
        else:
            self.index = pd.MultiIndex.from_arrays(arrays, names=levels)
        self.size = len(self.index)

    def count(self, users: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per group, the number (or ``weights`` sum) of the given user rows."""
        codes = self.codes[users]
        keep = codes >= 0
        chosen = None if weights is None else weights[keep]
        return np.bincount(codes[keep], weights=chosen, minlength=self.size)


class Figures:
    """The division figures of one set of (scoped) tables."""

    def __init__(self, tables: Tables, since: dt.date | None = None) -> None:
        """``since``: no figure asked of these tables looks at 1on1s before that day."""
        users = current_users(tables.users).reset_index(drop=True)
        self.users = users
        self.whole_users = users.assign(division=TOTAL, department=TOTAL)
        pairs = formed_pairs(tables.pairs)
        member_ids = _distinct(pairs["member_id"])
        self.activated = users["last_login_at"].notna().to_numpy()
        in_pair = _distinct(pairs["manager_id"]) | member_ids
        self.in_pair = is_in(users["user_id"], in_pair).to_numpy()
        self.member = is_in(users["user_id"], member_ids).to_numpy()
        meetings = tables.meetings
        ids = pd.Index(users["user_id"].to_numpy(dtype=object))
        rows = user_positions(ids, meetings["member_id"])
        keep = (meetings["status"] == "held").to_numpy(dtype=bool) & (rows >= 0)
        self.paired_on = _paired_on(users, pairs, meetings, rows, keep)
        if since is not None:
            keep &= (meetings["held_at"] >= pd.Timestamp(since)).to_numpy(dtype=bool)
        # Only the columns the figures read: a copy of the selected rows would also
        # copy every 1on1's id.
        held = meetings[FIGURE_COLUMNS].take(np.flatnonzero(keep))
        self.row = rows[keep]
        self.held_at = held["held_at"].to_numpy()
        self.prepared = is_prepared(held).to_numpy(dtype=bool)
        self.sukkiri = held["sukkiri"].astype(float).to_numpy()
        self.growth = held["growth"].astype(float).to_numpy()
        # Each 1on1's manager as a number: the grid of topic × 対応 is read as the managers'
        # strengths, so its cells count them too (``topic_response_managers``).
        self.manager = pd.factorize(held["manager_id"].astype(str))[0].astype(np.int64)
        self.topic, self.topic_values = value_codes(held["topic"])
        self.response, self.response_values = value_codes(held["response"])
        self._groupings: dict[tuple[tuple[str, ...], bool], Grouping] = {}
        self._within: dict[tuple[dt.date, dt.date], np.ndarray] = {}

    def grouping(self, levels: list[str], whole: bool = False) -> Grouping:
        key = (tuple(levels), whole)
        if key not in self._groupings:
            self._groupings[key] = Grouping(self.whole_users if whole else self.users, levels)
        return self._groupings[key]

    def within(self, start: dt.date, end: dt.date) -> np.ndarray:
        """The held 1on1s from ``start`` to ``end`` (inclusive), as a mask."""
        if (start, end) not in self._within:
            held_at = self.held_at  # NaT compares False, as in pandas
            after = np.datetime64(pd.Timestamp(start).to_datetime64())
            before = np.datetime64(day_end(end).to_datetime64())
            self._within[(start, end)] = (held_at < before) & (held_at >= after)
        return self._within[(start, end)]

    def _met(self, mask: np.ndarray) -> np.ndarray:
        """Per user: had a held 1on1 among ``mask``."""
        return np.bincount(self.row[mask], minlength=len(self.users)) > 0

    def _members_by(self, end: dt.date, met: np.ndarray) -> np.ndarray:
        """Per user: a 部下 of the period ending ``end``: a 部下 today who by then had a
        pair accepted or had met as 部下 (``paired_on``), or who met in it. A period
        before someone's pair did not count them as a 部下 without a 1on1: the rates of
        past periods and months are of the 部下 of their time."""
        by_then = self.paired_on < np.datetime64(day_end(end).to_datetime64())
        return self.member & (by_then | met)

    def metrics(self, period: plain.Period, levels: list[str], whole: bool = False) -> pd.DataFrame:
        """The headline figures per group; with ``whole``, everyone in one group (全社)."""
        groups, columns = self._metrics(period, levels, whole)
        return pd.DataFrame(columns, index=groups.index).reset_index()

    def metric_rows(
        self, period: plain.Period, levels: list[str], whole: bool = False
    ) -> list[dict[str, Any]]:
        """``metrics`` as its records (``to_dict("records")``: Python ints and floats),
        without the frame: a report reads a dozen of them row by row."""
        groups, columns = self._metrics(period, levels, whole)
        names = groups.index.tolist()
        if len(levels) == 1:
            names = [(name,) for name in names]
        values = [column.tolist() for column in columns.values()]
        return [
            dict(zip([*levels, *columns], (*name, *row), strict=True))
            for name, row in zip(names, zip(*values, strict=True), strict=True)
        ]

    def _metrics(
        self, period: plain.Period, levels: list[str], whole: bool
    ) -> tuple[Grouping, dict[str, np.ndarray]]:
        groups = self.grouping(levels, whole)
        everyone = np.arange(len(self.users))
        mask = self.within(period.start, period.end)
        met = self._met(mask)
        headcount = groups.count(everyone).astype(np.int64)
        activated = groups.count(everyone, self.activated).astype(np.int64)
        in_pair = groups.count(everyone, self.in_pair).astype(np.int64)
        members = groups.count(everyone, self.member).astype(np.int64)
        period_members = groups.count(everyone, self._members_by(period.end, met)).astype(np.int64)
        members_with_1on1 = groups.count(everyone, self.member & met).astype(np.int64)
        rows = self.row[mask]
        held = groups.count(rows).astype(np.int64)
        rated = ~np.isnan(self.sukkiri[mask])
        grown = ~np.isnan(self.growth[mask])
        # The columns of ``plain.with_rates``, computed as it computes them (the same
        # divisions of the same int64 and float64 values: the same floats), and the
        # frame made once: a report asks for some twenty of these small frames.
        some_members = np.where(period_members > 0, period_members, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            columns = {
                "headcount": headcount,
                "activated": activated,
                "activation_rate": activated / headcount,
                "in_pair": in_pair,
                "pair_rate": in_pair / headcount,
                "members": members,
                "period_members": period_members,
                "members_with_1on1": members_with_1on1,
                "implementation_rate": members_with_1on1 / some_members,
                "held": held,
                "per_member_month": held / some_members / period.months,
                "prepared_share": groups.count(rows, self.prepared[mask]) / held,
                "rated_share": groups.count(rows, rated) / held,
                "sukkiri_avg": _mean(groups, rows, self.sukkiri[mask], rated),
                "growth_avg": _mean(groups, rows, self.growth[mask], grown),
                "rating_people": self._people(groups, rows),
                "sukkiri_people": self._people(groups, rows[rated]),
                "growth_people": self._people(groups, rows[grown]),
            }
        assert list(columns) == plain.HEADLINE
        return groups, columns

    def _people(self, groups: Grouping, rows: np.ndarray) -> np.ndarray:
        """Per group, the distinct users among ``rows``."""
        distinct = np.flatnonzero(np.bincount(rows, minlength=len(self.users)))
        return groups.count(distinct).astype(np.int64)

    def mix(
        self,
        period: plain.Period,
        levels: list[str],
        column: str,
        vocabulary: list[str],
        whole: bool = False,
    ) -> pd.DataFrame:
        """Per group × value of ``column`` (topic, response): 1on1s and distinct members."""
        groups = self.grouping(levels, whole)
        if column == "topic":
            codes, values = self.topic, self.topic_values
        else:
            codes, values = self.response, self.response_values
        mask = self.within(period.start, period.end) & (codes >= 0)
        frame = self._by_value(groups, self.row[mask], codes[mask], {"value": values})
        frame = frame.drop(columns="sukkiri_sum")
        frame["value"] = pd.Categorical(frame["value"], categories=vocabulary, ordered=True)
        return frame.sort_values([*levels, "value"]).reset_index(drop=True)

    def mix_counts(
        self, period: plain.Period, column: str, whole: bool = False
    ) -> dict[object, dict[str, tuple[np.int64, np.int64]]]:
        """``mix`` per 事業部 (one group with ``whole``) as a lookup: its index value →
        each value of ``column`` present → (1on1s, distinct members), the numbers of
        ``mix``'s ``count`` and ``people`` (int64). For a report, which reads them
        value by value: no frame to build, filter and sort for each 事業部."""
        groups = self.grouping(["division"], whole)
        if column == "topic":
            codes, values = self.topic, self.topic_values
        else:
            codes, values = self.response, self.response_values
        mask = self.within(period.start, period.end) & (codes >= 0)
        count, people = self._value_counts(groups, self.row[mask], codes[mask], len(values))
        width = max(len(values), 1)
        out: dict[object, dict[str, tuple[np.int64, np.int64]]] = {}
        for k in np.flatnonzero(count).tolist():
            group = out.setdefault(groups.index[k // width], {})
            group[values[k % width]] = (count[k], people[k])
        return out

    def mix_people(
        self, period: plain.Period, column: str, whole: bool = False
    ) -> dict[object, int]:
        """Per 事業部 (one group with ``whole``): the distinct members with any value of
        ``column`` (a topic, a 対応) on a 1on1 of ``period``: the people behind the
        total of ``mix_counts``' 1on1s."""
        groups = self.grouping(["division"], whole)
        codes = self.topic if column == "topic" else self.response
        rows = self.row[self.within(period.start, period.end) & (codes >= 0)]
        _count, people = self._value_counts(groups, rows, np.zeros(len(rows), np.int64), 1)
        return {groups.index[k]: int(people[k]) for k in np.flatnonzero(people).tolist()}

    def _value_counts(
        self, groups: Grouping, rows: np.ndarray, codes: np.ndarray, values: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per group × value code (``group * width + code``): the 1on1s and the
        distinct users, as ``_by_value`` counts them."""
        width = max(values, 1)
        group = groups.codes[rows]
        keep = group >= 0
        rows, codes, group = rows[keep], codes[keep], group[keep]
        size = groups.size * width
        count = np.bincount(group * width + codes, minlength=size).astype(np.int64)
        seen = np.zeros(len(self.users) * width, dtype=bool)
        seen[rows * width + codes] = True
        distinct = np.flatnonzero(seen)
        people = np.bincount(
            groups.codes[distinct // width] * width + distinct % width, minlength=size
        ).astype(np.int64)
        return count, people

    def topic_response(self, period: plain.Period, levels: list[str]) -> pd.DataFrame:
        """Average スッキリ度 per group × topic × 対応."""
        groups = self.grouping(levels)
        mask, combined = self._rated_pairs(period)
        labels = {
            "topic": [t for t in self.topic_values for _ in self.response_values],
            "response": [r for _ in self.topic_values for r in self.response_values],
        }
        frame = self._by_value(groups, self.row[mask], combined, labels, self.sukkiri[mask])
        frame["sukkiri_avg"] = frame.pop("sukkiri_sum") / frame["count"]
        return frame[[*levels, "topic", "response", "sukkiri_avg", "count", "people"]].reset_index(
            drop=True
        )

    def topic_response_lookup(
        self, period: plain.Period
    ) -> dict[tuple[object, str, str], tuple[np.float64, np.int64]]:
        """``topic_response`` per 事業部 as a lookup: (事業部, topic, 対応) present →
        (average スッキリ度, distinct members), the numbers of its ``sukkiri_avg`` and
        ``people`` (NumPy's), without the frame."""
        groups = self.grouping(["division"])
        mask, combined = self._rated_pairs(period)
        responses = len(self.response_values)
        width = max(len(self.topic_values) * responses, 1)
        count, people, total = self._counted(
            groups, self.row[mask], combined, width, self.sukkiri[mask]
        )
        out: dict[tuple[object, str, str], tuple[np.float64, np.int64]] = {}
        for k in np.flatnonzero(count).tolist():
            code = k % width
            topic = self.topic_values[code // responses]
            response = self.response_values[code % responses]
            out[(groups.index[k // width], topic, response)] = (
                total[k] / count[k],
                np.int64(people[k]),
            )
        return out

    def topic_response_managers(self, period: plain.Period) -> dict[tuple[object, str, str], int]:
        """Per 事業部 × topic × 対応 of ``topic_response_lookup``: the distinct managers of
        its rated 1on1s. The grid reads as 「上司の方の得意・不得意」; a cell of five members
        and three managers is nearly those three managers' own evaluation."""
        groups = self.grouping(["division"])
        mask, combined = self._rated_pairs(period)
        responses = len(self.response_values)
        width = max(len(self.topic_values) * responses, 1)
        group = groups.codes[self.row[mask]]
        keep = group >= 0
        cell = group[keep].astype(np.int64) * width + combined[keep]
        managers = self.manager[mask][keep]
        span = int(managers.max()) + 1 if len(managers) else 1
        distinct = np.unique(cell * span + managers) // span
        out: dict[tuple[object, str, str], int] = {}
        for k, n in zip(*np.unique(distinct, return_counts=True), strict=True):
            code = int(k) % width
            topic = self.topic_values[code // responses]
            response = self.response_values[code % responses]
            out[(groups.index[int(k) // width], topic, response)] = int(n)
        return out

    def _rated_pairs(self, period: plain.Period) -> tuple[np.ndarray, np.ndarray]:
        """The rated 1on1s of ``period`` with a topic and a 対応 (a mask), and their
        (topic, 対応) as one code each: ``topic * len(responses) + response``."""
        topics, responses = self.topic, self.response
        mask = (
            self.within(period.start, period.end)
            & (topics >= 0)
            & (responses >= 0)
            & ~np.isnan(self.sukkiri)
        )
        return mask, topics[mask] * len(self.response_values) + responses[mask]

    def _counted(
        self,
        groups: Grouping,
        rows: np.ndarray,
        codes: np.ndarray,
        width: int,
        weights: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per group × value code (``group * width + code``): 1on1s, distinct users and
        the ``weights`` sum."""
        group = groups.codes[rows]
        keep = group >= 0
        rows, codes, group = rows[keep], codes[keep], group[keep]
        key = group * width + codes
        size = groups.size * width
        count = np.bincount(key, minlength=size)
        total = np.bincount(key, weights=None if weights is None else weights[keep], minlength=size)
        seen = np.zeros(len(self.users) * width, dtype=bool)
        seen[rows * width + codes] = True
        distinct = np.flatnonzero(seen)
        people = np.bincount(
            groups.codes[distinct // width] * width + distinct % width, minlength=size
        )
        return count, people, total

    def _by_value(
        self,
        groups: Grouping,
        rows: np.ndarray,
        codes: np.ndarray,
        labels: dict[str, list[str]],
        weights: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Per group × value code present, in the order of the group and the ``labels``
        of the code (columns named as its keys): count, distinct users, ``weights`` sum."""
        width = max(len(next(iter(labels.values()))), 1)
        count, people, total = self._counted(groups, rows, codes, width, weights)
        present = np.flatnonzero(count)
        order = sorted(
            present.tolist(),
            key=lambda k: (k // width, *(text[k % width] for text in labels.values())),
        )
        named = groups.index[[k // width for k in order]]
        frame = named.to_frame(index=False) if len(order) else _empty_levels(groups.index)
        for name, text in labels.items():
            frame[name] = [text[k % width] for k in order]
        frame["count"] = count[order].astype(np.int64)
        frame["people"] = people[order].astype(np.int64)
        frame["sukkiri_sum"] = total[order]
        return frame

    def monthly(self, as_of: dt.date, months: int = 6) -> pd.DataFrame:
        """Per 事業部 and month, the share of members who met."""
        return pd.DataFrame(
            self.monthly_rows(as_of, months),
            columns=["division", "month", "members", "members_with_1on1", "rate"],
        )

    def monthly_rows(self, as_of: dt.date, months: int = 6) -> list[dict[str, Any]]:
        """``monthly`` as its records, without the frame."""
        groups = self.grouping(["division"])
        today = groups.count(np.flatnonzero(self.member)).astype(np.int64)
        rows = []
        for period in reversed(plain.last_months(as_of, months)):
            end = min(period.end, as_of)
            met = self._met(self.within(period.start, end))
            members = np.flatnonzero(self._members_by(end, met))
            member_count = groups.count(members).astype(np.int64)
            counts = groups.count(members, met[members]).astype(np.int64)
            for code, division in enumerate(groups.index):
                total = int(member_count[code])
                if today[code] == 0:
                    continue  # groupby().size() of the members lists no empty division
                active = int(counts[code])
                rows.append(
                    {
                        "division": division,
                        "month": period.label,
                        "members": total,
                        "members_with_1on1": active,
                        "rate": active / total if total else None,
                    }
                )
        return rows


def _paired_on(
    users: pd.DataFrame,
    pairs: pd.DataFrame,
    meetings: pd.DataFrame,
    rows: np.ndarray,
    held: np.ndarray,
) -> np.ndarray:
    """Per current user, since when they are a 部下 as far as the data tells (NaT: never):
    their first formed pair's acceptance, or their first 1on1 as 部下 if earlier (a pair
    re-formed with a new manager carries the new 承認日; the 1on1s before it say since
    when). Never after the data's last day: an 承認日 in the future (a mistyped export)
    must not take a 部下 of today out of today's rate."""
    accepted = pd.to_datetime(pairs["accepted_at"]).to_numpy(dtype="datetime64[ns]")
    first = pd.Series(accepted).groupby(pairs["member_id"].astype(str).to_numpy()).min()
    at = first.index.get_indexer(pd.Index(users["user_id"].astype(str)))
    out = np.full(len(users), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[at >= 0] = first.to_numpy(dtype="datetime64[ns]")[at[at >= 0]]
    times = meetings["held_at"].to_numpy(dtype="datetime64[ns]")
    if held.any():
        met = pd.Series(times[held]).groupby(rows[held]).min()
        earliest = np.full(len(users), np.datetime64("NaT"), dtype="datetime64[ns]")
        earliest[met.index.to_numpy()] = met.to_numpy(dtype="datetime64[ns]")
        out = np.fmin(out, earliest)
    logins = users["last_login_at"].to_numpy(dtype="datetime64[ns]")
    seen = np.concatenate([times[held], logins])
    seen = seen[~np.isnat(seen)]
    if not len(seen):
        return out
    last = seen.max()
    return np.where(out > last, last, out)


def _mean(groups: Grouping, rows: np.ndarray, values: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Per group, the mean of the given values (NaN where none were given)."""
    return groups.count(rows[given], values[given]) / groups.count(rows[given])


def _distinct(column: pd.Series) -> set[object]:
    """``set(column)`` without making a Python object of each Arrow string one by one."""
    return set(column.to_numpy(dtype=object))


def _empty_levels(index: pd.Index) -> pd.DataFrame:
    return index[:0].to_frame(index=False)
