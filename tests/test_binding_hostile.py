"""A run's stored binding that is damaged, of an odd shape or hostile: the refusal says
what differs in the reader's words, one line per real difference, never crashes."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import Cli
from kakeai_ops.errors import KopsError
from kakeai_ops.mail.binding import RunConflict, check_binding, differences
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT

WANTED = {
    "kind": "segment",
    "value": "no_prep",
    "role": "member",
    "division": None,
    "template": None,
    "seminar": None,
    "corrects": [],
    "holdout_pct": 0.0,
}


@pytest.mark.parametrize("stored", ["{bad", "[1, 2]", "5", '"x"', "null"])
def test_an_unreadable_stored_binding_is_refused_not_a_crash(stored: str) -> None:
    with pytest.raises(RunConflict) as refused:
        check_binding("r1", stored, WANTED)
    assert refused.value.message == (
        "run 'r1' was planned with choices kops cannot read back; nothing was sent"
    )
    assert refused.value.hint is not None and "--id r1-2" in refused.value.hint


def test_none_and_an_empty_list_are_the_same_choice() -> None:
    """A binding stored before 'corrects' existed has none: not a line 「(none) → (none)」."""
    stored = {key: value for key, value in WANTED.items() if key != "corrects"}
    assert differences(stored, WANTED) == []
    check_binding("r1", json.dumps(stored), WANTED)  # resumes


def test_lists_and_groups_read_as_words_not_python() -> None:
    theme = {"kind": "theme", "value": {"stuck_points": ["no_prep", "lapsed"], "managers": True}}
    wanted = {"kind": "theme", "value": {"stuck_points": ["no_prep"], "managers": False}}
    (line,) = differences(theme, wanted)
    assert line == (
        "seminar stuck points / managers: stuck points: no_prep, lapsed / managers: yes "
        "(stored) → stuck points: no_prep / managers: (none)"
    )
    assert "{" not in line and "[" not in line


def test_the_refusal_lines_read_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")
    theme = {"kind": "theme", "value": {"stuck_points": ["no_prep", "lapsed"], "managers": True}}
    wanted = {"kind": "theme", "value": {"stuck_points": ["no_prep"], "managers": False}}
    assert differences(theme, wanted) == [
        "セミナーのスタックポイント・上司: スタックポイント: no_prep、lapsed / 上司: あり"
        "（記録済み）→ スタックポイント: no_prep / 上司: （なし）"
    ]
    (line,) = differences(dict(WANTED, value="x" * 1000), WANTED)
    assert line == f"--segment: {'x' * 120}…（1,000文字）（記録済み）→ no_prep"


def test_a_very_long_stored_value_is_cut_with_its_length() -> None:
    stored = dict(WANTED, value="x" * 100_000)
    (line,) = differences(stored, WANTED)
    assert len(line) < 300
    assert "(100,000 characters)" in line


def test_a_hostile_stored_value_reaches_the_terminal_inert(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--yes")
    with sqlite3.connect(sample_copy.root / "state" / "kops.db") as db:
        (text,) = db.execute("SELECT binding FROM mail_runs WHERE run_id = ?", (RUN,)).fetchone()
        binding = dict(json.loads(text), template="[red]x[/red]\x1b[2J")
        db.execute("UPDATE mail_runs SET binding = ? WHERE run_id = ?", (json.dumps(binding), RUN))
    refused = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_LANG": "ja"}, ok=False)
    assert refused.exit_code == 1
    assert "\x1b" not in refused.stderr
    assert "--template: [red]x[/red]␛[2J（記録済み）→" in refused.stderr


def test_a_damaged_binding_in_the_ledger_is_an_error(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--yes")
    with sqlite3.connect(sample_copy.root / "state" / "kops.db") as db:
        db.execute("UPDATE mail_runs SET binding = '{oops' WHERE run_id = ?", (RUN,))
    refused = cli("mail", "send", *SEGMENT, "--yes", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: run 'no_prep.member-2026-11' was planned with")
    assert issubclass(RunConflict, KopsError)


@pytest.mark.parametrize("kind", ["", "Error:"])
def test_an_unknown_stored_kind_is_shown_as_stored(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the kinds kops names are put into words: an empty one is not the catalog's
    header, a stored word that is also a message is not translated."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    (line,) = differences({"kind": kind, "value": "x"}, WANTED)[:1]
    assert line == f"宛先: {kind or '（なし）'}（記録済み）→ --segment"
