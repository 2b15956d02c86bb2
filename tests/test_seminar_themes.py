"""Emerging themes through the real CLI: `kops seminar summary` and `kops seminar themes`,
on three real survey files (CP932, UTF-8 with BOM, UTF-8) of 74 answers in the sample tenant.

Expected themes were counted by reading tests/data/themes/*.csv:
- モチベーション 9 (month1: 2, month2: 3, month3: 4), OKR 7 (1/3/3; ＯＫＲ, okr alike),
  振り返り 9 (振り返り, ふりかえり, 振り返りシート; 4 in month1, 2 in month2, 3 in month3),
  打合せ 6 (打合せ ×3, 打ち合わせ ×2, 打ち合せ ×1), 雑談 6, フィードバック 5 (フィードバック ×2,
  feedback, FB, フィードバッグ), ランチ 5 (every one names a colleague), 研修 5, 違い 5,
  上げる 5, and the phrase モチベーションを上げる 5 (上げる, 上げ方, 上げたい).
- 沈黙 and 心理的安全性 appear in 3 answers each: under min_group (5), never shown.
- Since 2026-10-01 (to 2026-11-30): モチベーション 7, OKR 6, ランチ 5, 振り返り 5, 雑談 5;
  all but 振り返り (4 of 23 answers before, 5 of 50 now) rising against 2026-08-01 – 09-30.
  (month1 has 24 lines of free text; one, 000149's 「特になし」, answers nothing.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from conftest import Cli
from kakeai_ops.workspace import Workspace

DATA = Path(__file__).parent / "data" / "themes"
NOW = {"KOPS_NOW": "2026-11-30T12:00:00+09:00"}
NAMES = ("髙橋", "悠斗", "森さん", "佐藤", "岡田", "西村", "藤井", "陽介")


def configure(ws: Workspace, **changes: object) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for key, value in changes.items():
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


@pytest.fixture
def surveyed(sample_copy: Workspace) -> Workspace:
    configure(
        sample_copy,
        **{
            "seminars.month1.date": "2026-09-16",
            "seminars.month2.date": "2026-10-21",
            "seminars.month3.date": "2026-11-18",
        },
    )
    cli = Cli(sample_copy)
    for month in (1, 2, 3):
        cli("seminar", "survey", f"month{month}", str(DATA / f"month{month}.csv"))
    return sample_copy


def themes(cli: Cli, *args: str) -> dict[str, dict]:
    result = cli("seminar", "themes", "--format", "json", *args, env=NOW)
    return {row["theme"]: row for row in json.loads(result.stdout)}


def test_themes_across_every_survey(surveyed: Workspace) -> None:
    cli = Cli(surveyed)
    found = themes(cli)
    counts = {t: (r["kind"], r["answers"]) for t, r in found.items()}
    assert counts == {
        "モチベーション": ("term", 9),
        "OKR": ("term", 7),
        "振り返り": ("term", 9),
        "打合せ": ("term", 6),
        "雑談": ("term", 6),
        "フィードバック": ("term", 5),
        "ランチ": ("term", 5),
        "上げる": ("term", 5),
        "研修": ("term", 5),
        "違い": ("term", 5),
        "モチベーションを上げる": ("phrase", 5),
    }
    # covered by the shipped keyword groups, or suggested for kops.yaml
    assert found["振り返り"]["covered_by"] == "スッキリ度・振り返り"
    assert found["フィードバック"]["covered_by"] == "上司の関わり方"
    suggested = {t for t, r in found.items() if r["suggestion"] == "true"}
    assert suggested == set(found) - {"振り返り", "フィードバック"}
    # one example each: the shortest answer that names nobody
    assert found["雑談"]["example"] == "雑談だけで終わってしまう"
    assert found["研修"]["example"] == "研修後の実践"  # 石川 修 is a user: 修 alone is no name
    assert found["ランチ"]["example"] == ""  # every ランチ answer names a colleague
    assert found["打合せ"]["example"] == "打合せとの使い分け"
    out = json.dumps(found, ensure_ascii=False)
    assert not any(name in out for name in NAMES)
    assert "沈黙" not in out and "心理的安全性" not in out  # 3 answers each: under min_group

    table = cli("seminar", "themes", env=NOW).stdout
    assert "Not covered by any keyword group: モチベーション（9）、OKR（7）" in table
    assert "(none shown)" in table


def test_min_group_decides_what_is_shown(surveyed: Workspace) -> None:
    configure(surveyed, **{"privacy.min_group": 3, "seminar_survey.themes.top": 100})
    found = themes(Cli(surveyed))
    assert found["沈黙"]["answers"] == 3 and found["心理的安全性"]["answers"] == 3
    assert found["心理的安全性"]["example"] == "心理的安全性を高めたい"  # shortest, first of a tie
    configure(surveyed, **{"privacy.min_group": 8})
    assert set(themes(Cli(surveyed))) == {"モチベーション", "振り返り"}  # 9 answers each


def test_rising_themes_since_a_date(surveyed: Workspace) -> None:
    cli = Cli(surveyed)
    found = themes(cli, "--since", "2026-10-01")
    assert {t: r["answers"] for t, r in found.items()} == {
        "モチベーション": 7,
        "OKR": 6,
        "ランチ": 5,
        "振り返り": 5,
        "雑談": 5,
    }
    rising = {t for t, r in found.items() if r["rising"] == "true"}
    assert rising == {"モチベーション", "OKR", "ランチ", "雑談"}
    # the previous period's counts under min_group are shown as <5, never exactly
    assert found["OKR"]["previous"] == "<5" and found["OKR"]["previous_share"] == ""
    # zero is a small group too (a 0 beside <5 would tell which themes were absent)
    assert found["ランチ"]["previous"] == "<5" and found["ランチ"]["previous_share"] == ""
    assert found["振り返り"]["previous"] == "<5" and found["振り返り"]["rising"] == "false"
    result = cli("seminar", "themes", "--since", "2026-10-01", env=NOW)
    assert "2026-10-01 – 2026-11-30: 50 answers from 2 seminar(s) (month2, month3)" in result.stderr
    assert "compared with 2026-08-01 – 2026-09-30: 23 answers (month1)" in result.stderr
    assert "Rising since 2026-08-01 – 2026-09-30" in result.stdout
    # In Japanese the periods read 〜 as every period kops shows (and as CP932 can write:
    # an en dash becomes ? when Windows redirects the output).
    ja = cli("seminar", "themes", "--since", "2026-10-01", env={**NOW, "KOPS_LANG": "ja"})
    # Of the free text, as the summary's アンケート回答 counts every row (18 beside 17 read
    # as a miscount): 「特になし」 is no answer here.
    said = " ".join(ja.stderr.split())
    assert (
        "2026-10-01〜2026-11-30: 2回のセミナーの自由記述の回答 50件（「特になし」などは数えません）"
        " (month2, month3)"
    ) in said
    assert "比較: 2026-08-01〜2026-09-30、自由記述の回答 23件 (month1)" in said
    assert "2026-08-01〜2026-09-30 より増えているテーマ" in ja.stdout
    assert "–" not in ja.stdout + ja.stderr
    csv_out = cli("seminar", "themes", "--since", "2026-10-01", "--format", "csv", env=NOW).stdout
    assert csv_out.splitlines()[0].endswith("previous,previous_share,rising")
    bad = cli("seminar", "themes", "--since", "10/01", env=NOW, ok=False)
    assert bad.exit_code == 1 and "--since: '10/01' is not a date" in bad.stderr
    later = cli("seminar", "themes", "--since", "2026-12-24", env=NOW, ok=False)
    assert "is after today" in later.stderr


def test_summary_adds_emerging_themes(surveyed: Workspace) -> None:
    cli = Cli(surveyed)
    data = json.loads(cli("seminar", "summary", "month2", "--format", "json").stdout)
    assert [(r["theme"], r["answers"], r["example"]) for r in data["新しいテーマ"]] == [
        # 髙橋との雑談術 and 森さんのチームの雑談 are shorter, but name colleagues (髙橋 悠斗
        # and 森 陽介 in the users export; the dictionary alone would not know 髙橋 as a name)
        ("雑談", 5, "雑談から入るのが苦手です")
    ]
    assert data["新しいテーマ"][0]["suggestion"] == "true"
    # People read the kind as 語 (a word) or 句 (a phrase), on screen and in the workbook;
    # the key stays in --format json.
    assert data["新しいテーマ"][0]["kind"] == "term"
    shown = cli("seminar", "summary", "month2", env={"KOPS_LANG": "ja"}).stdout
    row = next(line for line in shown.splitlines() if line.startswith("│ 雑談"))
    assert [c.strip() for c in row.split("│")[1:4]] == ["雑談", "語", "5"]
    assert "term" not in shown
    book = surveyed.root / "month2.xlsx"
    cli("seminar", "summary", "month2", "--out", str(book))
    sheet = load_workbook(book)["新しいテーマ"]
    assert [c.value for c in sheet[2]][:3] == ["雑談", "語", 5]
    groups = {r["group"]: r for r in data["自由記述"]}
    assert groups["その他"]["answers"] == 18  # counted by reading month2.csv
    # Under min_group: the count only (this file is the secretariat's and lists every
    # answer; 「<5」 beside that list read as a mistake), and no example.
    listed = [r for r in data["自由記述_全件"] if r["group"] == "上司の関わり方"]
    assert groups["上司の関わり方"]["answers"] == len(listed) and 0 < len(listed) < 5
    assert groups["上司の関わり方"]["example_1"] == ""
    text = json.dumps(data, ensure_ascii=False)
    assert not any(name in text for name in NAMES)
    survey_ids = [f"{i:06d}" for i in range(170, 196)]
    assert not any(i in text for i in survey_ids)  # never the respondent
    table = cli("seminar", "summary", "month2").stdout
    assert "Emerging themes" in table and "Not covered by any keyword group: 雑談（5）" in table
    assert f"  上司の関わり方: {len(listed)}\n" in table  # as the file counts it


def test_spelling_variants_join_a_configured_group(surveyed: Workspace) -> None:
    configure(
        surveyed,
        # min_group is at least 3: 面談 brings the group to three answers.
        **{
            "seminar_survey.keywords.打ち合わせとの違い": ["打合せ", "面談"],
            "privacy.min_group": 3,
        },
    )
    data = json.loads(Cli(surveyed)("seminar", "summary", "month3", "--format", "json").stdout)
    groups = {r["group"]: r for r in data["自由記述"]}
    meeting = groups["打ち合わせとの違い"]
    assert meeting["answers"] == 3
    assert {meeting["example_1"], meeting["example_2"]} <= {
        "打ち合わせのように進捗報告になってしまう",
        "打合せとの使い分け",
        "目標設定面談との違い",
    }
    # ふりかえり and すっきり度 join the shipped group whose words are 振り返り and スッキリ
    assert groups["スッキリ度・振り返り"]["answers"] == 4
    themes_out = {r["theme"]: r for r in data["新しいテーマ"]}
    assert "打ち合わせ" not in themes_out  # a term in 2 answers: under min_group (3)


def test_a_period_without_themes(surveyed: Workspace) -> None:
    cli = Cli(surveyed)
    assert themes(cli, "--since", "2026-11-29") == {}  # no seminar in the last two days
    result = cli("seminar", "themes", "--since", "2026-11-29", env={**NOW, "KOPS_QUIET": "0"})
    assert "none found in 5 or more answers" in result.stdout
    assert "0 answers from 0 seminar(s)" in result.stderr
    # No answers before either: nothing can be rising, and only that is said (「増えている
    # テーマ: なし」 after it said they were judged and none found).
    assert "no answers in the previous period: nothing can be rising" in result.stderr
    assert "Rising: none" not in result.stdout
