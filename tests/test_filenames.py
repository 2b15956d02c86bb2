"""File names made from names: readable, Windows-safe, never shared by two keys."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from conftest import Cli
from kakeai_ops.errors import KopsError
from kakeai_ops.outputs import filenames
from kakeai_ops.outputs.filenames import FileNames, key_hash, readable, safe_name
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer
from test_mail_command import use_smtp

# Three names that a filter keeping only ASCII turns into the same '_____', and
# two that differ by ' ' against '/': each advisor sees a different 事業部.
ADVISORS = {
    "営業本部長": {"email": "eigyo@example.jp", "name": "宛名 太郎", "scope": ["営業本部"]},
    "製造本部長": {"email": "seizo@example.jp", "name": "宛名 太郎", "scope": ["製造本部"]},
    "開発本部長": {"email": "kaihatsu@example.jp", "name": "宛名 太郎", "scope": ["開発本部"]},
    "管理 本部長": {"email": "kanri@example.jp", "name": "宛名 太郎", "scope": ["管理本部"]},
    "管理/本部長": {
        "email": "mkt@example.jp",
        "name": "宛名 太郎",
        "scope": ["マーケティング本部"],
    },
}
DIVISIONS = {"営業本部", "製造本部", "開発本部", "管理本部", "マーケティング本部", "経営企画室"}
# Every 事業部 is some advisor's, so 経営企画室 (3 people) can only join one of them (the
# smallest, 営業本部); that advisor's file shows the merged row as the company report does.
MERGED_INTO = {"営業本部長": {"経営企画室"}}


def expected_divisions(name: str, scope: list[str]) -> set[str]:
    return set(scope) | MERGED_INTO.get(name, set())


def test_names_stay_readable_and_keys_never_share_one() -> None:
    assert safe_name("営業本部長", "division-report-", ".xlsx") == (
        f"division-report-営業本部長-{key_hash('営業本部長')}.xlsx"
    )
    hostile = [
        "営業本部長",
        "製造本部長",
        "開発本部長",
        "管理 本部長",
        "管理/本部長",
        "管理_本部長",
        'a<b>c:d"e|f?g*h\\i',
        "CON",
        "con",
        "Con.txt",
        "COM1",
        "LPT9",
        "NUL.",
        "名前. ",
        "名前",
        "tab\there",
        "nul\x00here",
        "bytes\udc85here",  # an undecodable byte from a command line
        "...",
        "",
        "髙橋﨑①",
        "x" * 300,
        "x" * 300 + "y",
        "Run1",
        "run1",
    ]
    names = [safe_name(key, suffix=".eml") for key in hostile]
    assert len({n.casefold() for n in names}) == len(hostile)  # distinct even ignoring case
    for name in names:
        stem = name.removesuffix(".eml")
        assert not set('<>:"/\\|?*') & set(name)
        assert all(ord(c) >= 32 for c in name)
        assert not stem.endswith((".", " "))
        assert stem.split(".")[0].split("-")[0].upper() not in {"CON", "NUL", "COM1", "LPT9"}
        assert len(name.encode("utf-8")) <= 255
    assert readable("髙橋﨑①") == "髙橋﨑①"  # Japanese kept as written
    assert readable("管理/本部長") == "管理_本部長"
    assert readable("CON") == "_CON" and readable("名前. ") == "名前" and readable("") == "_"


def test_a_name_given_out_is_never_given_to_another_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = FileNames(tmp_path, suffix=".eml")
    assert names.path("0001") == names.path("0001")  # the same key: the same file
    # Two keys whose readable part and hash agree would need a sha256 collision;
    # pin the hash to show that even then the second key is refused.
    monkeypatch.setattr(filenames, "key_hash", lambda key: "00000000")
    names = FileNames(tmp_path, suffix=".eml")
    names.path("a/b")
    with pytest.raises(KopsError, match="already written in this run for 'a/b'"):
        names.path("a:b")
    with pytest.raises(KopsError, match="not overwriting"):
        names.path("A/B")  # Windows would put it in the same file


def with_advisors(ws: Workspace) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = ADVISORS
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def divisions_in(path: Path) -> set[str]:
    """The 事業部 named anywhere in the workbook (sheet names and cells)."""
    book = load_workbook(path)
    text = " ".join(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            text += " " + " ".join(str(v) for v in row if v is not None)
    return {d for d in DIVISIONS if d in text}


def test_each_advisor_gets_their_own_file_by_mail(sample_copy: Workspace, tmp_path: Path) -> None:
    with_advisors(sample_copy)
    out = tmp_path / "reports"
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        Cli(sample_copy)(
            "report", "divisions", "--all-advisors", "--out", str(out), "--mail", "--yes"
        )
        received = {r.rcpt_tos[0]: r.message for r in server.handler.received}
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == len(ADVISORS)
    for name, config in ADVISORS.items():
        # The data's day (2026-11-20) and the period (the default 90 days) in the name:
        # next month's, or this month's quarter, do not replace these.
        path = out / safe_name(name, "division-report-20261120-90d-", ".xlsx")
        assert path in files and name.replace("/", "_") in path.name
        assert divisions_in(path) == expected_divisions(name, config["scope"]), name
        message = received[config["email"]]
        assert message["To"].addresses[0].display_name == config["name"]
        (attachment,) = message.iter_attachments()
        got = tmp_path / "got.xlsx"
        got.write_bytes(attachment.get_content())
        assert divisions_in(got) == expected_divisions(name, config["scope"]), (
            f"{name}: another scope"
        )
    assert len(server.handler.received) == len(ADVISORS)


def test_a_months_and_its_quarters_reports_keep_their_own_names(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """Written into one folder, 10月's reports were replaced by 11月's without a word, and
    every attachment read 「…_営業本部_20261120.xlsx」 whatever its period: a division head
    keeping the months and the quarter could not tell them apart unopened."""
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    out = tmp_path / "reports"
    slugs = ("2026-11", "2026Q4")  # as --period names them (Period.slug)
    # The month written and mailed (a dry run: the outbox), then its quarter, into one folder.
    cli(
        "report", "divisions", "--period", "month:2026-11", "--all-advisors", "--out", str(out),
        "--mail", "--dry-run",
    )  # fmt: skip
    cli("report", "divisions", "--period", "quarter:2026Q4", "--all-advisors", "--out", str(out))
    files = sorted(p.name for p in out.glob("*.xlsx"))
    assert len(files) == len(slugs) * len(ADVISORS)
    for slug in slugs:
        for name in ADVISORS:
            assert safe_name(name, f"division-report-20261120-{slug}-", ".xlsx") in files
    attached = {
        part.get_filename()
        for path in (sample_copy.root / "outbox").rglob("*.eml")
        for part in message_from_bytes(path.read_bytes(), policy=policy.default).iter_attachments()  # type: ignore[attr-defined]
    }
    assert attached and all("_2026年11月_20261120.xlsx" in n for n in attached), attached


def test_outbox_and_scope_lists_keep_one_file_per_advisor(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    with_advisors(sample_copy)
    cli = Cli(sample_copy)
    cli("report", "divisions", "--all-advisors", "--out", str(tmp_path / "r"), "--mail", "--yes")
    emls = list(sample_copy.outbox_dir.rglob("*.eml"))
    assert len(emls) == len(ADVISORS)
    for path in emls:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        address = message["To"].addresses[0].addr_spec
        name = next(key for key, c in ADVISORS.items() if c["email"] == address)
        assert path.name == safe_name(name, suffix=".eml")  # readable: the advisor's key
        (attachment,) = message.iter_attachments()  # type: ignore[attr-defined]
        got = tmp_path / "got.xlsx"
        got.write_bytes(attachment.get_content())
        assert divisions_in(got) == expected_divisions(name, ADVISORS[name]["scope"])
    cli("report", "advisors", "--out", str(tmp_path / "scopes"))
    lists = sorted((tmp_path / "scopes").glob("*.csv"))
    assert len(lists) == len(ADVISORS)
    for name, config in ADVISORS.items():
        text = (tmp_path / "scopes" / safe_name(name, "advisor-scope-", ".csv")).read_text(
            encoding="utf-8-sig"
        )
        assert set(config["scope"]) == {d for d in DIVISIONS if d in text}, name


def test_run_folders_from_hostile_run_ids(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    ids = ["CON", "a:b", "a_b", "Run1", "run1", "trailing. ", "営業 本部長"]
    for run_id in ids:
        cli("mail", "send", "--segment", "no_pair", "--id", run_id, "--dry-run")
    folders = [p.name for p in sample_copy.outbox_dir.iterdir()]
    assert len({f.casefold() for f in folders}) == len(ids)
    assert all(f.endswith("-dry-run") and not set(':"<>|?*') & set(f) for f in folders)
    for bad in ["a/b", "..", "x\x01y", "x\udc85y"]:
        refused = cli("mail", "send", "--segment", "no_pair", "--id", bad, "--dry-run", ok=False)
        assert refused.exit_code == 1 and "can't be a run id" in refused.stderr
