"""An opt-out follows the person: suppressed by user id and address, kept when the
export gives them a new address, and the change reported at ingest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Cli, write_csv
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace

HANAKO = "0002"


def _users_with(make_exports: Callable[..., list[Path]], email: str, folder: str) -> list[Path]:
    files = make_exports(folder=folder)
    text = files[0].read_text(encoding="cp932").replace("hanako@example.jp", email)
    files[0].write_text(text, encoding="cp932")
    return files


def _left_out(cli: Cli, tmp_path: Path, user: str) -> str:
    """The reason ``user`` is left out of a plain mail to a list, or '' when mailed."""
    assert cli.ws is not None
    (cli.ws.mail_templates_dir / "hello.txt").write_text(
        "subject: お知らせ\nkind: announcement\n---\n{{ name }} 様\n", encoding="utf-8"
    )
    listed = write_csv(tmp_path / f"list-{user}.csv", ["ユーザーID"], [[user]])
    result = cli(
        "mail", "preview", "--users", str(listed), "--template", "hello", "--user", user, ok=False
    )
    return str(result.stderr) if result.exit_code else ""


def test_a_suppressed_address_stays_suppressed_after_an_address_change(
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    cli("mail", "suppress", "HANAKO@example.jp", "--reason", "配信不要の返信")
    listed = cli("mail", "suppressed", "--format", "csv").stdout
    assert "hanako@example.jp" in listed and HANAKO in listed
    result = cli(
        "ingest",
        *map(str, _users_with(make_exports, "hanako.new@example.jp", "b")),
        env={"KOPS_LANG": "ja"},
    )
    assert HANAKO in result.stderr and "hanako.new@example.jp" in result.stderr
    # The list's one name, as `kops mail suppress` and `kops mail suppressed` say it.
    assert f"ユーザー {HANAKO} は配信停止リストにあり（配信不要の返信）" in result.stderr
    assert "配信停止リスト" in _left_out(cli, tmp_path, HANAKO)
    assert _left_out(cli, tmp_path, "0001") == ""  # the others are mailed


def test_an_address_suppressed_before_kops_knew_the_person_follows_them(
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    ledger = Ledger(ws)  # a row as an older kops (or a bounce) wrote it: the address only
    try:
        ledger.suppress("hanako@example.jp", "本人の希望", "manual")
    finally:
        ledger.close()
    result = cli(
        "ingest",
        *map(str, _users_with(make_exports, "hanako2@example.jp", "b")),
        env={"KOPS_LANG": "en"},
    )
    assert HANAKO in result.stderr and "suppression list" in result.stderr
    assert "配信停止リスト" in _left_out(cli, tmp_path, HANAKO)


def test_suppressing_a_user_id_also_covers_their_address_and_unsuppress_lifts_both(
    ws: Workspace,
    make_exports: Callable[..., list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    cli("mail", "suppress", "０００２", "--reason", "本人の希望")
    listed = cli("mail", "suppressed", "--format", "csv").stdout
    assert "hanako@example.jp" in listed
    cli("ingest", *map(str, _users_with(make_exports, "hanako3@example.jp", "b")))
    assert "配信停止リスト" in _left_out(cli, tmp_path, HANAKO)
    cli("mail", "unsuppress", "hanako@example.jp")
    assert HANAKO not in cli("mail", "suppressed", "--format", "csv").stdout
    assert _left_out(cli, tmp_path, HANAKO) == ""


def test_a_blank_or_control_character_key_is_refused(
    ws: Workspace, make_exports: Callable[..., list[Path]]
) -> None:
    cli = Cli(ws)
    cli("ingest", *map(str, make_exports()))
    for bad in (" ", "\u3000", "a\x1b[2Jb@example.jp", "x\u202e@example.jp", "\u200b"):
        result = cli("mail", "suppress", bad, "--reason", "x", ok=False)
        assert result.exit_code == 1 and "Internal error" not in result.stderr, bad
        assert "\x1b" not in result.stderr
    assert cli("mail", "suppressed", "--format", "csv").stdout.strip().count("\n") == 0
