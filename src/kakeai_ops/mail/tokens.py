"""What every token source shares: the token error, the check of a token, the SASL string."""

from __future__ import annotations

import base64
from typing import Protocol

from ..errors import KopsError, remember_secret
from ..i18n import _

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
            _("{where}: the access token is empty").format(where=where),
            hint=_(
                "check the command or settings that fetch the token "
                "(sign in again with kops mail login)"
            ),
        )
    if not text.isascii() or any(ch.isspace() or not ch.isprintable() for ch in text):
        # Say what is wrong without showing the text: it may be a secret.
        raise TokenError(
            _(
                "{where}: the access token is not in the right form "
                "(it holds spaces, line breaks or characters outside ASCII)"
            ).format(where=where),
            hint=_("make it print only the token, on one line"),
        )
    remember_secret(text)
    return text
