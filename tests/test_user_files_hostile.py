"""A user list whose id and email name different people is refused by row."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace


def test_an_id_and_an_email_naming_different_people_is_refused_by_row(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """A list with both ユーザーID and メールアドレス whose row names two people (columns
    shifted in a careless export) recorded the id's person and ignored the email; now the
    row is named and nothing is recorded. Rows where both agree are read as before."""
    import csv

    users = {
        r["user_id"]: r["email"]
        for r in csv.DictReader(
            Cli(sample_copy)("segment", "--list", "--format", "csv").stdout.splitlines()
        )
    }
    first, second, third = sorted(users)[:3]
    cli = Cli(sample_copy)
    shifted = tmp_path / "出席者.csv"
    shifted.write_text(
        f"ユーザーID,メールアドレス\n{first},{users[first]}\n{second},{users[third].upper()}\n",
        encoding="utf-8-sig",
    )
    before = tree_digest(sample_copy.root)
    attendance = cli(
        "seminar",
        "attendance",
        "month1",
        str(shifted),
        "--force",
        "--reason",
        "社外で開催",
        ok=False,
    )
    assert f"出席者.csv:3: メールアドレス: belongs to user {third}, not to {second}" in (
        attendance.stderr
    ), attendance.stderr
    listed = cli("mail", "plan", "--users", str(shifted), "--template", "no_pair", ok=False)
    assert f"belongs to user {third}, not to {second}" in listed.stderr
    assert tree_digest(sample_copy.root) == before
    agreeing = tmp_path / "ok.csv"
    agreeing.write_text(
        f"ユーザーID,メールアドレス\n{first},{users[first]}\n{second},\n", encoding="utf-8-sig"
    )
    cli("mail", "plan", "--users", str(agreeing), "--template", "no_pair")


def test_a_survey_answer_longer_than_the_csv_modules_guard_is_not_an_internal_error(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """An answer of 200 KB (a document pasted into the form) ended in `Internal error:
    Error: field larger than field limit (131072)` while numbering the rows."""
    from conftest import SAMPLE

    text = (SAMPLE / "seminar" / "month1-survey.csv").read_bytes().decode("cp932")
    header, first, *rest = text.split("\n")
    long = first + "。" + "話" * 200_000
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([header, long, *rest]), encoding="utf-8")
    result = Cli(sample_copy)("seminar", "survey", "month1", str(path), ok=False)
    unexpected = None if isinstance(result.exception, SystemExit) else result.exception
    assert unexpected is None, repr(unexpected)
    assert "Internal error" not in result.stderr, result.stderr


def test_an_attendance_workbook_with_a_cover_sheet_says_which_sheets_it_has(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    import openpyxl

    from conftest import SAMPLE

    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "説明"
    cover["A1"] = "Zoom 出席者レポート"
    data = book.create_sheet("出席者")
    for line in (SAMPLE / "seminar" / "month1-attendance.csv").read_text("utf-8-sig").split():
        data.append(line.split(","))
    path = tmp_path / "出席者.xlsx"
    book.save(path)
    result = Cli(sample_copy)(
        "seminar", "attendance", "month1", str(path), "--force", "--reason", "x", ok=False
    )
    said = result.stderr.replace("\n", " ")
    assert "the workbook also has '出席者': put the list's sheet first" in said, said
    assert "exports.sheet" not in said  # kops.yaml's sheet is the exports' only
