"""A template that names a stuck point reaches only people who have it now; a booked
1on1 answers the mails that ask for one."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.workspace import Workspace


def user(uid: str) -> list[str]:
    return [
        uid,
        f"社員 {uid}",
        f"{uid.lower()}@example.jp",
        "営業本部",
        "第一営業部",
        "営業",
        "30代",
        "在籍",
        "2026/11/01 9:00",
    ]


def held(mid: str, manager: str, member: str, day: str, status: str = "実施済") -> list[str]:
    return [
        mid,
        manager,
        member,
        f"{day} 10:00",
        status,
        "今後のキャリア",
        "話を聞いてほしい",
        f"{day} 09:00",
        "4",
        "4",
    ]


def build(cli: Cli, make_exports: Callable[..., list[Path]]) -> None:
    users = [user(u) for u in ("M01", "A01", "B01", "C01", "D01")]
    members = ("A01", "B01", "C01", "D01")
    pairs = [["M01", m, "2026/01/01", "2026/01/02", "あり"] for m in members]
    meetings = [
        held("1", "M01", "A01", "2026/09/01"),  # A01 lapsed, with a 1on1 booked in 12 days
        held("2", "M01", "A01", "2026/12/02", status="予定"),
        held("3", "M01", "B01", "2026/09/01"),  # B01 lapsed, booked 20 days ahead
        held("4", "M01", "B01", "2026/12/10", status="予定"),
        held("5", "M01", "C01", "2026/11/19"),  # C01 met the day before the as-of date
        held("6", "M01", "C01", "2026/11/20"),
        held("7", "M01", "D01", "2026/09/01"),  # D01 lapsed; a 予定 gone by is no booking
        held("8", "M01", "D01", "2026/11/10", status="予定"),
    ]
    cli("ingest", *map(str, make_exports(users=users, pairs=pairs, meetings=meetings)))


def records(cli: Cli, *args: str) -> list[dict]:
    return json.loads(cli("mail", "plan", *args, "--format", "json").stdout)


def test_users_file_plans_only_those_who_have_the_stuck_point(
    cli: Cli,
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    build(cli, make_exports)
    listed = tmp_path / "list.csv"
    listed.write_text("user_id\nA01\nB01\nC01\nD01\n", encoding="utf-8")
    got = records(cli, "--users", str(listed), "--template", "lapsed.member")
    assert [r["user_id"] for r in got] == ["D01"]
    assert got[0]["facts"]["facts.last_held_date"] == "2026年9月1日（火）"
    shown = cli("mail", "plan", "--users", str(listed), "--template", "lapsed.member")
    assert (
        "C01: テンプレートのスタックポイントに今は該当しない（1on1休眠ではなく、今は"
        in shown.stderr
    )
    assert "A01: 予定の1on1あり（予定 2026-12-02）" in shown.stderr
    assert "B01: 予定の1on1あり（予定 2026-12-10）" in shown.stderr
    # A template with no stuck point (a seminar's) is not gated.
    assert (
        len(
            records(
                cli,
                "--users",
                str(listed),
                "--template",
                "seminar.recording",
                "--seminar",
                "month1",
            )
        )
        == 4
    )


def test_a_booked_1on1_leaves_people_out_of_lapsed_and_no_1on1_however_far_ahead(
    cli: Cli,
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over 年末年始 the first free slot is often weeks away: 「1on1を予約しましょう」 to
    someone who has booked one is untrue however far ahead it is."""
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    import yaml

    # A kops.yaml written when only bookings 14 days ahead counted still reads, and no
    # longer narrows it.
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["rules"]["scheduled_days"] = 14
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    members = ("A01", "B01", "E01", "F01", "G01")
    users = [user(u) for u in ("M01", *members)]
    pairs = [["M01", m, "2026/01/01", "2026/01/02", "あり"] for m in members]
    meetings = [
        held("1", "M01", "A01", "2026/09/01"),  # A01 lapsed, booked 46 days ahead
        held("2", "M01", "A01", "2027/01/05", status="予定"),
        held("3", "M01", "B01", "2026/09/01"),  # B01 lapsed, nothing booked
        held("4", "M01", "E01", "2027/02/01", status="予定"),  # E01 no 1on1, booked in 73 days
        held("5", "M01", "F01", "2026/11/12", status="キャンセル"),  # F01 no 1on1, none booked
        held("6", "M01", "G01", "2026/11/20"),  # the data's day
    ]
    cli("ingest", *map(str, make_exports(users=users, pairs=pairs, meetings=meetings)))
    assert [r["user_id"] for r in records(cli, "--segment", "lapsed")] == ["B01"]
    assert [r["user_id"] for r in records(cli, "--segment", "no_1on1")] == ["F01"]
    text = cli("mail", "preview", "--segment", "lapsed", "--user", "A01", ok=False).stderr
    assert "予定の1on1あり（予定 2027-01-05）" in text
    text = cli("mail", "preview", "--segment", "no_1on1", "--user", "E01", ok=False).stderr
    assert "予定の1on1あり（予定 2027-02-01）" in text
    # `segment --explain` says so too, where 「What helps」 alone said to book one.
    explained = cli("segment", "--explain", "A01").stdout
    assert "2027-01-05 に 1on1 の予定があります" in explained
    assert "に 1on1 の予定があります" not in cli("segment", "--explain", "B01").stdout
    # The old key is read and ignored, and every command says so (not silently).
    notice = "kops.yaml: rules.scheduled_days はもう使いません"
    assert notice in text
    assert notice in cli("status").stderr
    data["rules"].pop("scheduled_days")
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    assert notice not in cli("status").stderr


def test_left_out_lists_everyone_the_plan_leaves_out_with_why(
    cli: Cli,
    make_exports: Callable[..., list[Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan's screen lists a few dozen left out at most, and its JSON/CSV none:
    `--left-out` lists them all, with the day of each booking, in every format."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    build(cli, make_exports)
    # Of build()'s people, A01, B01 and D01 are lapsed (last 1on1 on 9月1日, the data's
    # day is 11月20日); A01 and B01 have a 1on1 booked after it, D01's 予定 is gone by.
    booked = {"A01": "2026-12-02", "B01": "2026-12-10"}
    left = json.loads(
        cli("mail", "plan", "--segment", "lapsed", "--left-out", "--format", "json").stdout
    )
    assert [r["user_id"] for r in left] == sorted(booked)
    for record in left:
        assert record["name"] == f"社員 {record['user_id']}"
        assert record["reason_code"] == "scheduled"
        assert record["left_out_reasons"] == f"予定の1on1あり（予定 {booked[record['user_id']]}）"
    # The mails themselves: only D01, and none of those left out.
    assert [r["user_id"] for r in records(cli, "--segment", "lapsed")] == ["D01"]
    as_csv = cli("mail", "plan", "--segment", "lapsed", "--left-out", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [(r["user_id"], r["reason_code"]) for r in rows] == [
        ("A01", "scheduled"),
        ("B01", "scheduled"),
    ]
    screen = cli("mail", "plan", "--segment", "lapsed", "--left-out").stdout
    assert "宛先から除いた理由" in screen and "社員番号" in screen
    assert "予定の1on1あり（予定 2026-12-10）" in screen
    assert "reason_code" not in screen  # the key is for the files, not the reader
    assert (
        "宛先から除いた人はいません"
        in cli("mail", "plan", "--segment", "no_pair", "--left-out").stdout
    )


def test_a_plan_leaving_out_more_than_it_lists_says_how_to_see_them_all(
    cli: Cli,
    make_exports: Callable[..., list[Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kakeai_ops.cli import run_console

    monkeypatch.setenv("KOPS_LANG", "ja")
    build(cli, make_exports)
    monkeypatch.setattr(run_console, "LIST_LEFT_OUT", 1)  # two are left out, one is listed
    shown = cli("mail", "plan", "--segment", "lapsed").stderr
    assert "A01: 予定の1on1あり" not in shown
    assert "--left-out" in shown


def test_left_out_as_a_file_for_excel_and_what_it_refuses(
    cli: Cli,
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """CSV on stdout is for other programs (UTF-8, no BOM: Japanese Excel reads it as
    CP932); `--out` writes the list as the other lists are written, for Excel, and
    records it in the audit log. What --left-out cannot mean is refused."""
    from openpyxl import load_workbook

    monkeypatch.setenv("KOPS_LANG", "ja")
    build(cli, make_exports)
    target = tmp_path / "除外.xlsx"
    said = cli("mail", "plan", "--segment", "lapsed", "--left-out", "--out", str(target))
    assert "事務局内限り" in said.stderr  # who may see it: a list of people by name
    book = load_workbook(target)
    sheet = book["宛先から除いた人"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("社員番号", "氏名", "宛先から除いた理由", "理由のキー")
    assert [r[0] for r in rows[1:]] == ["A01", "B01"]
    assert rows[1][2] == "予定の1on1あり（予定 2026-12-02）"
    assert "事務局内限り" in (sheet.oddHeader.right.text or "") + (
        sheet.oddHeader.center.text or ""
    )
    logged = json.loads(cli("audit", "--format", "json", "--limit", "1").stdout)
    assert logged[0]["files"] == [str(target.resolve())] and logged[0]["count"] == 2
    csv_file = tmp_path / "除外.csv"
    cli("mail", "plan", "--segment", "lapsed", "--left-out", "--out", str(csv_file))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")  # for Excel
    refused = [
        (("--left-out", "--holdout", "10"), "--left-out には --holdout を使えません"),
        (("--out", str(tmp_path / "x.xlsx")), "--out は --left-out の一覧を書き出す"),
        (("--division", "存在しない", "--left-out"), "事業部 '存在しない' はありません"),
        # A run the plan refuses has no list of people it leaves out.
        (("--template", "milestone.member", "--left-out"), "この配信では使えない値"),
    ]
    for extra, message in refused:
        result = cli("mail", "plan", "--segment", "lapsed", *extra, ok=False)
        assert result.exit_code != 0 and message in result.stderr, (extra, result.stderr)
        assert not (tmp_path / "x.xlsx").exists()
    # The records as JSON say how to see who was left out, as the screen does.
    as_json = cli("mail", "plan", "--segment", "lapsed", "--format", "json")
    assert "--left-out" in as_json.stderr


def test_no_prep_leaves_out_whoever_has_their_next_1on1_prepared(october_copy: Workspace) -> None:
    """October's 「話したいことを選んでおく」 reached 000298, whose 1on1 two days later was
    prepared with a topic: the no_prep people whose first 予定 as member from the data's
    day on is prepared (counted again from the export) are left out for it, and only they."""
    import pandas as pd

    import sample_recount as recount

    sample = recount.load("2026-10")
    stuck = recount.stuck_points(sample)
    no_prep = set(stuck.index[stuck["stuck_point"] == "no_prep"])
    raw = recount.read(recount.SAMPLE / "2026-10" / "meetings.xlsx")
    meetings = pd.DataFrame(
        {
            "member_id": recount.ids(raw["部下ID"]),
            "held_at": recount.times(raw["実施日時"]),
            "status": raw["ステータス"].str.strip(),
            "topic": raw["トピック"],
            "prepared_at": recount.times(raw["事前準備日時"]),
        }
    )
    booked = meetings[
        (meetings["status"] == "予定") & (meetings["held_at"] >= pd.Timestamp(sample.as_of))
    ]
    first = booked.sort_values("held_at").drop_duplicates("member_id")
    ready = first[
        first["prepared_at"].notna()
        & (first["prepared_at"] <= first["held_at"])
        & recount.given(first["topic"])
    ]
    expected = no_prep & set(ready["member_id"])
    assert "000298" in expected
    cli = Cli(october_copy)
    left = json.loads(
        cli("mail", "plan", "--segment", "no_prep", "--left-out", "--format", "json").stdout
    )
    assert {r["user_id"] for r in left if r["reason_code"] == "prepared"} == expected
    planned = {r["user_id"] for r in records(cli, "--segment", "no_prep")}
    assert planned and not planned & expected
