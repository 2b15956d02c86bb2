"""``kops mail check|login|logout``: signing in to the mail service, in Japanese."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..mail.check import check
from ..mail.delivery import transport_for
from .common import WorkspaceOpt, err, out, session


def check_command(
    workspace: WorkspaceOpt = None,
    to_test: Annotated[
        str | None,
        typer.Option("--to-test", help="Also send one test mail to this address."),
    ] = None,
) -> None:
    """Connect to the mail server, start TLS and sign in; sends nothing unless --to-test.

    Says in Japanese what went wrong (expired sign-in, SMTP AUTH disabled for the
    mailbox, wrong tenant) and the next step for the mail administrator.

    Example: kops mail check --to-test me@example.co.jp
    """
    context = session(workspace)
    settings = context.settings
    if settings.mail.transport == "outbox":
        out.print(
            "mail.transport は outbox です: メールは .eml ファイルに書き出すだけで、"
            "確認する接続はありません。",
            highlight=False,
        )
        return
    transport = transport_for(context.workspace, settings, "check")
    result = check(
        context.workspace,
        settings,
        transport,
        to_test,
        lambda line: out.print(escape(line), highlight=False),
    )
    if result.test_sent_to is None:
        err.print(
            "確認できました。メールは送信していません"
            "（--to-test ADDRESS で試験メールを1通送れます）。",
            highlight=False,
        )
