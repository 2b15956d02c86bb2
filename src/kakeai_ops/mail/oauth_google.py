"""Google Workspace access tokens with google-auth and google-auth-oauthlib.

``kops mail login`` runs the installed-app flow (the browser opens Google's
consent page; the answer comes back to a one-off local web server); the
refresh token is kept in the OS keyring (``token_store``), and each run gets
a fresh access token with it. The client secret of an installed app comes
from ``KOPS_OAUTH_CLIENT_SECRET`` or the keyring, never kops.yaml.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from ..config import Smtp
from ..errors import remember_secret
from ..i18n import _
from . import diagnosis
from .keyring_store import keyring_delete, keyring_set
from .token_store import TokenStore, token_store
from .tokens import TokenError, checked_token, client_secret, needs_package

# Full mail access is the only scope Gmail's SMTP accepts; the other two name the account.
SCOPES = ["https://mail.google.com/", "openid", "https://www.googleapis.com/auth/userinfo.email"]


class GoogleToken:
    provider = "google"

    def __init__(self, smtp: Smtp, purpose: str = "smtp") -> None:
        oauth = smtp.oauth
        assert oauth.client_id and smtp.user
        self.user = smtp.user
        self.client_id = oauth.client_id
        self.token_uri = oauth.token_uri
        self.auth_uri = oauth.auth_uri
        self.store: TokenStore = token_store(f"google:{self.client_id}:{self.user}")
        self.secret_name = f"google-client-secret:{self.client_id}"
        self._token: str | None = None

    def _client_secret(self) -> str:
        return client_secret(
            self.secret_name,
            _("no Google client secret"),
            _("set {variable}, or store it with kops mail login --client-secret"),
        )

    def token(self, fresh: bool = False) -> str:
        if self._token is not None and not fresh:
            return self._token
        refresh_token = self.store.load()
        if not refresh_token:
            raise TokenError(
                _("not signed in as {user}").format(user=self.user),
                hint=_("sign in with kops mail login"),
            )
        remember_secret(refresh_token)
        try:
            from google.auth.exceptions import RefreshError, TransportError
            from google.auth.transport.requests import Request
            from google.oauth2.credentials import Credentials
        except ImportError:
            raise needs_package(_("signing in to Google needs {package}"), "google-auth") from None
        credentials = Credentials(
            None,
            refresh_token=refresh_token,
            client_id=self.client_id,
            client_secret=self._client_secret(),
            token_uri=self.token_uri,
            scopes=SCOPES,
        )
        try:
            credentials.refresh(Request())
        except RefreshError as error:
            details = error.args[1] if len(error.args) > 1 else {}
            code = details.get("error", "") if isinstance(details, dict) else ""
            found = diagnosis.sign_in(str(code or "invalid_grant"), "")
            raise TokenError(
                _("Google issued no token ({code}): {cause}").format(
                    code=code or "refresh failed", cause=found.what
                ),
                hint=found.next_step,
            ) from None
        except TransportError as error:
            raise TokenError(
                _("cannot connect to Google's token endpoint {url} ({error})").format(
                    url=self.token_uri, error=type(error).__name__
                ),
                hint=_("check the network and proxy settings"),
            ) from None
        self._token = checked_token(credentials.token, "Google")
        return self._token

    def login(
        self,
        say: Callable[[str], None],
        secret: str | None = None,
        browser: str | None = None,
    ) -> str:
        """The installed-app flow in the browser; keeps the refresh token; returns who."""
        try:
            from google_auth_oauthlib.flow import InstalledAppFlow
        except ImportError:
            raise needs_package(
                _("signing in to Google needs {package}"), "google-auth-oauthlib"
            ) from None
        if secret:
            keyring_set(self.secret_name, secret)
        config = {
            "installed": {
                "client_id": self.client_id,
                "client_secret": self._client_secret(),
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "redirect_uris": ["http://localhost"],
            }
        }
        flow = InstalledAppFlow.from_client_config(config, scopes=SCOPES)
        say(
            _(
                "Opening Google's sign-in page in the browser. Allow access with the account {user}."
            ).format(user=self.user)
        )
        try:
            credentials: Any = flow.run_local_server(
                host="localhost",
                port=0,
                open_browser=True,
                browser=browser,
                authorization_prompt_message=_("If no browser opens, open this URL: {url}"),
                success_message=_("kops is signed in. You can close this window."),
                timeout_seconds=600,
                access_type="offline",
                prompt="consent",
                login_hint=self.user,
            )
        except Exception as error:
            text = str(error)
            found = diagnosis.sign_in(text.split(" ", 1)[0] if text else "", text)
            raise TokenError(
                _("signing in to Google failed ({error}): {cause}").format(
                    error=type(error).__name__, cause=found.what
                ),
                hint=found.next_step,
            ) from None
        if not credentials.refresh_token:
            raise TokenError(
                _("Google returned no refresh token"),
                hint=_(
                    "remove kops' access at https://myaccount.google.com/permissions, "
                    "then run kops mail login again"
                ),
            )
        signed_in = _email(credentials.id_token)
        if signed_in and signed_in.lower() != self.user.lower():
            raise TokenError(
                _("signed in as {signed_in}; the sender mail.smtp.user is {user}").format(
                    signed_in=signed_in, user=self.user
                ),
                hint=_("run kops mail login again with the account {user}").format(user=self.user),
            )
        remember_secret(credentials.refresh_token)
        self.store.save(credentials.refresh_token)
        self._token = checked_token(credentials.token, "Google")
        return signed_in or self.user

    def logout(self) -> bool:
        removed = self.store.delete()
        keyring_delete(self.secret_name)
        return removed

    @property
    def where(self) -> str:
        return self.store.where


def _email(id_token: object) -> str:
    """The account's address from the ID token's claims (read only to compare; not verified)."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return ""
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(claims.get("email", "")) if isinstance(claims, dict) else ""
