"""One odd person never blocks a run: ingest applies the mail header and address
checks (by file:row), and a run that meets such a person anyway leaves them out with
the reason and sends the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import USERS_HEADER, Cli, tree_digest, write_csv
from kakeai_ops.store import latest_snapshot, load_tables, write_snapshot
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer

PEOPLE = [f"00{n:02d}" for n in range(10, 15)]


def _users(**changes: tuple[str, str]) -> list[list[str]]:
    rows = []
    for uid in PEOPLE:
        name, email = changes.get(uid, (f"社員 {uid}", f"u{uid}@example.jp"))
        rows.append(
            [uid, name, email, "営業本部", "第一営業部", "営業", "30代", "在籍", "2026/11/20 9:00"]
        )
    return rows


def _users_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    """A users export in UTF-8 (CP932 has no line separators or direction marks)."""
    return write_csv(tmp_path / "users.csv", USERS_HEADER, rows, encoding="utf-8-sig")


@pytest.mark.parametrize(
    "name, email, says",
    [
        ("社員\u2028太郎", "u0013@example.jp", "氏名: contains a control character"),
        ("社員\u2029太郎", "u0013@example.jp", "氏名: contains a control character"),
        ("\u202e郎太 員社", "u0013@example.jp", "氏名: contains a control character"),
        ("社員\u2066太郎", "u0013@example.jp", "氏名: contains a control character"),
        ("社員 太郎", "u0013@exаmple.jp", "mixes scripts"),  # Cyrillic а
        ("社員 太郎", "u0013@ехample.jp", "mixes scripts"),  # Cyrillic е, х
    ],
)
def test_ingest_refuses_what_a_mail_header_cannot_carry(
    ws: Workspace, tmp_path: Path, name: str, email: str, says: str
) -> None:
    before = tree_digest(ws.root)
    users = _users_file(tmp_path, _users(**{"0013": (name, email)}))
    result = Cli(ws)("ingest", str(users), ok=False)
    assert result.exit_code == 1 and "Internal error" not in result.stderr
    assert "users.csv:5: " in result.stderr and says in result.stderr, result.stderr
    for raw in ("\u2028", "\u2029", "\u202e", "\u2066"):
        assert raw not in result.stderr
    assert tree_digest(ws.root) == before


def test_ingest_reports_an_address_mail_cannot_deliver_by_row(
    ws: Workspace, tmp_path: Path
) -> None:
    users = _users_file(tmp_path, _users(**{"0013": ("社員 太郎", "taro@例え.jp")}))
    result = Cli(ws)("ingest", str(users))
    assert "users.csv:5:" in result.stderr
    assert "taro@例え.jp" in result.stderr and "left out of mail runs" in result.stderr


def _mail_ws(ws: Workspace, tmp_path: Path) -> Path:
    Cli(ws)("ingest", str(_users_file(tmp_path, _users())))
    listed = tmp_path / "list.csv"
    listed.write_text("user_id\n" + "\n".join(PEOPLE) + "\n", encoding="utf-8")
    return listed


def _tamper(ws: Workspace, user_id: str, column: str, value: str) -> None:
    """Data an older kops let through, in a stored snapshot."""
    snapshot = latest_snapshot(ws)
    assert snapshot is not None
    tables = load_tables(snapshot)
    tables.users.loc[tables.users["user_id"] == user_id, column] = value
    write_snapshot(ws, tables, {**snapshot.manifest, "files": []})


@pytest.mark.parametrize(
    "column, value",
    [
        ("name", "社員\u2028太郎"),
        ("name", "社員\r\nBcc: all@example.jp"),
        ("email", "taro@例え.jp"),
        ("email", "u0013@exаmple.jp"),
        ("email", "u0013@example.jp,boss@example.jp"),
    ],
)
@pytest.mark.usefixtures("japanese")
def test_a_run_leaves_the_odd_person_out_and_sends_the_rest(
    ws: Workspace, tmp_path: Path, column: str, value: str
) -> None:
    listed = _mail_ws(ws, tmp_path)
    _tamper(ws, "0013", column, value)
    cli = Cli(ws)
    with SmtpServer() as server:
        use_smtp(ws, server)
        result = cli(
            "mail", "send", "--users", str(listed), "--template", "no_pair", "--yes", ok=False
        )
        assert result.exit_code == 0, result.stderr
        received = sorted(a for r in server.handler.received for a in r.rcpt_tos)
    assert received == sorted(f"u{uid}@example.jp" for uid in PEOPLE if uid != "0013")
    assert "宛先に使えない氏名・アドレス" in result.stderr and "0013" in result.stderr
    assert "\u2028" not in result.stderr and "\r\nBcc" not in result.stderr
