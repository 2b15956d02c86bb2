"""What the mail tests share: the sample audience, the run id, and kops.yaml set to a server."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from conftest import Cli
from kakeai_ops.store.ledger import Ledger
from kakeai_ops.workspace import Workspace
from smtp_server import SmtpServer

SEGMENT = ["--segment", "no_prep", "--role", "member"]
RUN = "no_prep.member-2026-11"


def configure(ws: Workspace, **mail: Any) -> None:
    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["mail"].update(mail)
    ws.config_path.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )


def use_smtp(
    ws: Workspace,
    server: SmtpServer,
    user: str | None = None,
    smtp: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    configure(
        ws,
        transport="smtp",
        smtp={
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "user": user,
            "timeout": 5,
            **(smtp or {}),
        },
        rate_per_minute=60000,
        retry_base_seconds=0.01,
        retry_max_seconds=0.05,
        max_retries=3,
        pause_after_failures=6,
        **extra,
    )


def audience(cli: Cli, *args: str) -> list[dict[str, str]]:
    rows = list(
        csv.DictReader(io.StringIO(cli("segment", "--list", "--format", "csv", *args).stdout))
    )
    return rows


def reachable(cli: Cli) -> set[str]:
    rows = audience(cli, "--stuck-point", "no_prep", "--role", "member")
    return {r["email"] for r in rows if r["email"] and r["employment"] in ("在籍",)}


def states(ws: Workspace, run: str = RUN) -> Counter[str]:
    ledger = Ledger(ws)
    try:
        return Counter(row.state for row in ledger.rows(run))
    finally:
        ledger.close()


class PinnedTime:
    """The pinned clock for the sender: sleeping moves it on, and every wait is kept."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def use_imap(ws: Workspace, imap: Any, tmp_path: Path, folder: str) -> None:
    """kops.yaml reading bounces from the IMAP server's folder, signing in as the
    secretariat's mailbox with xoauth2 (a token command handing out ``imap-token``)."""
    from token_broker import broker

    configure(
        ws,
        smtp={
            "host": "127.0.0.1",
            "user": "kakeai-office@example.co.jp",
            "auth": "xoauth2",
            "oauth": {"provider": "command", "token_command": broker(tmp_path, "imap-token")},
        },
        imap={"host": "127.0.0.1", "port": imap.port, "folder": folder, "days": 30},
    )


def plain(message: Any) -> str:
    """The text/plain body of a message as read back (every mail also has an HTML part)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "no text/plain part"
    return str(body.get_content())
