"""``kops report divisions``: the division report as one list of audited cells.

The numbers come from ``analyses/divisions.py`` on tables already cut to the
advisor's scope. Each published figure becomes a :class:`Cell` (what it is,
the people behind it, what it is computed from); minimum group sizes hide the
small ones, then ``privacy/audit.py`` hides more until nothing hidden
can be worked out from what is shown, and checks the result. The workbook,
the console table and ``--format json`` are all views of these cells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import glossary
from ..analyses import divisions as division_figures
from ..analyses.advisor_scopes import part_captions, resolve_scope
from ..analyses.definitions import current_users, formed_pairs
from ..analyses.division_groups import TOTAL, Figures
from ..config import ScopeUnit, Settings, scope_text
from ..dates import month_end, period_label
from ..errors import KopsError
from ..i18n import _
from ..privacy.audiences import SECRETARIAT, SHARED
from ..privacy.audit import PrivacyAuditError, check, protect_report
from ..privacy.cells import (
    ANY,
    PRIMARY,
    SECONDARY,
    Cell,
    mark_small,
    published_change,
    rows_of,
)
from ..privacy.giveback import ROW_TABLES, give_back
from ..privacy.lp import SolverError
from ..privacy.outcomes import OUTCOMES
from ..privacy.publication import (
    PERIOD_IN_NODE,
    audit_set,
    honour_published,
    is_span,
    joint_cells,
    node_digest,
    node_key,
    protect_set,
    settle_set,
)
from ..privacy.recode import Recoding, recode
from ..privacy.rules import is_small, minimum, shows
from ..store import Tables, record_action
from ..store.published import (
    PublishedFile,
    published_figures,
    published_reports,
    record_published,
)
from ..workspace import Workspace

MONTHS = 6  # the monthly chart's months
NAN = float("nan")  # a frame's missing value
TREND_COLUMNS = ["implementation_rate", "per_member_month", "sukkiri_avg"]


@dataclass
class DivisionReport:
    title: str
    scope_label: str
    as_of: dt.date
    period: division_figures.Period
    previous: division_figures.Period
    cells: list[Cell]
    divisions: list[str]
    topics_vocabulary: list[str] = field(default_factory=list)
    responses_vocabulary: list[str] = field(default_factory=list)
    # The monthly figures' months (cell periods such as 2026-11) as people read them:
    # 「2026年10月」, and 「2026年11月（20日まで）」 for the month the data stops in.
    month_captions: dict[str, str] = field(default_factory=dict)
    partial_month: str | None = None  # the monthly key of the month the data stops in
    hidden_small: int = 0  # hidden for being under min_group (and what they give away)
    hidden_by_audit: int = 0  # hidden on top of those so they cannot be worked out
    notes: list[str] = field(default_factory=list)  # what was merged or hidden, and why
    # Of ``notes``, those on 事業部 merged into one row (「管理本部・経営企画室：経営企画室は…」):
    # what a page listing 事業部 only (the deck's slide 4) says of its rows.
    division_notes: list[str] = field(default_factory=list)
    merged_people: int = 0  # people whose figures appear only inside a merged row
    given_back: int = 0  # complements shown again once the whole set was protected
    # A 事業部 the scope holds only part of, as readers are shown it: 「開発本部（製品開発部・
    # 品質保証部）」 (analyses.advisor_scopes.part_captions). The cells keep the plain name.
    captions: dict[str, str] = field(default_factory=dict)
    # The minimums it was made under (privacy.min_group, min_group_sensitive): what its
    # legends say 「<5」 and 「<10」 are.
    min_group: int = 5
    min_group_sensitive: int = 10

    def caption(self, division: str) -> str:
        return self.captions.get(division, division)

    @property
    def legend(self) -> str:
        """What its <5, <10 and (秘匿) mean, with the minimums it was made under."""
        return glossary.hidden_legend(self.min_group, self.min_group_sensitive)

    def captioned(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (the overview, the monthly rates) with its 事業部 as readers are shown them."""
        if not self.captions or frame.empty:
            return frame
        return frame.assign(division=frame["division"].replace(self.captions))

    def records(self) -> list[dict[str, Any]]:
        """Each figure as --format json gives it, with ``division_label``: the row as the
        workbook names it. In an advisor's report whose scope is part of a 事業部, a
        ``department`` of null is that part (「開発本部（製品開発部・品質保証部）」, 31 of the
        company's 50), not the whole 事業部 it is anywhere else."""
        out = []
        for cell in self.cells:
            record = cell.record()
            division = record["division"]
            # No division: the company, or an advisor's whole scope (「開発本部（製品開発部・
            # 品質保証部）」), as the workbook's row names it.
            record["division_label"] = (
                self.scope_label if division is None else self.caption(division)
            )
            record.update(self._days(cell.period, cell.unit == "trend"))
            out.append(record)
        return out

    def _days(self, label: str, trend: bool) -> dict[str, str | None]:
        """The days a record counts, as the workbook says them: ``period`` 「2026-11」
        alone read as the whole month where the data ends on the 20th. A trend also
        says the days it is compared with."""
        if label == self.period.label:
            start, end, full_end = self.period.start, self.period.end, self.period.full_end
        else:  # a month of the monthly table, 「2026-06」
            start = dt.date.fromisoformat(f"{label}-01")
            full_end = month_end(start)
            end = min(full_end, self.as_of)
        return {
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
            "period_caption": period_label(start, full_end or end, end),
            "compared_from": self.previous.start.isoformat() if trend else None,
            "compared_to": self.previous.end.isoformat() if trend else None,
        }

    def loss(self) -> dict[str, int]:
        """What privacy cost this report: figures hidden, 部署 rows hidden and the
        people in them, people whose 部署 figures appear only inside a merged row."""
        figures = [c for c in self.cells if c.unit != "trend"]
        rows = [
            c
            for c in self.cells
            if c.table in ("overview", "departments") and c.metric == "headcount" and c.hidden
        ]
        return {
            "figures": len(figures),
            "hidden": sum(c.hidden for c in figures),
            "rows_hidden": len(rows),
            "people_hidden": sum(c.size for c in rows if c.table == "departments"),
            "people_merged": self.merged_people,
            "given_back": self.given_back,
        }

    def loss_text(self, people: bool = True) -> str:
        return loss_text(self.loss(), people)

    def rows(self) -> int:
        """The rows of the overview and of every 事業部's 部署 table (as ``overview`` and
        ``departments`` have them: one per 事業部, one per 部署), counted off the cells."""
        divisions = set(self.divisions)
        overview = {c.division for c in self.cells if c.table == "overview"}
        departments = {
            (c.division, c.department)
            for c in self.cells
            if c.table == "departments" and c.division in divisions
        }
        return len(overview) + len(departments)

    @property
    def overview(self) -> pd.DataFrame:
        return pd.DataFrame(rows_of(self.cells, "overview", ANY, "division", TOTAL))

    @property
    def departments(self) -> dict[str, pd.DataFrame]:
        cells = self._by_division("departments")
        return {
            d: pd.DataFrame(rows_of(cells.get(d, []), "departments", d, "department", d)).drop(
                columns="division"
            )
            for d in self.divisions
        }

    def department_rows(self) -> dict[str, list[dict[str, Any]]]:
        """``departments`` as each 事業部's records, without the frames."""
        cells = self._by_division("departments")
        return {
            d: [
                {key: value for key, value in row.items() if key != "division"}
                for row in rows_of(cells.get(d, []), "departments", d, "department", d)
            ]
            for d in self.divisions
        }

    def mix_rows(self, table: str) -> dict[str, list[dict[str, Any]]]:
        """``topics`` or ``responses`` (``table``) as each 事業部's records, without the
        frames: value, count, share."""
        by = "topic" if table == "topics" else "response"
        cells = self._by_division(table)
        return {
            d: [
                {"value": row[by], "count": row.get("count", NAN), "share": row.get("share", NAN)}
                for row in rows_of(cells.get(d, []), table, d, by, "")
            ]
            for d in self.divisions
        }

    @property
    def topics(self) -> dict[str, pd.DataFrame]:
        cells = self._by_division("topics")
        return {d: self._mix(cells.get(d, []), "topics", d, "topic") for d in self.divisions}

    @property
    def responses(self) -> dict[str, pd.DataFrame]:
        cells = self._by_division("responses")
        return {d: self._mix(cells.get(d, []), "responses", d, "response") for d in self.divisions}

    @property
    def topic_totals(self) -> pd.DataFrame:
        return self._mix(self.cells, "topics", None, "topic")

    @property
    def matrix(self) -> dict[str, pd.DataFrame]:
        by_division = self._by_division("topic_response")
        out = {}
        for d in self.divisions:
            cells = by_division.get(d, [])
            out[d] = pd.DataFrame(
                {
                    "topic": [c.topic for c in cells],
                    "response": [c.response for c in cells],
                    "sukkiri_avg": [c.published for c in cells],
                }
            )
        return out

    @property
    def monthly(self) -> pd.DataFrame:
        cells = [c for c in self.cells if c.table == "monthly"]
        return pd.DataFrame(
            {
                "division": [c.division for c in cells],
                "month": [c.period for c in cells],
                "rate": [c.published for c in cells],
            },
            columns=["division", "month", "rate"],
        )

    def _by_division(self, table: str) -> dict[str | None, list[Cell]]:
        """The cells of ``table``, per 事業部, in one pass (a sheet per 事業部 reads its own)."""
        out: dict[str | None, list[Cell]] = {}
        for cell in self.cells:
            if cell.table == table:
                out.setdefault(cell.division, []).append(cell)
        return out

    def _mix(self, cells: list[Cell], table: str, division: str | None, by: str) -> pd.DataFrame:
        rows = rows_of(cells, table, division, by, "")
        frame = pd.DataFrame(rows, columns=["division", by, "count", "share"])
        return frame.rename(columns={by: "value"}).drop(columns="division")


class _Cells:
    """Collects cells and remembers where each group's counts are."""

    def __init__(self, settings: Settings, period: division_figures.Period) -> None:
        self.cells: list[Cell] = []
        self.period = period.label
        self.privacy = settings.privacy
        self.minimum = minimum(settings)

    def add(self, **fields: Any) -> int:
        fields.setdefault("period", self.period)
        fields.setdefault("threshold", self.minimum)
        raw = fields["raw"]
        fields["raw"] = None if raw is None or pd.isna(raw) else float(raw)
        fields["size"] = int(fields["size"]) if not pd.isna(fields["size"]) else 0
        self.cells.append(Cell(**fields))
        return len(self.cells) - 1

    def threshold(self, topic: str | None) -> int:
        return minimum(self.privacy, topic)


@dataclass
class Publication:
    """What kops publishes for one snapshot and period: the company report and the
    report of every advisor in kops.yaml, protected and audited together."""

    company: DivisionReport
    advisors: dict[str, DivisionReport]
    # Every report of the set: each period of the family, the company's and each advisor's
    # (the first ``companies`` are the company reports, one per period).
    family: list[DivisionReport] = field(default_factory=list)
    companies: int = 1

    def report(self, advisor: str | None) -> DivisionReport:
        return self.company if advisor is None else self.advisors[advisor]

    def loss(self) -> dict[str, int]:
        """What privacy cost the whole set: the figures of every report, hidden and
        given back; rows hidden and the people in them; people whose 部署 figures
        appear only inside a merged row (the company's recoding, which every report
        follows)."""
        reports = [self.company, *self.advisors.values()]
        each = [r.loss() for r in reports]
        total = {key: sum(loss[key] for loss in each) for key in each[0]}
        total["reports"] = len(reports)
        total["people_merged"] = self.company.merged_people
        return total

    def loss_text(self) -> str:
        loss = self.loss()
        return f"公開セット（全社＋アドバイザー{loss['reports'] - 1}件）: " + loss_text(loss)


def loss_text(loss: Mapping[str, int], people: bool = True) -> str:
    """What privacy cost a report (or a set of them), as one line for people: the
    terminal's (the secretariat's) and, without ``people``, the workbook's, read by
    division heads. The people in hidden and merged rows are a sum of headcounts the
    file hides (an advisor's 17-person 部署 hidden as (秘匿) read 「行ごと非表示 2行
    （17人）」 under it), so only the secretariat is told them. The (秘匿) given back
    once found unneeded are said only when there are some."""
    given_back = (
        f"（不要と分かり表示に戻した(秘匿) {loss['given_back']:,}）" if loss["given_back"] else ""
    )
    said = (
        f"非表示にした値 {loss['hidden']:,} / {loss['figures']:,}{given_back}、"
        f"行ごと非表示 {loss['rows_hidden']}行"
    )
    if not people:
        return said
    return (
        f"{said}（{loss['people_hidden']}人）、まとめた行でのみ数えた人 {loss['people_merged']}人"
    )


def advisor_label(name: str, scope: list[ScopeUnit]) -> str:
    """An advisor's scope as its reader names it: 「営業本部」, 「開発本部（製品開発部・品質
    保証部）」, not kops.yaml's key and 「開発本部/製品開発部」. ``name`` is the key, for the
    scope that lists nothing."""
    parts: dict[str, list[str]] = {}
    for unit in scope:
        departments = parts.setdefault(unit.division, [])
        if unit.department is not None and unit.department not in departments:
            departments.append(unit.department)
    whole = {unit.division for unit in scope if unit.department is None}
    said = [
        division
        if division in whole or not departments
        else f"{division}（{'・'.join(departments)}）"
        for division, departments in parts.items()
    ]
    return "、".join(said) or name


SHARED_WINDOWS = ("30d", "90d")


def period_family(text: str, as_of: dt.date) -> list[str]:
    """The shared periods published together with ``text`` (itself first): a month
    with its quarter and the quarter's other months, a quarter with its months, a
    half with its quarters, a year with its halves, a window with the other window.
    Any window but 30d and 90d is refused: two windows a day apart (31d − 30d) give
    one day's figures back."""
    value = text.strip().lower()
    if re.fullmatch(r"(\d+)d", value):
        if value not in SHARED_WINDOWS:
            raise KopsError(
                _(
                    "--period {text}: only the windows {short} and {long} are published "
                    "(a report of 31d beside one of 30d gives a single day back)"
                ).format(text=text.strip(), short=SHARED_WINDOWS[0], long=SHARED_WINDOWS[-1]),
                hint=_(
                    "{period_hint}; other windows are the secretariat's own view "
                    "(--audience secretariat, 事務局内限り)"
                ).format(period_hint=_(division_figures.PERIOD_HINT)),
            )
        return [text, *(w for w in SHARED_WINDOWS if w != value)]
    period, _rest = division_figures.parse_period(text, as_of)
    year = period.start.year
    if value.startswith("year:"):
        family = [f"half:{year}H{h}" for h in (1, 2)]
    elif value.startswith("half:"):
        half = 1 if period.start.month <= 6 else 2
        family = [f"quarter:{year}Q{q}" for q in (2 * half - 1, 2 * half)]
    else:
        quarter = (period.start.month - 1) // 3 + 1
        months = [f"month:{year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
        family = [f"quarter:{year}Q{quarter}", *months]
    started = [f for f in family if _starts(f) <= as_of]
    same = period.label
    return [text, *(f for f in started if division_figures.parse_period(f, as_of)[0].label != same)]


def family_days(text: str, as_of: dt.date, audience: str = SHARED) -> tuple[dt.date, dt.date]:
    """The first and last day the publication set of ``text`` covers: what earlier
    runs published for any of these days is audited with it."""
    periods = []
    for member in _family(text, as_of, audience):
        try:
            periods.append(division_figures.parse_period(member, as_of)[0])
        except KopsError:
            if member == text:
                raise
    return min(p.start for p in periods), max(p.end for p in periods)


def record_report(
    ws: Workspace,
    snapshot_id: str,
    report: DivisionReport,
    publication: Publication,
    file: Path | None,
    *,
    audience: str,
    target: str,
    period: str,
    output: str | None = None,
) -> None:
    """Once a report was written (``file``) or shown (``None``), never before: its every
    figure as it left kops, so later runs are audited with it (the secretariat's own view
    never leaves it), and the run in the audit log with what privacy cost it."""
    if audience == SHARED:
        published = PublishedFile(report.cells, report.period.start, report.period.end)
        record_published(ws, snapshot_id, [published], SHARED, str(file) if file else "stdout")
    # The 基準日 the file's header says (the audit log's 基準日 column).
    detail: dict[str, Any] = {"period": period, "as_of": report.as_of.isoformat()}
    if output is not None:
        detail["output"] = output
    detail |= {
        "privacy": report.loss(),
        "publication_set": publication.loss(),
        "audience": audience,
        # The set's advisors (protected together whichever was written): a later refusal
        # names those added since (``advisors_added_since``).
        "advisors": list(publication.advisors),
    }
    record_action(
        ws,
        "report divisions",
        target=target,
        count=report.rows(),
        files=[str(file)] if file else [],
        snapshot=snapshot_id,
        detail=detail,
    )


# Said under an overview whose every figure is hidden: a report of a whole unit (an
# advisor of a 17-person 部署) that shows no headline otherwise reads as a fault. What
# else it was protected against is said, never the size of what it hides.
HEADLINE_HIDDEN = {
    False: "概要の数値は、少人数の値が差し引きで分からないよう、すべて非表示にしました"
    "（同じ期間に公開する全社などのレポートの値も、差し引きに使えるものとして扱っています）。",
    True: "概要の数値は、少人数の値が差し引きで分からないよう、すべて非表示にしました"
    "（この期間について以前に公開したレポートの値も、差し引きに使えるものとして扱っています）。",
}


# An overview all hidden because its whole scope is under min_group (an advisor of a
# 4-person 部署): not 「差し引きで分からないよう」, which is said of the others.
SCOPE_SMALL = "概要の数値は、対象の人数が少ないため、すべて非表示にしました。"


def headline_note(report: DivisionReport, published_before: bool) -> str:
    """Why every figure of the overview is hidden: its scope too small, or what else the
    set publishes (and, with ``published_before``, what was published for these days)."""
    headcounts = [c for c in report.cells if c.table == "overview" and c.metric == "headcount"]
    if headcounts and all(is_small(c.size, c.threshold) for c in headcounts):
        return SCOPE_SMALL
    return HEADLINE_HIDDEN[published_before]


# The mix tables a division's sheet shows, by the word its headings use.
MIX_TABLES = (("topics", "トピック"), ("responses", "対応"))


def mostly_complements(report: DivisionReport) -> list[str]:
    """Per 事業部, a line for a topic or 対応 table that shows fewer counts than it hides
    as complements: six of a table's eight topics (秘匿) beside one 心身の状態 <10, with
    only the legend to say why, read as a 事業部 hidden for nothing."""
    counts: Counter[tuple[str | None, str]] = Counter()
    hidden: Counter[tuple[str | None, str]] = Counter()
    for c in report.cells:  # one pass: a large company has many 事業部
        if c.department is None and c.metric == "count" and c.unit == "meetings":
            counts[(c.division, c.table)] += 1
            hidden[(c.division, c.table)] += c.state == SECONDARY
    notes = []
    for division in report.divisions:
        for table, word in MIX_TABLES:
            shown, secret = counts[(division, table)], hidden[(division, table)]
            if secret >= 3 and secret * 2 >= shown:
                notes.append(
                    f"{division}：{word}の表は {shown} 個の件数のうち {secret} 個を「(秘匿)」"
                    "にしています。ほかの表・事業部・期間の少人数の値（<5・<10）が差し引きで"
                    "分からないよう併せて隠したもので、値そのものは少人数ではありません。"
                )
    return notes


def headline_hidden(report: DivisionReport) -> bool:
    """Every figure of the report's overview hidden (the rest, topics say, may show)."""
    overview = [c for c in report.cells if c.table == "overview" and c.unit != "trend"]
    return bool(overview) and all(c.hidden for c in overview)


def hidden_for_others(report: DivisionReport) -> tuple[int, int, int] | None:
    """(hidden, figures, complements) of a report that hides as complements most of the
    figures its own groups are large enough to show, so that groups outside it cannot be
    worked out from the other reports of the set (a 46-person 部署 whose 事業部 has 6 more
    people, under 5 of them members); None otherwise, or when its overview is all hidden
    (said apart). Every report hides some small cells of its own (the topic × 対応 table)."""
    figures = [c for c in report.cells if c.unit != "trend"]
    complements = sum(c.state == SECONDARY for c in figures)
    showable = sum(c.state != PRIMARY for c in figures)
    if complements * 2 <= showable or headline_hidden(report):
        return None
    return sum(c.hidden for c in figures), len(figures), complements


class Unprotectable(PrivacyAuditError):
    """The set's reports together give a figure away whatever else is hidden (the
    labels alone tell it: a 「(秘匿)」 sum, at least the minimum, of a part labelled
    「<k」 and a rest is a rest of at least one)."""

    def __init__(self, count: int, threshold: int) -> None:
        super().__init__(f"{count} figure(s) narrowed under {threshold}")
        self.count, self.threshold = count, threshold


def _unprotectable(
    refused: Unprotectable, settings: Settings, advisors: Mapping[str, DivisionReport]
) -> PrivacyAuditError:
    """The refusal said as it is: which minimum, and the advisors whose whole scope is
    under it (their reports are what the company report is held against)."""
    key = "min_group" if refused.threshold == settings.privacy.min_group else "min_group_sensitive"
    message = _(
        "privacy audit: at privacy.{key} {minimum}, {count} figure(s) of the company and "
        "advisor reports could be worked out together whatever else is hidden; nothing "
        "was written"
    ).format(key=key, minimum=refused.threshold, count=refused.count)
    small = [name for name, report in advisors.items() if _scope_is_small(report)]
    if not small:
        return PrivacyAuditError(
            message,
            hint=_("this is a bug in kops' suppression; please report it with the command line"),
        )
    return PrivacyAuditError(
        message,
        hint=_(
            "advisors whose scope has fewer people than that: {names}; lower "
            "privacy.{key}, widen their scope or take them out of kops.yaml"
        ).format(names="、".join(f"「{name}」" for name in small), key=key),
    )


def _scope_is_small(report: DivisionReport) -> bool:
    """Whether the report's whole scope counts too few people or 部下 to be shown: its
    overview's total row, or the one 事業部 row of a scope in one 事業部."""
    sizes: dict[str, list[Cell]] = {}
    for cell in report.cells:
        if cell.table == "overview" and cell.unit == "people" and cell.department is None:
            sizes.setdefault(cell.metric, []).append(cell)
    for cells in sizes.values():
        whole = [c for c in cells if c.division is None] or cells
        if is_small(sum(c.size for c in whole), whole[0].threshold):
            return True
    return False


class PublishedBefore(PrivacyAuditError):
    """What was published earlier and this set would, together, give a hidden figure back."""


def publication_for(
    ws: Workspace,
    settings: Settings,
    tables: Tables,
    snapshot_id: str,
    as_of: dt.date,
    period: str,
    audience: str = SHARED,
) -> Publication:
    """The publication set of ``period`` as of ``as_of``: the company report and every
    advisor's, protected together whichever is written, and with what earlier runs
    published for this snapshot or for days its periods share."""
    published = published_figures(ws, snapshot_id)
    same, other = published_reports(ws, snapshot_id, *family_days(period, as_of, audience))
    try:
        return build_publication(
            tables, settings, as_of, period, published, same, other, audience=audience
        )
    except PublishedBefore as refused:
        added = advisors_added_since(ws, snapshot_id, settings)
        if not added:
            raise
        raise PublishedBefore(
            refused.message,
            hint=_(
                "advisors in kops.yaml that were not there when this snapshot's reports "
                "were published: {names}; take them out of kops.yaml until a period that "
                "shares no day with {days} (the month after it, once its data is ingested)"
            ).format(
                names="、".join(f"「{name}」" for name in added),
                days=published_days([*same, *other]),
            ),
        ) from None


def advisors_added_since(ws: Workspace, snapshot_id: str, settings: Settings) -> list[str]:
    """The advisors of kops.yaml in no publication set of ``snapshot_id`` a division report
    was written from (or of the last snapshot one was written from, before any of this
    one): their arrival is what changed the set since."""
    from ..store.audit_log import audit_entries

    entries = audit_entries(ws, AUDIT_LOOKBACK)
    reports = entries[entries["action"] == "report divisions"]
    written = reports[reports["snapshot"] == snapshot_id]
    if written.empty and not reports.empty:
        # None of this snapshot yet (a month's export just ingested): the set last
        # published, whose days this period shares, is what the advisors are new to.
        written = reports[reports["snapshot"] == reports["snapshot"].iloc[0]]
    if written.empty:
        return []
    seen = set(written["target"].dropna().astype(str))
    for detail in written["detail"]:
        seen.update(str(name) for name in detail.get("advisors", []))
    return [name for name in settings.advisors if name not in seen]


AUDIT_LOOKBACK = 10_000  # audit entries read back: a year of monthly runs many times over


def _starts(text: str) -> dt.date:
    """The first day of a calendar period (month:, quarter:, half:), whatever the data."""
    kind, _sep, value = text.partition(":")
    year = int(value[:4])
    if kind == "month":
        return dt.date(year, int(value[5:]), 1)
    if kind == "quarter":
        return dt.date(year, 3 * int(value[5]) - 2, 1)
    return dt.date(year, 1 if value.endswith("1") else 7, 1)


def build_publication(
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    period_text: str,
    published: Mapping[str, list[str]] | None = None,
    recorded: Sequence[list[Cell]] = (),
    other_snapshots: Sequence[list[Cell]] = (),
    audience: str = SHARED,
) -> Publication:
    """Every report of the set; whichever one a command writes, it was protected
    against all the others (so the order reports are made in changes nothing).

    The set is the company report and every advisor's, for ``period_text`` and the
    periods of its family (a month's quarter and the quarter's months): a quarter's
    1on1s are the sum of its months', so a hidden November count must not come out
    as the quarter minus October. ``published``: what earlier runs published (node →
    shown), in the set as shown; ``recorded``: those runs' reports whose days overlap
    this set's, whose figures join the attacker's equations: of this snapshot, and
    (``other_snapshots``) of others, which are left out where they contradict this
    snapshot's data (an export corrected, people moved between 部署): an attacker
    cannot hold both as true either."""
    if other_snapshots:
        try:
            return _publication(
                tables,
                settings,
                as_of,
                period_text,
                published,
                [*recorded, *other_snapshots],
                audience,
            )
        except SolverError:
            pass
    return _publication(tables, settings, as_of, period_text, published, recorded, audience)


def _publication(
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    period_text: str,
    published: Mapping[str, list[str]] | None,
    recorded: Sequence[list[Cell]],
    audience: str,
) -> Publication:
    built: list[tuple[str, DivisionReport, dict[str, DivisionReport]]] = []
    family = sorted(_family(period_text, as_of, audience), key=_period_order)
    # Shared by every report of the set, the figures of each scope read from the first
    # day any period of the family looks at.
    inputs = ReportInputs(tables, settings, _first_day(family, as_of))
    for text in family:
        try:
            company = build_report(tables, settings, as_of, text, inputs=inputs)
        except KopsError:
            if text == period_text:
                raise
            continue  # a month before the first 1on1: nothing published, nothing to add
        built.append((text, company, _advisor_reports(inputs, as_of, text)))
    companies = [company for _text, company, _own in built]
    reports = [*companies, *(r for _text, _company, each in built for r in each.values())]
    cells = [r.cells for r in reports]
    # What an earlier run published is known whatever the settings say now.
    released = honour_published(cells, published or {})
    earlier = list(recorded)
    if earlier:
        released += honour_published(cells, _shown_nodes(earlier))
    members = [*cells, *earlier]
    how = ("publication", len(companies), len(earlier), released)
    try:
        hidden = OUTCOMES.decide(
            members, how, lambda: _protect_set(members, len(companies), len(earlier), released)
        )
    except Unprotectable as refused:
        raise _unprotectable(refused, settings, built[0][2]) from None
    for report, before in zip(reports, hidden[: len(reports)], strict=True):
        report.given_back = before - sum(c.hidden for c in report.cells)
        report.hidden_by_audit = sum(c.hidden for c in report.cells) - report.hidden_small
        if headline_hidden(report):
            report.notes.append(headline_note(report, bool(released or earlier)))
        report.notes.extend(mostly_complements(report))
    _text, company, own = next(entry for entry in built if entry[0] == period_text)
    return Publication(
        company, {name: own[name] for name in settings.advisors}, reports, len(companies)
    )


def _protect_set(
    members: list[list[Cell]], companies: int, earlier: int, released: int
) -> tuple[int, ...]:
    """The set's reports (the first ``companies`` the company's, the last ``earlier``
    recorded by earlier runs) protected together, settled, audited, and every
    complement nothing needs shown again; how many each report hid before that."""
    recorded = members[len(members) - earlier :]
    if len(members) > 1:
        protect_set(members, companies)
    if len(members) > 1 or released:
        settle_set(members, companies)
        findings = audit_set(members, companies)
        if findings and (released or earlier):
            raise PublishedBefore(
                _(
                    "privacy audit: {count} figure(s) published earlier for this snapshot "
                    "or for days this period shares (`kops audit` lists the files) would, "
                    "with this report, give hidden figures back; nothing was written"
                ).format(count=released + sum(not c.hidden for e in recorded for c in e)),
                hint=_(
                    "publish with the settings (advisors, privacy) used then, or a period "
                    "that shares no day with {days}, published before (the month after it, "
                    "once its data is ingested)"
                ).format(days=published_days(recorded)),
            )
        if findings:
            joint, _where = joint_cells(members, companies)
            raise Unprotectable(len(findings), joint[findings[0].cell].threshold)
    hidden = tuple(sum(c.hidden for c in cells) for cells in members)
    # Complements chosen early may be unnecessary once the set is protected: shown again.
    # In a family of three periods or more (a month's: its quarter and the quarter's
    # months) the programmes are large: only the rows are tried there. Two windows
    # (30 and 90 days) share one piece of time: every table is tried.
    give_back(members, companies, ROW_TABLES if companies > 2 else None, earlier)
    for cells in members[: len(members) - earlier]:
        check(cells)
    return hidden


def published_days(recorded: Sequence[list[Cell]]) -> str:
    """The days earlier runs published figures of, run together (「2026年9月20日〜12月18日」):
    the refusal names them, where 「the next month」 named the month asked for itself."""
    # node_key: the days as ISO text, whether the report was made now or read back.
    periods = {node_key(c.node)[PERIOD_IN_NODE] for r in recorded for c in r if c.node is not None}
    spans = sorted(
        (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        for start, end in filter(is_span, periods)
    )
    runs: list[list[dt.date]] = []
    for start, end in spans:
        if runs and start <= runs[-1][1] + dt.timedelta(days=1):
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    return "、".join(period_label(start, end) for start, end in runs) or _("what was published")


def _shown_nodes(recorded: Sequence[list[Cell]]) -> dict[str, list[str]]:
    """The figures recorded reports show, by node (as ``published``)."""
    out: dict[str, list[str]] = {}
    for cells in recorded:
        for cell in cells:
            digest = node_digest(cell)
            if digest is not None and not cell.hidden:
                out.setdefault(digest, []).append(cell.shown)
    return out


def _family(text: str, as_of: dt.date, audience: str) -> list[str]:
    """The periods built with ``text``: its shared family, or, for the secretariat's
    own view (事務局内限り, never shared), any window on its own."""
    value = text.strip().lower()
    if audience == SECRETARIAT and re.fullmatch(r"\d+d", value) and value not in SHARED_WINDOWS:
        return [text]
    return period_family(text, as_of)


def _advisor_reports(inputs: ReportInputs, as_of: dt.date, text: str) -> dict[str, DivisionReport]:
    out = {}
    for name in sorted(inputs.settings.advisors):
        units = inputs.advisor_scope(name)
        try:
            out[name] = build_report(
                inputs.tables,
                inputs.settings,
                as_of,
                text,
                units,
                advisor_label(name, units),
                inputs=inputs,
            )
        except PrivacyAuditError:
            raise _advisor_unprotectable(name, inputs.settings) from None
    return out


def _advisor_unprotectable(name: str, settings: Settings) -> PrivacyAuditError:
    """An advisor's own report that no hiding protects (its labels alone narrow a figure:
    at min_group 18, 開発本部 「(秘匿)」 beside 製品開発部 「<18」 says 品質保証部 has someone):
    said as it is, with what to change, not as a fault of kops."""
    minimum = settings.privacy.min_group
    return PrivacyAuditError(
        _(
            "privacy audit: the report of advisor 「{name}」 can't be made at privacy.min_group "
            "{minimum}: a figure of their scope could be worked out whatever else is hidden; "
            "nothing was written"
        ).format(name=name, minimum=minimum),
        hint=_(
            "lower privacy.min_group, widen their scope or take them out of kops.yaml "
            "(units of their scope have fewer people than {minimum})"
        ).format(minimum=minimum),
    )


class ReportInputs:
    """What the reports of one publication set take from the same tables and settings
    whatever their period: the organisation's rows, each scope's tables (recoded) and
    their figures. A set builds every advisor's report for each period of its family
    (a month's: the month before it and the quarter), all from the same tables: these
    are worked out once for the set, not once per report. Read only once made."""

    def __init__(self, tables: Tables, settings: Settings, since: dt.date | None = None) -> None:
        """``since``: the first day any report of the set looks at (None: each report's)."""
        self.tables = tables
        self.settings = settings
        self.since = since
        # The organisation's people per 部署: its rows are recoded from them, and they are
        # the company scope's sizes too.
        self.sizes = unit_sizes(tables)
        self.recoding = organisation_rows(tables, settings, self.sizes)
        self._first_held: list[pd.Timestamp | None] = []
        self._scopes: dict[str, list[ScopeUnit]] = {}
        self._scoped: dict[tuple[Any, ...] | None, _Scoped] = {}
        self._figures: dict[tuple[tuple[Any, ...] | None, dt.date], Figures] = {}

    def advisor_scope(self, name: str) -> list[ScopeUnit]:
        if name not in self._scopes:
            self._scopes[name] = resolve_scope(
                self.tables.users, name, self.settings.advisors[name]
            )
        return self._scopes[name]

    def scoped(self, scope: list[ScopeUnit] | None) -> _Scoped:
        key = _scope_key(scope)
        if key not in self._scoped:
            sizes = self.sizes if scope is None else None
            self._scoped[key] = _Scoped(self.tables, self.recoding, scope, self.settings, sizes)
        return self._scoped[key]

    @property
    def first_held(self) -> pd.Timestamp | None:
        """When the first held 1on1 of the tables was (None: none, or no date)."""
        if not self._first_held:
            self._first_held.append(first_held(self.tables))
        return self._first_held[0]

    def figures(self, scope: list[ScopeUnit] | None, since: dt.date) -> Figures:
        # Figures depend on the tables and ``since`` only, and every figure is asked of
        # the days from a period's start on: those read from an earlier day are the same
        # numbers. One Figures per scope serves every period of the family (30 and 90
        # days start apart; a month's quarter starts before it).
        if self.since is not None and self.since <= since:
            since = self.since
        key = (_scope_key(scope), since)
        if key not in self._figures:
            self._figures[key] = Figures(self.scoped(scope).tables, since=since)
        return self._figures[key]


def _first_day(family: Sequence[str], as_of: dt.date) -> dt.date | None:
    """The first day the reports of ``family`` look at: the earliest start of a period
    before one of them and of the monthly chart (None if no period can be read)."""
    first_month = division_figures.last_months(as_of, MONTHS)[-1].start
    starts = []
    for text in family:
        try:
            _period, previous = division_figures.parse_period(text, as_of)
        except KopsError:
            continue  # refused where the report is built
        starts.append(min(previous.start, first_month))
    return min(starts, default=None)


def _scope_key(scope: list[ScopeUnit] | None) -> tuple[Any, ...] | None:
    return None if scope is None else tuple((u.division, u.department) for u in scope)


class _Scoped:
    """One scope's rows and tables (the company's with ``scope`` None)."""

    def __init__(
        self,
        tables: Tables,
        recoding: Recoding,
        scope: list[ScopeUnit] | None,
        settings: Settings,
        sizes: dict[tuple[str, str], int] | None = None,
    ) -> None:
        """``sizes``: the scope's ``unit_sizes`` where they are known already."""
        self.extra: list[str] = []
        self.own_small: list[str] = []
        if scope is not None:
            scope, self.extra, self.own_small = whole_rows(
                scope, recoding, settings.privacy.min_group
            )
        scoped = division_figures.scope_tables(tables, scope)
        self.sizes = unit_sizes(scoped) if sizes is None else sizes
        if scope is not None:
            recoding = recoding.within(self.sizes)
        self.recoding = recoding
        self.tables = recoded(scoped, recoding)


def _period_order(text: str) -> tuple[int, str]:
    """The family in one order whichever member was asked for: shortest first."""
    kinds = ("month:", "quarter:", "half:", "year:", "30d", "90d")
    return (next((n for n, k in enumerate(kinds) if text.strip().lower().startswith(k)), 9), text)


def build_report(
    tables: Tables,
    settings: Settings,
    as_of: dt.date,
    period_text: str,
    scope: list[ScopeUnit] | None = None,
    scope_label: str = TOTAL,
    inputs: ReportInputs | None = None,
) -> DivisionReport:
    """``inputs``: what the reports of a set share (made here when not given; given,
    its tables and settings are ``tables`` and ``settings``)."""
    period, previous = division_figures.parse_period(period_text, as_of)
    first = first_held(tables) if inputs is None else inputs.first_held
    _check_has_data(first, period_text, period, as_of)
    # The rows are the organisation's, recoded once for everyone: an advisor's
    # report names its units as the company report does.
    if inputs is None:
        inputs = ReportInputs(tables, settings)
    scoped = inputs.scoped(scope)
    recoding, extra, own_small = scoped.recoding, scoped.extra, scoped.own_small
    nodes = RowUnits(scoped.sizes, recoding, period, as_of)
    months = division_figures.last_months(as_of, MONTHS)
    figures = inputs.figures(scope, min(previous.start, months[-1].start))
    out = _Cells(settings, period)
    company = scope is None  # the company report has a 全社 row; an advisor's has none
    # Days before the first 1on1 are no 0%: a previous period that ends before it is not
    # compared with (「↑ +82pt」 against September with no data), nor its months drawn.
    since = None if first is None or pd.isna(first) else first.date()
    comparable = since is None or previous.end >= since
    divisions, members = _overview(out, figures, period, previous, company, comparable)
    for record in figures.metric_rows(period, ["division", "department"]):
        _headline(out, "departments", record["division"], record["department"], record)
    topics, responses = list(settings.exports.topics), list(settings.exports.responses)
    _mixes(out, figures, period, divisions, topics, responses)
    _matrix(
        out,
        figures.topic_response_lookup(period),
        figures.topic_response_managers(period),
        divisions,
        topics,
        responses,
    )
    before_data = [m for m in months if since is not None and m.end < since]
    _monthly(out, figures, as_of, members, {m.label for m in before_data})
    cells = out.cells
    for cell in cells:
        cell.node = nodes.node(cell)
    small = mark_small(cells)
    # Never a refusal: the fallback hides more where no single complement did.
    audited, fallback = protect_report(cells)
    return DivisionReport(
        title="事業部別 1on1 レポート",
        scope_label=scope_label,
        as_of=as_of,
        period=period,
        previous=previous,
        cells=cells,
        divisions=divisions,
        topics_vocabulary=topics,
        responses_vocabulary=responses,
        month_captions={m.label: m.up_to(as_of).caption for m in months},
        partial_month=next((m.label for m in months if m.up_to(as_of).partial), None),
        hidden_small=small,
        hidden_by_audit=audited,
        notes=list(recoding.notes)
        + _scope_note(extra, own_small, settings.privacy.min_group)
        + _fallback_note(fallback)
        + _before_data_note(since, previous, comparable, before_data),
        division_notes=[note.text for note in recoding.merges if note.row is None],
        merged_people=recoding.merged_people,
        captions={} if scope is None else part_captions(tables.users, scope),
        min_group=settings.privacy.min_group,
        min_group_sensitive=settings.privacy.min_group_sensitive,
    )


def _overview(
    out: _Cells,
    figures: Figures,
    period: division_figures.Period,
    previous: division_figures.Period,
    company: bool,
    comparable: bool = True,
) -> tuple[list[str], dict[str | None, int]]:
    """The overview's rows (the 全社 row first in the company report) with their trends;
    returns the 事業部 and the index of each row's members count."""

    def rows(when: division_figures.Period) -> list[dict[str, Any]]:
        own = figures.metric_rows(when, ["division"])
        if not company:
            return own
        return [*figures.metric_rows(when, ["division"], whole=True), *own]

    now = rows(period)
    before = {record["division"]: record for record in rows(previous)}
    members: dict[str | None, int] = {}
    for record in now:
        division = None if record["division"] == TOTAL and company else record["division"]
        members[division] = _headline(out, "overview", division, None, record)
        if record["division"] in before:
            _trends(out, division, record, before[record["division"]] if comparable else None)
    divisions = [str(r["division"]) for r in now if not (company and r["division"] == TOTAL)]
    return divisions, members


def _mixes(
    out: _Cells,
    figures: Figures,
    period: division_figures.Period,
    divisions: list[str],
    topics: list[str],
    responses: list[str],
) -> None:
    """Topics and 対応 per 事業部; the topics over all of them too."""
    totals: dict[str, int] = {}
    for name, column, vocabulary in (
        ("topics", "topic", topics),
        ("responses", "response", responses),
    ):
        per_division = figures.mix_counts(period, column)
        people = figures.mix_people(period, column)
        for division in divisions:
            counts = per_division.get(division, {})
            total = _mix(out, name, column, division, counts, vocabulary, people.get(division, 0))
            if name == "topics":
                totals[division] = total
            else:
                _same_total(out, totals[division], total)
        if name == "topics":
            whole = figures.mix_counts(period, column, whole=True)
            everyone = sum(figures.mix_people(period, column, whole=True).values())
            _mix(out, name, column, None, next(iter(whole.values()), {}), vocabulary, everyone)


def _same_total(out: _Cells, topics_total: int, responses_total: int) -> None:
    """The 対応 table's 計 is the topic table's where they are the same number, as they are
    where every 1on1 with a topic has a 対応 (KAKEAI asks for both at once): an attacker
    takes one for the other (a hidden topic 計 beside its 対応 計 was that figure)."""
    whole = out.cells[responses_total]
    if whole.raw == out.cells[topics_total].raw:
        whole.sums = (*whole.sums, (topics_total,))


def _monthly(
    out: _Cells,
    figures: Figures,
    as_of: dt.date,
    members: dict[str | None, int],
    before_data: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """The 1on1実施率 of the last months, per 事業部 (the monthly chart); months that end
    before the first 1on1 (``before_data``) have none, not 0%."""
    for record in figures.monthly_rows(as_of, MONTHS):
        if record["month"] in before_data:
            continue
        out.add(
            table="monthly",
            period=record["month"],
            division=record["division"],
            department=None,
            metric="implementation_rate",
            unit="share",
            raw=record["rate"],
            size=record["members"],
            depends=(members[record["division"]],),
        )


def whole_rows(
    scope: list[ScopeUnit], recoding: Recoding, minimum: int = 0
) -> tuple[list[ScopeUnit], list[str], list[str]]:
    """The scope's units with every merged row they touch taken in whole, and the
    部署 it took in for that; and the scope's own 部署 left hidden instead.

    A merged row is taken in only where the scope holds ``minimum`` people of it or
    more (管理本部長 receives 「管理本部・経営企画室」 whole: 管理本部 alone beside the
    company's row would give 経営企画室 back). Where the scope's part is the small
    one (an advisor of 経営企画室 alone), the row is not theirs to see: the report
    holds their own people only, whose figures are too few to show (``<5``)."""
    units = set(recoding.sizes)
    wanted: set[tuple[str, str]] = set()
    for unit in scope:
        wanted |= {
            u
            for u in units
            if u[0] == unit.division and (unit.department is None or u[1] == unit.department)
        }
    taken: set[tuple[str, str]] = set()
    small: set[tuple[str, str]] = set()
    for row in recoding.rows_touching(wanted):
        own = row & wanted
        if shows(sum(recoding.sizes[u] for u in own), minimum):
            taken |= row - wanted
        else:
            small |= own
    if not taken:
        return scope, [], _names(small)
    extra = sorted(taken)
    more = [ScopeUnit(division=d, department=p) for d, p in extra]
    return [*scope, *more], [f"{d}/{p}" for d, p in extra], _names(small)


def _names(units: set[tuple[str, str]]) -> list[str]:
    """Units as people name them: the 事業部 where all of it is there, else 事業部/部署."""
    return sorted({d if d == p else f"{d}/{p}" for d, p in units})


def _scope_note(extra: list[str], small: Sequence[str] = (), minimum: int = 0) -> list[str]:
    notes = []
    if extra:
        notes.append(
            f"人数が少ないため同じ行にまとめた部署（{'、'.join(extra)}）も、"
            "全社レポートと同じ行として含めています。"
        )
    if small:
        notes.append(
            f"{'、'.join(small)}は{minimum}人未満のため全社レポートではほかの単位と1行にまとめており、"
            "範囲外の人の値を含めないよう、このレポートでは値を表示しません。"
        )
    return notes


def _before_data_note(
    since: dt.date | None,
    previous: division_figures.Period,
    comparable: bool,
    months: Sequence[division_figures.Period],
) -> list[str]:
    """What is not shown because the 1on1s in the data start later (``since``)."""
    notes = []
    if not comparable:
        notes.append(
            f"前期間（{previous.caption}）は1on1のデータ（{since}から）より前のため、"
            "推移は示していません。"
        )
    if months:
        first, last = min(months, key=lambda m: m.start), max(months, key=lambda m: m.start)
        span = first.caption if first is last else f"{first.caption}〜{last.caption}"
        notes.append(f"{span}は1on1のデータ（{since}から）より前のため、月別の値はありません。")
    return notes


def _fallback_note(hidden: int) -> list[str]:
    if not hidden:
        return []
    return [
        f"ほかの値から差し引きで推定できないよう、関連する {hidden} 個の値を"
        "まとめて非表示にしています。"
    ]


class RowUnits:
    """The 部署 (as in the users export) behind each row of one report: two reports'
    figures with the same people, period and measure are one figure to an attacker."""

    def __init__(
        self,
        sizes: Mapping[tuple[str, str], int],
        recoding: Recoding,
        period: division_figures.Period,
        as_of: dt.date,
    ) -> None:
        """``sizes``: the scope's people per (事業部, 部署) of the users export."""
        self.period = period
        self.as_of = as_of
        units = list(sizes)
        self.root = frozenset(units)
        divisions: dict[str, set[tuple[str, str]]] = {}
        departments: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for unit in units:
            division = recoding.division(unit[0])
            divisions.setdefault(division, set()).add(unit)
            departments.setdefault((division, recoding.department(*unit)), set()).add(unit)
        self.divisions = {k: frozenset(v) for k, v in divisions.items()}
        self.departments = {k: frozenset(v) for k, v in departments.items()}

    def node(self, cell: Cell) -> tuple[Any, ...] | None:
        people = self.root if cell.division is None else self.divisions.get(cell.division)
        if people is None:
            return None  # a row of no known 部署: its own figure
        part = (
            None
            if cell.department is None or cell.division is None
            else self.departments.get((cell.division, cell.department))
        )
        return (
            cell.table,
            self.when(cell),
            cell.metric,
            cell.unit,
            cell.topic,
            cell.response,
            people,
            part,
        )

    def when(self, cell: Cell) -> tuple[Any, ...]:
        """The time a figure covers: its days (start, end), whatever the label
        (2026-11 of a snapshot to the 19th is not that of one to the 20th), or, for
        a count of the people themselves, the day they were counted on."""
        if cell.metric in AS_OF_METRICS:
            return ("as of", self.as_of)
        if cell.period == self.period.label:
            return (self.period.start, self.period.end)
        if match := re.fullmatch(r"(\d{4})-(\d{2})", cell.period):
            start = dt.date(int(match.group(1)), int(match.group(2)), 1)
            return (start, min(month_end(start), self.as_of))
        return (cell.period, self.as_of)


# Figures of the people as they are on the as-of date, whatever the period: one
# figure to an attacker in every period's report.
AS_OF_METRICS = ("headcount", "activation_rate", "pair_rate", "members")


def unit_sizes(tables: Tables) -> dict[tuple[str, str], int]:
    """People (current users) per (事業部, 部署)."""
    return _per_unit(current_users(tables.users))


def member_sizes(tables: Tables) -> dict[tuple[str, str], int]:
    """部下 (current users who are the member of a formed pair: the report's 部下の人数)
    per (事業部, 部署)."""
    users = current_users(tables.users)
    return _per_unit(users[users["user_id"].isin(set(formed_pairs(tables.pairs)["member_id"]))])


def _per_unit(users: pd.DataFrame) -> dict[tuple[str, str], int]:
    """How many of ``users`` per (事業部, 部署), units with none left out."""
    sizes = users.groupby(["division", "department"], observed=True, dropna=True).size()
    divisions = sizes.index.get_level_values("division")
    departments = sizes.index.get_level_values("department")
    return {
        (str(d), str(p)): int(n)
        for d, p, n in zip(divisions, departments, sizes.tolist(), strict=True)
        if n
    }


def organisation_rows(
    tables: Tables, settings: Settings, sizes: dict[tuple[str, str], int] | None = None
) -> Recoding:
    """Where each 事業部 and 部署 is published, from the current users' sizes (``sizes``:
    ``unit_sizes(tables)`` where known already) and their 部下."""
    alone = {scope_text(entry) for a in settings.advisors.values() for entry in a.scope}
    return recode(
        unit_sizes(tables) if sizes is None else sizes,
        settings.privacy,
        alone,
        members=member_sizes(tables),
    )


def recoded(tables: Tables, recoding: Recoding) -> Tables:
    """The tables with each user's 事業部 and 部署 as the report publishes them."""
    if not recoding.changed:
        return tables
    users = tables.users.copy()
    divisions = users["division"].astype(object).to_numpy()
    departments = users["department"].astype(object).to_numpy()
    users["department"] = [
        p if not isinstance(d, str) or not isinstance(p, str) else recoding.department(d, p)
        for d, p in zip(divisions, departments, strict=True)
    ]
    users["division"] = [d if not isinstance(d, str) else recoding.division(d) for d in divisions]
    return Tables(users=users, pairs=tables.pairs, meetings=tables.meetings)


def first_held(tables: Tables) -> pd.Timestamp | None:
    """When the first held 1on1 was (None, or NaT: none held, or none with a date)."""
    meetings = tables.meetings
    held = meetings.loc[meetings["status"] == "held", "held_at"] if len(meetings) else None
    return held.min() if held is not None and len(held) else None


def _check_has_data(
    first: pd.Timestamp | None, text: str, period: division_figures.Period, as_of: dt.date
) -> None:
    """A period that ends before the first held 1on1 (``first``) has nothing to report:
    refused, never drawn as 0% ↓ (one that starts after the data is refused by
    parse_period)."""
    if first is None or pd.isna(first):
        return  # no 1on1 yet at all: logins and pairs are still worth reporting
    if period.end < first.date():
        raise KopsError(
            _(
                "--period {text} ({caption}) has no data: the 1on1s run from {first} to {as_of}"
            ).format(text=text.strip(), caption=period.caption, first=first.date(), as_of=as_of),
            hint=_("choose a period within {first}〜{as_of}").format(
                first=first.date(), as_of=as_of
            ),
        )


def _headline(
    out: _Cells, table: str, division: str | None, department: str | None, r: dict[str, Any]
) -> int:
    """The headline figures of one group; returns the index of its members count."""

    def add(metric: str, unit: str, size: str, **more: Any) -> int:
        return out.add(
            table=table,
            division=division,
            department=department,
            metric=metric,
            unit=unit,
            raw=r[metric],
            size=r[size],
            **more,
        )

    counted = {"additive": True, "at_least_size": True, "at_most_size": True}
    people = add("headcount", "people", "headcount", **counted)
    add("activation_rate", "share", "headcount", depends=(people,))
    add("pair_rate", "share", "headcount", depends=(people,))
    members = add("members", "people", "members", **counted)
    add("implementation_rate", "share", "period_members", depends=(members,))
    held = add("held", "meetings", "members", additive=True)
    add("per_member_month", "rate", "period_members", depends=(held, members))
    for metric in ("prepared_share", "rated_share"):
        add(metric, "share", "rating_people", depends=(held,))
    add("sukkiri_avg", "average", "sukkiri_people", depends=(held,))
    add("growth_avg", "average", "growth_people", depends=(held,))
    return members


def _trends(
    out: _Cells, division: str | None, now: dict[str, Any], before: Mapping[str, Any] | None
) -> None:
    """Arrows against the previous period, with the size of the change as the two
    published figures differ (「↓ -2pt」): hidden with their figure, and when the
    previous period's group was too small to publish (it would hint at it)."""
    current = {c.metric: i for i, c in enumerate(out.cells) if _is_row(c, division)}
    for metric in TREND_COLUMNS:
        size = "sukkiri_people" if metric == "sukkiri_avg" else "period_members"
        figure = out.cells[current[metric]]
        direction: int | None = None
        text = ""
        if before is not None and not (pd.isna(now[metric]) or pd.isna(before[metric])):
            direction, text = published_change(
                figure.unit, float(now[metric]), float(before[metric])
            )
        index = out.add(
            table="overview",
            division=division,
            department=None,
            metric=f"{metric}_trend",
            unit="trend",
            raw=direction,
            size=now[size] if before is None else min(now[size], before[size]),
            depends=(current[metric],),
        )
        out.cells[index].change_text = text
        if out.cells[index].raw is None:
            out.cells[index].state = PRIMARY


def _is_row(cell: Cell, division: str | None) -> bool:
    return cell.table == "overview" and cell.division == division and cell.unit != "trend"


def _mix(
    out: _Cells,
    table: str,
    column: str,
    division: str | None,
    by_value: Mapping[str, tuple[Any, Any]],
    vocabulary: list[str],
    people: int,
) -> int:
    """Counts and shares per topic (or 対応), from the row's value → (1on1s, distinct
    members) (``Figures.mix_counts``), and their 計 (``people``: the members behind it);
    the 計's index.
    Every value of the vocabulary gets a row: a topic no one took shows as ``<5``/``<10``
    like a small one, not as a gap.

    The 計 is published, and the audit knows it is the sum of the rows: the shares give
    it to within a few 1on1s anyway, and where every 1on1 with a topic has a 対応 (as
    KAKEAI asks for both at once) the other table's rows add up to it exactly. Hidden,
    a 心身の状態 alone in its table was that 計 less the rows shown."""

    def row(value: str) -> dict[str, Any]:
        return {"table": table, "division": division, "department": None, column: value}

    counts = []
    for value in vocabulary:
        count, takers = by_value.get(value, (0, 0))
        counts.append(
            out.add(
                **row(value),
                metric="count",
                unit="meetings",
                raw=count,
                size=takers,
                threshold=out.threshold(value if column == "topic" else None),
                additive=True,
                at_least_size=True,
            )
        )
    total = sum(out.cells[i].raw or 0 for i in counts)
    whole = out.add(
        **row(glossary.MIX_TOTAL),
        metric="count",
        unit="meetings",
        raw=total,
        size=people,
        additive=True,
        at_least_size=True,
        sums=(tuple(counts),),
    )
    for value, index in [*zip(vocabulary, counts, strict=True), (glossary.MIX_TOTAL, whole)]:
        count = out.cells[index]
        out.add(
            **row(value),
            metric="share",
            unit="share",
            raw=(count.raw or 0) / total if total else None,
            size=count.size,
            threshold=count.threshold,
            depends=(index,),
            numerator=index,
            denominator=tuple(counts),
        )
    return whole


def _matrix(
    out: _Cells,
    lookup: Mapping[tuple[object, str, str], tuple[Any, Any]],
    managers: Mapping[tuple[object, str, str], int],
    divisions: list[str],
    topics: list[str],
    responses: list[str],
) -> None:
    """Average スッキリ度 per topic × 対応, every combination (an empty one hidden too);
    ``lookup``: (事業部, topic, 対応) → (average, people), ``Figures.topic_response_lookup``.
    A cell's people are the fewer of its members and its managers (``managers``): the
    grid is read as the managers' strengths."""
    for division in divisions:
        for topic in topics:
            for response in responses:
                key = (division, topic, response)
                average, members = lookup.get(key, (None, 0))
                people = min(members, managers.get(key, 0))
                out.add(
                    table="topic_response",
                    division=division,
                    department=None,
                    metric="sukkiri_avg",
                    unit="average",
                    topic=topic,
                    response=response,
                    raw=average,
                    size=people,
                    threshold=out.threshold(topic),
                )
