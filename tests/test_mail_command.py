"""kops mail against a real SMTP server on 127.0.0.1, with faults injected."""

from __future__ import annotations

import csv
import email
import email.policy
import errno
import io
import os
import re
import shlex
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import sample_recount
from conftest import SAMPLE, Cli, tree_digest
from kakeai_ops.mail.plan import outbox_folder
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from mailing import RUN, SEGMENT, audience, configure, plain, reachable, states, use_smtp
from smtp_server import SmtpServer


def test_send_delivers_japanese_mail_once_each(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    expected = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        result = cli("mail", "send", *SEGMENT, "--yes")
        assert f"配信 {RUN}：今回 送信済み {len(expected)}件" in result.stderr
        received = server.handler.received
        assert Counter(a for r in received for a in r.rcpt_tos) == Counter({a: 1 for a in expected})
        message = received[0].message
        assert str(message["Subject"]).startswith(
            "【KAKEAI事務局】1on1 の前に「トピック」と「対応」"
        )
        assert message["From"].addresses[0].display_name == "KAKEAI事務局"
        to = message["To"].addresses[0]
        assert to.addr_spec == received[0].rcpt_tos[0] and to.display_name
        assert [part.get_content_charset() for part in message.iter_parts()] == ["utf-8"] * 2
        body = plain(message)
        assert body.startswith(f"{to.display_name} 様")
        ids = [r.message["Message-ID"] for r in received]
        assert len(set(ids)) == len(ids)
        # The same command again sends nothing more.
        again = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_LANG": "en"})
        assert "Nothing left to send" in again.stderr
        assert len(server.handler.received) == len(expected)
        assert server.handler.connections == 1  # one login per run
    assert states(sample_copy) == Counter({"sent": len(expected)})


def test_not_interactive_without_yes_refuses(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)("mail", "send", *SEGMENT, ok=False)
    assert result.exit_code == 1 and "not sending without confirmation" in result.stderr
    assert states(sample_copy) == Counter()


def test_dry_run_writes_eml_and_records_nothing(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    cli = Cli(sample_copy)
    expected = reachable(cli)
    result = cli("mail", "send", *SEGMENT, "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    files = sorted(folder.glob("*.eml"))
    assert len(files) == len(expected)
    from email import message_from_bytes, policy

    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec in expected
    assert "送信も記録もしていません" in result.stderr
    assert states(sample_copy) == Counter()


def test_a_second_dry_run_leaves_its_own_mails_only(sample_copy: Workspace) -> None:
    """The same run dry-run again with a holdout: the folder held the first run's mails too
    (27 files after 「22通を書き出しました」). It holds the second's only, each to someone
    the second plan mails, and nothing is left beside it."""
    cli = Cli(sample_copy)
    everyone = reachable(cli)
    cli("mail", "send", *SEGMENT, "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    assert len(list(folder.glob("*.eml"))) == len(everyone)
    again = cli("mail", "send", *SEGMENT, "--holdout", "30", "--dry-run")
    said = re.search(r"wrote ([\d,]+) message", again.stderr)
    assert said, again.stderr
    files = sorted(folder.glob("*.eml"))
    assert len(files) == int(said[1].replace(",", "")) < len(everyone)
    from email import message_from_bytes, policy

    to = {
        message_from_bytes(f.read_bytes(), policy=policy.default)["To"].addresses[0].addr_spec
        for f in files
    }
    assert len(to) == len(files) and to < everyone
    assert sorted(p.name for p in sample_copy.outbox_dir.iterdir()) == [folder.name]


@pytest.mark.parametrize("refused", ["setting the old aside", "putting the new in place"])
def test_a_dry_run_folder_that_cannot_be_replaced_is_left_as_it_was(
    sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """A file of the old dry run open in Outlook, or the folder open in Explorer: Windows
    refuses to move or delete it. Deleting the old files one by one first left the folder
    half emptied (16 of 21 gone, no new mail). Now the old folder is untouched, the error
    says so and what to do, and nothing of the new dry run is left beside it. A folder a
    killed run left is cleared by the next one. (Windows' refusal is injected: Linux does
    not lock open files.)"""
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    before = tree_digest(folder)
    killed = sample_copy.outbox_dir / f".{folder.name}.abc123"
    killed.mkdir()
    (killed / "half.eml").write_bytes(b"partial")
    real_rename = Path.rename
    calls = {"n": 0}

    def rename(self: Path, target: Any) -> Path:
        if self.is_dir():  # the folders' renames, not each mail's atomic write
            calls["n"] += 1
            if calls["n"] == (1 if refused == "setting the old aside" else 2):
                raise OSError(errno.EBUSY, "Device or resource busy")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    failed = cli("mail", "send", *SEGMENT, "--holdout", "30", "--dry-run", ok=False)
    monkeypatch.undo()
    assert failed.exit_code != 0
    assert "could not be replaced" in failed.stderr and "the old one is as it was" in failed.stderr
    assert "close any window or program" in failed.stderr
    assert tree_digest(folder) == before  # every old mail, as it was
    assert sorted(p.name for p in sample_copy.outbox_dir.iterdir()) == [folder.name]


def test_to_test_sends_everything_to_the_tester_apart_from_the_ledger(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        sent = cli(
            "mail", "send", *SEGMENT, "--to-test", "tester@example.jp", "--limit", "3", "--yes"
        )
        assert len(server.handler.received) == 3
        # Of the run's mails (「3通のうち 3通」 hid the rest of the audience).
        assert f"Test: 3 of {len(reachable(cli))} message(s) sent to tester@example.jp" in (
            sent.stderr
        )
        assert {a for r in server.handler.received for a in r.rcpt_tos} == {"tester@example.jp"}
        assert str(server.handler.received[0].message["Subject"]).startswith(
            "[TEST] 【KAKEAI事務局】"
        )
    assert states(sample_copy) == Counter()
    ledger = Ledger(sample_copy)
    try:
        assert len(ledger.test_log(RUN)) == 3
    finally:
        ledger.close()


def test_a_test_send_through_the_outbox_says_it_wrote_files(sample_copy: Workspace) -> None:
    """With mail.transport outbox (the default) a test send writes .eml files and reaches
    nobody: it says so and where, not 「送りました」."""
    cli = Cli(sample_copy)
    args = ("mail", "send", *SEGMENT, "--to-test", "tester@example.jp", "--limit", "3", "--yes")
    said = cli(*args, env={"KOPS_LANG": "ja"}).stderr
    folder = outbox_folder(sample_copy, RUN, "-test")
    assert len(list(folder.glob("*.eml"))) == 3
    assert f"3通を {folder} に書き出しました（リハーサルで、だれにも届いていません）" in said
    assert "送りました" not in said
    assert states(sample_copy) == Counter()


def test_limit_and_holdout(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--holdout", "30", "--limit", "2", "--yes")
        assert len(server.handler.received) == 2
        counts = states(sample_copy)
        assert counts["holdout"] > 0 and counts["sent"] == 2
        cli("mail", "send", *SEGMENT, "--holdout", "30", "--yes")  # same options: resumes
        final = states(sample_copy)
        assert final["sent"] + final["holdout"] == sum(final.values())
        held = {row.email for row in Ledger(sample_copy).rows(RUN, ["holdout"])}
        assert not held & {a for r in server.handler.received for a in r.rcpt_tos}


def test_preview_shows_the_message_as_sent(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    rows = audience(cli, "--stuck-point", "no_recurrence")
    target = next(r for r in rows if r["email"])
    text = cli("mail", "preview", "--segment", "no_recurrence", "--user", target["user_id"]).stdout
    assert f"To: {target['name']} <{target['email']}>" in text
    # By address too, as `--users` files name people.
    by_address = cli("mail", "preview", "--segment", "no_recurrence", "--user", target["email"])
    assert f"To: {target['name']} <{target['email']}>" in by_address.stdout
    assert "From: KAKEAI事務局 <kakeai-office@example.co.jp>" in text
    assert "Subject: 【KAKEAI事務局】1on1 の「繰り返し設定」" in text
    assert f"{target['name']} 様" in text and "繰り返し設定" in text


def test_preview_of_someone_at_another_stuck_point_says_where_to_look(
    sample_copy: Workspace,
) -> None:
    """`kops mail preview --segment lapsed --user 000123` for someone not 1on1休眠 now: the
    refusal points to where their stuck point is shown, which the docs promise."""
    cli = Cli(sample_copy)
    other = next(r for r in audience(cli, "--stuck-point", "no_rating") if r["email"])
    refused = cli("mail", "preview", "--segment", "lapsed", "--user", other["user_id"], ok=False)
    assert f"user '{other['user_id']}' is not in this audience" in refused.stderr
    assert f"kops segment --explain {other['user_id']}" in refused.stderr
    shown = cli("segment", "--explain", other["user_id"], env={"KOPS_LANG": "ja"}).stdout
    assert "スッキリ度未入力" in shown


def test_preview_of_someone_who_left_or_never_was_says_so_not_where_to_look(
    sample_copy: Workspace,
) -> None:
    """The hint sent someone who has left (and an unknown id) to `segment --explain`,
    which refuses both. Someone chosen by milestones got a stuck-point hint too."""
    users = sample_recount.read(SAMPLE / "2026-11" / "users.csv")
    retired = str(users.loc[users["在籍状況"] == "退職", "ユーザーID"].iloc[0]).zfill(6)
    cli = Cli(sample_copy)
    gone = cli("mail", "preview", "--segment", "no_prep", "--user", retired, ok=False)
    assert f"user '{retired}' has left the company (退職)" in gone.stderr
    assert "segment --explain" not in gone.stderr
    unknown = cli("mail", "preview", "--segment", "no_prep", "--user", "999999", ok=False)
    assert "no user '999999' in this snapshot" in unknown.stderr
    assert "segment --explain" not in unknown.stderr
    due = csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout))
    due_ids = {row["user_id"] for row in due}
    here = next(
        r
        for r in audience(cli, "--stuck-point", "no_rating")
        if r["email"] and r["user_id"] not in due_ids
    )
    milestones = cli("mail", "preview", "--milestones", "--user", here["user_id"], ok=False)
    assert "is not in this audience" in milestones.stderr
    assert "segment --explain" not in milestones.stderr
    assert "`kops mail plan` with the same options" in milestones.stderr


def test_milestones_and_awards_are_delivered_once(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    due = list(csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout)))
    cli("mail", "send", "--milestones", "--yes")
    # The outbox is a rehearsal: nothing counts as delivered yet.
    rehearsed = list(
        csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout))
    )
    assert rehearsed == due
    outbox = outbox_folder(sample_copy, "milestones-2026-11")
    written = len(list(outbox.glob("*.eml")))
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", "--milestones", "--yes")
        assert len(server.handler.received) == written
    again = list(
        csv.DictReader(io.StringIO(cli("campaign", "milestones", "--format", "csv").stdout))
    )
    delivered = {(r["user_id"], r["role"]) for r in due} - {
        (r["user_id"], r["role"]) for r in again
    }
    assert delivered and len(again) < len(due)
    assert written == len(delivered)
    configure(sample_copy, transport="outbox")
    cli("campaign", "award", "exec-1on1-2026h2")
    result = cli("mail", "send", "--awarded", "exec-1on1-2026h2", "--yes")
    assert "campaign.awarded" in result.stderr
    files = list(outbox_folder(sample_copy, "campaign.awarded-exec-1on1-2026h2").glob("*.eml"))
    assert files
    from email import message_from_bytes, policy

    body = plain(message_from_bytes(files[0].read_bytes(), policy=policy.default))
    assert "経営層との1on1権" in body and "2026年" in body


def test_report_compares_mailed_and_holdout(
    tmp_path: Path, sample_copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mail on the October snapshot, then measure on November's."""
    monkeypatch.setenv("KOPS_LANG", "ja")  # the screen in Japanese
    import shutil

    from kakeai_ops.store import list_snapshots

    cli = Cli(sample_copy)
    # Rebuild a workspace whose latest snapshot is October's.
    october = tmp_path / "oct"
    shutil.copytree(sample_copy.root, october)
    shutil.rmtree(list_snapshots(Workspace(october))[-1].path)
    octo = Cli(Workspace(october))
    run = "no_rating-october"
    with SmtpServer() as server:
        use_smtp(Workspace(october), server)
        octo(
            "mail",
            "send",
            *("--segment", "no_rating", "--holdout", "30", "--id", run, "--yes"),
            env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"},  # sent before November's data
        )
    from conftest import SAMPLE

    octo("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    rows = list(csv.DictReader(io.StringIO(octo("mail", "report", run, "--format", "csv").stdout)))
    groups = {r["group"]: r for r in rows}
    assert set(groups) == {"mailed", "holdout"}
    assert int(groups["mailed"]["users"]) > 0 and int(groups["holdout"]["users"]) > 0
    assert 0 <= float(groups["mailed"]["share_left"]) <= 1
    assert round(float(groups["mailed"]["share_left"]), 2) == float(groups["mailed"]["share_left"])
    text = octo("mail", "report", run).stdout
    assert "差（送付−比較群）" in text
    # A holdout smaller than min_group: its outcome is hidden, and so is the
    # difference that would give it back.

    small = int(groups["holdout"]["in_snapshot"]) + 1
    assert small <= int(groups["mailed"]["in_snapshot"])
    config = Workspace(october).config_path
    data = yaml.load(config.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data.setdefault("privacy", {})["min_group"] = small
    config.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    rows = list(csv.DictReader(io.StringIO(octo("mail", "report", run, "--format", "csv").stdout)))
    hidden = {r["group"]: r for r in rows}["holdout"]
    assert hidden["share_left"] == hidden["left_stuck_point"] == f"<{small}"
    assert {r["group"]: r for r in rows}["mailed"]["share_left"] != f"<{small}"
    text = octo("mail", "report", run).stdout
    assert "差（送付−比較群）" not in text and "表示していません" in text
    del cli


def test_unknown_run_and_bad_audience(sample_ws: Workspace) -> None:
    cli = Cli(sample_ws)
    assert "no mail run 'nope'" in cli("mail", "status", "nope", ok=False).stderr
    both = cli("mail", "send", "--segment", "no_prep", "--milestones", "--dry-run", ok=False)
    assert "exactly one of" in both.stderr
    none = cli("mail", "send", "--dry-run", ok=False)
    assert "exactly one of" in none.stderr
    wrong = cli("mail", "send", "--segment", "lazy", "--dry-run", ok=False)
    assert "unknown stuck point 'lazy'" in wrong.stderr


@pytest.mark.parametrize(
    "content", ["user_id\n000120\n000999\n", "メールアドレス\nnobody@example.jp\n"]
)
def test_users_file_errors_name_the_row(sample_ws: Workspace, tmp_path: Path, content: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(content, encoding="utf-8")
    result = Cli(sample_ws)(
        "mail", "send", "--users", str(path), "--template", "no_pair", "--dry-run", ok=False
    )
    assert (
        "list.csv:3: user_id: is not in users ('000999')" in result.stderr
        or "list.csv:2: メールアドレス: no user has this email" in result.stderr
    )


def test_plan_records_nothing(sample_copy: Workspace) -> None:
    result = Cli(sample_copy)("mail", "plan", *SEGMENT, "--holdout", "10")
    assert (
        f"Run {RUN}" in result.stderr
        and "To send:" in result.stderr
        and "Nothing was recorded" in result.stderr
    )
    assert states(sample_copy) == Counter()


def test_one_sender_per_run(sample_copy: Workspace) -> None:
    from kakeai_ops.store.lock import workspace_lock

    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--limit", "1", "--yes")
    with workspace_lock(sample_copy, "kops mail send"):
        blocked = cli("mail", "send", *SEGMENT, "--yes", env={"KOPS_LOCK_TIMEOUT": "0"}, ok=False)
    assert blocked.exit_code == 1
    assert (
        f"another kops command is writing to this workspace (pid {os.getpid()}, "
        "command kops mail send, since " in blocked.stderr
    )
    assert states(sample_copy)["written"] == 1  # nothing more was written while it was held
    cli("mail", "send", *SEGMENT, "--yes")  # free again


def test_ids_are_taken_as_typed_in_preview_and_suppression(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    target = next(r for r in audience(cli, "--stuck-point", "no_recurrence") if r["email"])
    wide = (
        " "
        + target["user_id"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        + "　"
    )
    text = cli("mail", "preview", "--segment", "no_recurrence", "--user", wide).stdout
    assert f"To: {target['name']} <{target['email']}>" in text
    cli("mail", "suppress", wide, "--reason", "本人の希望")
    listed = cli("mail", "suppressed", "--format", "csv").stdout
    # The person is suppressed by id and by their address (the list follows them).
    rows = list(csv.DictReader(io.StringIO(listed)))
    assert {r["key"] for r in rows} == {target["user_id"], target["email"].lower()}
    assert {r["user_id"] for r in rows} == {target["user_id"]}
    cli("mail", "unsuppress", wide)
    assert target["user_id"] not in cli("mail", "suppressed", "--format", "csv").stdout


def _dry_run_recipients(cli: Cli, ws: Workspace) -> set[str]:
    """The addresses a dry run of the no_recurrence mail writes a message to."""
    for folder in ws.outbox_dir.glob("*-dry-run"):
        shutil.rmtree(folder)
    cli("mail", "send", "--segment", "no_recurrence", "--dry-run")
    found = set()
    for path in ws.outbox_dir.rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.add(str(message["To"].addresses[0].addr_spec).lower())
    return found


def test_an_id_typed_without_its_leading_zeros_suppresses_that_person(
    sample_copy: Workspace,
) -> None:
    """`kops mail suppress 127` is 000127's wish: the list holds 000127 and their address
    (not a key '127' that matches no one), the next send leaves them out, and
    `unsuppress 127` takes them off again; each time the operator is told."""
    cli = Cli(sample_copy)
    before = _dry_run_recipients(cli, sample_copy)
    target = next(
        r for r in audience(cli, "--stuck-point", "no_recurrence") if r["email"].lower() in before
    )
    short = target["user_id"].lstrip("0")
    assert short != target["user_id"]  # the sample's ids have leading zeros
    said = cli("mail", "suppress", short, "--reason", "本人の希望").stderr
    assert f"'{short}' is taken as {target['user_id']}" in said
    rows = list(csv.DictReader(io.StringIO(cli("mail", "suppressed", "--format", "csv").stdout)))
    assert {r["key"] for r in rows} == {target["user_id"], target["email"].lower()}
    assert _dry_run_recipients(cli, sample_copy) == before - {target["email"].lower()}
    said = cli("mail", "unsuppress", short).stderr
    assert f"'{short}' is taken as {target['user_id']}" in said
    assert cli("mail", "suppressed", "--format", "csv").stdout.count("\n") == 1  # header only


def test_preview_of_an_id_without_its_leading_zeros_names_the_one_meant(
    sample_copy: Workspace,
) -> None:
    cli = Cli(sample_copy)
    target = next(r for r in audience(cli, "--stuck-point", "no_recurrence") if r["email"])
    short = target["user_id"].lstrip("0")
    refused = cli("mail", "preview", "--segment", "no_recurrence", "--user", short, ok=False)
    assert refused.exit_code == 1
    assert f"did you mean {target['user_id']}?" in refused.stderr
    # Someone of another audience too: the hint named only this audience's people, and the
    # reader was left with 「no user '120'」 for a person who is there as 000120.
    other = cli("mail", "preview", "--segment", "lapsed", "--user", short, ok=False)
    assert f"no user '{short}' in this snapshot" in other.stderr
    assert f"did you mean {target['user_id']}?" in other.stderr


def test_a_workspace_without_its_templates_says_the_shipped_ones_are_used(
    october_copy: Workspace,
) -> None:
    """templates/ deleted: the list was titled with the missing folder, as if the
    secretariat's own wording were there."""
    shutil.rmtree(october_copy.templates_dir)
    result = Cli(october_copy)("mail", "templates")
    said = result.stderr.replace("\n", " ")
    assert f"{october_copy.mail_templates_dir} is missing: the templates shipped" in said, said
    assert "no_pair" in result.stdout


def test_people_a_role_filter_leaves_out_are_counted_on_the_plan(
    sample_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--segment no_prep --role member` sends to 部下 alone: those of the stuck point who
    are also 上司 (両方) are not chosen, and the plan says how many, by role, instead of
    leaving them out without a word. Recounted from the sample's exports."""
    import sample_recount

    points = sample_recount.stuck_points(sample_recount.load())
    no_prep = points[points["stuck_point"] == "no_prep"]
    left = no_prep[no_prep["role"] != "member"]["role"].value_counts()
    assert len(left) and set(left.index) == {"both"}  # the sample's November
    monkeypatch.setenv("KOPS_LANG", "ja")
    said = Cli(sample_ws)("mail", "plan", "--segment", "no_prep", "--role", "member").stderr
    assert (
        f"送る人: {int((no_prep['role'] == 'member').sum())}人" in said
        and f"絞り込み（--role・--division）で選ばなかった人: {int(left.sum())}人"
        f"（両方 {int(left['both'])}人）"
        in said
    )
    everyone = Cli(sample_ws)("mail", "plan", "--segment", "no_prep").stderr
    assert "絞り込み" not in everyone  # nothing narrowed, nothing said


def test_a_dry_run_with_a_limit_says_it_and_its_send_command_keeps_it(
    sample_copy: Workspace,
) -> None:
    """`--dry-run --limit 3` printed 「送るには: kops mail send … --yes」 without the limit:
    copied, it sent all 21. The command keeps --limit, and the dry run says how many the
    real run sends now of the mails it wrote."""
    cli = Cli(sample_copy)
    result = cli("mail", "send", *SEGMENT, "--limit", "3", "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    written = len(list(folder.glob("*.eml")))
    assert written == len(reachable(cli)) > 3
    assert "--limit 3: the real run sends 3 of them now" in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "kops mail send" in x]
    assert "--limit 3" in line and line.rstrip().endswith("--yes")


def test_a_dry_run_of_a_run_under_way_writes_what_it_would_still_send(
    sample_copy: Workspace,
) -> None:
    """After a real run had sent 5, a dry run with the same options wrote every mail again
    and said 「送る人: 15人」 where the run would go on with 10. It writes the 10, to no one
    already mailed, and says that many."""
    cli = Cli(sample_copy)
    everyone = reachable(cli)
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--limit", "5", "--yes")
        sent = {a for r in server.handler.received for a in r.rcpt_tos}
        assert len(sent) == 5
        result = cli("mail", "send", *SEGMENT, "--dry-run")
    folder = outbox_folder(sample_copy, RUN, "-dry-run")
    assert _addressed(folder) == everyone - sent
    assert f"the {len(everyone) - 5:,} written here" in result.stderr


def test_nobody_to_send_to_is_said_and_no_command_or_folder_offered(
    sample_copy: Workspace,
) -> None:
    """A plan that chose nobody printed 「送るには…」, and a dry run of a run with nothing left
    wrote an empty folder and a command that sends nothing. Both now say there is nothing
    to send, and write nothing."""
    cli = Cli(sample_copy)
    # Nobody not yet logged in is a 部下 in a pair: --role member chooses no one.
    plan = cli("mail", "plan", "--segment", "not_activated", "--role", "member")
    assert "there is nobody to send to" in plan.stderr and "To send: run" not in plan.stderr
    with SmtpServer() as server:
        use_smtp(sample_copy, server)
        cli("mail", "send", *SEGMENT, "--yes")
        assert len(server.handler.received) == len(reachable(cli))
        dry = cli("mail", "send", *SEGMENT, "--dry-run")
    assert "already planned with the same choices and has nothing left to send" in dry.stderr
    assert "kops mail send" not in dry.stderr
    assert not outbox_folder(sample_copy, RUN, "-dry-run").exists()


def test_a_dry_run_of_last_months_run_writes_the_mails_its_resume_sends(
    october_copy: Workspace,
) -> None:
    """Last month's run rehearsed through the outbox, resumed by id after a new snapshot:
    the dry run wrote today's plan (5 other people) while `--yes` sent the 13 planned then.
    It now writes the stored plan's pending mails, the ones the real run sends, and says
    from which day and snapshot they were planned."""
    cli = Cli(october_copy)
    cli("mail", "send", *SEGMENT, "--yes")  # the outbox: written, not delivered
    october_run = "no_prep.member-2026-10"
    planned = {
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]
        .addresses[0]
        .addr_spec
        for p in outbox_folder(october_copy, october_run).glob("*.eml")
    }
    assert planned
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    with SmtpServer() as server:
        use_smtp(october_copy, server)
        dry = cli("mail", "send", *SEGMENT, "--id", october_run, "--dry-run")
        folder = outbox_folder(october_copy, october_run, "-dry-run")
        written = _addressed(folder)
        assert written == planned
        assert "from snapshot 0001" in dry.stderr
        # Today's audience is not shown as the plan (it leaves out people the stored plan
        # mails): no 「送る人」 of November's data above the files.
        assert "  To send: " not in dry.stderr and "Left out" not in dry.stderr
        # `mail status` names the command that goes on with it (「the same command」 plans
        # November's run now): run as printed, it sends what the dry run wrote.
        status = cli("mail", "status", october_run).stdout
        (line,) = [x for x in status.splitlines() if x.startswith("To go on with this run: ")]
        words = shlex.split(line.removeprefix("To go on with this run: "))
        assert words[:3] == ["kops", "mail", "send"] and "--id" in words
        resumed = cli(*words[1:])
        sent = {a for r in server.handler.received for a in r.rcpt_tos}
    assert sent == written
    # Each person once: 「書き出し 13、未送信 13」 read as 26 of 13.
    n = len(written)
    assert f"to send now {n}, held for a later day 0" in resumed.stderr
    assert f"of those to send now, {n} were written to the outbox before" in resumed.stderr


@pytest.mark.parametrize("command", ["preview", "plan", "send"])
def test_no_audience_is_answered_with_an_example_of_the_same_command(
    sample_copy: Workspace, command: str
) -> None:
    """`mail preview` without an audience suggested 「例: kops mail send …」: followed, it
    started a real send."""
    result = Cli(sample_copy)("mail", command, ok=False)
    assert result.exit_code == 1
    assert f"mail {command} --segment no_prep --role member" in result.stderr
    others = {"preview", "plan", "send"} - {command}
    assert not any(f"mail {other} --segment" in result.stderr for other in others)


def test_a_dry_run_meets_the_run_ids_refusal_before_the_holdouts(sample_copy: Workspace) -> None:
    """A dry run with --holdout 10 of a run planned without one said the holdout was too
    small (add --holdout-anyway); with it, the run id's binding refused. The refusal that
    stands comes first."""
    cli = Cli(sample_copy)
    cli("mail", "send", *SEGMENT, "--yes")
    small = cli("mail", "send", *SEGMENT, "--holdout", "10", "--dry-run", ok=False)
    assert "planned with other choices" in small.stderr
    assert "--holdout-anyway" not in small.stderr


def _addressed(folder: Path) -> set[str]:
    """The address each .eml file in ``folder`` is written to."""
    return {
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]
        .addresses[0]
        .addr_spec
        for p in folder.glob("*.eml")
    }


def test_a_seminar_invitation_is_not_sent_after_the_seminar_by_mail_send(
    seminar_copy: Workspace,
) -> None:
    """`seminar invite month1` refuses after the seminar; `mail send -t seminar.month1
    --seminar month1 --id past-sem` sent one a month after it. The rule is the seminar's."""
    cli = Cli(seminar_copy)
    args = ["mail", "send", "--segment", "no_pair", "--seminar", "month1"]
    args += ["--template", "seminar.month1", "--id", "past-sem"]
    late = cli(*args, "--yes", env={"KOPS_NOW": "2026-11-25T10:00:00+09:00"}, ok=False)
    assert late.exit_code != 0 and "after it is not sent" in late.stderr
    assert "past-sem" not in cli("mail", "status", "--format", "json").stdout
    # Before the seminar the same mail is planned (a dry run here).
    cli(*args, "--dry-run", env={"KOPS_NOW": "2026-10-27T10:00:00+09:00"})
