"""``kops report divisions``: assemble the division report, privacy applied.

The numbers come from ``analyses/divisions.py`` on tables already cut to the
advisor's scope; every figure then passes through ``outputs/privacy.py``
before it can reach a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .analyses import divisions as dv
from .config import Settings
from .outputs.privacy import suppress, suppress_cells
from .store import Tables

TOTAL = "全社"
PEOPLE_COLUMNS = ["headcount", "activated", "in_pair", "activation_rate", "pair_rate"]
MEMBER_COLUMNS = ["members", "members_with_1on1", "implementation_rate", "held", "per_member_month"]
RATING_COLUMNS = ["prepared_share", "rated_share", "sukkiri_avg", "growth_avg"]
TREND_COLUMNS = ["implementation_rate", "per_member_month", "sukkiri_avg"]


@dataclass
class DivisionReport:
    title: str
    scope_label: str
    as_of: dt.date
    period: dv.Period
    previous: dv.Period
    overview: pd.DataFrame
    departments: dict[str, pd.DataFrame] = field(default_factory=dict)
    topics: dict[str, pd.DataFrame] = field(default_factory=dict)
    responses: dict[str, pd.DataFrame] = field(default_factory=dict)
    matrix: dict[str, pd.DataFrame] = field(default_factory=dict)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    topic_totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    topics_vocabulary: list[str] = field(default_factory=list)
    responses_vocabulary: list[str] = field(default_factory=list)

    @property
    def divisions(self) -> list[str]:
        return [d for d in self.overview["division"] if d != TOTAL]

    def rows(self) -> int:
        return len(self.overview) + sum(len(f) for f in self.departments.values())


def build_report(
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    period_text: str,
    scope: list[str] | None = None,
    scope_label: str = TOTAL,
) -> DivisionReport:
    period, previous = dv.parse_period(period_text, as_of)
    privacy = settings.privacy
    scoped = dv.scope_tables(tables, scope)
    levels = ["division"]
    overview = dv.metrics(scoped, period, levels)
    before = dv.metrics(scoped, previous, levels)
    if scope is None:
        # The company row is a shown total: division rows get complementary suppression.
        whole = _as_one(scoped)
        overview = pd.concat([dv.metrics(whole, period, levels), overview], ignore_index=True)
        before = pd.concat([dv.metrics(whole, previous, levels), before], ignore_index=True)
    changes = dv.trend(overview, before, ["division"], TREND_COLUMNS)
    for column in TREND_COLUMNS:
        overview[f"{column}_trend"] = changes[f"{column}_change"].map(dv.arrow)
        # A trend of a hidden figure would hint at it.
        small = (
            overview["rating_people" if column == "sukkiri_avg" else "members"] < privacy.min_group
        )
        small |= (
            before.set_index("division")
            .reindex(overview["division"])[
                "rating_people" if column == "sukkiri_avg" else "members"
            ]
            .fillna(0)
            .to_numpy()
            < privacy.min_group
        )
        overview.loc[small.to_numpy(), f"{column}_trend"] = "－"
    overview = _protect(
        overview, privacy.min_group, parents=[], total=TOTAL if scope is None else None
    )

    report = DivisionReport(
        title="事業部別 1on1 レポート",
        scope_label=scope_label,
        as_of=as_of,
        period=period,
        previous=previous,
        overview=overview,
        topics_vocabulary=list(settings.exports.topics),
        responses_vocabulary=list(settings.exports.responses),
    )
    departments = dv.metrics(scoped, period, ["division", "department"])
    departments = _protect(departments, privacy.min_group, parents=["division"])
    topics = dv.mix(scoped, period, levels, "topic", settings.exports.topics)
    responses = dv.mix(scoped, period, levels, "response", settings.exports.responses)
    matrix = dv.topic_response(scoped, period, levels)
    for division in report.divisions:
        report.departments[division] = departments[departments["division"] == division].reset_index(
            drop=True
        )
        report.topics[division] = _protect_mix(topics[topics["division"] == division], settings)
        report.responses[division] = _protect_mix(
            responses[responses["division"] == division], settings
        )
        report.matrix[division] = _protect_matrix(matrix[matrix["division"] == division], settings)
    report.monthly = _protect_monthly(dv.monthly(scoped, as_of), privacy.min_group)
    whole_topics = dv.mix(_as_one(scoped), period, levels, "topic", settings.exports.topics)
    report.topic_totals = _protect_mix(whole_topics, settings)
    return report


def _as_one(tables: Tables) -> Tables:
    users = tables.users.assign(division=TOTAL, department=TOTAL)
    return Tables(users=users, pairs=tables.pairs, meetings=tables.meetings)


def _protect(
    frame: pd.DataFrame, minimum: int, parents: list[str], total: str | None = None
) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    children = frame if total is None else frame[frame["division"] != total]
    head = frame[frame["division"] == total] if total is not None else frame.iloc[0:0]
    protected = suppress(children, children["headcount"], minimum, PEOPLE_COLUMNS, parents)
    protected = suppress(protected, children["members"], minimum, MEMBER_COLUMNS, parents).drop(
        columns="_hidden"
    )
    protected = suppress_cells(protected, children["rating_people"], minimum, RATING_COLUMNS)
    for column in [c for c in protected.columns if c.endswith("_trend")]:
        hidden = protected["headcount"].map(lambda v: isinstance(v, str))
        protected.loc[hidden, column] = "－"
    if len(head):
        head = suppress(head, head["headcount"], minimum, PEOPLE_COLUMNS)
        head = suppress(head, head["members"], minimum, MEMBER_COLUMNS).drop(columns="_hidden")
        head = suppress_cells(head, head["rating_people"], minimum, RATING_COLUMNS)
        protected = pd.concat([head, protected], ignore_index=True)
    return protected.drop(columns=["rating_people", "_hidden"], errors="ignore")


def _thresholds(values: pd.Series, settings: Settings) -> pd.Series:
    sensitive = set(settings.privacy.sensitive_topics)
    limits = [
        settings.privacy.min_group_sensitive if str(v) in sensitive else settings.privacy.min_group
        for v in values
    ]
    return pd.Series(limits, index=values.index, dtype=int)


def _protect_mix(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    total = frame["count"].sum()
    frame = frame.assign(share=frame["count"] / total if total else 0.0)
    protected = suppress(
        frame,
        frame["people"],
        _thresholds(frame["value"], settings),
        ["count", "share"],
        ["division"],
    )
    return protected.drop(columns=["people", "_hidden"])


def _protect_matrix(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    protected = suppress_cells(
        frame, frame["people"], _thresholds(frame["topic"], settings), ["sukkiri_avg"]
    )
    return protected.drop(columns=["people", "count"])


def _protect_monthly(frame: pd.DataFrame, minimum: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    protected = suppress_cells(frame, frame["members"], minimum, ["rate"])
    return protected.drop(columns=["members", "members_with_1on1"])
