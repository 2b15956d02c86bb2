"""What every token source shares: the token error, the check of a token, the SASL string."""

from __future__ import annotations

import base64
import os
from typing import Protocol

from ..errors import KopsError, remember_secret
from ..i18n import _
from .keyring_store import keyring_get

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


def needs_package(needs: str, package: str) -> TokenError:
    """The refusal when a sign-in library is not installed; ``needs``: the translated sentence
    naming the service, with a ``{package}`` field."""
    return TokenError(
        needs.format(package=package),
        hint=_("install it with {command}").format(command="pip install -e '.[oauth]'"),
    )


def client_secret(name: str, missing: str, hint: str) -> str:
    """An app's client secret, from ``KOPS_OAUTH_CLIENT_SECRET`` or else the OS keyring entry
    ``name``; ``missing`` and ``hint`` (a ``{variable}`` field naming the environment variable)
    are the translated refusal when neither holds one."""
    secret = os.environ.get(CLIENT_SECRET_ENV) or keyring_get(name)
    if not secret:
        raise TokenError(missing, hint=hint.format(variable=CLIENT_SECRET_ENV))
    remember_secret(secret)
    return secret
