"""`kops campaign milestones`: what it says sending the due notices makes, recounted from
the exports and against what `mail send --milestones` then plans."""

from __future__ import annotations

import re

import sample_recount as recount
from conftest import Cli
from kakeai_ops.workspace import Workspace

SAID = re.compile(
    r"送るとメール (\d+)通です（節目を迎えた (\d+)人に一人一通。.*そのうち休職・休業中の (\d+)人、"
    r"メールアドレスのない (\d+)人、配信停止リストの (\d+)人"
)


def test_the_due_notices_say_how_many_mails_they_make(sample_copy: Workspace) -> None:
    """「送付予定 53件」 counts person-role notices; `mail send --milestones` then plans one
    mail a person, none for someone on leave, without an address or on the suppression
    list (by id or by address). The list says the mails too, as the recount has them."""
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
    addresses = dict(zip(recount.ids(raw["ユーザーID"]), raw["メールアドレス"], strict=True))
    on_leave = {p for p in people if status[p] != "在籍"}
    no_email = {p for p in people - on_leave if not str(addresses[p] or "").strip()}
    # Two people put on the list: one by id, one by address.
    by_id, by_address = sorted(people - on_leave - no_email)[:2]
    cli = Cli(sample_copy)
    cli("mail", "suppress", by_id, "--reason", "本人の希望")
    cli("mail", "suppress", str(addresses[by_address]).strip(), "--reason", "本人の希望")
    said = cli("campaign", "milestones", env={"KOPS_LANG": "ja"}).stderr
    found = SAID.search(said)
    assert found, said
    mails = len(people - on_leave - no_email) - 2
    expected = (mails, len(people), len(on_leave), len(no_email), 2)
    assert tuple(map(int, found.groups())) == expected
    planned = cli("mail", "send", "--milestones", "--dry-run")
    assert f"Dry run: wrote {mails} message(s)" in planned.stdout + planned.stderr
