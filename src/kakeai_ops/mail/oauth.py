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
from ..i18n import _
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
                _("{key}: a quote is not closed").format(key=TOKEN_COMMAND),
                hint=_("put quotes around the whole of a path with spaces, or write a list"),
            ) from None
        if not self.argv:
            raise TokenError(
                _("{key}: no command").format(key=TOKEN_COMMAND),
                hint=_("write in kops.yaml a command that prints the token on one line"),
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
                _("{key}: command '{name}' not found").format(key=TOKEN_COMMAND, name=name),
                hint=_("check the path in {key} in kops.yaml").format(key=TOKEN_COMMAND),
            ) from None
        except PermissionError:
            raise TokenError(
                _("{key}: command '{name}' cannot be run (no permission)").format(
                    key=TOKEN_COMMAND, name=name
                ),
                hint=_("check that it may be executed"),
            ) from None
        except subprocess.TimeoutExpired:
            raise TokenError(
                _("{key}: '{name}' did not finish within {seconds} seconds").format(
                    key=TOKEN_COMMAND, name=name, seconds=f"{self.timeout:g}"
                ),
                hint=_(
                    "check that the command is not waiting for input "
                    "(mail.smtp.oauth.command_timeout sets how long to wait)"
                ),
            ) from None
        if done.too_much:
            raise TokenError(
                _("{key}: '{name}' printed too much (stopped past {kb} KB)").format(
                    key=TOKEN_COMMAND, name=name, kb=MAX_TOKEN_OUTPUT // 1024
                ),
                hint=_(
                    "run the command by hand and check that it prints the token alone on one line"
                ),
            )
        if done.returncode != 0:
            # Its own diagnostics (stderr) help; its output (stdout) may be a secret: not shown.
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1][:200]}" if said else ""
            raise TokenError(
                _("{key}: '{name}' failed (exit code {code}){detail}").format(
                    key=TOKEN_COMMAND, name=name, code=done.returncode, detail=detail
                ),
                hint=_("run the command by hand and check that it prints the token on one line"),
            )
        lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
        return checked_token(lines[0] if lines else "", f"token_command '{name}'")


# An access token is a few kilobytes (a JWT from Entra ID about 2–4 KB); a command
# printing far more is broken, and its output is not held in memory without end.
MAX_TOKEN_OUTPUT = 256 * 1024
TOKEN_COMMAND = "mail.smtp.oauth.token_command"
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
                _("{key} is not set").format(key=TOKEN_COMMAND),
                hint=_("write in kops.yaml a command that prints the token on one line"),
            )
        return CommandToken(oauth.token_command, oauth.command_timeout)
    if not smtp.user:
        raise TokenError(
            _("mail.smtp.user (the sending mailbox) is not set"),
            hint=_("write the sending address as mail.smtp.user in kops.yaml"),
        )
    if oauth.provider == "microsoft":
        if not (oauth.tenant and oauth.client_id):
            raise TokenError(
                _("mail.smtp.oauth.tenant and client_id are not set"),
                hint=_("write the tenant ID and the client ID of the app registered in Entra ID"),
            )
        from .oauth_microsoft import MicrosoftToken

        return MicrosoftToken(smtp, purpose)
    if not oauth.client_id:
        raise TokenError(
            _("mail.smtp.oauth.client_id is not set"),
            hint=_("write the OAuth client ID made in Google Cloud"),
        )
    from .oauth_google import GoogleToken

    return GoogleToken(smtp, purpose)
