"""kops seminar: invitations by theme, attendance and survey files, the summary."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import SAMPLE, Cli, tree_digest
from factories import user
from kakeai_ops import glossary
from kakeai_ops.analyses.survey_text import group_answers
from kakeai_ops.config import Settings
from kakeai_ops.errors import InputError
from kakeai_ops.exports.seminar_files import read_survey
from kakeai_ops.jobs.seminars.invitations import invite_spec
from kakeai_ops.mail.audience_kinds import Theme
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import plain
from seminar_setup import date_month1
from workbooks import header_labels

SEMINARS = SAMPLE / "seminar"


@pytest.fixture
def october(october_copy: Workspace) -> Workspace:
    """A workspace holding only October's export, with the Month1 seminar dated."""
    date_month1(october_copy)
    return october_copy


def sent(ws: Workspace, run: str) -> list[str]:
    """Who a run reached: these tests rehearse through the outbox (state ``written``)."""
    ledger = Ledger(ws)
    try:
        return [r.user_id for r in ledger.rows(run, ["written"])]
    finally:
        ledger.close()


def test_themes_choose_the_audience() -> None:
    settings = Settings.model_validate(
        yaml.load(
            (Path(__file__).parents[1] / "src/kakeai_ops/resources/kops.yaml").read_text("utf-8"),
            Loader=yaml.CSafeLoader,
        )
    )
    assert invite_spec("month1", settings.seminars["month1"]).who == Theme(
        ("not_activated", "no_pair", "no_1on1", "no_rating")
    )
    assert invite_spec("month2", settings.seminars["month2"]).who == Theme(("no_prep",))
    assert invite_spec("month3", settings.seminars["month3"]).who == Theme(("no_recurrence",))
    month4 = invite_spec("month4", settings.seminars["month4"])
    assert isinstance(month4.who, Theme) and month4.who.managers
    assert month4.template == "seminar.month4"
    assert settings.seminars["month2"].points  # the points each theme covers ship in kops init


def test_invite_attendance_survey_remind_summary(
    october: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(october)
    segment = list(csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv").stdout)))
    expected = {
        r["user_id"]
        for r in segment
        if r["stuck_point"] in ("not_activated", "no_pair", "no_1on1", "no_rating")
        and r["email"]
        and r["employment"] == "在籍"
    }
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    invited = set(sent(october, "seminar.month1-month1"))
    assert invited == expected
    message = next(outbox_folder(october, "seminar.month1-month1").glob("*.eml")).read_bytes()
    from email import message_from_bytes, policy

    parsed = message_from_bytes(message, policy=policy.default)
    assert "10/28(水) 12:15〜" in str(parsed["Subject"])
    assert "2026年10月28日（水）12:15〜" in plain(parsed)
    assert "https://meet.example/month1" in plain(parsed)
    # The recording goes to those who did not attend (remind, below), and the invitation
    # says so: one who attends is not left waiting for a link that never comes.
    assert "※ 録画は、ご参加になれなかった方に後日ご案内します。" in plain(parsed)

    cli("seminar", "attendance", "month1", str(SEMINARS / "month1-attendance.csv"))
    cli("seminar", "survey", "month1", str(SEMINARS / "month1-survey.csv"))
    attended = {
        r["ユーザーID"].translate(str.maketrans("０１２３４５６７８９", "0123456789")).strip()
        for r in csv.DictReader(
            io.StringIO((SEMINARS / "month1-attendance.csv").read_text("utf-8-sig"))
        )
    }

    remind = cli("seminar", "remind", "month1", "--yes")
    reminded = set(sent(october, "seminar.recording-month1"))
    assert reminded == invited - attended and reminded
    assert f"録画の案内 {len(reminded)}人" in remind.stderr
    recording = next(outbox_folder(october, "seminar.recording-month1").glob("*.eml")).read_bytes()
    assert "https://video.example/month1" in plain(
        message_from_bytes(recording, policy=policy.default)
    )

    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    data = json.loads(cli("seminar", "summary", "month1", "--format", "json").stdout)
    by_stuck = {r["stuck_point"]: r for r in data["出欠_スタックポイント別"]}
    assert sum(r["invited"] for r in by_stuck.values()) == len(invited)
    # Everyone on the list is counted: those without an invitation in a row of their own.
    assert sum(r["attended"] for r in by_stuck.values()) == len(attended)
    assert by_stuck["uninvited"]["attended"] == len(attended - invited)
    assert sum(r["answers"] for r in data["満足度"]) == 18
    assert data["知りたいテーマ"][0]["chosen_by"] >= data["知りたいテーマ"][-1]["chosen_by"]
    groups = {r["group"] for r in data["自由記述"]}
    assert {"事前準備・トピック", "繰り返し・予定", "ほかの人の1on1"} <= groups
    # The sample's only ungrouped answers were 「特になし」 (no answer) and Month2's theme.
    assert "その他" not in groups
    movement = {r["group"]: r for r in data["その後の変化"]}
    assert movement["attended"]["users"] == len(invited & attended)
    text = cli("seminar", "summary", "month1").stdout
    assert "今、知りたいこと" in text and "その後の変化" in text
    assert "出席は本人の選択です" in text and "最新データにいる人数" in text
    # The terminal says what the workbook says: stuck points by name (no English key
    # beside a 名称 column), each rate as a whole percent rounded half up as Excel shows
    # 0% (3/24 is 13%, not Python's 12%).
    for key in ("not_activated", "no_pair", "no_1on1", "no_rating", "uninvited"):
        assert key not in text
    first = text.split("出欠（事業部別）")[0]  # the table by stuck point
    lines = {line.split("│")[1].strip(): line for line in first.splitlines() if "│" in line}
    for key, row in by_stuck.items():
        label = glossary.VALUES["stuck_point"][key]
        cells = [c.strip() for c in lines[label].split("│")[1:-1]]
        assert cells[1:3] == [str(row["invited"]), str(row["attended"])]
        if row["invited"]:
            whole = int(Fraction(100 * row["attended"], row["invited"]) + Fraction(1, 2))
            assert cells[3] == f"{whole}%"


def test_remind_before_the_date_is_refused(october: Workspace) -> None:
    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    early = cli(
        "seminar",
        "remind",
        "month1",
        "--yes",
        env={"KOPS_NOW": "2026-10-27T10:00:00+09:00"},
        ok=False,
    )
    assert "remind after it" in early.stderr


def test_survey_cp932_with_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    rows = [
        ["ユーザーID", "満足度", "知りたいテーマ", "今、知りたいこと"],
        [
            "0001",
            "５",
            "事前準備、データの見方",
            '部下の話を"聴く"コツ,\n上司として何を聞けばよいか',
        ],
        ["u0002@example.jp", "3", "メモの活用", "髙橋さんのチームの工夫①"],
    ]
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    users = pd.DataFrame([user("0001"), user("0002")])
    answers = read_survey(path, Settings(), users)
    assert list(answers["user_id"]) == ["0001", "0002"]
    assert list(answers["satisfaction"]) == [5, 3]
    assert answers.loc[0, "interests"] == ["事前準備", "データの見方"]
    assert answers.loc[0, "free_text"] == '部下の話を"聴く"コツ,\n上司として何を聞けばよいか'
    assert answers.loc[1, "free_text"] == "髙橋さんのチームの工夫①"
    grouped = group_answers(answers["free_text"], Settings().seminar_survey.keywords)
    assert set(grouped[grouped["answer"].str.startswith("部下")]["group"]) == {"上司の関わり方"}


def test_a_choice_typed_half_width_or_twice_is_one_choice(tmp_path: Path) -> None:
    """「ﾒﾓの活用」 (half-width, as some forms write it) was ranked as a theme of its own
    beside メモの活用, and a choice named twice was counted twice."""
    path = tmp_path / "survey.csv"
    path.write_text(
        "ユーザーID,満足度,知りたいテーマ,今、知りたいこと\n"
        "0001,4,ﾒﾓの活用;メモの活用,\n0002,3, メモの活用 、ﾃﾞｰﾀの見方,\n",
        encoding="utf-8",
    )
    users = pd.DataFrame([user("0001"), user("0002")])
    answers = read_survey(path, Settings(), users)
    assert answers.loc[0, "interests"] == ["メモの活用"]
    assert answers.loc[1, "interests"] == ["メモの活用", "データの見方"]


def test_bad_survey_and_attendance_files(october: Workspace, tmp_path: Path) -> None:
    cli = Cli(october)
    bad = tmp_path / "survey.csv"
    bad.write_text(
        "ユーザーID,満足度,知りたいテーマ,今、知りたいこと\n000120,9,メモ,x\n999999,3,メモ,y\n,3,メモ,z\n",
        encoding="utf-8",
    )
    before = tree_digest(october.root)
    result = cli("seminar", "survey", "month1", str(bad), ok=False)
    assert "survey.csv:2: 満足度: not a whole number from 1 to 5 ('9')" in result.stderr
    assert "survey.csv:3: ユーザーID: is not in users ('999999')" in result.stderr
    assert "survey.csv:4: ユーザーID: required value is blank" in result.stderr
    missing = tmp_path / "attendance.csv"
    missing.write_text("氏名\n山田\n", encoding="utf-8")
    result = cli("seminar", "attendance", "month1", str(missing), ok=False)
    assert (
        "attendance.csv:1: ユーザーID/社員番号/メールアドレス: missing required column; headers found: 氏名"
        in result.stderr
    )
    # A last row with a name and no id was dropped as a blank row (only the id column was
    # looked at): it is refused as any other row with a blank id; rows of blanks are not.
    last = tmp_path / "last.csv"
    last.write_text(
        "ユーザーID,氏名,参加時間(分)\n000108,竹瀬 結菜,18\n,後藤 早紀,30\n,,\n , ,\n\n",
        encoding="utf-8",
    )
    said = cli("seminar", "attendance", "month1", str(last), ok=False).stderr
    assert "last.csv:3: ユーザーID: required value is blank" in said, said
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"\xfd\xfe\n")
    assert "unknown encoding" in cli("seminar", "attendance", "month1", str(latin), ok=False).stderr
    assert tree_digest(october.root) == before
    unknown = cli("seminar", "invite", "month9", ok=False)
    assert "no seminar 'month9'" in unknown.stderr
    # Its hint is Japanese too, naming the seminars (not the campaigns) section.
    ja = cli("seminar", "invite", "month9", env={"KOPS_LANG": "ja"}, ok=False).stderr
    assert "ヒント: kops.yaml の `seminars:` の下に加えてください" in ja
    assert "add it under" not in ja


def test_list_shows_the_series(october: Workspace) -> None:
    rows = list(
        csv.DictReader(io.StringIO(Cli(october)("seminar", "list", "--format", "csv").stdout))
    )
    assert [r["seminar"] for r in rows] == ["month1", "month2", "month3", "month4"]
    assert rows[3]["invites"].endswith("managers")
    assert Counter(r["month"] for r in rows) == Counter({"1": 1, "2": 1, "3": 1, "4": 1})
    # The table on screen heads its columns as the workbook does (one word per column).
    cli = Cli(october)
    table = cli("seminar", "list", env={"KOPS_LANG": "ja"}).stdout
    book = october.root / "seminars.xlsx"
    cli("seminar", "list", "--out", str(book))
    from openpyxl import load_workbook

    headings = header_labels(load_workbook(book).worksheets[0])
    for heading in ("シリーズの回", "主な内容", "日時", "案内する人", "招待数", "出席数"):
        assert heading in headings and heading in table
    assert "招待する人" not in table and "┃ 内容" not in table
    # The series' numbers are numbers (Excel flagged 「数値が文字列として保存」).
    sheet = load_workbook(book).worksheets[0]
    column = headings.index("シリーズの回") + 1
    assert [sheet.cell(row, column).value for row in range(2, 6)] == [1, 2, 3, 4]


def test_row_numbers_count_lines_inside_quoted_answers(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    rows = [
        ["ユーザーID", "満足度", "知りたいテーマ", "今、知りたいこと"],
        ["0001", "4", "メモ", "一行目\n二行目\n三行目"],
        ["0002", "8", "メモ", "x"],  # on line 5 of the file
    ]
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    with pytest.raises(InputError) as caught:
        read_survey(path, Settings(), pd.DataFrame([user("0001"), user("0002")]))
    assert "survey.csv:5: 満足度: not a whole number from 1 to 5 ('8')" in caught.value.message


def test_an_unknown_seminar_names_the_configured_ones() -> None:
    from kakeai_ops.config import Settings
    from kakeai_ops.errors import KopsError
    from kakeai_ops.jobs.seminars.invitations import seminar

    settings = Settings.model_validate({"seminars": {"month1": {"month": 1}}})
    assert seminar(settings, "month1").month == 1
    with pytest.raises(KopsError) as raised:
        seminar(settings, "month9")
    assert "no seminar 'month9' in kops.yaml (seminars: month1)" in str(raised.value)
    assert "`kops seminar list`" in (raised.value.hint or "")


def test_a_real_reminder_after_rehearsed_invitations_says_nobody_was_invited(
    october: Workspace,
) -> None:
    """Invitations only written to the outbox, then smtp: the reminder said 「先に kops seminar
    invite month1」, and the invitation was refused (the seminar was over). It says why."""
    from mailing import use_smtp
    from smtp_server import SmtpServer

    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    with SmtpServer() as server:
        use_smtp(october, server)
        refused = cli(
            "seminar", "remind", "month1", "--yes", env={"KOPS_NOW": "2026-11-05T10:00:00+09:00"},
            ok=False,
        )  # fmt: skip
        assert server.handler.received == []
    assert "only written to the outbox (a rehearsal): nobody was invited for real" in (
        refused.stderr
    )
    assert "seminar invite" not in refused.stderr


def test_a_reminder_on_old_data_asks_as_every_mailing_does(october: Workspace) -> None:
    """Who has left or is on leave is the latest snapshot's: on data 16 days old the
    recording went out with no question (its dry run said to add --stale-ok)."""
    cli = Cli(october)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    config = october.config_path.read_text(encoding="utf-8")
    october.config_path.write_text(
        re.sub(r"(?m)^  stale_days: \d+", "  stale_days: 7", config), encoding="utf-8"
    )
    late = {"KOPS_NOW": "2026-11-05T10:00:00+09:00"}  # the data ends 2026-10-20
    before = set(sent(october, "seminar.recording-month1"))
    refused = cli("seminar", "remind", "month1", "--yes", env=late, ok=False)
    assert refused.exit_code != 0 and "--stale-ok" in refused.stderr
    assert set(sent(october, "seminar.recording-month1")) == before == set()
    cli("seminar", "remind", "month1", "--yes", "--stale-ok", env=late)
    assert sent(october, "seminar.recording-month1")


def test_a_bad_satisfaction_is_said_in_japanese(october: Workspace, tmp_path: Path) -> None:
    """Every other refusal of the survey was Japanese; this one said 「not a whole number」."""
    bad = tmp_path / "survey.csv"
    bad.write_text(
        "ユーザーID,満足度,知りたいテーマ,今、知りたいこと\n000120,3.5,メモ,x\n", encoding="utf-8"
    )
    result = Cli(october)(
        "seminar", "survey", "month1", str(bad), ok=False, env={"KOPS_LANG": "ja"}
    )
    assert "survey.csv:2: 満足度: 1〜5 の整数ではありません ('3.5')" in result.stderr
    assert "not a whole number" not in result.stderr


def test_a_usage_export_given_as_a_seminars_list_is_refused(
    october: Workspace, tmp_path: Path
) -> None:
    """The users export read as month1's attendance recorded all 252 users as attending
    (「招待した人 27人、招待外の参加 225人」), without a word; the survey CSV as attendance
    too. A usage export is named for what it is, and nothing is recorded."""
    cli = Cli(october)
    before = tree_digest(october.root)
    for name, given in (("users.csv", "attendance"), ("meetings.xlsx", "survey")):
        said = cli(
            "seminar", given, "month1", str(SAMPLE / "2026-10" / name),
            env={"KOPS_LANG": "ja"}, ok=False,
        )  # fmt: skip
        assert said.exit_code == 1
        export = "ユーザー一覧" if name == "users.csv" else " 1on1 履歴"
        text = " ".join(said.stderr.split())
        assert f"{name}:1: KAKEAI の{export}のエクスポートで、セミナーの" in text, text
    assert tree_digest(october.root) == before


def test_an_attendance_list_with_divisions_is_one_and_a_cut_users_export_is_not(
    october: Workspace, tmp_path: Path
) -> None:
    """Counting the users export's columns refused a list with 事業部 and 部署 and took a
    users export cut to four columns (all 252 as attending): the export is known by its
    account's columns (在籍状況, 最終ログイン日時, 登録日)."""
    cli = Cli(october)
    rich = tmp_path / "att.csv"
    rich.write_text(
        "ユーザーID,氏名,メールアドレス,事業部,部署,参加時間(分)\n000108,竹瀬 結菜,,営業本部,第一営業部,18\n",
        encoding="utf-8",
    )
    cut = tmp_path / "users4.csv"
    cut.write_text(
        "ユーザーID,氏名,事業部,在籍状況\n000108,竹瀬 結菜,営業本部,在籍\n", encoding="utf-8"
    )
    refused = cli("seminar", "attendance", "month1", str(cut), ok=False)
    assert refused.exit_code == 1 and "users export" in refused.stderr, refused.stderr
    cli("seminar", "attendance", "month1", str(rich), "--force", "--reason", "社外会場")
