"""OAuth2 access tokens for sending: where they come from, and the SASL XOAUTH2 string.

A token source hands out an access token and, asked for a fresh one, gets a
new one (after a server refused the last one as expired). Tokens are secrets:
they are never written to kops.yaml, the workspace, the ledger or a message;
the errors raised here never carry them.

Providers:

- ``command``: ``mail.smtp.oauth.token_command`` prints a token on its first
  line (as msmtp's ``passwordeval``, mutt's ``*_oauthbearer_refresh_command``
  or a git credential helper); for companies with their own token broker.
- ``microsoft``: MSAL, with its token cache in the OS keyring
  (``mail/oauth_microsoft.py``).
- ``google``: google-auth, with the refresh token in the OS keyring
  (``mail/oauth_google.py``).
"""

from __future__ import annotations

import os
import shlex
import subprocess

from ..config import Smtp
from .tokens import (
    CLIENT_SECRET_ENV,
    TokenError,
    TokenSource,
    checked_token,
    xoauth2_base64,
    xoauth2_string,
)

__all__ = [
    "CLIENT_SECRET_ENV",
    "CommandToken",
    "TokenError",
    "TokenSource",
    "checked_token",
    "token_source",
    "xoauth2_base64",
    "xoauth2_string",
]


class CommandToken:
    """Runs ``token_command`` for a token; keeps it until a fresh one is asked for."""

    provider = "command"

    def __init__(self, command: str | list[str], timeout: float) -> None:
        # A string is split as a shell would; on Windows it goes to the system as it is
        # (CreateProcess parses it, quotes around "C:\\Program Files\\…" included).
        if isinstance(command, str):
            self.argv: str | list[str] = command if os.name == "nt" else shlex.split(command)
            self.name = (shlex.split(command, posix=False) or ["?"])[0].strip('"')
        else:
            self.argv = list(command)
            self.name = self.argv[0] if self.argv else "?"
        self.timeout = timeout
        self._token: str | None = None
        self.runs = 0

    def token(self, fresh: bool = False) -> str:
        if self._token is None or fresh:
            self._token = self._run()
        return self._token

    def _run(self) -> str:
        name = self.name
        self.runs += 1
        try:
            done = subprocess.run(
                self.argv,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise TokenError(
                f"mail.smtp.oauth.token_command: コマンド '{name}' が見つかりません",
                hint="kops.yaml の mail.smtp.oauth.token_command のパスを確認してください",
            ) from None
        except PermissionError:
            raise TokenError(
                f"mail.smtp.oauth.token_command: コマンド '{name}' を実行できません"
                "（権限がありません）",
                hint="実行権限を確認してください",
            ) from None
        except subprocess.TimeoutExpired:
            raise TokenError(
                f"mail.smtp.oauth.token_command: '{name}' が {self.timeout:g} 秒以内に"
                "終わりませんでした",
                hint="コマンドが入力待ちになっていないか確認してください"
                "（mail.smtp.oauth.command_timeout で待ち時間を変えられます）",
            ) from None
        if done.returncode != 0:
            # Its own diagnostics (stderr) help; its output (stdout) may be a secret: not shown.
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1][:200]}" if said else ""
            raise TokenError(
                f"mail.smtp.oauth.token_command: '{name}' が失敗しました"
                f"（終了コード {done.returncode}）{detail}",
                hint="コマンドを手で実行して、トークンが1行で出力されるか確認してください",
            )
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        return checked_token(lines[0] if lines else "", f"token_command '{name}'")


def token_source(smtp: Smtp, purpose: str = "smtp") -> TokenSource:
    """The configured provider's token source (its library is loaded only when used).

    ``purpose`` is what the token is for: ``smtp`` (SMTP AUTH) or ``graph`` (Graph sendMail).
    """
    oauth = smtp.oauth
    if oauth.provider == "command":
        if oauth.token_command is None:
            raise TokenError(
                "mail.smtp.oauth.token_command がありません",
                hint="トークンを1行で出力するコマンドを kops.yaml に書いてください",
            )
        return CommandToken(oauth.token_command, oauth.command_timeout)
    if not smtp.user:
        raise TokenError(
            "mail.smtp.user（送信元メールボックス）がありません",
            hint="kops.yaml の mail.smtp.user に送信元のアドレスを書いてください",
        )
    if oauth.provider == "microsoft":
        if not (oauth.tenant and oauth.client_id):
            raise TokenError(
                "mail.smtp.oauth.tenant と client_id がありません",
                hint="Entra ID に登録したアプリのディレクトリ ID とクライアント ID を書いてください",
            )
        from .oauth_microsoft import MicrosoftToken

        return MicrosoftToken(smtp, purpose)
    if not oauth.client_id:
        raise TokenError(
            "mail.smtp.oauth.client_id がありません",
            hint="Google Cloud で作成した OAuth クライアント ID を書いてください",
        )
    from .oauth_google import GoogleToken

    return GoogleToken(smtp, purpose)
