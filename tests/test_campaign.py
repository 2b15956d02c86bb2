"""kops campaign end to end on the sample tenant."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

import sample_recount
from conftest import SAMPLE, Cli
from kakeai_ops import glossary
from kakeai_ops.analyses.streaks import ELIGIBLE_COLUMNS
from kakeai_ops.store import awards
from kakeai_ops.workspace import Workspace
from sample_recount import read
from workbooks import header_labels, sheet_records

CAMPAIGN = "exec-1on1-2026h2"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _rows(cli: Cli, *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(cli(*args).stdout)))


def test_list_shows_the_configured_campaign(sample_ws: Workspace) -> None:
    rows = _rows(Cli(sample_ws), "campaign", "list", "--format", "csv")
    assert rows[0]["campaign"] == CAMPAIGN
    assert rows[0]["rule"] == "a 1on1 every week for 3 months in a row (as a member)"
    japanese = csv.DictReader(
        io.StringIO(
            Cli(sample_ws)("campaign", "list", "--format", "csv", env={"KOPS_LANG": "ja"}).stdout
        )
    )
    assert next(japanese)["rule"] == "3か月連続毎週1on1（部下として）"


def test_eligible_csv_columns_and_values(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    everyone = _rows(cli, "campaign", "eligible", CAMPAIGN, "--all", "--format", "csv")
    assert list(everyone[0]) == ELIGIBLE_COLUMNS
    eligible = [r for r in everyone if r["eligible"] == "true"]
    others = [r for r in everyone if r["eligible"] == "false"]
    assert eligible and others  # the sample has both
    assert all(r["run_start"] <= r["run_end"] and r["missed_weeks"] == "" for r in eligible)
    assert all(len(r["run_start"]) == 7 for r in eligible)  # YYYY-MM
    missed = [r for r in others if r["missed_weeks"]]
    assert missed and all(w.count("-") == 2 for r in missed for w in r["missed_weeks"].split(";"))
    notes = {r["note"] for r in others}
    # On leave, with the months beside them said to be the closest period (not the leave).
    assert "休職・休業中のため対象外（期間は条件にいちばん近い期間）" in notes
    # Those who have left (退職) are left out of everything (rules.md), campaigns too.
    users = read(SAMPLE / "2026-11" / "users.csv")
    left = {nfkc(u).strip() for u in users.loc[users["在籍状況"] == "退職", "ユーザーID"]}
    assert left and not left & {r["user_id"] for r in everyone}
    why = cli("campaign", "explain", CAMPAIGN, min(left), ok=False)
    assert why.exit_code == 1
    assert f"{min(left)} has left (退職): campaigns do not judge people who have left" in (
        why.stderr
    )
    only = _rows(cli, "campaign", "eligible", CAMPAIGN, "--format", "csv")
    assert {r["user_id"] for r in only} == {r["user_id"] for r in eligible}


def test_eligible_xlsx(sample_copy: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "eligible.xlsx"
    Cli(sample_copy)("campaign", "eligible", CAMPAIGN, "--all", "--out", str(target))
    book = load_workbook(target)
    assert book.sheetnames == ["判定", "集計", "列の説明"]
    sheet = book["判定"]
    assert header_labels(sheet) == [glossary.column_label(k) for k in ELIGIBLE_COLUMNS]
    verdicts = {r["eligible"] for r in sheet_records(book, "eligibility")}
    assert verdicts == {"対象", "対象外"}
    assert isinstance(sheet["A2"].value, str) and sheet["A2"].number_format == "@"


def test_the_summary_sheet_names_its_counts(sample_copy: Workspace, tmp_path: Path) -> None:
    """集計 gives 対象の人数 (the glossary's word, as 「対象: 78人」 on the terminal), not the
    one-person column's 「判定」 over a count, and its counts add up to the users exported."""
    target = tmp_path / "eligible.xlsx"
    Cli(sample_copy)("campaign", "eligible", CAMPAIGN, "--all", "--out", str(target))
    book = load_workbook(target)
    headers = header_labels(book["集計"])
    assert "判定" not in headers
    assert "対象の人数" in headers and "対象外の人数" in headers
    values = next(book["集計"].iter_rows(min_row=2, values_only=True))
    summary = dict(zip(headers, values, strict=True))
    verdicts = [r["eligible"] for r in sheet_records(book, "eligibility")]
    assert summary["対象の人数"] == verdicts.count("対象") > 0
    assert summary["対象外の人数"] == verdicts.count("対象外") > 0
    users = read(SAMPLE / "2026-11" / "users.csv")
    here = len(users) - int((users["在籍状況"] == "退職").sum())  # 退職: left out
    assert summary["対象の人数"] + summary["対象外の人数"] == here == 252
    # What was judged: the window kops.yaml sets, and the days its weeks cover.
    assert summary["判定期間"] == "2026-04-01〜2026-09-30"
    assert summary["判定した週"] == "2026-03-30〜2026-09-27"


def test_unknown_campaign(sample_ws: Workspace) -> None:
    result = Cli(sample_ws)("campaign", "eligible", "nope", ok=False)
    assert (
        result.exit_code == 1
        and f"no campaign 'nope' in kops.yaml (campaigns: {CAMPAIGN})" in result.stderr
    )


def test_explain_shows_weeks_and_verdict(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_ws)
    everyone = _rows(cli, "campaign", "eligible", CAMPAIGN, "--all", "--format", "csv")
    near = next(
        r
        for r in everyone
        if r["eligible"] == "false"
        and r["best_run_months"] == "2"
        and r["note"].startswith("条件にいちばん近い期間")  # active, not on leave
    )
    text = cli("campaign", "explain", CAMPAIGN, near["user_id"]).stdout
    assert "2026年4月" in text and "2026年9月" in text
    assert (
        "08/10〜08/16" in text and "会社休日" in text and "免除" in text
    )  # the excused summer week
    assert "対象外" in text and "条件にいちばん近い期間" in text
    assert near["missed_weeks"].split(";")[0][5:].replace("-", "/") in text
    yes = next(r for r in everyone if r["eligible"] == "true")
    assert "対象です" in cli("campaign", "explain", CAMPAIGN, yes["user_id"]).stdout


def test_a_manager_who_held_none_as_member_is_said_to_have_held_none_as_member(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The campaign counts 1on1s held as 部下: a manager who held many with their 部下 and
    none as one reads 「部下としての1on1の実施なし」, in the list and in explain, never
    「1on1の実施なし」 (untrue of them). Recounted from the sample's meetings export."""
    cli = Cli(sample_ws)
    everyone = _rows(cli, "campaign", "eligible", CAMPAIGN, "--all", "--format", "csv")
    held = sample_recount.load().held
    window = held[held["held_at"].between("2026-04-01", "2026-10-01", inclusive="left")]
    as_manager, as_member = set(window["manager_id"]), set(window["member_id"])
    none_as_member = [r for r in everyone if r["note"] == "判定期間中に部下としての1on1の実施なし"]
    assert none_as_member
    assert all(r["user_id"] not in as_member for r in none_as_member)
    managers = [r for r in none_as_member if r["user_id"] in as_manager]
    assert managers  # the sample's managers with no manager of their own
    assert not [r for r in everyone if r["note"] == "判定期間中に1on1の実施なし"]
    monkeypatch.setenv("KOPS_LANG", "ja")
    said = cli("campaign", "explain", CAMPAIGN, managers[0]["user_id"]).stdout
    assert "判定期間中に部下としての1on1の実施なし" in said
    monkeypatch.setenv("KOPS_LANG", "en")
    said = cli("campaign", "explain", CAMPAIGN, managers[0]["user_id"]).stdout
    assert "no 1on1 held as a member in the window" in said


def test_award_counts_add_up_when_someone_is_no_longer_eligible(sample_copy: Workspace) -> None:
    """Awarded in October, then in November: who was eligible then and is not now keeps
    the award, and the November run counts them, so new + before + them = in all."""
    cli = Cli(sample_copy)
    october = {
        r["user_id"]
        for r in _rows(cli, "campaign", "eligible", CAMPAIGN, "--snapshot", "1", "--format", "csv")
    }
    november = {
        r["user_id"] for r in _rows(cli, "campaign", "eligible", CAMPAIGN, "--format", "csv")
    }
    gone = october - november
    assert gone, "the sample has someone eligible in October and not in November"
    cli("campaign", "award", CAMPAIGN, "--snapshot", "1")
    second = cli("campaign", "award", CAMPAIGN)
    fresh, before, total = len(november - october), len(november & october), len(october | november)
    assert fresh + before + len(gone) == total == len(awards(sample_copy, CAMPAIGN))
    assert (
        f"Awarded {fresh} new user(s); {before} were awarded before; {total} in all"
        in second.stderr
    )
    assert f"{len(gone)} user(s) awarded before are not among those awarded now" in second.stderr
    ja = cli("campaign", "award", CAMPAIGN, env={"KOPS_LANG": "ja"})
    assert f"以前に付与した {len(gone)}人は、今回の付与の対象に入っていません" in ja.stderr


def test_award_records_once(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    eligible = _rows(cli, "campaign", "eligible", CAMPAIGN, "--format", "csv")
    dry = cli("campaign", "award", CAMPAIGN, "--dry-run")
    assert f"Would award {len(eligible)} new user(s)" in dry.stderr
    assert awards(sample_copy, CAMPAIGN).empty
    first = cli("campaign", "award", CAMPAIGN)
    assert f"Awarded {len(eligible)} new user(s); 0 were awarded before" in first.stderr
    second = cli("campaign", "award", CAMPAIGN)
    assert f"Awarded 0 new user(s); {len(eligible)} were awarded before" in second.stderr
    recorded = awards(sample_copy, CAMPAIGN)
    assert sorted(recorded["user_id"]) == sorted(r["user_id"] for r in eligible)
    assert _rows(cli, "campaign", "list", "--format", "csv")[0]["awarded"] == str(len(eligible))


def test_the_milestones_file_says_every_column_in_japanese(sample_copy: Workspace) -> None:
    """`--out` is for people: no held_in_role / held_before / last_delivered heading."""
    path = sample_copy.root / "milestones.csv"
    Cli(sample_copy)("campaign", "milestones", "--out", str(path))
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert [h for h in header if h.isascii()] == []
    assert {"実施数（その役割で）", "前回までの実施数", "前回お送りした節目（回）"} <= set(header)


def test_milestones_list(sample_ws: Workspace) -> None:
    rows = _rows(Cli(sample_ws), "campaign", "milestones", "--format", "csv")
    assert rows
    assert {r["role"] for r in rows} == {"manager", "member"}
    assert {int(r["milestone"]) for r in rows} <= {1, 5, 10, 20, 50, 100}
    for r in rows:
        # Counted in the role, crossed since the previous snapshot.
        assert int(r["held_before"]) < int(r["milestone"]) <= int(r["held_in_role"])
    managers = _rows(
        Cli(sample_ws), "campaign", "milestones", "--role", "manager", "--format", "csv"
    )
    assert {r["role"] for r in managers} == {"manager"}


def test_the_milestones_workbook_prints_its_as_of(sample_copy: Workspace) -> None:
    """Printed, the workbook says the 基準日 its rows are counted to (the header was blank)."""
    from openpyxl import load_workbook

    path = sample_copy.root / "milestones.xlsx"
    result = Cli(sample_copy)("campaign", "milestones", "--out", str(path))
    said = re.search(r"up to (\d{4}-\d{2}-\d{2})", result.stderr)
    assert said, result.stderr
    for sheet in load_workbook(path).worksheets:
        assert sheet.oddHeader.center.text == f"基準日 {said.group(1)}"


def test_the_note_stands_apart_from_the_figure_it_is_printed_beside(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """在籍状況 folded away, 備考 prints beside 最長の連続月数: 「0」 and 「条件にいちばん近い期間に
    実施のなかった週 12週」 read as 「0いちばん…」 unless 備考 starts a character in."""
    target = tmp_path / "eligible.xlsx"
    Cli(sample_copy)("campaign", "eligible", CAMPAIGN, "--all", "--out", str(target))
    sheet = load_workbook(target)["判定"]
    header = header_labels(sheet)
    note = header.index("備考") + 1
    before = max(
        position
        for position in range(1, note)
        if not sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].hidden
    )
    assert header[before - 1] == "最長の連続月数"  # the figure it is printed beside
    notes = [r[0] for r in sheet.iter_rows(min_row=2, min_col=note, max_col=note) if r[0].value]
    assert notes and all(c.alignment.indent >= 1 for c in notes)
    assert any(str(c.value).startswith("条件にいちばん近い期間に実施のなかった週") for c in notes)
    # The months of such a row are the closest period, no run: not headed 「連続の…」.
    assert {"期間の開始月", "期間の終了月"} <= set(header)
    assert not [h for h in header if h.startswith("連続の")]


def test_the_table_says_which_days_its_weeks_cover(sample_ws: Workspace) -> None:
    """The window is 2026-04-01 – 09-30; its weeks run from Monday 03-30 (April's first:
    its Thursday is 04-02) to Sunday 09-27 (09-28's week is October's): a 1on1 on 03-30
    counts and one on 09-29 does not, which the reader is told beside the counts."""
    shown = Cli(sample_ws)("campaign", "eligible", CAMPAIGN).stdout
    assert "Weeks judged: 2026-03-30 – 2026-09-27" in shown


@pytest.mark.parametrize(
    ("window", "said"),
    [
        (("2026-12-01", "2027-03-31"), "No month is judged yet: the first, 2026-12, is judged"),
        (("2026-06-01", "2026-06-28"), "No calendar month lies wholly within the window"),
    ],
)
def test_a_window_with_nothing_judged_says_why(
    sample_copy: Workspace, window: tuple[str, str], said: str
) -> None:
    """All 対象外 with 「判定した月数: 0」 is said as what it is: nothing judged yet (a window
    still to come), or nothing that can be (no calendar month wholly inside it)."""
    import yaml

    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["campaigns"][CAMPAIGN]["window"] = {"start": window[0], "end": window[1]}
    sample_copy.config_path.write_text(yaml.dump(data, allow_unicode=True), encoding="utf-8")
    shown = Cli(sample_copy)("campaign", "eligible", CAMPAIGN).stdout
    assert said in " ".join(shown.split())
    assert "Weeks judged" not in shown
