"""`kops campaign milestones`: what it says sending the due notices makes, recounted from
the exports."""

from __future__ import annotations

import re

import sample_recount as recount
from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_the_due_notices_say_how_many_mails_they_make(sample_ws: Workspace) -> None:
    """「送付予定 53件」 counts person-role notices; `mail send --milestones` then plans one
    mail a person, none for someone on leave or without an address. The list says the
    mails too, as the recount from the exports has them."""
    before, now = recount.load("2026-10"), recount.load("2026-11")
    old, new = recount.held_counts(before), recount.held_counts(now)
    status = dict(zip(now.users["user_id"], now.users["employment"], strict=True))
    people = {
        person
        for role in ("manager", "member")
        for person, count in new[role].items()
        if person in status
        and any(old[role].get(person, 0) < m <= count for m in recount.MILESTONES)
    }
    raw = recount.read(recount.SAMPLE / "2026-11" / "users.csv")
    emails = dict(
        zip(recount.ids(raw["ユーザーID"]), recount.given(raw["メールアドレス"]), strict=True)
    )
    on_leave = {p for p in people if status[p] != "在籍"}
    no_email = {p for p in people - on_leave if not emails[p]}
    said = Cli(sample_ws)("campaign", "milestones", env={"KOPS_LANG": "ja"}).stderr
    found = re.search(r"送るとメール (\d+)通です（一人一通で (\d+)人。.*休職・休業中の (\d+)人と、"
                      r"メールアドレスのない (\d+)人", said)  # fmt: skip
    assert found, said
    expected = (len(people - on_leave - no_email), len(people), len(on_leave), len(no_email))
    assert tuple(map(int, found.groups())) == expected
