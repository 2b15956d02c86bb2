"""kops campaign entries / draw end to end on the sample tenant, mail over real SMTP."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Cli, tree_digest, write_csv, write_xlsx
from kakeai_ops.analyses.draw_rules import Entrant, draw
from kakeai_ops.store import campaign_draws, campaign_entries, draw_entrants
from kakeai_ops.workspace import Workspace
from mailing import plain
from smtp_server import SmtpServer
from test_mail_command import use_smtp
from workbooks import csv_records

CAMPAIGN = "exec-1on1-2026h2"
SEED = "2026-10-20 39123.45"
LEAVE, RETIRED = "000148", "000196"  # on leave / retired in the sample's users export


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _people(cli: Cli) -> list[dict[str, str]]:
    return _csv(cli("campaign", "eligible", CAMPAIGN, "--all", "--format", "csv").stdout)


def _eligible(cli: Cli) -> list[dict[str, str]]:
    return [r for r in _people(cli) if r["eligible"] == "true"]


def _emails(ws: Workspace) -> dict[str, str]:
    rows = _csv(Cli(ws)("segment", "--list", "--format", "csv").stdout)
    return {r["user_id"]: r["email"] for r in rows}


def _campaign(ws: Workspace, campaign: str = CAMPAIGN, **keys: Any) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["campaigns"].setdefault(campaign, dict(data["campaigns"][CAMPAIGN]))
    data["campaigns"][campaign].update(keys)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def _entries_file(tmp_path: Path, ids: list[str], name: str = "entries.csv") -> Path:
    rows = [[f"2026/10/{1 + i % 9:02d} 10:00", u] for i, u in enumerate(ids)]
    return write_csv(tmp_path / name, ["応募日時", "ユーザーID"], rows, encoding="cp932")


def _enter_and_draw(cli: Cli, tmp_path: Path, ids: list[str], *args: str) -> Any:
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    return cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "--format", "csv", *args)


def test_entries_are_checked_row_by_row_and_reimport_adds_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    _campaign(sample_copy, entry_deadline="2026-10-15")
    people = _people(cli)
    eligible = [r["user_id"] for r in people if r["eligible"] == "true"]
    not_eligible = next(
        r["user_id"]
        for r in people
        if r["eligible"] == "false" and r["note"].startswith("条件にいちばん近い期間")  # active
    )
    email = _emails(sample_copy)
    rows = [
        ["2026/10/01 9:00", email[eligible[0]].upper()],  # 2: by email, any case
        ["2026/10/02 12:30", eligible[1]],  # 3
        ["2026/10/03 8:00", email[eligible[0]]],  # 4: a second entry of row 2
        ["2026/10/03 9:00", "999999"],  # 5
        ["2026/10/04 9:00", "nobody@example.jp"],  # 6
        ["2026/10/05 9:00", not_eligible],  # 7
        ["2026/10/06 9:00", LEAVE],  # 8
        ["2026/10/16 0:00", eligible[2]],  # 9: after the deadline day
        ["2026/10/15 23:59", eligible[3]],  # 10: the deadline day still counts
    ]
    path = write_csv(tmp_path / "entries.csv", ["タイムスタンプ", "メールアドレス"], rows, "cp932")
    first = cli("campaign", "entries", CAMPAIGN, str(path))
    lines = first.stderr.splitlines()
    for expected in (
        f"refused: entries.csv:4: メールアドレス: duplicate entry (first on row 2) "
        f"('{eligible[0]}')",
        "refused: entries.csv:5: メールアドレス: is not in users ('999999')",
        "refused: entries.csv:6: メールアドレス: no user has this email ('nobody@example.jp')",
        "refused: entries.csv:9: タイムスタンプ: entered after the deadline 2026-10-15 "
        "(2026-10-16 00:00)",
        f"note: entries.csv:7: メールアドレス: recorded, but not in the draw as of 2026-11-20: "
        f"応募条件を満たしていないため抽選対象外 ('{not_eligible}')",
        f"note: entries.csv:8: メールアドレス: recorded, but not in the draw as of 2026-11-20: "
        f"休職・休業中のため抽選対象外 ('{LEAVE}')",
    ):
        assert expected in lines, (expected, lines)
    assert "5 new entries, 0 entered before, 4 row(s) refused, 2 recorded" in first.stderr
    recorded = campaign_entries(sample_copy, CAMPAIGN)
    assert set(recorded["user_id"]) == {eligible[0], eligible[1], not_eligible, LEAVE, eligible[3]}
    assert recorded.set_index("user_id").at[eligible[1], "entered_at"] == "2026-10-02 12:30:00"
    before = tree_digest(sample_copy.state_dir / "snapshots")
    again = cli("campaign", "entries", CAMPAIGN, str(path))
    assert "0 new entries, 5 entered before, 4 row(s) refused" in again.stderr
    assert len(campaign_entries(sample_copy, CAMPAIGN)) == 5
    assert tree_digest(sample_copy.state_dir / "snapshots") == before


def test_an_entries_file_kops_cannot_use_changes_nothing(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    eligible = [r["user_id"] for r in _eligible(cli)]
    before = tree_digest(sample_copy.root)
    cases = [
        (["応募日時", "氏名"], [["2026/10/01", "林 陽子"]], "missing required column"),
        (
            ["応募日時", "ユーザーID"],
            [["2026/10/01", eligible[0]], ["10月1日ごろ", eligible[1]]],
            "entries.csv:3: 応募日時: not a date and time ('10月1日ごろ')",
        ),
        (
            ["応募日時", "ユーザーID"],
            [["2026/10/01", eligible[0]], ["2026/10/01", ""]],
            "entries.csv:3: ユーザーID: required value is blank",
        ),
    ]
    for header, rows, message in cases:
        path = write_csv(tmp_path / "entries.csv", header, rows)
        result = cli("campaign", "entries", CAMPAIGN, str(path), ok=False)
        assert result.exit_code == 1 and message in result.stderr, result.stderr
        assert "Internal error" not in result.stderr
    _campaign(sample_copy, entry_deadline="2026-10-15 17:00")
    path = write_csv(tmp_path / "ids.csv", ["ユーザーID"], [[eligible[0]]])
    result = cli("campaign", "entries", CAMPAIGN, str(path), ok=False)
    assert result.exit_code == 1 and "has no 応募日時 column" in result.stderr
    assert campaign_entries(sample_copy).empty
    digest = tree_digest(sample_copy.root)
    assert {k: v for k, v in digest.items() if k != "kops.yaml"} == {
        k: v for k, v in before.items() if k != "kops.yaml"
    }


def test_entries_from_xlsx(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    eligible = [r["user_id"] for r in _eligible(cli)][:3]
    path = write_xlsx(tmp_path / "応募.xlsx", ["ユーザーID"], [[u] for u in eligible])
    result = cli("campaign", "entries", CAMPAIGN, str(path))
    assert "3 new entries" in result.stderr
    assert sorted(campaign_entries(sample_copy, CAMPAIGN)["user_id"]) == sorted(eligible)


def test_draw_is_recorded_recomputable_and_verified(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    eligible = _eligible(cli)[:8]
    ids = [r["user_id"] for r in eligible]
    result = _enter_and_draw(cli, tmp_path, [*ids, LEAVE, RETIRED], "--winners", "3")
    winners = _csv(result.stdout)
    # Anyone can recompute it from the seed and the entrant list.
    again = draw([Entrant(r["user_id"], r["division"]) for r in eligible], SEED, 3)
    assert [w["user_id"] for w in winners] == again.winners
    assert f"seed '{SEED}', 8 entrants (fingerprint {again.fingerprint})" in result.stderr
    stored = draw_entrants(sample_copy, CAMPAIGN)
    assert sorted(stored["user_id"]) == sorted(ids)  # on leave and retired: never drawn
    assert sorted(stored.loc[stored["won"], "user_id"]) == sorted(again.winners)
    ok = cli("campaign", "draw", CAMPAIGN, "--verify")
    assert "OK: draw 1 of exec-1on1-2026h2 matches." in ok.stderr
    assert again.fingerprint in ok.stdout

    db = sqlite3.connect(sample_copy.db_path)
    try:
        # Someone slips a person into the recorded entrant list.
        db.execute(
            "INSERT INTO campaign_draw_entrants VALUES (?, 1, ?, '営業本部', 99, 0)",
            (CAMPAIGN, "000999"),
        )
        db.commit()
        tampered = cli("campaign", "draw", CAMPAIGN, "--verify", ok=False)
        assert tampered.exit_code == 1
        assert "does not match: the entrant list was changed after the draw" in tampered.stderr
        db.execute("DELETE FROM campaign_draw_entrants WHERE user_id = '000999'")
        db.commit()
        assert cli("campaign", "draw", CAMPAIGN, "--verify").exit_code == 0
        # Someone hands a place to another entrant.
        loser = next(u for u in ids if u not in again.winners)
        db.execute(
            "UPDATE campaign_draw_entrants SET won = 1 - won WHERE user_id IN (?, ?)",
            (again.winners[0], loser),
        )
        db.commit()
        swapped = cli("campaign", "draw", CAMPAIGN, "--verify", ok=False)
        assert "the recorded winners differ from the recomputed ones" in swapped.stderr
    finally:
        db.close()


def test_the_draw_tables_speak_japanese_and_show_every_key_whole(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entrant list and the winners on the terminal: Japanese headers and はい/いいえ
    (the keys stay in --format csv), and each winner's whole SHA-256 key, which the
    entrant compares with their own (a key cut with 「…」 can't be checked)."""
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)[:4]]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, [*ids, LEAVE])))
    pool = cli("campaign", "draw", CAMPAIGN, "--entrants").stdout
    for word in ("社員番号", "抽選に入る", "抽選に入らない理由", "はい", "いいえ"):
        assert word in pool
    for key in ("user_id", "in_draw", "fingerprint_line_hex", "true", "false"):
        assert key not in pool
    drawn = cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "--winners", "2").stdout
    again = draw([Entrant(u, d) for u, d in _divisions(cli, ids)], SEED, 2)
    assert "順位" in drawn and "キー（SHA-256）" in drawn and "…" not in drawn
    flat = drawn.replace("│", "").replace(" ", "").replace("\n", "")
    for picked in again.picks[:2]:
        assert picked.key in flat


def _divisions(cli: Cli, ids: list[str]) -> list[tuple[str, str]]:
    divisions = {r["user_id"]: r["division"] for r in _people(cli)}
    return [(u, divisions[u]) for u in ids]


def test_second_draw_is_refused_and_a_redraw_is_audited(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:6]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    early = cli(
        "campaign",
        "draw",
        CAMPAIGN,
        "-n",
        "2",
        "--seed",
        "x",
        "--redraw",
        "--reason",
        "r",
        ok=False,
    )
    assert early.exit_code == 1 and "has not been drawn yet" in early.stderr
    cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "--winners", "2")
    second = cli("campaign", "draw", CAMPAIGN, "--winners", "2", "--seed", "other", ok=False)
    assert second.exit_code == 1 and "has been drawn already (draw 1)" in second.stderr
    no_reason = cli("campaign", "draw", CAMPAIGN, "-n", "2", "--seed", "x", "--redraw", ok=False)
    assert no_reason.exit_code == 1 and "--redraw needs --reason TEXT" in no_reason.stderr
    assert len(campaign_draws(sample_copy, CAMPAIGN)) == 1
    reason = "当選者が辞退したため"
    # A redraw keeps the announced seed (another one would let it be repeated at will).
    other = ("-n", "2", "--seed", "2026-10-27 39200.10", "--redraw", "--reason", reason)
    assert "a redraw keeps it" in cli("campaign", "draw", CAMPAIGN, *other, ok=False).stderr
    redrawn = cli("campaign", "draw", CAMPAIGN, "--redraw", "--reason", reason)
    assert "Draw 2 of exec-1on1-2026h2" in redrawn.stderr
    draws = campaign_draws(sample_copy, CAMPAIGN)
    assert list(draws["current"]) == [0, 1] and draws["reason"].iloc[1] == reason
    log = _csv(cli("audit", "--format", "csv").stdout)
    entry = next(r for r in log if r["action"] == "campaign redraw")
    detail = json.loads(entry["detail"])
    assert detail["redraw_reason"] == reason and detail["seed"] == SEED
    assert any(r["action"] == "campaign draw" and r["target"] == CAMPAIGN for r in log)
    assert "OK: draw 2" in cli("campaign", "draw", CAMPAIGN, "--verify").stderr


def test_the_seed_is_the_announced_one(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:4]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    missing = cli("campaign", "draw", CAMPAIGN, "--winners", "1", ok=False)
    assert missing.exit_code == 1 and "has no seed for the draw" in missing.stderr
    _campaign(sample_copy, draw_seed=SEED)
    other = cli("campaign", "draw", CAMPAIGN, "-n", "1", "--seed", "chosen later", ok=False)
    assert "differs from the announced draw_seed" in other.stderr
    assert campaign_draws(sample_copy).empty
    result = cli("campaign", "draw", CAMPAIGN, "-n", "1", "--format", "csv")
    assert f"seed '{SEED}'" in result.stderr
    assert campaign_draws(sample_copy, CAMPAIGN)["seed"].iloc[0] == SEED


def test_no_draw_before_the_entry_deadline(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    _campaign(sample_copy, entry_deadline="2026-12-01")
    ids = [r["user_id"] for r in _eligible(cli)][:4]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, ids)))
    args = ("campaign", "draw", CAMPAIGN, "-n", "1", "--seed", SEED)
    early = cli(*args, env={"KOPS_NOW": "2026-12-01T23:00:00+09:00"}, ok=False)
    assert early.exit_code == 1 and "open until 2026-12-01" in early.stderr
    cli(*args, env={"KOPS_NOW": "2026-12-02T09:00:00+09:00"})


def test_per_division_cap_through_the_cli(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    by_division: dict[str, list[str]] = {}
    for r in _eligible(cli):
        by_division.setdefault(r["division"], []).append(r["user_id"])
    ids = [u for members in by_division.values() for u in members[:3]]
    result = _enter_and_draw(cli, tmp_path, ids, "--winners", "5", "--per-division", "1")
    winners = _csv(result.stdout)
    assert len(winners) == 5 and len({w["division"] for w in winners}) == 5
    assert "OK" in cli("campaign", "draw", CAMPAIGN, "--verify").stderr


def test_list_and_explain_show_entries_and_results(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:5]
    cli("campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, [*ids, LEAVE])))
    listed = _csv(cli("campaign", "list", "--format", "csv").stdout)[0]
    assert (listed["entries"], listed["eligible_entrants"], listed["winners"]) == ("6", "5", "")
    shown = _csv(cli("campaign", "draw", CAMPAIGN, "--entrants", "--format", "csv").stdout)
    assert {r["user_id"]: r["in_draw"] for r in shown}[LEAVE] == "false"
    result = cli("campaign", "draw", CAMPAIGN, "-n", "2", "--seed", SEED, "--format", "csv")
    winners = [w["user_id"] for w in _csv(result.stdout)]
    listed = _csv(cli("campaign", "list", "--format", "csv").stdout)[0]
    assert (listed["entries"], listed["eligible_entrants"], listed["winners"]) == ("6", "5", "2")
    won = cli("campaign", "explain", CAMPAIGN, winners[0]).stdout
    assert "応募: あり（2026-10-" in won and "抽選 1: 当選（5人中 1番目" in won and SEED in won
    lost = cli("campaign", "explain", CAMPAIGN, next(u for u in ids if u not in winners)).stdout
    assert "落選（5人中" in lost
    assert "抽選 1: 対象外" in cli("campaign", "explain", CAMPAIGN, LEAVE).stdout
    other = _eligible(cli)[10]["user_id"]
    assert "応募: なし" in cli("campaign", "explain", CAMPAIGN, other).stdout


def test_previous_winners_can_be_kept_out(sample_copy: Workspace, tmp_path: Path) -> None:
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:6]
    result = _enter_and_draw(cli, tmp_path, ids[:4], "--winners", "2")
    first_winners = {w["user_id"] for w in _csv(result.stdout)}
    later = "exec-1on1-2027h1"
    _campaign(sample_copy, later, exclude_previous_winners=True)
    cli("campaign", "entries", later, str(_entries_file(tmp_path, ids, "later.csv")))
    pool = _csv(cli("campaign", "draw", later, "--entrants", "--format", "csv").stdout)
    kept_out = {r["user_id"] for r in pool if r["in_draw"] == "false"}
    assert kept_out == first_winners
    assert {r["reason"] for r in pool if r["in_draw"] == "false"} == {
        "過去のキャンペーンで当選済みのため抽選対象外"
    }
    drawn = _csv(cli("campaign", "draw", later, "-n", "10", "--seed", SEED, "-f", "csv").stdout)
    assert {w["user_id"] for w in drawn} == set(ids) - first_winners
    # A prize awarded to everyone eligible (kops campaign award) is a win too.
    third = "exec-1on1-2027h2"
    _campaign(sample_copy, third, exclude_previous_winners=True)
    cli("campaign", "award", CAMPAIGN)
    cli("campaign", "entries", third, str(_entries_file(tmp_path, ids, "third.csv")))
    pool = _csv(cli("campaign", "draw", third, "--entrants", "--format", "csv").stdout)
    assert {r["in_draw"] for r in pool} == {"false"}


def test_winners_and_not_drawn_are_mailed_once_over_smtp(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)][:7]
    winners = [w["user_id"] for w in _csv(_enter_and_draw(cli, tmp_path, ids, "-n", "3").stdout)]
    email = _emails(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        sent = cli("mail", "send", "--winners", CAMPAIGN, "--yes")
        assert "campaign.winner-exec-1on1-2026h2-draw1：今回 送信済み 3件" in sent.stderr
        again = cli("mail", "send", "--winners", CAMPAIGN, "--yes", env={"KOPS_LANG": "en"})
        assert "Nothing left to send" in again.stderr
        received = list(server.handler.received)
        assert Counter(a for r in received for a in r.rcpt_tos) == Counter(
            {email[u]: 1 for u in winners}
        )
        message = received[0].message
        assert str(message["Subject"]) == "【KAKEAI事務局】「経営層との1on1権」当選のお知らせ"
        body = plain(message)
        assert "当選されました" in body and "候補" in body and "1on1 の日時を確定" in body
        cli("mail", "send", "--not-drawn", CAMPAIGN, "--yes")
        cli("mail", "send", "--not-drawn", CAMPAIGN, "--yes")
        rest = server.handler.received[len(received) :]
        assert Counter(a for r in rest for a in r.rcpt_tos) == Counter(
            {email[u]: 1 for u in ids if u not in winners}
        )
        thanks = rest[0].message
        assert "抽選結果のご報告とお礼" in str(thanks["Subject"])
        assert "次の機会にもぜひご応募ください" in plain(thanks)


JA = {"KOPS_LANG": "ja"}


def test_a_flood_of_refused_rows_is_capped_and_listed_whole_in_a_file(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An entries file of thousands of bad rows prints a screenful, not one line per row;
    ``--problems FILE`` keeps every row for the secretariat to follow up in Excel."""
    cli = Cli(sample_copy)
    unknown = [f"9{i:05d}" for i in range(500)]
    path = _entries_file(tmp_path, unknown)
    listing = tmp_path / "problems.csv"
    result = cli("campaign", "entries", CAMPAIGN, str(path), "--problems", str(listing))
    refused = [line for line in result.stderr.splitlines() if line.startswith("refused: ")]
    assert len(refused) == 30
    assert refused[0] == "refused: entries.csv:2: ユーザーID: is not in users ('900000')"
    assert "… and 470 more refused rows (all 500 in problems.csv)" in result.stderr
    assert "0 new entries, 0 entered before, 500 row(s) refused" in result.stderr
    data = listing.read_bytes()
    assert data.startswith("\ufeff".encode())  # UTF-8 with BOM, for Excel
    rows = csv_records(data, ["kind", "file", "row", "column", "what", "value"])
    assert len(rows) == 500
    assert rows[0] == {
        "kind": "取り込まず",
        "file": "entries.csv",
        "row": "2",
        "column": "ユーザーID",
        "what": "is not in users",
        "value": "900000",
    }
    assert [int(r["row"]) for r in rows] == list(range(2, 502))
    # In Japanese, the file says what is wrong in Japanese too.
    japanese = tmp_path / "problems-ja.csv"
    cli("campaign", "entries", CAMPAIGN, str(path), "--problems", str(japanese), env=JA)
    first = csv_records(japanese.read_bytes(), ["kind", "file", "row", "column", "what", "value"])[
        0
    ]
    assert first["what"] == "ユーザー一覧にありません" and first["value"] == "900000"


def test_without_problems_file_the_cap_says_how_to_see_everything(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(sample_copy)
    path = _entries_file(tmp_path, [f"8{i:05d}" for i in range(45)])
    result = cli("campaign", "entries", CAMPAIGN, str(path))
    assert len([x for x in result.stderr.splitlines() if x.startswith("refused: ")]) == 30
    assert "… and 15 more refused rows (--problems FILE lists every row)" in result.stderr


def test_the_problems_workbook_prints_its_as_of_and_keeps_rows_apart_from_columns(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """`--problems x.xlsx` prints the 基準日 the rows were judged on in its header, as every
    list does (it was blank), and the 列 beside the right-aligned 行 starts a character in
    (「2社員番号」 read as one)."""
    from openpyxl import load_workbook

    path = _entries_file(tmp_path, ["900001", "=cmd|' /C calc'!A0"])
    book = tmp_path / "problems.xlsx"
    Cli(sample_copy)("campaign", "entries", CAMPAIGN, str(path), "--problems", str(book), env=JA)
    sheet = load_workbook(book).worksheets[0]
    assert re.fullmatch(r"基準日 \d{4}-\d{2}-\d{2}", sheet.oddHeader.center.text or "")
    header = [c.value for c in sheet[1]]
    row, column = header.index("行") + 1, header.index("列") + 1
    assert column == row + 1 and isinstance(sheet.cell(row=2, column=row).value, int)
    apart = sheet.cell(row=2, column=column).alignment
    assert apart.horizontal == "left" and apart.indent == 1
    assert sheet.cell(row=2, column=1).alignment.indent == 0  # nothing to its left
    values = [r[header.index("値")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=cmd|' /C calc'!A0" in values  # as text, never a formula


@pytest.mark.parametrize(
    ("name", "said"),
    [("問題.txt", "unsupported file type '.txt'"), ("a:b.csv", "Windows does not allow")],
)
def test_a_problems_file_that_cannot_be_written_is_refused_before_any_entry(
    sample_copy: Workspace, tmp_path: Path, name: str, said: str
) -> None:
    """--problems was written after the entries were recorded: a bad name ended the
    command in an error once the entries were in, and people ran it again believing
    nothing had been kept."""
    from conftest import tree_digest

    cli = Cli(sample_copy)
    ids = [r["user_id"] for r in _eligible(cli)]
    entries = _entries_file(tmp_path, ids[:3])
    before = tree_digest(sample_copy.root)
    result = cli(
        "campaign", "entries", CAMPAIGN, str(entries), "--problems", str(tmp_path / name), ok=False
    )
    assert result.exit_code == 1 and said in result.stderr, result.stderr
    assert tree_digest(sample_copy.root) == before


def test_a_campaign_awarded_to_everyone_takes_no_entries_and_no_draw(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """Awarded to all 78 eligible (the award mail: 「権利をお贈りします」), then entries and
    a draw: the draw's next step mailed 「ご希望に添えない結果」 to people told they had
    won. Both are refused, and nothing is recorded."""
    cli = Cli(sample_copy)
    eligible = [r["user_id"] for r in _eligible(cli)]
    cli("campaign", "award", CAMPAIGN)
    before = tree_digest(sample_copy.root / "state")
    entries = cli(
        "campaign", "entries", CAMPAIGN, str(_entries_file(tmp_path, eligible[:8])), ok=False
    )
    assert entries.exit_code != 0
    assert f"awarded to everyone eligible ({len(eligible)} people" in entries.stderr
    draw_ = cli("campaign", "draw", CAMPAIGN, "--seed", SEED, "--winners", "2", ok=False)
    assert draw_.exit_code != 0 and "would tell some of them they were not drawn" in draw_.stderr
    assert campaign_entries(sample_copy, CAMPAIGN).empty
    assert campaign_draws(sample_copy, CAMPAIGN).empty
    assert tree_digest(sample_copy.root / "state") == before
