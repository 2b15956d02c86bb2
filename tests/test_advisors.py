"""Advisor report mails are addressed to a person, say the period in words, carry no
nudge opt-out line, and a report with nothing to show is not mailed without asking."""

from __future__ import annotations

import shutil
from email import message_from_bytes, policy
from pathlib import Path

import yaml

from conftest import Cli, RunSample
from kakeai_ops.workspace import Workspace

ADVISORS = {
    "営業本部長": {
        "email": "yamada@example.co.jp",
        "name": "山田 太郎",
        "title": "営業本部長",
        "scope": ["営業本部"],
    },
    "開発HRBP": {
        "email": "sasaki@example.co.jp",
        "name": "佐々木 恵",
        "scope": ["開発本部/製品開発部", "開発本部/品質保証部"],
    },
}


def configure(ws: Workspace, advisors: dict) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = advisors
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def mails(ws: Workspace) -> dict[str, tuple[str, str, str]]:
    """Address → (To, Subject, body) of every message in the outbox."""
    found = {}
    for path in ws.outbox_dir.rglob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found[message["To"].addresses[0].addr_spec] = (
            str(message["To"]),
            str(message["Subject"]),
            body.get_content().replace("\r\n", "\n"),
        )
    return found


# Every advisor's report mailed (to the outbox): one run read by the tests of the mails.
MAILED = (("report", "divisions", "--all-advisors", "--out", "{out}/r", "--mail", "--yes"),)


def test_report_mails_greet_the_person_and_say_the_period(
    sample_run: RunSample, tmp_path: Path
) -> None:
    run = sample_run(*MAILED, config={"advisors": ADVISORS})
    got = mails(run.ws)
    to, subject, body = got["yamada@example.co.jp"]
    assert to == "山田 太郎 <yamada@example.co.jp>"
    assert body.startswith("営業本部長\n山田 太郎 様\n")
    assert (
        "直近90日（2026年8月23日〜11月20日）" in subject
        and "直近90日（2026年8月23日〜11月20日）" in body
    )
    assert "90d" not in subject + body and "month:" not in body
    assert "配信不要" not in body and "山田 太郎 様の閲覧範囲" in body
    # The mail and the file's printed header say the same: shared within the scope (the
    # header's bare 「共有可」 beside 「転送・共有はお控えください」 said the opposite).
    assert "閲覧範囲（営業本部）の方向けです。範囲外の方への転送・共有はお控えください。" in body
    import openpyxl

    from kakeai_ops.outputs.workbook import SHAREABLE_IN_SCOPE

    files = sorted((run.out / "r").glob("*.xlsx"))
    assert len(files) == len(ADVISORS)
    for path in files:
        sheets = openpyxl.load_workbook(path).worksheets
        assert {sheet.oddHeader.right.text for sheet in sheets} == {SHAREABLE_IN_SCOPE}
    _, _, body = got["sasaki@example.co.jp"]
    assert body.startswith("佐々木 恵 様\n")  # no title: the name alone
    assert "HRBP 様" not in body

    shutil.copytree(run.ws.root, tmp_path / "ws")  # the month's report on a copy of that run
    ws = Workspace(tmp_path / "ws")
    Cli(ws)(
        "report", "divisions", "--period", "month:2026-11", "--all-advisors",
        "--out", str(tmp_path / "m"), "--mail", "--yes",
    )  # fmt: skip
    subjects = {  # both runs' mails: which one a dict of addresses kept depends on the disk
        str(message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])
        for path in ws.outbox_dir.rglob("*.eml")
    }
    assert any("2026年11月（20日まで）" in s for s in subjects)


def test_an_advisor_without_a_name_is_refused(sample_copy: Workspace, tmp_path: Path) -> None:
    advisors = {**ADVISORS, "開発HRBP": {**ADVISORS["開発HRBP"]}}
    del advisors["開発HRBP"]["name"]
    configure(sample_copy, advisors)
    refused = Cli(sample_copy)(
        "report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail", "--yes",
        ok=False,
    )  # fmt: skip
    assert "advisors without a name in kops.yaml: 開発HRBP" in refused.stderr
    assert "nothing was sent" in refused.stderr
    assert not list(sample_copy.outbox_dir.rglob("*.eml"))
    assert not (tmp_path / "r").exists()  # refused before any report was written
    blank = {"x": {**ADVISORS["営業本部長"], "name": "  "}}
    configure(sample_copy, blank)
    assert "advisors.x.name" in Cli(sample_copy)("status", ok=False).stderr


def test_a_report_with_every_figure_hidden_is_skipped(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    configure(sample_copy, ADVISORS)
    data = yaml.load(sample_copy.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    # Groups smaller than the whole company are hidden: nobody's report shows a figure.
    data["privacy"].update(min_group=400, min_group_sensitive=400)
    sample_copy.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), "utf-8"
    )
    cli = Cli(sample_copy)
    run = ["report", "divisions", "--all-advisors", "--mail", "--yes"]
    result = cli(*run, "--out", str(tmp_path / "a"))
    for name in ADVISORS:
        assert f"advisor {name}: every figure of the report is hidden" in result.stderr
    assert mails(sample_copy) == {} and not list((tmp_path / "a").glob("*.xlsx"))
    cli(*run, "--out", str(tmp_path / "b"), "--include-empty")
    assert set(mails(sample_copy)) == {a["email"] for a in ADVISORS.values()}


def test_the_mail_names_what_the_attached_workbook_holds_by_its_labels(
    sample_run: RunSample,
) -> None:
    """「・内容：…」 lists each figure by the label the attached workbook gives it (one figure,
    one label: 1on1実施率, not 「1on1 実施率」), and nothing the workbook does not hold."""
    import io

    import openpyxl

    outbox = sample_run(*MAILED, config={"advisors": ADVISORS}).ws.outbox_dir
    emls = list(outbox.rglob("*.eml"))
    assert len(emls) == len(ADVISORS)
    for path in emls:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content().replace("\r\n", "\n")
        listed = text.split("・内容：", 1)[1].split("\n\n", 1)[0]
        # A label with what it adds in brackets (「…（事業部は前期間からの推移も）」) by its label.
        named = [
            n.strip("　\n ").split("（")[0]
            for n in listed.replace("事業部・部署ごとの", "").split("、")
        ]
        (attachment,) = message.iter_attachments()
        book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
        cells = {
            str(value).replace("\n", "").split("（")[0]  # a header broken between words
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if isinstance(value, str)
        }
        missing = [n for n in named if n not in cells]
        assert missing == [], (missing, sorted(c for c in cells if len(c) < 30))
