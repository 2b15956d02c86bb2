"""Run ids that look alike are one run: NFKC, trimmed, at least one visible character."""

from __future__ import annotations

import re

import pytest

from conftest import Cli, tree_digest
from kakeai_ops.errors import KopsError
from kakeai_ops.mail.plan import typed_run as safe_run_id
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import SEGMENT, use_smtp
from smtp_server import SmtpServer


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("nov-award", "nov-award"),
        ("ｎｏｖ－ａｗａｒｄ", "nov-award"),  # IME full width
        ("nov-award ", "nov-award"),
        ("\u3000nov-award\t", "nov-award"),
        ("nov\u3000award", "nov award"),
        ("nov  award", "nov award"),
        ("ﾉﾍﾞﾝﾊﾞｰ", "ノベンバー"),
        ("Ⅺ月", "XI月"),
    ],
)
def test_run_ids_fold(typed: str, folded: str) -> None:
    assert safe_run_id(typed) == folded


@pytest.mark.parametrize(
    "bad",
    [
        *("", " ", "\u3000", "\t\n", "\u200b", "nov\u200baward", "\u2028", "\ufeffnov"),
        *("x\u202ey", "-x", "--yes"),
    ],
)
def test_invisible_run_ids_are_refused(bad: str) -> None:
    with pytest.raises(KopsError) as err:
        safe_run_id(bad)
    assert "can't be a run id" in str(err.value)


def test_look_alike_run_ids_resume_one_run(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--id", "nov-award", "--yes")
        sent = len(server.handler.received)
        assert sent > 0
        for twin in ("ｎｏｖ－ａｗａｒｄ", "nov-award ", " nov-award"):
            again = cli("mail", "send", *SEGMENT, "--id", twin, "--yes")
            assert "Resuming run nov-award" in again.stderr, again.stderr
        assert len(server.handler.received) == sent
    ledger = Ledger(sample_copy)
    try:
        assert [r for r in ledger.runs()["run_id"]] == ["nov-award"]
    finally:
        ledger.close()
    status = cli("mail", "status", "ｎｏｖ－ａｗａｒｄ").stdout
    assert "nov-award" in status


def test_a_blank_run_id_is_refused_and_nothing_written(sample_copy: Workspace) -> None:
    before = tree_digest(sample_copy.root)
    for bad in (" ", "\u3000", "\u200b"):
        result = Cli(sample_copy)("mail", "send", *SEGMENT, "--id", bad, "--dry-run", ok=False)
        assert result.exit_code == 1
        assert "can't be a run id" in result.stderr
        assert "Internal error" not in result.stderr
    assert tree_digest(sample_copy.root) == before


def test_the_hint_says_what_a_run_id_may_hold_and_an_id_it_allows_is_taken(
    sample_copy: Workspace,
) -> None:
    """The hint once said 「letters, digits, '.', '-' and '_'」 while a Japanese id was taken:
    it now names what is refused, and an id of the kinds it allows is a run."""
    refused = Cli(sample_copy)("mail", "send", *SEGMENT, "--id", "a/b", "--dry-run", ok=False)
    hint = (
        "use visible characters other than '/' and '\\', not only '.' or '..' and not "
        "'-' first, e.g. no_prep-2026-12"
    )
    assert hint in refused.stderr
    for allowed in ("no_prep-2026-12", "事前準備 12月"):
        result = Cli(sample_copy)("mail", "send", *SEGMENT, "--id", allowed, "--dry-run")
        assert allowed in result.stderr + result.stdout


def test_a_refused_run_id_is_said_in_japanese(sample_copy: Workspace) -> None:
    """「'\\u3000' は配信IDにできません: it has no visible character」: the reason was English."""
    for bad, why in (("\u3000", "見える文字がありません"), ("-x", "'-' で始まるため")):
        result = Cli(sample_copy)(
            "mail", "send", *SEGMENT, f"--id={bad}", "--dry-run", ok=False, env={"KOPS_LANG": "ja"}
        )
        assert "は配信IDにできません: " + why in result.stderr
        assert not re.search(r"[a-z]{4,} [a-z]{4,}", result.stderr.split("ヒント")[0])
