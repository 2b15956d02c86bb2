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

import base64
import os
import shlex
import subprocess
from typing import Protocol

from ..config import Smtp
from ..errors import KopsError, remember_secret

# The environment variable that may hold a confidential client's secret (app-only sending).
CLIENT_SECRET_ENV = "KOPS_OAUTH_CLIENT_SECRET"


class TokenError(KopsError):
    """No usable access token: the message says why in Japanese and what to do next."""


class TokenSource(Protocol):
    provider: str

    def token(self, fresh: bool = False) -> str:
        """An access token; ``fresh`` asks for a new one (the last was refused or expired)."""
        ...


def xoauth2_string(user: str, token: str) -> str:
    """The SASL XOAUTH2 initial response before base64: ``user=…^Aauth=Bearer …^A^A``."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def xoauth2_base64(user: str, token: str) -> str:
    return base64.b64encode(xoauth2_string(user, token).encode("ascii")).decode("ascii")


def checked_token(token: object, where: str) -> str:
    """A token as SMTP and HTTP can carry it: one line of visible ASCII, not empty."""
    text = token.strip() if isinstance(token, str) else ""
    if not text:
        raise TokenError(
            f"{where}: アクセストークンが空です",
            hint="トークンを取得するコマンドや設定を確認してください"
            "（kops mail login で再ログイン）",
        )
    if not text.isascii() or any(ch.isspace() or not ch.isprintable() for ch in text):
        # Say what is wrong without showing the text: it may be a secret.
        raise TokenError(
            f"{where}: アクセストークンの形式が正しくありません"
            "（空白・改行・ASCII 以外の文字を含んでいます）",
            hint="トークンだけを1行で出力するようにしてください",
        )
    remember_secret(text)
    return text


class CommandToken:
    """Runs ``token_command`` for a token; keeps it until a fresh one is asked for."""

    provider = "command"

    def __init__(self, command: str | list[str], timeout: float) -> None:
        self.argv = (
            shlex.split(command, posix=os.name != "nt")
            if isinstance(command, str)
            else list(command)
        )
        self.timeout = timeout
        self._token: str | None = None
        self.runs = 0

    def token(self, fresh: bool = False) -> str:
        if self._token is None or fresh:
            self._token = self._run()
        return self._token

    def _run(self) -> str:
        name = self.argv[0] if self.argv else "?"
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


def token_source(smtp: Smtp) -> TokenSource:
    """The configured provider's token source (its library is loaded only when used)."""
    oauth = smtp.oauth
    if oauth.provider == "command":
        assert oauth.token_command is not None  # checked when kops.yaml was read
        return CommandToken(oauth.token_command, oauth.command_timeout)
    if oauth.provider == "microsoft":
        from .oauth_microsoft import MicrosoftToken

        return MicrosoftToken(smtp)
    from .oauth_google import GoogleToken

    return GoogleToken(smtp)
