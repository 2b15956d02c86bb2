"""Runs recorded when the binding named the audience by its option still resume.

The bindings below are verbatim what the previous format stored (``{"audience":
"--segment", "segment": ...}``); the current one binds the kind and its value.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from conftest import Cli
from kakeai_ops.mail.audience import AudienceSpec
from kakeai_ops.mail.audience_kinds import (
    Awarded,
    Flag,
    Listed,
    Milestones,
    NotDrawn,
    NotEligible,
    Segment,
    Theme,
    UsersFile,
    Winners,
)
from kakeai_ops.mail.binding import (
    RunConflict,
    bound_to,
    check_binding,
    migrated,
    spec_binding,
)
from kakeai_ops.store.ledger import Ledger, LedgerRow
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer
from test_mail_command import RUN, SEGMENT, states, use_smtp

EMPTY = {
    "awarded": None,
    "corrects": [],
    "division": None,
    "flag": None,
    "holdout_pct": 0.0,
    "managers": False,
    "milestones": False,
    "not_drawn": None,
    "not_eligible": None,
    "role": None,
    "segment": None,
    "segments": [],
    "seminar": None,
    "template": None,
    "users_file": None,
    "winners": None,
}
LIST = b"a,b\n1,2\n"  # its first-format hash: 492d5ea496056f1a


def first_format(audience: str, **chosen: object) -> str:
    """A binding as the first format stored it: every field, the option as the audience."""
    return json.dumps({"audience": audience, **EMPTY, **chosen}, ensure_ascii=False)


def cases(users: Path) -> list[tuple[str, AudienceSpec, float]]:
    return [
        (
            first_format("--segment", segment="no_prep", role="member", division="営業部"),
            AudienceSpec(Segment("no_prep"), role="member", division="営業部"),
            0.0,
        ),
        (
            first_format("--flag", flag="lapsed", template="notice_a"),
            AudienceSpec(Flag("lapsed"), template="notice_a"),
            0.0,
        ),
        (
            first_format("--awarded", awarded="c1", holdout_pct=10.0),
            AudienceSpec(Awarded("c1")),
            10.0,
        ),
        (first_format("--winners", winners="c1"), AudienceSpec(Winners("c1")), 0.0),
        (first_format("--not-drawn", not_drawn="c1"), AudienceSpec(NotDrawn("c1")), 0.0),
        (first_format("--not-eligible", not_eligible="c1"), AudienceSpec(NotEligible("c1")), 0.0),
        (
            first_format("--milestones", milestones=True, role="manager"),
            AudienceSpec(Milestones(), role="manager"),
            0.0,
        ),
        (
            first_format("--users", users_file="492d5ea496056f1a", template="notice_a"),
            AudienceSpec(UsersFile(users), template="notice_a"),
            0.0,
        ),
        (
            first_format(
                "theme",
                division="営業部",
                managers=True,
                segments=["no_prep", "lapsed"],
                seminar="month4",
                template="seminar.month4",
            ),
            AudienceSpec(
                Theme(("no_prep", "lapsed"), True),
                division="営業部",
                template="seminar.month4",
                seminar="month4",
            ),
            0.0,
        ),
        (
            first_format(
                "list",
                corrects=[["日時", "a", "b"]],
                seminar="month1",
                template="seminar.correction",
            ),
            AudienceSpec(
                Listed(("U1",)),
                template="seminar.correction",
                seminar="month1",
                corrects=(("日時", "a", "b"),),
            ),
            0.0,
        ),
    ]


def test_every_kind_of_first_format_binding_matches_its_audience(tmp_path: Path) -> None:
    users = tmp_path / "list.csv"
    users.write_bytes(LIST)
    for stored, spec, holdout in cases(users):
        wanted = spec_binding(spec, holdout)
        assert migrated(json.loads(stored)) == json.loads(json.dumps(wanted)), stored
        check_binding("r", stored, wanted)  # resumes: no conflict
        with pytest.raises(RunConflict):  # another choice is still refused
            check_binding("r", stored, spec_binding(spec, holdout + 5))


def test_a_first_format_binding_refuses_another_audience() -> None:
    stored = first_format("--segment", segment="no_prep", role="member")
    with pytest.raises(RunConflict, match=r"--segment: no_prep \(stored\) → lapsed"):
        check_binding("r", stored, spec_binding(AudienceSpec(Segment("lapsed"), role="member"), 0))
    with pytest.raises(RunConflict, match=r"audience: --segment \(stored\) → --flag"):
        check_binding("r", stored, spec_binding(AudienceSpec(Flag("no_prep"), role="member"), 0))


def test_an_advisor_run_of_the_first_format_migrates() -> None:
    stored = {"audience": "advisors", "period": "month:2026-11", "advisors": ["a <a@x.jp>"]}
    assert migrated(stored) == {
        "kind": "advisors",
        "value": "month:2026-11",
        "advisors": ["a <a@x.jp>"],
    }


def _bind(ws: Workspace, run_id: str, text: str) -> None:
    db = sqlite3.connect(ws.db_path)
    with db:
        db.execute("UPDATE mail_runs SET binding = ? WHERE run_id = ?", (text, run_id))
    db.close()


def test_a_half_sent_run_of_the_first_format_resumes_without_sending_twice(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--limit", "2", "--yes")
        # As the previous format recorded this very command.
        _bind(sample_copy, RUN, first_format("--segment", segment="no_prep", role="member"))
        assert states(sample_copy, RUN)["sent"] == 2
        other = cli(
            "mail",
            "send",
            "--segment",
            "lapsed",
            "--role",
            "member",
            "--id",
            RUN,
            "--yes",
            ok=False,
        )
        assert "--segment: no_prep (stored) → lapsed" in other.stderr
        assert len(server.handler.received) == 2
        resumed = cli("mail", "send", *SEGMENT, "--yes")
        assert "Resuming run" in resumed.stderr
        again = cli("mail", "send", *SEGMENT, "--yes")
        received = Counter(r.rcpt_tos[0] for r in server.handler.received)
    planned = sum(states(sample_copy, RUN).values())
    assert states(sample_copy, RUN) == {"sent": planned}
    assert len(received) == planned and set(received.values()) == {1}
    assert "Nothing left to send." in again.stderr


def test_an_outcome_told_by_a_first_format_run_is_not_told_again(
    sample_copy: Workspace,
) -> None:
    ledger = Ledger(sample_copy)
    try:
        for run_id, stored in (
            ("winner-c1-draw1", first_format("--winners", winners="c1")),
            ("winner-c2-draw1", first_format("--winners", winners="c2")),
            ("not_drawn-c1-draw1", first_format("--not-drawn", not_drawn="c1")),
        ):
            user = run_id.split("-")[0] + "-" + run_id.split("-")[1]
            row = LedgerRow(user, user, f"{user}@x.jp", user, "t", "campaign", "sent", "m", {})
            meta = {
                "run_id": run_id,
                "description": {},
                "segment_key": None,
                "snapshot": "0001",
                "as_of": "2026-11-20",
                "holdout_pct": 0.0,
                "planned": 1,
                "binding": stored,
                "plan_hash": "h",
            }
            assert ledger.create_run(meta, [row])
        assert ledger.told(bound_to("winners", "c1")) == {"winner-c1"}
        assert ledger.told(bound_to("not_drawn", "c1")) == {"not_drawn-c1"}
    finally:
        ledger.close()
