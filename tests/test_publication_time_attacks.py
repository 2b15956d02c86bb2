"""Time in the privacy audit: reports of different periods, windows and snapshots,
held together, narrow no hidden figure.

The attacker is written here from the published records alone, independently of
kops' programme: every row is a set of the tenant's 部署 (read off its label), every
count of 1on1s a sum over those 部署 and over the pieces of the time line that the
reports' periods cut it into (each period's first and last day, from the report),
every count of people one unknown per 部署 and as-of date. scipy's linprog gives
each hidden figure's narrowest range; a `<k` figure must keep 0…k−1.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.config import Settings
from kakeai_ops.jobs.division_report import DivisionReport, build_publication
from test_publication import Equations, record_units

AS_OF = dt.date(2026, 11, 20)
PEOPLE = ("headcount", "members")
SENSITIVE = "心身の状態"
OTHER_TOPICS = ("業務の進捗や進め方", "業績目標の進捗", "人間関係", "今後のキャリア")


def attack(held: list[tuple[DivisionReport, dt.date]], shape: dict) -> list[str]:
    """Every hidden count an attacker holding all of ``held`` (report, its as-of date)
    narrows below its label."""
    spans = {(r.period.start, r.period.end) for r, _ in held}
    cuts = sorted({a for a, _ in spans} | {b + dt.timedelta(days=1) for _, b in spans})
    pieces = [(a, b - dt.timedelta(days=1)) for a, b in pairwise(cuts)]
    sums: list[tuple[dict[Any, float], Any, dict[str, Any]]] = []
    for report, as_of in held:
        start, end = report.period.start, report.period.end
        inside = [p for p in pieces if start <= p[0] and p[1] <= end]
        records = [
            r for r in report.records() if r["additive"] and r["period"] == report.period.label
        ]
        for record, units in record_units(records, shape):
            measure = (record["table"], record["metric"], record["topic"], record["response"])
            if record["metric"] in PEOPLE:
                terms = {(u, ("as of", as_of), measure): 1.0 for u in units}
            else:
                terms = {(u, piece, measure): 1.0 for u in units for piece in inside}
            sums.append((terms, record["value"], record))
    equations = Equations(sums)
    found = []
    for terms, value, record in sums:
        if value is not None or not record["shown"].startswith("<"):
            continue
        status, low, top = equations.interval(terms)
        assert status == 0, "the published figures contradict each other"
        need = int(record["shown"][1:]) - 1
        if low > 0.5 or top < need - 0.5:
            found.append(f"{record['period']} {record}: {low}…{top}")
    return found


def everything(publications: list[Any], as_of: dt.date = AS_OF) -> list[tuple[Any, dt.date]]:
    """Every report of each publication's set (its family's periods, company and advisors)."""
    return [(r, as_of) for p in publications for r in p.family]


def windows_tenant() -> Any:
    """心身の状態 over 90 days: X talks of it all along; Y only in the last 30 days (12
    people); Z 15 people in 90 days, 3 of them in the last 30. The 30-day report hides
    Z (<10) and, as a complement, Y or X; Y's 90-day figure bounds Y's last 30 days,
    so hiding Y there alone would give Z back (company − X − Y ≥ 3)."""
    users, pairs, meetings = [], [], []
    plan = {"X": (14, 30), "Y": (12, 0), "Z": (3, 12)}  # last 30 days, days 31–90
    for division, (recent, earlier) in plan.items():
        boss = f"{division}-M"
        users.append(user(boss, division=division, department=f"{division}1"))
        for i in range(59):
            uid = f"{division}-{i}"
            users.append(user(uid, division=division, department=f"{division}{1 + i % 2}"))
            pairs.append(pair(boss, uid))
            other = OTHER_TOPICS[i % 4]
            late = AS_OF - dt.timedelta(days=i % 29)
            early = AS_OF - dt.timedelta(days=31 + i % 58)
            meetings.append(
                meeting(boss, uid, f"{late} 10:00", topic=SENSITIVE if i < recent else other)
            )
            meetings.append(
                meeting(boss, uid, f"{early} 10:00", topic=SENSITIVE if i < earlier else other)
            )
    return tables(users, pairs, meetings)


WINDOWS_SHAPE = {d: {f"{d}1": 30, f"{d}2": 30} for d in "XYZ"}


def _shown(report: DivisionReport, division: str, topic: str = SENSITIVE) -> str:
    return next(
        r["shown"]
        for r in report.records()
        if r["table"] == "topics"
        and r["division"] == division
        and r["topic"] == topic
        and r["metric"] == "count"
    )


@pytest.fixture(scope="module")
def windows() -> Any:
    data = windows_tenant()
    return data, [build_publication(data, Settings(), AS_OF, text) for text in ("30d", "90d")]


def test_30_and_90_days_of_one_snapshot_narrow_nothing(windows: Any) -> None:
    _, (thirty, ninety) = windows
    assert _shown(thirty.company, "Z") == "<10"
    assert _shown(ninety.company, "Y") == "12", "a weak tenant: Y's 90 days are not shown"
    assert attack(everything([thirty, ninety]), WINDOWS_SHAPE) == []
    # Whichever window is asked for, the same figures are published: the 90 days the
    # 30 days' set holds are the 90 days asked for.
    [held] = [
        r
        for r in thirty.family
        if r.scope_label == thirty.company.scope_label and r.period == ninety.company.period
    ]
    assert held.records() == ninety.company.records()


def day_tenant() -> Any:
    """Z's 心身の状態 in the 30 days to the 19th: 12 people; to the 20th: 9 (three met on
    21 October, no one on 20 November). Two snapshots a day apart publish both."""
    users, pairs, meetings = [], [], []
    for division in "XYZ":
        boss = f"{division}-M"
        users.append(user(boss, division=division, department=f"{division}1"))
        for i in range(59):
            uid = f"{division}-{i}"
            users.append(user(uid, division=division, department=f"{division}{1 + i % 2}"))
            pairs.append(pair(boss, uid))
            sensitive = i < (12 if division == "Z" else 20)
            day = dt.date(2026, 10, 21) if division == "Z" and i < 3 else dt.date(2026, 11, 2)
            day += dt.timedelta(days=0 if day.month == 10 else i % 17)
            topic = SENSITIVE if sensitive else OTHER_TOPICS[i % 4]
            meetings.append(meeting(boss, uid, f"{day} 10:00", topic=topic))
            meetings.append(meeting(boss, uid, f"2026-09-{1 + i % 28:02d} 10:00"))
    return tables(users, pairs, meetings)


def test_two_snapshots_a_day_apart_narrow_nothing(tmp_path: Any) -> None:
    """The second snapshot's audit holds what the first published for the days they
    share (the published record, real SQLite), so the 30 days to the 20th cannot be
    read off the 30 days to the 19th."""
    from kakeai_ops.jobs.division_report import family_days
    from kakeai_ops.jobs.workspace_init import init_workspace
    from kakeai_ops.store.published import (
        PublishedFile,
        published_figures,
        published_reports,
        record_published,
    )

    ws = init_workspace(tmp_path / "ws")
    data = day_tenant()
    day_one = AS_OF - dt.timedelta(days=1)
    first = build_publication(data, Settings(), day_one, "30d")
    assert _shown(first.company, "Z") == "12"
    for report in (first.company, *first.advisors.values()):
        record_published(
            ws,
            "s1",
            [PublishedFile(report.cells, report.period.start, report.period.end)],
            "shared",
            "day-one.xlsx",
        )
    same, other = published_reports(ws, "s2", *family_days("30d", AS_OF))
    assert other and not same, "the first snapshot's report overlaps the second's days"
    second = build_publication(
        data, Settings(), AS_OF, "30d", published_figures(ws, "s2"), same, other
    )
    assert _shown(second.company, "Z") == "<10"
    # The first snapshot's figures agree with this one's data: they are in the programme
    # (not left out as contradicting it).
    from kakeai_ops.jobs.division_report import _publication

    again = _publication(data, Settings(), AS_OF, "30d", None, [*same, *other], "shared")
    assert again.company.records() == second.company.records()
    held = [(first.company, day_one), (second.company, AS_OF)]
    assert attack(held, WINDOWS_SHAPE) == []
    # The 90 days of both snapshots too (each window's family).
    ninety = build_publication(
        data,
        Settings(),
        AS_OF,
        "90d",
        published_figures(ws, "s2"),
        *published_reports(ws, "s2", *family_days("90d", AS_OF)),
    )
    assert attack([*held, (ninety.company, AS_OF)], WINDOWS_SHAPE) == []


def quarter_tenant() -> Any:
    from test_publication import quarter_tenant as made

    return made()


QUARTER_SHAPE = {d: {f"{d}1": 12, f"{d}2": 12} for d in "XYZ"}


@pytest.fixture(scope="module")
def quarter() -> Any:
    data = quarter_tenant()
    # Three families: the month's (its quarter, the other month), the half's (its
    # quarters), the year's (its halves).
    texts = ("month:2026-11", "half:2026H2", "year:2026")
    return data, {t: build_publication(data, Settings(), AS_OF, t) for t in texts}


def test_a_month_its_quarter_half_and_year_narrow_nothing(quarter: Any) -> None:
    _, built = quarter
    assert _shown(built["month:2026-11"].company, "Z") == "<10"
    periods = {r.period.label for p in built.values() for r in p.family}
    # (Q3 and H1 end before the first 1on1: nothing to publish for them.)
    assert periods == {"2026-10", "2026-11", "2026Q4", "2026H2", "2026"}
    assert attack(everything(list(built.values())), QUARTER_SHAPE) == []


def test_halves_and_years_are_periods() -> None:
    from kakeai_ops.analyses.divisions import parse_period
    from kakeai_ops.jobs.division_report import period_family

    half, before = parse_period("half:2026H2", AS_OF)
    assert (half.start, half.end, half.full_end, half.label) == (
        dt.date(2026, 7, 1),
        AS_OF,
        dt.date(2026, 12, 31),
        "2026H2",
    )
    assert (before.start, before.label) == (dt.date(2026, 1, 1), "2026H1")
    year, last = parse_period("year:2026", AS_OF)
    assert (year.start, year.end, year.label, last.label) == (
        dt.date(2026, 1, 1),
        AS_OF,
        "2026",
        "2025",
    )
    assert half.caption == "2026年7〜12月（11月20日まで）"
    assert period_family("half:2026H2", AS_OF) == [
        "half:2026H2",
        "quarter:2026Q3",
        "quarter:2026Q4",
    ]
    assert period_family("year:2026", AS_OF) == ["year:2026", "half:2026H1", "half:2026H2"]
    assert period_family("90d", AS_OF) == ["90d", "30d"]
    # A half that has not started has no data.
    from kakeai_ops.errors import KopsError

    with pytest.raises(KopsError, match="has no data"):
        parse_period("half:2027H1", AS_OF)
    for bad in ("half:2026H3", "half:2026", "year:26", "year:2026-1"):
        with pytest.raises(KopsError, match="is not a period"):
            parse_period(bad, AS_OF)


def _held(period: tuple[dt.date, dt.date], values: dict[str | None, int]) -> list[Any]:
    """One report's 1on1 counts: the company (None) and its 事業部, over ``period``."""
    from kakeai_ops.privacy.cells import Cell

    units = {d: frozenset({(d, f"{d}1")}) for d in values if d is not None}
    everyone = frozenset().union(*units.values())
    label = f"{period[0]}〜{period[1]}"
    return [
        Cell(
            table="overview",
            period=label,
            division=d,
            department=None,
            metric="held",
            unit="meetings",
            raw=float(n),
            size=n,
            threshold=10,
            additive=True,
            node=("overview", period, "held", "meetings", None, None, units.get(d, everyone), None),
        )
        for d, n in values.items()
    ]


def test_a_figure_published_earlier_constrains_a_later_report() -> None:
    """November's counts, with Z's hidden; 30 days published earlier showed every
    事業部, and X and Y met only in November. Without the record, hiding Y beside Z is
    enough; with it, Y's November is its 30 days, and so is X's: Z = company − X − Y
    would come back, so the later report hides more (checked here with a programme
    of its own over both reports)."""
    from kakeai_ops.privacy.cells import PRIMARY
    from kakeai_ops.privacy.publication import protect_set

    november = (dt.date(2026, 11, 1), AS_OF)
    thirty = (dt.date(2026, 10, 22), AS_OF)
    truth = {None: 63, "X": 40, "Y": 20, "Z": 3}
    earlier = {None: 72, "X": 40, "Y": 20, "Z": 12}  # Z met 9 more in late October

    def later() -> list[Any]:
        cells = _held(november, truth)
        cells[3].state = PRIMARY
        return cells

    alone = later()
    protect_set([alone])
    recorded = _held(thirty, earlier)
    for cell in recorded:
        cell.released = True
    together = later()
    protect_set([together, recorded])
    hidden_alone = {c.division for c in alone if c.hidden}
    hidden_together = {c.division for c in together if c.hidden}
    assert hidden_alone < hidden_together, (hidden_alone, hidden_together)
    # The attacker's own programme: per 事業部, November and the ten October days.
    names = ["X", "Y", "Z"]
    index = {(d, p): 2 * i + p for i, d in enumerate(names) for p in (0, 1)}  # 1: November
    rows, values = [], []

    def equation(terms: list[tuple[str, int]], value: float) -> None:
        row = np.zeros(len(index))
        for term in terms:
            row[index[term]] = 1.0
        rows.append(row)
        values.append(value)

    for cell in recorded:
        covered = [cell.division] if cell.division else names
        equation([(d, p) for d in covered for p in (0, 1)], cell.raw)
    for cell in together:
        if not cell.hidden:
            equation([(d, 1) for d in ([cell.division] if cell.division else names)], cell.raw)
    target = np.zeros(len(index))
    target[index[("Z", 1)]] = 1.0
    a_eq, b_eq = np.array(rows), np.array(values)
    from scipy.optimize import linprog

    low = linprog(target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert low.fun < 0.5 and -high.fun > 8.5, (low.fun, -high.fun)


SAMPLE_ADVISORS = {
    "営業本部長": ["営業本部"],
    "開発本部HRBP": ["開発本部/製品開発部", "開発本部/品質保証部"],
    "製造HRBP": ["製造本部/調達部"],
}


@pytest.fixture(scope="module")
def sample(sample_ws: Any) -> Any:
    """The sample's latest snapshot, its 部署 sizes and both families of publications
    (a month's and a window's), with advisors whose scopes cut through a 事業部."""
    from kakeai_ops.jobs.division_report import unit_sizes
    from kakeai_ops.store import latest_snapshot, load_tables
    from test_publication import settings

    snapshot = latest_snapshot(sample_ws)
    assert snapshot is not None and snapshot.as_of is not None
    data = load_tables(snapshot)
    shape: dict[str, dict[str, int]] = defaultdict(dict)
    for (division, department), n in unit_sizes(data).items():
        shape[division][department] = n
    chosen = settings(SAMPLE_ADVISORS)
    built = {
        text: build_publication(data, chosen, snapshot.as_of, text)
        for text in ("month:2026-11", "30d")
    }
    return snapshot.as_of, dict(shape), built


def test_on_the_sample_a_month_its_quarter_and_its_other_month_narrow_nothing(
    sample: Any,
) -> None:
    as_of, shape, built = sample
    month = built["month:2026-11"]
    periods = {r.period.label for r in month.family}
    assert periods == {"2026-10", "2026-11", "2026Q4"}
    assert any(c.hidden for c in month.company.cells), "a weak test: nothing hidden"
    assert attack([(r, as_of) for r in month.family], shape) == []


def test_on_the_sample_30_and_90_days_narrow_nothing(sample: Any) -> None:
    as_of, shape, built = sample
    windows = built["30d"]
    assert len({r.period.label for r in windows.family}) == 2
    assert attack([(r, as_of) for r in windows.family], shape) == []


def test_a_damaged_published_record_names_the_database(tmp_path: Any, windows: Any) -> None:
    """A recorded figure that is not what kops wrote (edited by hand, cut short): a clear
    error naming the state database, before any report is written."""
    import sqlite3

    from kakeai_ops.errors import KopsError
    from kakeai_ops.jobs.workspace_init import init_workspace
    from kakeai_ops.store.published import PublishedFile, published_reports, record_published

    ws = init_workspace(tmp_path / "ws")
    report = windows[1][0].company  # any report of the 30 days to AS_OF
    record_published(
        ws,
        "s1",
        [PublishedFile(report.cells, report.period.start, report.period.end)],
        "shared",
        "r.xlsx",
    )
    assert published_reports(ws, "s1", AS_OF, AS_OF)[0]
    for damage in ("{not json", '{"report": "x"}', '{"report": "x", "index": 0, "state": ""}'):
        with sqlite3.connect(ws.db_path) as db:
            db.execute("UPDATE published SET figure = ? WHERE rowid = 1", (damage,))
        with pytest.raises(KopsError) as refused:
            published_reports(ws, "s1", AS_OF, AS_OF)
        assert str(ws.db_path) in str(refused.value)
        assert "published" in (refused.value.hint or "")


class _AsPublished:
    """A report as ``--format json`` published it: its records and period, for ``attack``."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        first = records[0]
        self._records = records
        self.period = SimpleNamespace(
            label=first["period"],
            start=dt.date.fromisoformat(first["period_from"]),
            end=dt.date.fromisoformat(first["period_to"]),
        )

    def records(self) -> list[dict[str, Any]]:
        return self._records


def test_reports_linked_through_one_between_narrow_nothing(sample_copy: Any, sample: Any) -> None:
    """90 days (8月23日〜11月20日), then 10〜12月, then 9月: the quarter and 9月 share no
    day, but the 90 days share days with both. 9月's audit read only the reports that
    shared a day with it (the 90 days), and the three published together narrowed 9月's
    営業本部・経営企画室 心身の状態 (<5) to 2…3. Reports linked through those between
    are read too: 9月 is refused, and what was published narrows nothing."""
    import json

    from conftest import Cli

    as_of, shape, _built = sample
    cli = Cli(sample_copy)
    held, refused = [], []
    for period in ("90d", "quarter:2026Q4", "month:2026-09"):
        said = cli("report", "divisions", "--period", period, "--format", "json", ok=False)
        if said.exit_code:
            assert "privacy audit" in said.stderr, said.stderr
            refused.append(period)
            continue
        held.append((_AsPublished(json.loads(said.stdout)), as_of))
    assert attack(held, shape) == []
    assert refused == ["month:2026-09"]  # a set the audit let through before


def _published(ws: Any) -> list[tuple[_AsPublished, dt.date]]:
    """Every report recorded as published, read straight from the state database (not
    by kops): each report's figures as records, with its snapshot's 基準日."""
    import json
    import sqlite3
    from contextlib import closing

    from conftest import Cli

    status = json.loads(Cli(ws)("status", "--format", "json").stdout)
    days = {s["snapshot"]: s["as_of"] for s in status}
    with closing(sqlite3.connect(ws.root / "state" / "kops.db")) as db:
        rows = db.execute(
            "SELECT snapshot, first_day, last_day, figure FROM published WHERE figure != ''"
        ).fetchall()
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    held: dict[str, tuple[str, str, str]] = {}
    for snapshot, first, last, text in rows:
        figure = json.loads(text)
        label = {"primary": f"<{figure['threshold']}", "complement": "(秘匿)"}
        figure["shown"] = label.get(figure["state"], str(figure["value"]))
        figure["value"] = None if figure["state"] else figure["value"]
        figure["period_from"], figure["period_to"] = first, last
        reports[figure["report"]].append(figure)
        held[figure["report"]] = (snapshot, first, last)
    return [
        (_AsPublished(records), dt.date.fromisoformat(days[held[report][0]]))
        for report, records in reports.items()
    ]


def test_a_review_after_its_30_and_90_days_compares_and_narrows_nothing(
    sample_copy: Any, sample: Any, tmp_path: Any
) -> None:
    """The 30 and 90 days published, then the review: its previous snapshot's report set,
    made again, is refused with them (its other figures); the deck shows only its
    headline figures of it, which with everything published narrow nothing. It compared
    with nothing (「比べていません」) though nothing was at stake."""
    from pptx import Presentation

    from conftest import Cli

    _as_of, shape, _built = sample
    cli = Cli(sample_copy)
    for period in ("30d", "90d"):
        cli("report", "divisions", "--period", period, "--format", "json")
    deck = tmp_path / "deck.pptx"
    said = cli("review", "--out", str(deck))
    assert "not compared" not in said.stderr
    summary = Presentation(str(deck)).slides[1]
    tiles = " ".join(s.text_frame.text for s in summary.shapes if s.has_text_frame)
    assert "（前回 " in tiles and "比べていません" not in tiles
    held = _published(sample_copy)
    assert {report.period.label for report, _day in held} >= {
        "2026-09-21〜2026-10-20",  # the deck's 前回
        "2026-10-22〜2026-11-20",
        "2026-08-23〜2026-11-20",
    }
    assert attack(held, shape) == []
