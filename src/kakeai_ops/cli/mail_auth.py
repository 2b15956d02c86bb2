"""``kops mail check|login|logout``: signing in to the mail service, in Japanese."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from ..config import Settings
from ..errors import KopsError
from ..i18n import _
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

    Says what went wrong (expired sign-in, SMTP AUTH disabled for the
    mailbox, wrong tenant) and the next step for the mail administrator.

    Example: kops mail check --to-test me@example.co.jp
    """
    context = session(workspace)
    settings = context.settings
    if settings.mail.transport == "outbox":
        out.print(
            _(
                "mail.transport is outbox: mail is only written as .eml files, there is no "
                "connection to check."
            ),
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
            _("Checked. No mail was sent (--to-test ADDRESS sends one test mail)."),
            highlight=False,
        )


def _signer(settings: Settings) -> Any:
    mail = settings.mail
    purpose = "graph" if mail.transport == "graph" else "smtp"
    if purpose == "smtp" and mail.smtp.auth_mode != "xoauth2":
        raise KopsError(
            _("mail.smtp.auth is {auth}: signing in is only for xoauth2").format(
                auth=mail.smtp.auth_mode
            ),
            hint=_("set mail.smtp.auth: xoauth2 and mail.smtp.oauth.provider in kops.yaml"),
        )
    source = token_source(mail.smtp, purpose)
    if purpose == "smtp" and mail.imap.host and hasattr(source, "also_for"):
        source.also_for("imap")  # `kops mail bounces --imap` reads with the same sign-in
    if not hasattr(source, "login"):
        raise KopsError(
            _(
                "with mail.smtp.oauth.provider: command, token_command provides the token "
                "(kops does not sign in)"
            ),
            hint=_("kops mail check tells whether that token signs in"),
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
    """Sign in to Microsoft 365 or Google Workspace for sending.

    Microsoft: a code to type at the sign-in page (device code), or app-only with
    the client secret; Google: the browser's consent page. The sign-in is kept in
    the OS keyring or an encrypted file, never in kops.yaml or the workspace.

    Example: kops mail login
    """
    context = session(workspace)
    source = _signer(context.settings)
    secret = typer.prompt(_("Client secret"), hide_input=True) if client_secret else None
    who = source.login(lambda line: out.print(escape(line), highlight=False), secret=secret)
    said = _(
        "Signed in: {who} (kept in: {where}). kops mail check tells whether mail can be sent."
    ).format(who=who, where=source.where)
    err.print(escape(said), highlight=False)


def logout_command(workspace: WorkspaceOpt = None) -> None:
    """Forget the saved sign-in (and the app's client secret kept by kops mail login).

    Example: kops mail logout
    """
    context = session(workspace)
    source = _signer(context.settings)
    removed = source.logout()
    err.print(
        _("Removed the saved sign-in.") if removed else _("There was no saved sign-in."),
        highlight=False,
    )
