"""Options pasted from a document: invisible characters in a role, stuck point or date are ignored."""

from __future__ import annotations

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_invisible_characters_pasted_into_an_option_are_ignored(sample_copy: Workspace) -> None:
    """A role, stuck point or date copied from a document often carries a zero-width space
    or a BOM; 'unknown role '上司'' (the mark invisible) left the reader nothing to fix."""
    import json

    cli = Cli(sample_copy)
    plain = cli("mail", "plan", "--segment", "lapsed", "--role", "部下", "--format", "json")
    pasted = cli(
        "mail",
        "plan",
        "--segment",
        "\u200b1on1休眠",
        "--role",
        "部下\u200b",
        "--as-of",
        "\ufeff2026-11-20\u2060",
        "--format",
        "json",
    )
    assert json.loads(pasted.stdout) == json.loads(plain.stdout)
    assert json.loads(plain.stdout)  # somebody is planned: the comparison means something
