"""A dry run writes what the real run would send now: a resumed run's mails to people
who have left since it was planned are not written, and it says so (it wrote them, and
said the real run would send them, while the real run skipped them)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLE, Cli
from kakeai_ops.workspace import Workspace
from mailing import use_smtp
from smtp_server import SmtpServer

SEGMENT = ("--segment", "no_prep", "--role", "member")
RUN = "no_prep.member-2026-10"


def november_with_one_retired(folder: Path, user_id: str) -> list[Path]:
    """The sample's November exports, with ``user_id`` 退職 (the file's own encoding)."""
    folder.mkdir()
    files = []
    for source in sorted((SAMPLE / "2026-11").iterdir()):
        target = folder / source.name
        data = source.read_bytes()
        if source.name == "users.csv":
            text = data.decode("cp932")
            lines = [
                line.replace(",在籍,", ",退職,") if line.startswith(f"{user_id},") else line
                for line in text.split("\n")
            ]
            assert lines != text.split("\n")
            data = "\n".join(lines).encode("cp932")
        target.write_bytes(data)
        files.append(target)
    return files


def test_a_resumed_run_writes_no_mail_to_someone_who_has_left(
    october_copy: Workspace, tmp_path: Path
) -> None:
    cli = Cli(october_copy)
    cli("mail", "send", *SEGMENT, "--yes")  # the outbox: a rehearsal
    planned = json.loads(cli("mail", "status", RUN, "--format", "json").stdout)
    people = sorted(str(row["user_id"]) for row in planned if row["state"] != "holdout")
    leaver = people[0]
    cli("ingest", *map(str, november_with_one_retired(tmp_path / "november", leaver)))
    late = {"KOPS_NOW": "2026-11-25T10:00:00+09:00"}
    with SmtpServer() as server:
        use_smtp(october_copy, server)
        dry = cli("mail", "send", *SEGMENT, "--id", RUN, "--dry-run", env=late)
        said = " ".join((dry.stdout + dry.stderr).split())
        skipped = (
            "Not written: 1 the real run skips now (left the company by the latest snapshot 1)"
        )
        assert f"{skipped}: {leaver}" in said
        written = list(Path(october_copy.root, "outbox").rglob("*dry-run*/*.eml"))
        assert written and not [p for p in written if leaver in p.read_text(errors="ignore")]
        cli("mail", "send", *SEGMENT, "--id", RUN, "--yes", "--stale-ok", env=late)
        received = list(server.handler.received)
    # The real run sent to as many as the dry run wrote, and not to the one who left.
    assert len(received) == len(written) == len(people) - 1
