"""Seminar attendance that holds up: one figure in list, summary and deck; refused for a
seminar that did not take place; bad rows counted by kind and never recorded twice."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from conftest import SAMPLE, Cli, copied, tree_digest
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from seminar_setup import date_month1
from workbooks import header_labels

ATTENDANCE = SAMPLE / "seminar" / "month1-attendance.csv"
SURVEY = SAMPLE / "seminar" / "month1-survey.csv"
RETIRED = "000196"  # 退職 in the November users export


@pytest.fixture(scope="module")
def invited_ws(tmp_path_factory: pytest.TempPathFactory, sample_ws: Workspace) -> Workspace:
    """The sample month, Month1 dated and its invitations sent (not yet any attendance)."""
    ws = copied(sample_ws, tmp_path_factory.mktemp("attendance") / "ws")
    date_month1(ws)
    Cli(ws)("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    return ws


@pytest.fixture
def ws(invited_ws: Workspace, tmp_path: Path) -> Workspace:
    return copied(invited_ws, tmp_path / "ws")


def _invited(ws: Workspace, states: list[str] | None = None) -> set[str]:
    ledger = Ledger(ws)
    try:
        chosen = states or ["sent", "written"]
        return {r.user_id for r in ledger.rows("seminar.month1-month1", chosen)}
    finally:
        ledger.close()


def _file_ids(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    with path.open(encoding=encoding, newline="") as handle:
        return [unicodedata.normalize("NFKC", r[0]).strip() for r in list(csv.reader(handle))[1:]]


def _stored(ws: Workspace, table: str) -> list[str]:
    db = sqlite3.connect(ws.root / "state" / "kops.db")
    try:
        return [r[0] for r in db.execute(f"SELECT user_id FROM {table} WHERE seminar = 'month1'")]
    finally:
        db.close()


def test_one_attendance_figure_in_list_summary_and_deck(ws: Workspace, tmp_path: Path) -> None:
    cli = Cli(ws)
    result = cli("seminar", "attendance", "month1", str(ATTENDANCE))
    cli("seminar", "survey", "month1", str(SURVEY))
    # An independent recount: the file's people against the invitation run's ledger.
    attended = set(_file_ids(ATTENDANCE))
    invited = _invited(ws)
    uninvited = attended - invited
    assert uninvited, "the sample's list holds people who came without an invitation"
    expected = (len(invited), len(attended), len(uninvited))
    assert f"invited {len(attended & invited)}, uninvited {len(uninvited)}" in result.stderr

    listed = next(
        r
        for r in csv.DictReader(io.StringIO(cli("seminar", "list", "--format", "csv").stdout))
        if r["seminar"] == "month1"
    )
    assert (int(listed["invited"]), int(listed["attended"]), int(listed["uninvited"])) == expected

    summary = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    figures = {r["figure"]: r["value"] for r in summary["概要"]}
    assert (figures["invited"], figures["attended"], figures["uninvited"]) == expected
    assert figures["invited_attended"] == len(attended & invited)
    by_stuck = summary["出欠_スタックポイント別"]
    assert sum(r["attended"] for r in by_stuck) == len(attended)
    assert next(r for r in by_stuck if r["stuck_point"] == "uninvited")["attended"] == len(
        uninvited
    )
    by_division = summary["出欠_事業部別"]
    assert sum(r["attended"] for r in by_division) == len(attended)
    assert sum(r["uninvited"] for r in by_division) == len(uninvited)
    answers = _file_ids(SURVEY, encoding="cp932")
    assert figures["answers"] == len(answers)
    assert figures["answers_not_on_list"] == len(set(answers) - attended)

    # Invited in a rehearsal (the outbox): said beside 招待, as the mail slide says it.
    assert _invited(ws, ["written"]) == invited
    line = (
        f"招待 {len(invited)}人（書き出しのみ・未送信） ／ 出席 {len(attended)}人（招待した人 "
        f"{len(attended & invited)}人・招待外の参加 {len(uninvited)}人）"
    )
    assert line in cli("seminar", "summary", "month1", env={"KOPS_LANG": "ja"}).stdout
    english = cli("seminar", "summary", "month1").stdout
    assert (
        f"invited {len(invited)} / attended {len(attended)} (invited "
        f"{len(attended & invited)}, uninvited {len(uninvited)})" in english
    )
    assert f"({len(invited)} of the invitations only written to the outbox, not sent)" in english

    deck = tmp_path / "review.pptx"
    book = tmp_path / "review.xlsx"
    cli("review", "--out", str(deck), "--xlsx", str(book))
    from pptx import Presentation

    texts = [
        shape.text_frame.text
        for slide in Presentation(str(deck)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any(line in text for text in texts)


# Month1's attendance recorded (the day before the seminar, in the tests that refuse it).
EARLY = ("seminar", "attendance", "month1", str(ATTENDANCE))


def test_attendance_refused_for_a_seminar_that_did_not_take_place(ws: Workspace) -> None:
    cli = Cli(ws)
    before = tree_digest(ws.root)
    refused = cli("seminar", "attendance", "month2", str(ATTENDANCE), ok=False)
    assert "month2: attendance refused" in refused.stderr
    assert "seminars.month2.date is not set" in refused.stderr
    assert "nobody was invited to month2 through kops" in refused.stderr
    assert "--force --reason" in refused.stderr
    early = cli(*EARLY, env={"KOPS_NOW": "2026-10-27T10:00:00+09:00"}, ok=False)
    assert "the seminar is on 2026-10-28, after today (2026-10-27)" in early.stderr
    no_reason = cli("seminar", "attendance", "month2", str(ATTENDANCE), "--force", ok=False)
    assert "--reason" in no_reason.stderr
    assert tree_digest(ws.root) == before
    forced = cli(
        "seminar", "attendance", "month2", str(ATTENDANCE), "--force", "--reason", "社外会場で開催"
    )
    assert "--force: seminars.month2.date is not set (社外会場で開催)" in forced.stderr
    listed = {
        r["seminar"]: r
        for r in csv.DictReader(io.StringIO(cli("seminar", "list", "--format", "csv").stdout))
    }
    # Nobody was invited: everyone on the list came without an invitation.
    assert listed["month2"]["attended"] == listed["month2"]["uninvited"]
    assert "社外会場で開催" in cli("audit", "--limit", "3", "--format", "json").stdout


def test_bad_rows_are_counted_by_kind_and_nothing_is_recorded_twice(
    ws: Workspace, tmp_path: Path
) -> None:
    cli = Cli(ws)
    unknown = cli("seminar", "attendance", "month9", str(ATTENDANCE), ok=False)
    assert "no seminar 'month9'" in unknown.stderr
    ids = _file_ids(ATTENDANCE)
    # Repeats: the same id again, and once in full-width digits (the same person).
    wide = ids[2].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [["ユーザーID"], *[[i] for i in ids], [ids[0]], [ids[1]], [RETIRED], [ids[0]], [wide]]
    path = tmp_path / "出席者.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = cli("seminar", "attendance", "month1", str(path))
    n = len(ids)
    assert f"1 row(s) for people who have left (退職): not recorded (rows {n + 4})" in result.stderr
    assert f"4 repeated row(s): the same person once (rows {n + 2}, {n + 3}, {n + 5}, {n + 6})" in (
        result.stderr
    )
    assert f"{len(set(ids))} attendee(s) recorded" in result.stderr
    stored = _stored(ws, "seminar_attendance")
    assert sorted(stored) == sorted(set(ids)) and RETIRED not in stored
    again = cli("seminar", "attendance", "month1", str(path))
    assert "the same people as recorded before: nothing recorded twice" in again.stderr
    assert sorted(_stored(ws, "seminar_attendance")) == sorted(stored)

    # The survey: a retired person's answer and a person who answered twice.
    with SURVEY.open(encoding="cp932", newline="") as handle:
        survey = list(csv.reader(handle))
    first = survey[1]
    extra = [[RETIRED, *first[1:]], [first[0], "1", *first[2:]]]
    twice = tmp_path / "アンケート.csv"
    with twice.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle).writerows(survey + extra)
    answered = cli("seminar", "survey", "month1", str(twice))
    assert "1 row(s) for people who have left (退職): not recorded" in answered.stderr
    assert "1 repeated row(s): the last answer of each person kept" in answered.stderr
    assert sorted(_stored(ws, "seminar_survey")) == sorted({r[0] for r in survey[1:]} - {""})
    cli("seminar", "survey", "month1", str(twice))
    assert len(_stored(ws, "seminar_survey")) == len(survey) - 1


def test_summary_workbook_is_japanese_with_percent_formats_and_charts(
    ws: Workspace, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    cli = Cli(ws)
    cli("seminar", "attendance", "month1", str(ATTENDANCE))
    cli("seminar", "survey", "month1", str(SURVEY))
    target = tmp_path / "month1.xlsx"
    cli("seminar", "summary", "month1", "--out", str(target))
    data = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    book = load_workbook(target)
    by_stuck = book["出欠_スタックポイント別"]
    headers = header_labels(by_stuck)
    assert headers[:4] == ["スタックポイント", "招待数", "出席数", "出席率"]
    assert all(h and not h.isascii() for h in headers)
    rate = headers.index("出席率") + 1
    assert by_stuck.cell(row=2, column=rate).number_format == "0%"
    # In the funnel's order, the uninvited last, every count as the summary has it.
    labels = [by_stuck.cell(row=r, column=1).value for r in range(2, by_stuck.max_row + 1)]
    labels = [v for v in labels if v]
    assert labels[: len(data["出欠_スタックポイント別"])][-1] == "招待外の参加"
    # The satisfaction distribution has every point of the scale, a score nobody gave as 0.
    scores = book["満足度"]
    assert [scores.cell(row=r, column=1).value for r in range(2, 7)] == [1, 2, 3, 4, 5]
    given = {r["satisfaction"]: r["answers"] for r in data["満足度"]}
    assert [scores.cell(row=r, column=2).value for r in range(2, 7)] == [
        given.get(s, 0) for s in range(1, 6)
    ]
    interests = book["知りたいテーマ"]
    share = header_labels(interests).index("割合") + 1
    assert interests.cell(row=2, column=share).number_format == "0%"
    # Several themes per answer: the shares add up past 100%, and the sheet says why, of
    # how many people (those who chose any, recounted from the survey file).
    with SURVEY.open(encoding="cp932", newline="") as handle:
        chose = sum(1 for r in csv.DictReader(handle) if r["知りたいテーマ"].strip())
    shares = [
        interests.cell(row=r, column=share).value
        for r in range(2, interests.max_row + 1)
        if isinstance(interests.cell(row=r, column=share).value, float)
    ]
    assert sum(shares) > 1
    texts = [c.value for row in interests.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(f"一つ以上選んだ{chose}人" in t and "複数回答" in t for t in texts)
    # One native chart per figure, titled with its n, drawn from the sheet's own cells.
    charts = {
        sheet: [c for c in book[sheet]._charts]
        for sheet in ("出欠_スタックポイント別", "満足度", "知りたいテーマ")
    }
    assert all(len(found) == 1 for found in charts.values())
    answers = next(r["value"] for r in data["概要"] if r["figure"] == "answers")
    title = charts["満足度"][0].title.tx.rich.p[0].r[0].t
    assert title == f"満足度の分布（回答 {answers}件）"
    series = charts["出欠_スタックポイント別"][0].series
    assert [s.val.numRef.f.split("!")[1] for s in series] == ["$B$2:$B$6", "$C$2:$C$6"]

    # 概要 states what the terminal and the deck state of the whole seminar, recounted from
    # the files: 出席率 of those invited (17/65, not 23/65) and 満足度の平均 with its answers.
    attended, invited = set(_file_ids(ATTENDANCE)), _invited(ws)
    with SURVEY.open(encoding="cp932", newline="") as handle:
        scores = [int(r["満足度"]) for r in csv.DictReader(handle) if r["満足度"].strip()]
    overview = {row[0].value: row[1] for row in book["概要"].iter_rows(min_row=2) if row[0].value}
    rate = overview["出席率（招待した人のうち）"]
    assert rate.value == pytest.approx(len(attended & invited) / len(invited), abs=1e-4)
    assert rate.number_format == "0%"
    assert overview["満足度の平均"].value == pytest.approx(sum(scores) / len(scores), abs=0.05)
    assert overview["満足度の平均"].number_format == "0.0"
    assert overview["満足度の回答"].value == len(scores)


def test_a_csv_of_the_summary_says_it_holds_one_table(ws: Workspace) -> None:
    """The summary is eleven tables; a CSV holds the attendance by stuck point alone, and
    says so (JSON holds every table by name)."""
    import json

    cli = Cli(ws)
    cli("seminar", "attendance", "month1", str(ATTENDANCE))
    shown = cli("seminar", "summary", "month1", "--format", "csv", env={"KOPS_QUIET": "0"})
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert rows and set(rows[0]) >= {"stuck_point", "invited", "attended"}
    assert "attendance by stuck point only" in shown.stderr and "--format json" in shown.stderr
    every = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    assert len(every) > 1  # the tables the CSV leaves out are there
    quiet = cli("seminar", "summary", "month1", "--format", "json", env={"KOPS_QUIET": "0"})
    assert "only" not in quiet.stderr


def test_each_refusal_says_its_own_remedy(seminar_copy: Workspace, ws: Workspace) -> None:
    """A dated seminar everyone was invited to, still to come, was told 「kops.yaml に日時を
    設定し、先に `kops seminar invite` を実行してください」: both done already."""
    early = Cli(seminar_copy)(*EARLY, env={"KOPS_NOW": "2026-10-27T10:00:00+09:00"}, ok=False)
    # To the minute: its time is known (12:15, no length given).
    assert "record attendance once the seminar has taken place (on or after 2026-10-28 12:15)" in (
        early.stderr
    )
    assert "seminar invite" not in early.stderr and "set the date" not in early.stderr
    never = Cli(ws)("seminar", "attendance", "month2", str(ATTENDANCE), ok=False)
    assert "`kops seminar invite month2`" in never.stderr and "--force --reason" in never.stderr


def test_attendance_on_the_day_waits_for_the_start(seminar_copy: Workspace) -> None:
    """Taken at 09:00 for a 12:15 seminar (the recording reminder refused at 13:00 the same
    day said 「終わってから」): on its day, attendance waits for the start."""
    cli = Cli(seminar_copy)
    args = EARLY
    early = cli(*args, env={"KOPS_NOW": "2026-10-28T09:00:00+09:00"}, ok=False)
    assert "the seminar starts today at 12:15" in early.stderr
    assert "record attendance once the seminar has taken place" in early.stderr
    cli(*args, env={"KOPS_NOW": "2026-10-28T14:00:00+09:00"})


def test_attendance_waits_for_the_end_of_a_seminar_of_known_length(
    seminar_copy: Workspace,
) -> None:
    """Taken at 12:20 for a 30-minute seminar from 12:15: a list of who had joined by
    then, recorded as its attendance. With its length known, attendance waits for 12:45."""
    import yaml

    data = yaml.safe_load(seminar_copy.config_path.read_text(encoding="utf-8"))
    data["seminars"]["month1"]["minutes"] = 30
    seminar_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cli = Cli(seminar_copy)
    during = cli(*EARLY, env={"KOPS_NOW": "2026-10-28T12:20:00+09:00"}, ok=False)
    assert during.exit_code != 0 and "the seminar runs today until 12:45" in during.stderr
    cli(*EARLY, env={"KOPS_NOW": "2026-10-28T12:46:00+09:00"})


def test_attendance_waits_for_a_seminar_that_runs_past_midnight(seminar_copy: Workspace) -> None:
    """From 23:50 for 30 minutes: at 23:55 it said 「今日の 00:20 まで」 and at 00:05 the next
    day it recorded attendance while the seminar still ran."""
    import yaml

    data = yaml.safe_load(seminar_copy.config_path.read_text(encoding="utf-8"))
    data["seminars"]["month1"].update(date="2026-10-28T23:50:00", minutes=30)
    seminar_copy.config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cli = Cli(seminar_copy)
    for moment, said in (
        ("2026-10-28T23:55:00+09:00", "the seminar runs until 2026-10-29 00:20"),
        ("2026-10-29T00:05:00+09:00", "the seminar runs today until 00:20"),
    ):
        during = cli(*EARLY, env={"KOPS_NOW": moment}, ok=False)
        assert said in during.stderr, moment
        assert "(on or after 2026-10-29 00:20)" in during.stderr, moment
    cli(*EARLY, env={"KOPS_NOW": "2026-10-29T00:21:00+09:00"})
