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
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import IO

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
        try:
            if isinstance(command, str):
                self.argv: str | list[str] = command if os.name == "nt" else shlex.split(command)
                self.name = (shlex.split(command, posix=False) or ["?"])[0].strip('"')
            else:
                self.argv = list(command)
                self.name = self.argv[0] if self.argv else "?"
        except ValueError:  # a quote never closed (kops.yaml refuses it too)
            raise TokenError(
                "mail.smtp.oauth.token_command: 閉じていない引用符があります",
                hint="空白を含むパスは引用符で全体を囲むか、リストで書いてください",
            ) from None
        if not self.argv:
            raise TokenError(
                "mail.smtp.oauth.token_command: コマンドがありません",
                hint="トークンを1行で出力するコマンドを kops.yaml に書いてください",
            )
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
            done = _run_bounded(self.argv, self.timeout)
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
        if done.too_much:
            raise TokenError(
                f"mail.smtp.oauth.token_command: '{name}' の出力が大きすぎます"
                f"（{MAX_TOKEN_OUTPUT // 1024} KB を超えたので止めました）",
                hint="コマンドを手で実行して、トークンだけが1行で出力されるか確認してください",
            )
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


# An access token is a few kilobytes (a JWT from Entra ID about 2–4 KB); a command
# printing far more is broken, and its output is not held in memory without end.
MAX_TOKEN_OUTPUT = 256 * 1024
# Of its diagnostics only the last line is shown: keep the end, bounded.
_STDERR_TAIL = 64 * 1024


@dataclass(frozen=True)
class _Ran:
    returncode: int
    stdout: bytes
    stderr: bytes
    too_much: bool


def _run_bounded(argv: str | list[str], timeout: float) -> _Ran:
    """Run the token command, reading at most MAX_TOKEN_OUTPUT of its output; a command
    that prints more is stopped at once. Raises subprocess.TimeoutExpired like run()."""
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    kept = bytearray()
    tail: deque[bytes] = deque()
    over = threading.Event()

    def read_stdout(stream: IO[bytes]) -> None:
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            if len(kept) + len(chunk) > MAX_TOKEN_OUTPUT:
                over.set()
                process.kill()
                return
            kept.extend(chunk)

    def read_stderr(stream: IO[bytes]) -> None:
        size = 0
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            tail.append(chunk)
            size += len(chunk)
            while size - len(tail[0]) >= _STDERR_TAIL:
                size -= len(tail.popleft())

    readers = [
        threading.Thread(target=read_stdout, args=(process.stdout,), daemon=True),
        threading.Thread(target=read_stderr, args=(process.stderr,), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        returncode = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        # A child of the command may keep the pipes open: wait briefly, never forever
        # (a pipe still being read is left to its daemon reader: closing it would block).
        deadline = time.monotonic() + 2
        for reader, stream in zip(readers, (process.stdout, process.stderr), strict=True):
            reader.join(max(0.0, deadline - time.monotonic()))
            if not reader.is_alive():
                stream.close()
    return _Ran(returncode, bytes(kept), b"".join(tail), over.is_set())


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
