"""``kops mail check|login|logout``: signing in to the mail service, in Japanese."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from ..config import Settings
from ..errors import KopsError
from ..mail.check import check
from ..mail.oauth import token_source
from ..mail.transport_choice import transport_for
from .options import WorkspaceOpt, to_test_option
from .shared import err, out, session


def check_command(
    workspace: WorkspaceOpt = None,
    to_test: Annotated[
        str | None, to_test_option(help="Also send one test mail to this address.")
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


def _signer(settings: Settings) -> Any:
    mail = settings.mail
    purpose = "graph" if mail.transport == "graph" else "smtp"
    if purpose == "smtp" and mail.smtp.auth_mode != "xoauth2":
        raise KopsError(
            f"mail.smtp.auth は {mail.smtp.auth_mode} です: サインインは xoauth2 のときだけ使います",
            hint="kops.yaml で mail.smtp.auth: xoauth2 と mail.smtp.oauth.provider を設定してください",
        )
    source = token_source(mail.smtp, purpose)
    if purpose == "smtp" and mail.imap.host and hasattr(source, "also_for"):
        source.also_for("imap")  # `kops mail bounces --imap` reads with the same sign-in
    if not hasattr(source, "login"):
        raise KopsError(
            "mail.smtp.oauth.provider: command では、トークンは token_command が用意します"
            "（kops でのサインインは不要です）",
            hint="kops mail check で、そのトークンで認証できるか確かめられます",
        )
    return source


def login_command(
    workspace: WorkspaceOpt = None,
    client_secret: Annotated[
        bool,
        typer.Option(
            "--client-secret",
            help="Ask for the app's client secret (hidden) and keep it in the OS keyring.",
        ),
    ] = False,
) -> None:
    """Sign in to Microsoft 365 or Google Workspace for sending (in Japanese).

    Microsoft: a code to type at the sign-in page (device code), or app-only with
    the client secret; Google: the browser's consent page. The sign-in is kept in
    the OS keyring or an encrypted file, never in kops.yaml or the workspace.

    Example: kops mail login
    """
    context = session(workspace)
    source = _signer(context.settings)
    secret = typer.prompt("クライアント シークレット", hide_input=True) if client_secret else None
    who = source.login(lambda line: out.print(escape(line), highlight=False), secret=secret)
    err.print(
        f"サインインしました: {escape(who)}（保存先: {escape(source.where)}）。"
        "kops mail check で送信できるか確認できます。",
        highlight=False,
    )


def logout_command(workspace: WorkspaceOpt = None) -> None:
    """Forget the saved sign-in (and the app's client secret kept by kops mail login).

    Example: kops mail logout
    """
    context = session(workspace)
    source = _signer(context.settings)
    removed = source.logout()
    err.print(
        "保存されていたサインインを削除しました。"
        if removed
        else "保存されているサインインはありませんでした。",
        highlight=False,
    )
