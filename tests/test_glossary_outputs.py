"""One figure, one label, one definition, in what people really get: the sample month
(`kops demo`) read back as its readers read it (the workbooks with openpyxl, the deck
with python-pptx, the terminal's tables, the mails in outbox/), every label of a figure
checked against the glossary, and every figure recounted from the export files in
data/sample by tests/sample_recount.py (pandas alone, no kops code)."""

from __future__ import annotations

import datetime as dt
import email
import functools
import itertools
import re
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

import sample_recount as recount
from calendar_oracle import days_off
from conftest import Cli
from kakeai_ops import glossary
from kakeai_ops.cli.demo import NOVEMBER
from kakeai_ops.config.rule_settings import Privacy
from kakeai_ops.privacy import rules
from kakeai_ops.workspace import Workspace
from workbooks import label as one_line
from workbooks import overview_records, read_book, read_deck, sheet_records

HEADER_FILL = "305496"  # the fill of every table header kops writes
# A label that names a figure ends so (「…率」「…の割合」「…人数」「…数」「平均…」…).
FIGURE_WORD = re.compile(r"(率|割合|人数|数|/人/月|推移|スッキリ度|成長実感|満足度)$")
ROLES = ("manager", "member")  # the roles a milestone is counted in
QUALIFIER = re.compile(r"（[^（）]*）$")
# Other spellings that read as another figure wherever they stand, prose included (a
# shorter one is a word of its own: 回数, 新規, 変化なし …, checked where it is a label).
ORDINARY = {
    "回数",
    "新規",
    "変化なし",
    "入力率",
    "進行中",
    "利用率",
    "1on1数",
    "準備率",
    "スッキリ度",
}
PROSE_WRONG = [
    *(w for f in glossary.FIGURES.values() for w in f.not_spelt if w not in ORDINARY),
    *glossary.HIDDEN_NOT_SPELT,
]


# The commands whose tables the secretariat reads, run again on the month's workspace.
TERMINAL = (
    ("segment",),
    ("segment", "--by", "division"),
    ("segment", "--compare", "1"),
    ("report", "divisions", "--period", "90d"),
    ("campaign", "eligible", "exec-1on1-2026h2"),
    ("campaign", "milestones"),
    ("campaign", "list"),
    ("mail", "report", "no_prep.member-2026-10"),
    ("mail", "status"),
    ("seminar", "summary", "month1"),
    ("interview", "shortlist", "--n", "6"),
    # The advisors' mail, written to outbox/ as it would be sent.
    ("report", "divisions", "--all-advisors", "--out", "{root}/out/mailed", "--mail", "--dry-run"),
)


@pytest.fixture(scope="module")
def month(
    demo_run: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """The sample month (`kops demo`, run once for the session) copied, and what the
    terminal shows in Japanese, as the secretariat reads it (the suite runs in English),
    for each command of TERMINAL run on the copy on the demo's last day."""
    root = tmp_path_factory.mktemp("demo-ja") / "ws"
    shutil.copytree(demo_run[0], root)
    cli = Cli(Workspace(root))
    shown = {}
    for command in TERMINAL:
        args = [a.replace("{root}", str(root)) for a in command]
        result = cli(*args, env={"KOPS_LANG": "ja", "KOPS_NOW": NOVEMBER})
        shown[" ".join(command)] = str(result.stdout)
    return root, shown


_book, _deck = read_book, read_deck


def _rounded(value: float, places: int = 0) -> str:
    """As Excel and PowerPoint show it: ties away from zero."""
    step = Decimal(1).scaleb(-places)
    return str(Decimal(repr(float(value))).quantize(step, ROUND_HALF_UP))


def _percent(value: float) -> str:
    return f"{_rounded(value * 100)}%"


# What each output calls its figures ------------------------------------------------------


def workbook_labels(path: Path) -> Iterator[tuple[str, str]]:
    """Every table header of a workbook (the cells with the header fill), and the row
    labels of its figure tables (the 「項目」 column)."""
    book = _book(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                fill = str(cell.fill.fgColor.rgb) if cell.fill and cell.fill.fgColor else ""
                if isinstance(cell.value, str) and fill.endswith(HEADER_FILL):
                    # A header broken on purpose (「1on1\n実施数」) is read as one label.
                    yield f"{path.name}:{sheet.title}", cell.value.replace("\n", "")
                    if cell.value == glossary.column_label("label"):
                        for below in sheet.iter_rows(
                            min_row=cell.row + 1, min_col=cell.column, max_col=cell.column
                        ):
                            if isinstance(below[0].value, str):  # broken between words
                                yield f"{path.name}:{sheet.title}", one_line(below[0].value)


def _tile_labels(slide: Any) -> list[str]:
    """The summary slide's tiles: a label above its figure (the shape just before a value)."""
    shapes = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    return [
        label for label, value in itertools.pairwise(shapes) if re.fullmatch(r"[\d,.]+%?", value)
    ]


def deck_labels(path: Path) -> Iterator[tuple[str, str]]:
    """Table headers, tiles, chart series and axis titles of every slide."""
    for number, slide in enumerate(_deck(path).slides, start=1):
        where = f"{path.name}:slide {number}"
        for label in _tile_labels(slide):
            yield where, label
        for shape in slide.shapes:
            if shape.has_table:
                for cell in shape.table.rows[0].cells:
                    yield where, cell.text.replace("\n", "")
            if shape.has_chart:
                chart = shape.chart
                for series in chart.plots[0].series:
                    yield where, str(series.name)
                try:
                    axis = chart.value_axis
                except ValueError:
                    continue
                if axis.has_title:
                    yield where, axis.axis_title.text_frame.text


def console_tables(text: str) -> Iterator[tuple[list[str], list[list[str]]]]:
    """Rich tables in a terminal's text: header (wrapped header lines joined) and rows."""
    header: list[list[str]] = []
    rows: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if "┃" in line:
            header.append([c.strip() for c in line.split("┃")[1:-1]])
        elif "│" in line and header:
            cells = [c.strip() for c in line.split("│")[1:-1]]
            if rows and sum(not c for c in cells) * 2 > len(cells):  # a cell folded on
                rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
            else:
                rows.append(cells)
        elif header and not line.startswith(("┡", "┏", "└")):
            columns = len(header[0])
            yield ["".join(h[i] for h in header) for i in range(columns)], rows
            header, rows = [], []


def console_labels(shown: dict[str, str]) -> Iterator[tuple[str, str]]:
    for command, text in shown.items():
        for header, _rows in console_tables(text):
            for label in header:
                yield command, label


def mails(root: Path) -> Iterator[tuple[Path, EmailMessage, str]]:
    """Every mail in outbox/, with its plain text as the recipient reads it."""
    return iter(_read_mails(root))


@functools.cache
def _read_mails(root: Path) -> tuple[tuple[Path, EmailMessage, str], ...]:
    """The mails of a month's copy, read once for the file (its tests only read them)."""
    found = []
    for path in sorted((root / "outbox").rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None, path
        found.append((path, message, str(body.get_content()).replace("\r\n", "\n")))
    return tuple(found)


def every_label(root: Path, stdout: dict[str, str]) -> list[tuple[str, str]]:
    found = [
        *(x for p in sorted((root / "out").rglob("*.xlsx")) for x in workbook_labels(p)),
        *(x for p in sorted((root / "out").rglob("*.pptx")) for x in deck_labels(p)),
        *console_labels(stdout),
    ]
    return [(where, label.strip()) for where, label in found if label.strip()]


def known_labels() -> set[str]:
    return (
        {c.label for c in glossary.COLUMNS.values()}
        | {f.label for f in glossary.FIGURES.values()}
        | {t.term for t in glossary.TERMS}
        | set(glossary.MOVEMENT.values())
        | set(map(str, glossary.EFFECT_GROUPS.values()))
    )


def unknown_figure_label(label: str, known: set[str]) -> bool:
    """A label that names a figure and is not the glossary's, with or without what it
    counts or its period in brackets (「1on1実施率（部下・直近30日）」, 「人数（人）」)."""
    # A group's figure in a list of figures: 「出席：次の段階に進んだ割合」.
    label = label.split("：", 1)[-1]
    base = QUALIFIER.sub("", label)
    if label not in known and label.replace(" ", "") in known:  # 「1on1 / 人 / 月」
        return True
    return bool(FIGURE_WORD.search(base)) and label not in known and base not in known


def wrong_width(label: str) -> bool:
    """「ログイン率(%)」, 「１on１実施率」: a bracket or a digit of the other width."""
    return bool(
        re.search(r"[()]", functools.reduce(lambda t, m: t.replace(m, ""), glossary.HIDDEN, label))
        or re.search(r"[０-９Ａ-Ｚａ-ｚ％]", label)
    )


# The labels ------------------------------------------------------------------------------


def test_every_figure_is_labelled_as_the_glossary_says(month: tuple[Path, dict[str, str]]) -> None:
    """No output names a figure with a word the glossary does not have, nor with one of the
    spellings it rules out (「1on1 / 人 / 月」, 「未送付」, 「抜けた割合」…)."""
    root, stdout = month
    labels = every_label(root, stdout)
    assert len({where.split(":")[0] for where, _ in labels}) >= 8, labels[:5]
    known = known_labels()
    wrong = {
        (where, label)
        for where, label in labels
        for figure in glossary.FIGURES.values()
        if QUALIFIER.sub("", label) in figure.not_spelt
    }
    assert not wrong
    # Brackets are full-width, digits and letters half-width, as the glossary writes them.
    widths = {(where, label) for where, label in labels if wrong_width(label)}
    assert not widths, "\n".join(map(str, sorted(widths)))
    unknown = {(where, label) for where, label in labels if unknown_figure_label(label, known)}
    assert not unknown, "\n".join(map(str, sorted(unknown)))


def test_the_hidden_marks_are_the_ones_privacy_writes() -> None:
    defaults = Privacy()  # the marks of the default minimums: <5, and <10 for 心身の状態
    marks = {f"<{defaults.min_group}", f"<{defaults.min_group_sensitive}", rules.COMPLEMENT}
    assert marks == set(glossary.HIDDEN)
    assert all(mark in glossary.HIDDEN_LEGEND for mark in marks)


def test_a_label_written_another_way_is_caught() -> None:
    known = known_labels()
    assert unknown_figure_label("部下1人あたり 月間1on1数", known)
    # The label of old, which said 人 of a figure counted per 部下.
    assert unknown_figure_label("1on1/人/月", known)
    assert unknown_figure_label("スタックポイントを抜けた割合", known)
    assert not unknown_figure_label("1on1実施率（部下・直近30日）", known)
    assert not unknown_figure_label("抜け出した割合（%）", known)
    assert "未送付" in glossary.FIGURES["due"].not_spelt
    assert wrong_width("ログイン率(%)") and wrong_width("１on１実施率")
    assert not wrong_width("(秘匿)") and not wrong_width("1on1実施率（部下・直近30日）")


def test_no_prose_names_a_figure_another_way(month: tuple[Path, dict[str, str]]) -> None:
    """The slides' sentences, the terminal, every mail and every workbook's notes: no
    figure under another name
    (「1on1 実施率」 in the advisor mail, 「満足度（平均）」 on the seminar slide)."""
    root, stdout = month
    texts = dict(stdout)
    for path in sorted((root / "out").rglob("*.pptx")):
        for number, slide in enumerate(_deck(path).slides, start=1):
            texts[f"slide {number}"] = "\n".join(
                s.text_frame.text for s in slide.shapes if s.has_text_frame
            )
    for path, message, body in mails(root):
        texts[path.name] = f"{message['Subject']}\n{body}"
    for path in sorted((root / "out").rglob("*.xlsx")):  # notes and legends too
        for sheet in _book(path).worksheets:
            texts[f"{path.name}:{sheet.title}"] = "\n".join(
                str(v) for row in sheet.iter_rows(values_only=True) for v in row if v
            )
    found = {
        (where, word)
        for where, text in texts.items()
        for word in PROSE_WRONG
        if re.search(rf"(?<![\w/]){re.escape(word)}", text)
    }
    assert not found


def test_the_rate_names_whom_it_counts_and_its_period_everywhere(
    month: tuple[Path, dict[str, str]],
) -> None:
    """1on1実施率: one label, with 部下 and its period, in the report's workbook and
    terminal table (90 days) and in the deck's tile, division table and workbook (30)."""
    root, stdout = month
    ninety = glossary.implementation_rate_label("直近90日")
    thirty = glossary.implementation_rate_label("直近30日")
    assert ninety == "1on1実施率（部下・直近90日）"
    report = dict(workbook_labels(root / "out" / "division-report.xlsx"))
    overview = [label for where, label in report.items() if where.endswith(":概要")]
    assert ninety in {label for _w, label in workbook_labels(root / "out" / "division-report.xlsx")}
    assert overview is not None
    terminal = stdout["report divisions --period 90d"]
    header = next(h for h, _rows in console_tables(terminal))
    assert ninety in header
    deck = {label for _w, label in deck_labels(root / "out" / "review-2026-11.pptx")}
    assert thirty in deck and ninety not in deck
    summary = [
        str(r[0].value).replace("\n", "")
        for r in _book(root / "out" / "review-2026-11.xlsx")["1_サマリー"]
    ]
    assert thirty in summary


# The figures, recounted --------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> recount.Sample:
    return recount.load("2026-11")


def _tiles(root: Path) -> dict[str, str]:
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[1]
    shapes = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    return {label: value for label, value in itertools.pairwise(shapes)}


def test_the_deck_summary_is_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    root, _ = month
    figures = recount.headline(sample, 30).loc["全社"]
    tiles = _tiles(root)
    assert tiles[glossary.column_label("headcount")] == f"{int(figures['headcount']):,}"
    for key in ("activation_rate", "pair_rate"):
        assert tiles[glossary.column_label(key)] == _percent(figures[key])
    rate = glossary.implementation_rate_label("直近30日")
    assert tiles[rate] == _percent(figures["implementation_rate"])
    for key in ("per_member_month", "sukkiri_avg"):  # the period's 1on1s: it says which
        assert tiles[glossary.figure_label(key, "直近30日")] == _rounded(figures[key], 1)
    book = _book(root / "out" / "review-2026-11.xlsx")["1_サマリー"]
    rows = {str(r[0]).replace("\n", ""): r[2] for r in book.iter_rows(min_row=2, values_only=True)}
    assert rows[rate] == pytest.approx(float(_rounded(figures["implementation_rate"], 2)))


def _report_rows(root: Path) -> dict[str, dict[str, Any]]:
    """The overview's figures by 事業部 and header (its tables one above the other)."""
    return overview_records(_book(root / "out" / "division-report.xlsx")["概要"])


def test_the_division_report_is_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """Every shown figure of the report's overview (90 days), by 事業部 (経営企画室 is
    merged with 管理本部, as the note under the table says), and the terminal's table."""
    root, stdout = month
    merged = sample.users["division"].replace(
        {"管理本部": "管理本部・経営企画室", "経営企画室": "管理本部・経営企画室"}
    )
    expected = pd.concat(
        [recount.headline(sample, 90), recount.headline(sample, 90, merged)]
    ).to_dict("index")
    shown = _report_rows(root)
    assert set(shown) == set(expected)
    labels = {key: glossary.column_label(key) for key in expected["全社"]}
    labels["implementation_rate"] = glossary.implementation_rate_label("直近90日")
    terminal = stdout["report divisions --period 90d"]
    header, rows = next(console_tables(terminal))
    on_screen = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    checked = 0
    for division, figures in expected.items():
        for key, value in figures.items():
            cell = shown[division][labels[key]]
            if isinstance(cell, str):  # <5, (秘匿): hidden, and said so
                assert cell in glossary.HIDDEN
                continue
            places = {"per_member_month": 1, "sukkiri_avg": 1, "growth_avg": 1}.get(key)
            if places is not None:
                assert cell == pytest.approx(float(_rounded(value, 1))), (division, key)
                assert on_screen[division][labels[key]] == _rounded(value, 1)
            elif key.endswith(("_rate", "_share")):
                assert cell == pytest.approx(float(_rounded(value, 2))), (division, key)
                assert on_screen[division][labels[key]] == _percent(value)
            else:
                assert cell == value, (division, key)
            checked += 1
    assert checked >= 60


def test_stuck_points_are_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """`kops segment`'s table (by role, total, share of everyone) and the deck's chart."""
    root, stdout = month
    people = recount.stuck_points(sample)
    counts = people.groupby(["stuck_point", "role"]).size().unstack(fill_value=0)
    header, rows = next(console_tables(stdout["segment"]))
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert f"（{len(people)}人、基準日 {sample.as_of}" in stdout["segment"]
    for key in recount.STUCK_ORDER:
        row = table[glossary.STUCK_POINTS[key]]
        for role in ("manager", "member", "both", "none"):
            expected = int(counts.loc[key].get(role, 0)) if key in counts.index else 0
            assert int(row[glossary.ROLES[role]]) == expected, (key, role)
        total = int((people["stuck_point"] == key).sum())
        assert int(row["合計"]) == total
        assert row["割合"] == _percent(total / len(people))
    deck = _deck(root / "out" / "review-2026-11.pptx").slides[2]
    chart = next(s.chart for s in deck.shapes if s.has_chart)
    now = {s.name: list(s.values) for s in chart.plots[0].series}["今回"]
    assert now == [float((people["stuck_point"] == k).sum()) for k in recount.STUCK_ORDER]


def test_milestones_due_are_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """`kops campaign milestones`'s table (milestone × role) and the deck's 送付予定 line."""
    root, stdout = month
    due = recount.milestones_due(recount.load("2026-10"), sample)
    header, rows = next(console_tables(stdout["campaign milestones"]))
    assert header[0] == glossary.column_label("milestone")
    shown = {
        (int(r[0]), role): int(r[header.index(glossary.ROLES[role])])
        for r in rows
        for role in ("manager", "member")
    }
    assert {k: v for k, v in shown.items() if v} == due
    by_role = {role: sum(n for (_m, r), n in due.items() if r == role) for role in ROLES}
    total = sum(by_role.values())
    text = "\n".join(
        s.text_frame.text
        for s in _deck(root / "out" / "review-2026-11.pptx").slides[7].shapes
        if s.has_text_frame
    )
    label = glossary.column_label("due")
    assert f"{label} {total}件（上司 {by_role['manager']}・部下 {by_role['member']}）" in text


def _good_months(
    sample: recount.Sample, ws: Workspace, months: range = range(4, 10)
) -> dict[str, list[bool]]:
    """exec-1on1-2026h2, per person employed: for each month of 2026 in ``months``
    (April–September), whether every ISO week (in the month of its Thursday) had a 1on1
    held as member, or no business day (the holidays package and kops.yaml's company
    holidays)."""
    off = days_off(ws)
    days = sample.held.groupby("member_id")["held_at"].apply(lambda s: {t.date() for t in s})
    found = {}
    for person in sample.users.loc[sample.users["employment"] == "在籍", "user_id"]:
        mine = days.get(person, set())
        good = []
        for month in months:
            first = dt.date(2026, month, 1)
            thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
            ok = True
            while thursday.month == month:
                week = [thursday + dt.timedelta(days=i - 3) for i in range(7)]
                if not (any(d in mine for d in week) or all(d in off for d in week[:5])):
                    ok = False
                thursday += dt.timedelta(days=7)
            good.append(ok)
        found[person] = good
    return found


def _weeks_held(sample: recount.Sample, ws: Workspace) -> set[str]:
    """Who has 3 consecutive good months."""
    return {
        person
        for person, good in _good_months(sample, ws).items()
        if any(all(good[i : i + 3]) for i in range(len(good) - 2))
    }


def test_campaign_figures_are_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    root, stdout = month
    eligible = _weeks_held(sample, Workspace(root))
    listed = stdout["campaign eligible exec-1on1-2026h2"]
    assert f"{glossary.VALUES['eligible'][True]}: {len(eligible)}人" in listed
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[7]
    table = next(s.table for s in slide.shapes if s.has_table)
    header = [c.text for c in table.rows[0].cells]
    row = dict(zip(header, [c.text for c in table.rows[1].cells], strict=True))
    assert row["対象"] == f"{len(eligible)}人"
    awarded = _ledger(root, "select count(*) from awards")[0][0]
    assert row["付与済み"] == f"{awarded}人" and awarded == len(eligible)


def test_on_track_is_the_recount_of_runs_that_can_still_finish(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """The campaign's window moved to July–December: as of 2026-11-20 July to October are
    judged and November and December are left, so 達成見込み is whoever is not yet eligible
    and was good in October (and September, maybe): a run of one or two that the two
    months left can make three. Someone good in July–August only is not on track."""
    import yaml

    from kakeai_ops.config import parse_settings
    from kakeai_ops.jobs.monthly_review.good_practice import campaign_figures
    from kakeai_ops.store import load_tables, resolve_snapshot

    root, _stdout = month
    ws = Workspace(root)
    data = yaml.safe_load(ws.config_path.read_text(encoding="utf-8"))
    campaign = data["campaigns"]["exec-1on1-2026h2"]
    campaign["window"] = {"start": "2026-07-01", "end": "2026-12-31"}
    data["campaigns"] = {"exec-1on1-2026h2": campaign}
    settings = parse_settings(data)
    tables = load_tables(resolve_snapshot(ws, None))
    figures = campaign_figures(ws, settings, tables, dt.date(2026, 11, 20))[0]
    good = _good_months(sample, ws, range(7, 11))  # July–October
    eligible = {p for p, g in good.items() if any(all(g[i : i + 3]) for i in range(len(g) - 2))}
    running = {p for p, g in good.items() if p not in eligible and g[-1]}
    assert figures.eligible == len(eligible)
    assert figures.on_track == len(running) > 0
    # Good in some month, the old count: more than can still finish.
    assert len({p for p, g in good.items() if p not in eligible and any(g)}) > len(running)


def _ledger(root: Path, query: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(root / "state" / "kops.db") as db:
        return list(db.execute(query, args))


def test_the_mail_effect_is_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """The October no_prep run of the demo was only written to the outbox: the ledger has no
    sent row, so no one received it. Its groups are those it would have reached and the
    holdout (the ledger), counted as they are in November (the recount); no share who left,
    nor a difference, is given of it on the slide or by `mail report`."""
    root, stdout = month
    groups = dict.fromkeys(("written", "holdout"), 0)
    now = recount.stuck_points(sample)["stuck_point"]
    for user, state in _ledger(
        root, "select user_id, state from mail_ledger where run_id = ?", "no_prep.member-2026-10"
    ):
        assert state in groups  # never sent
        groups[state] += user in now.index
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[5]
    table = next(s.table for s in slide.shapes if s.has_table)
    cells = [c.text.replace("\n", "") for row in table.rows for c in row.cells]
    assert "まだ測定できません（書き出しのみで、まだ送っていません）" in cells
    assert not any("送付" in c and "人・比較群" in c for c in cells)
    report = stdout["mail report no_prep.member-2026-10"]
    header, rows = next(console_tables(report))
    assert glossary.column_label("share_left") in header
    counted = {row[0]: row for row in rows}
    assert counted["送付"][2] == str(groups["written"])  # in the latest data
    assert counted["比較群（送らなかった人）"][2] == str(groups["holdout"])
    assert "%（" not in report and "信頼区間" not in report
    # Planned on October's data, November's ingested: its mails state October's facts, so
    # 「送ってから」 (send it) was the wrong advice; the deck says to plan it again.
    said = "".join(report.split())
    assert "送るなら最新のデータで新しい配信として計画し" in said and "送ってから" not in said


def test_the_seminar_figures_are_the_recount(month: tuple[Path, dict[str, str]]) -> None:
    """Invited (the ledger), attended (the attendance export), the survey's average."""
    root, stdout = month
    states = dict(
        _ledger(
            root,
            "select user_id, state from mail_ledger where run_id = ?",
            "seminar.month1-month1",
        )
    )
    invited = set(states)
    # The demo's workspace rehearses (mail.transport: outbox): nothing was sent, and the
    # reader is told so beside 招待.
    assert set(states.values()) == {"written"}
    attendance = recount.read(recount.SAMPLE / "seminar" / "month1-attendance.csv")
    attended = set(recount.ids(attendance["ユーザーID"]))
    survey = recount.read(recount.SAMPLE / "seminar" / "month1-survey.csv")
    scores = recount.rating(survey["満足度"]).dropna()
    line = (
        f"招待 {len(invited)}人（書き出しのみ・未送信） ／ 出席 {len(attended)}人（招待した人 "
        f"{len(attended & invited)}人・招待外の参加 {len(attended - invited)}人） ／ "
        f"アンケート回答 {len(survey)}件"
    )
    assert line in stdout["seminar summary month1"]
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[6]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert line in text
    # The title's groups (出席した人 17, 出席しなかった人 47) are of the latest data: those
    # invited who are not in it (left since) are said, so 17 + 47 of 65 adds up.
    gone = len(invited - set(recount.load().users["user_id"]))
    assert gone  # the sample: one invited person has left
    title = slide.shapes.title.text_frame.text.replace("\n", "")
    assert f"（最新のデータにいない{gone}人を除く）" in title
    average = f"{glossary.column_label('satisfaction_avg')} {_rounded(scores.mean(), 1)}"
    assert f"{average}（1〜5、回答 {len(scores)}件）" in text
    assert average in stdout["seminar summary month1"]


def _ids_by_address() -> dict[str, str]:
    """The users export's ids by their address, lower case, as the exports give them."""
    raw = recount.read(recount.SAMPLE / "2026-11" / "users.csv")
    addresses = recount.ids(raw["メールアドレス"]).str.lower()
    return dict(zip(addresses, recount.ids(raw["ユーザーID"]), strict=True))


def test_every_no_prep_mail_states_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """「直近の 1on1 3 回のうち、開始前にトピックを選んでいたのは 1 回でした」, each person's own."""
    root, _ = month
    by_email = _ids_by_address()
    held = sample.held.sort_values("held_at")
    checked = 0
    for path, message, body in mails(root):
        if "no_prep.member-2026-11" not in str(path):
            continue
        address = email.utils.parseaddr(str(message["To"]))[1].lower()
        mine = held[held["member_id"] == by_email[address]].tail(3)
        said = re.search(
            r"直近の 1on1 (\d+) 回のうち、\s*開始前にトピックを選んでいたのは (\d+) 回",
            body,
        )
        assert said, path.name
        assert (int(said[1]), int(said[2])) == (len(mine), int(mine["prepared"].sum())), path.name
        checked += 1
    assert checked >= 20


def test_every_no_rating_mail_states_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample, tmp_path: Path
) -> None:
    """「直近の 1on1 3 回のうち、「スッキリ度」の入力は 1 回でした」, each person's own; of one
    1on1 (a first one), 「1on1（1 回）で「スッキリ度」が入力されていませんでした」, not 「1 回のうち
    … 0 回」. The month's copy writes the stuck point's mails (a dry run)."""
    root = tmp_path / "ws"
    shutil.copytree(month[0], root)
    Cli(Workspace(root))(
        "mail", "send", "--segment", "no_rating", "--dry-run", env={"KOPS_NOW": NOVEMBER}
    )
    by_email = _ids_by_address()
    held = sample.held.sort_values("held_at")
    checked, single = 0, 0
    for path in sorted((root / "outbox").glob("no_rating.member-*-dry-run/*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = message.get_body(preferencelist=("plain",))
        assert text is not None
        body = str(text.get_content())
        address = email.utils.parseaddr(str(message["To"]))[1].lower()
        mine = held[held["member_id"] == by_email[address]].tail(3)
        rated = int(mine["sukkiri"].notna().sum())
        if len(mine) == 1:
            said = "入力されていました" if rated else "入力されていませんでした"
            assert f"1on1（1 回）で「スッキリ度」が{said}" in body, path.name
            assert "1 回のうち" not in body
            single += 1
        else:
            found = re.search(r"直近の 1on1 (\d+) 回のうち、「スッキリ度」の入力は (\d+) 回", body)
            assert found, path.name
            assert (int(found[1]), int(found[2])) == (len(mine), rated), path.name
        checked += 1
    assert checked >= 20 and single >= 1  # the sample has someone of one 1on1 (000315)


def test_the_advisor_mail_names_the_figures_its_workbook_holds(
    month: tuple[Path, dict[str, str]],
) -> None:
    """The mail says what the attached report contains in the report's own headers
    (it said 「1on1 実施率」 and 「スッキリ度」 for 平均スッキリ度)."""
    root, _ = month
    bodies = [body for path, _m, body in mails(root) if "advisor-reports" in path.parent.name]
    assert bodies
    attached = next((root / "out" / "mailed").glob("*.xlsx"))
    # The same words; the workbook's rate adds its period (the mail says it in ・期間).
    headers = {QUALIFIER.sub("", label) for _where, label in workbook_labels(attached)}
    body = bodies[0].replace("\r\n", "\n")
    item = body.split("・内容：事業部・部署ごとの", 1)[1].split("\n\n", 1)[0]
    named = [name.strip("　\n") for name in item.split("、")]
    # The figures: the tables after them (トピックの内訳 …) are the workbook's sections.
    sections = [name for name in named if "内訳" in name or "×" in name or "月別" in name]
    figures = [name for name in named if name not in sections]
    # The monthly rates are a section of the overview, by its title.
    assert "月別の1on1実施率" in sections
    titles = [c.value for row in _book(attached)["概要"].iter_rows() for c in row]
    assert any(str(title).startswith("月別の1on1実施率") for title in titles)
    assert len(figures) >= 9
    for label in figures:
        assert QUALIFIER.sub("", label) in headers, label
    assert glossary.column_label("implementation_rate") in figures


def test_every_award_and_recurrence_mail_states_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """「2026年7月から9月まで、毎週 1on1 を続けてこられました」: the whole streak, three months or
    more every week of which had a 1on1 or no business day; 「…の週は、営業日がないため数えていません」: a week of
    days off. 「部下の方とのペア 3 件は、いずれも…繰り返し設定がされていない」: the
    manager's formed pairs, none recurring."""
    root, _ = month
    good = _good_months(sample, Workspace(root))
    off = days_off(Workspace(root))
    pairs = sample.pairs.groupby("manager_id")["recurring"].agg(["size", "any"])
    awards = recurrences = 0
    for path, _message, body in mails(root):
        person = path.name.split("-", 1)[0]
        if path.parent.name.startswith("campaign.awarded-"):
            run = re.search(r"2026年(\d+)月から(\d+)月まで、毎週、部下として参加した 1on1", body)
            assert run, path.name
            first, last = int(run[1]), int(run[2])
            # The whole streak: every month of it good, at least three, and the months just
            # before and after it (inside April–September) not good.
            months = good[person]
            assert last - first >= 2 and all(months[first - 4 : last - 3]), path.name
            assert first == 4 or not months[first - 5], path.name
            assert last == 9 or not months[last - 3], path.name
            for m, d in re.findall(r"2026年(\d+)月(\d+)日〜\d+日の週", body):
                monday = dt.date(2026, int(m), int(d))
                assert all(monday + dt.timedelta(days=i) in off for i in range(5)), path.name
            awards += 1
        elif path.parent.name.startswith("no_recurrence.manager-"):
            said = re.search(r"部下の方とのペア (\d+) 件は、いずれも", body)
            assert said, path.name
            assert int(said[1]) == pairs.loc[person, "size"] and not pairs.loc[person, "any"]
            recurrences += 1
    assert awards >= 70 and recurrences >= 5


def test_the_satisfaction_average_says_its_own_scale(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A survey on a 0–10 scale (seminar_survey.satisfaction_scale): the slide, the review
    workbook and the summary's chart say 0〜10, never the default's 1〜5."""
    import yaml

    from conftest import hold_seminar

    config = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    config["seminar_survey"]["satisfaction_scale"] = {"min": 0, "max": 10}
    sample_copy.config_path.write_text(
        yaml.dump(config, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    cli = hold_seminar(sample_copy)
    survey = recount.SAMPLE / "seminar" / "month1-survey.csv"
    cli("seminar", "survey", "month1", str(survey))
    deck, figures = tmp_path / "deck.pptx", tmp_path / "figures.xlsx"
    cli("review", "--out", str(deck), "--xlsx", str(figures))
    text = "\n".join(
        shape.text_frame.text
        for slide in _deck(deck).slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "（0〜10、回答 18件）" in text and "1〜5" not in text
    labels = [
        r[1] for r in load_workbook(figures)["6_セミナー1_month1"].iter_rows(values_only=True)
    ]
    assert f"{glossary.column_label('satisfaction_avg')}（0〜10）" in labels
    cli("seminar", "summary", "month1", "--out", str(tmp_path / "summary.xlsx"))
    charts = [c for s in load_workbook(tmp_path / "summary.xlsx").worksheets for c in s._charts]
    titles = [c.x_axis.title.tx.rich.p[0].r[0].t for c in charts if c.x_axis.title is not None]
    assert "満足度（0〜10）" in titles


def test_the_shortlist_says_the_days_its_figures_count(
    month: tuple[Path, dict[str, str]],
) -> None:
    """1on1実施数 and 平均スッキリ度 of a pair are of interview.lookback_days (90), not of
    all time: the terminal says so, as the deck's 1on1実施数（直近90日） does."""
    root, _ = month
    said = Cli(Workspace(root))(
        "interview", "shortlist", "--n", "3", env={"KOPS_LANG": "ja", "KOPS_NOW": NOVEMBER}
    ).stderr
    assert "2026-11-20 までの直近90日の1on1から数えています" in said
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[8]
    header = next(s.table for s in slide.shapes if s.has_table).rows[0].cells
    assert glossary.figure_label("held", "直近90日") in [c.text.replace("\n", "") for c in header]


def test_each_persons_recent_shares_are_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """The stuck-point list's 直近の事前準備率 and 直近のスッキリ度入力率: of each member's
    last three 1on1s as member (a person's figure, not the report's share of a group's)."""
    root, _ = month
    rows = sheet_records(root / "out" / "segment.xlsx", "users")
    last = sample.held.sort_values("held_at").groupby("member_id").tail(3)
    mine = last.groupby("member_id").agg(
        n=("prepared", "size"),
        prepared=("prepared", "sum"),
        rated=("sukkiri", lambda s: int(s.notna().sum())),
    )
    checked = 0
    for row in rows:
        person = str(row["user_id"])
        if person not in mine.index:
            assert not row["recent_count"], person
            continue
        n, prepared, rated = mine.loc[person, ["n", "prepared", "rated"]]
        assert (row["recent_count"], row["recent_prepared"], row["recent_rated"]) == (
            n,
            prepared,
            rated,
        ), person
        assert row["prep_share"] == pytest.approx(prepared / n)
        assert row["rating_share"] == pytest.approx(rated / n)
        checked += 1
    assert checked >= 150


def test_the_movement_is_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """Slide 2's 前回からの動き: each person's stuck point in October and November, by the
    funnel's order (a later stage is 次の段階に進んだ)."""
    root, _ = month
    order = {key: i for i, key in enumerate(recount.STUCK_ORDER)}
    before = recount.stuck_points(recount.load("2026-10"))["stuck_point"]
    now = recount.stuck_points(sample)["stuck_point"]
    counts = dict.fromkeys(glossary.MOVEMENT, 0)
    for person in before.index.union(now.index):
        if person not in now.index:
            counts["departed"] += 1
        elif person not in before.index:
            counts["joined"] += 1
        else:
            step = order[now[person]] - order[before[person]]
            counts["moved_on" if step > 0 else "slid_back" if step < 0 else "unchanged"] += 1
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[2]
    table = next(s.table for s in slide.shapes if s.has_table)
    shown = {r.cells[0].text: r.cells[1].text for r in list(table.rows)[1:]}
    assert shown == {glossary.MOVEMENT[k]: f"{n}人" for k, n in counts.items()}


def _merged(sample: recount.Sample) -> pd.Series:
    """The 事業部 as the reports show them (経営企画室, under 5 people, with 管理本部)."""
    both = "管理本部・経営企画室"
    return sample.users["division"].replace({"管理本部": both, "経営企画室": both})


def test_the_change_of_the_rate_is_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """Slide 4's 前回比: this 30 days' published 1on1実施率 less the one of the 30 days up to
    the October snapshot's day, per 事業部 and for 全社."""
    root, _ = month
    october = recount.load("2026-10")
    rates = {}
    for name, data in (("now", sample), ("before", october)):
        frame = pd.concat([recount.headline(data, 30), recount.headline(data, 30, _merged(data))])
        rates[name] = {d: int(_rounded(r * 100)) for d, r in frame["implementation_rate"].items()}
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[4]
    table = next(s.table for s in slide.shapes if s.has_table)
    header = [c.text for c in table.rows[0].cells]
    for row in list(table.rows)[1:]:
        cells = dict(zip(header, [c.text for c in row.cells], strict=True))
        division = cells[glossary.column_label("division")]
        change = rates["now"][division] - rates["before"][division]
        said = f"↑ +{change}pt" if change > 0 else f"↓ {change}pt" if change < 0 else "→ ±0pt"
        assert cells["前回比"] == said, division


def test_the_reports_trends_are_the_recount(
    month: tuple[Path, dict[str, str]], sample: recount.Sample
) -> None:
    """1on1実施率の推移, 部下1人あたり月間1on1数の推移, 平均スッキリ度の推移: the 90 days' published figure
    less the one of the 90 days before them (2026-05-25〜08-22), per 事業部."""
    root, _ = month
    before_end = sample.as_of - dt.timedelta(days=90)
    figures = {}
    for name, end in (("now", None), ("before", before_end)):
        figures[name] = pd.concat(
            [
                recount.headline(sample, 90, end=end),
                recount.headline(sample, 90, _merged(sample), end=end),
            ]
        ).to_dict("index")
    shown = _report_rows(root)
    for division, now in figures["now"].items():
        was = figures["before"][division]
        for key, places, unit in (
            ("implementation_rate", 0, "pt"),
            ("per_member_month", 1, ""),
            ("sukkiri_avg", 1, ""),
        ):
            scale = 100 if unit else 1
            change = Decimal(_rounded(now[key] * scale, places)) - Decimal(
                _rounded(was[key] * scale, places)
            )
            flat = "±0" if places == 0 else "±0.0"
            arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
            amount = flat if change == 0 else f"{change:+}"
            cell = shown[division][glossary.column_label(f"{key}_trend")]
            assert cell == f"{arrow} {amount}{unit}", (division, key)


def test_attendance_by_stuck_point_is_the_recount(month: tuple[Path, dict[str, str]]) -> None:
    """`kops seminar summary`'s 出欠 table: per stuck point at the invitation (October's
    recount), who was invited (the ledger), who came (the attendance export), 出席率."""
    root, stdout = month
    at_invitation = recount.stuck_points(recount.load("2026-10"))["stuck_point"]
    invited = {
        u
        for (u,) in _ledger(
            root, "select user_id from mail_ledger where run_id = ?", "seminar.month1-month1"
        )
    }
    attendance = recount.read(recount.SAMPLE / "seminar" / "month1-attendance.csv")
    came = set(recount.ids(attendance["ユーザーID"]))
    header, rows = next(console_tables(stdout["seminar summary month1"]))
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    for key in sorted({at_invitation[u] for u in invited}):
        group = {u for u in invited if at_invitation[u] == key}
        row = table[glossary.STUCK_POINTS[key]]
        assert int(row[glossary.column_label("invited")]) == len(group), key
        assert int(row[glossary.column_label("attended")]) == len(group & came), key
        rate = glossary.column_label("rate")
        assert row[rate] == _percent(len(group & came) / len(group)), key
    uninvited = table[glossary.column_label("uninvited")]
    assert int(uninvited[glossary.column_label("attended")]) == len(came - invited)
    # 次の段階に進んだ: in November at a later stage of the funnel than at the invitation.
    order = {key: i for i, key in enumerate(recount.STUCK_ORDER)}
    now = recount.stuck_points(recount.load("2026-11"))["stuck_point"]
    said = []
    for group in (invited & came, invited - came):
        here = [u for u in group if u in now.index]
        moved = sum(order[now[u]] > order[at_invitation[u]] for u in here)
        said.append(f"{moved}/{len(here)}人")
    slide = _deck(root / "out" / "review-2026-11.pptx").slides[6]
    text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert f"出席した人 {said[0]} ／ 出席しなかった人 {said[1]}" in text


def test_the_division_report_defines_every_figure_it_shows(
    month: tuple[Path, dict[str, str]],
) -> None:
    """A division head reads 「ログイン率 90%」 under 「期間：2026年8月23日〜11月20日」: the
    report's 数値の定義 sheet says what each figure of its 概要 counts, out of what, as of
    which day (ログイン率: ever, as of the as-of day), in the glossary's words, and what
    <5 stands for in a column of 1on1s and in the topic×対応 table."""
    root, _ = month
    book = _book(root / "out" / "division-report.xlsx")
    sheet = book[glossary.DEFINITIONS_SHEET]
    rows = [[one_line(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(glossary.DEFINITION_HEADERS)
    defined = {row[0]: row for row in rows[header + 1 :] if row[0] and row[1]}

    def bare(text: str) -> str:
        return re.sub(r"\s", "", text)

    overview = book["概要"]
    tables = [  # the header rows of the 概要's tables of 事業部 (the overview, 事前準備…)
        row
        for row in overview.iter_rows()
        if row[0].value == "事業部" and str(row[0].fill.fgColor.rgb).endswith(HEADER_FILL)
    ]
    shown = {
        one_line(c.value).split("（")[0]
        for row in tables
        for c in row[1:]
        if isinstance(c.value, str) and not re.match(r"\d{4}年", c.value)  # the monthly table
    }
    assert shown and shown <= set(defined), shown - set(defined)
    period = re.search(r"期間：(\S+?)（前期間", str(overview["A2"].value))
    as_of = re.search(r"基準日：(\S+)", str(overview["A2"].value))
    assert period and as_of
    for key in glossary.REPORT_FIGURES:
        figure = glossary.FIGURES[key]
        _label, counts, out_of, when, _unit = defined[figure.label]
        assert bare(counts) == bare(figure.counts) and bare(out_of) == bare(figure.out_of), key
        if key in ("headcount", "activation_rate", "pair_rate", "members"):
            assert as_of.group(1) in when and "期間によらない" in when, key
        else:
            assert period.group(1) in when, key
    assert "30.4375" in defined[glossary.FIGURES["per_member_month"].label][2]
    assert "0〜5" in defined["平均スッキリ度"][4] and "1〜5" in defined["平均成長実感"][4]
    notes = " ".join(row[0] for row in rows[header + 1 :] if row[0] and not row[1])
    # A 「<5」 in a column of 1on1s counts people, said as such (it read as if the column
    # itself counted people).
    assert "1on1が5回未満ではなく、その1on1をした人が5人未満" in notes
    assert "部下と上司のどちらか" in notes
    assert "過去の月も今の組織で数え直す" in notes  # a reorganisation restates the past
    # Each 事業部's sheet says it under its topic×対応 table.
    division_sheet = book.worksheets[1]
    texts = [c.value for row in division_sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("部下と上司のどちらか" in one_line(t) for t in texts)
