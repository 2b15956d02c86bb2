"""Microsoft 365 (Entra ID) access tokens with MSAL for Python.

- ``flow: device_code`` (delegated ``SMTP.Send`` / ``Mail.Send``): the
  secretariat signs in once with ``kops mail login`` (a code typed into a
  browser page, on any device); MSAL's token cache, holding the refresh
  token, is kept in the OS keyring or an encrypted file (``token_store``),
  and each run gets its access token from it silently.
- ``flow: client_credentials`` (app-only, where the tenant allows it): the
  app's secret comes from ``KOPS_OAUTH_CLIENT_SECRET`` or the keyring.

``authority_host`` points MSAL at the sign-in service (the public cloud by
default; a national cloud or a test server by configuration).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..config import Smtp
from ..errors import remember_secret
from ..i18n import _
from . import diagnosis
from .keyring_store import keyring_set
from .token_store import TokenStore, token_store
from .tokens import TokenError, checked_token, client_secret, needs_package

SCOPES = {
    ("smtp", "device_code"): ["https://outlook.office.com/SMTP.Send"],
    ("smtp", "client_credentials"): ["https://outlook.office365.com/.default"],
    ("graph", "device_code"): ["https://graph.microsoft.com/Mail.Send"],
    ("graph", "client_credentials"): ["https://graph.microsoft.com/.default"],
    ("imap", "device_code"): ["https://outlook.office.com/IMAP.AccessAsUser.All"],
    ("imap", "client_credentials"): ["https://outlook.office365.com/.default"],
}


class MicrosoftToken:
    provider = "microsoft"

    def __init__(self, smtp: Smtp, purpose: str = "smtp") -> None:
        oauth = smtp.oauth
        assert oauth.tenant and oauth.client_id and smtp.user
        self.user = smtp.user
        self.tenant = oauth.tenant
        self.client_id = oauth.client_id
        self.flow = oauth.flow
        self.authority = f"{oauth.authority_host.rstrip('/')}/{oauth.tenant}"
        self.scopes = SCOPES[(purpose, oauth.flow)]
        # What `kops mail login` asks consent for: more than sending when bounces are read by IMAP.
        self.login_scopes = list(self.scopes)
        self.store: TokenStore = token_store(f"msal:{self.tenant}:{self.client_id}:{self.user}")
        self.secret_name = f"client-secret:{self.tenant}:{self.client_id}"
        self._app: Any = None
        self._cache: Any = None

    # --- the MSAL application and its persisted cache -------------------------------

    def _application(self) -> Any:
        if self._app is not None:
            return self._app
        try:
            import msal
        except ImportError:
            raise needs_package(_("signing in to Microsoft 365 needs {package}"), "msal") from None
        try:
            if self.flow == "client_credentials":
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._client_secret(),
                    authority=self.authority,
                    instance_discovery=False,
                )
            else:
                self._cache = msal.SerializableTokenCache()
                stored = self.store.load()
                if stored:
                    self._cache.deserialize(stored)
                self._app = msal.PublicClientApplication(
                    self.client_id,
                    authority=self.authority,
                    token_cache=self._cache,
                    instance_discovery=False,
                )
        except ValueError as error:  # MSAL found no such tenant (its discovery failed)
            found = diagnosis.sign_in("AADSTS90002", str(error))
            raise TokenError(
                _("cannot connect to the Microsoft 365 sign-in {url}: {cause}").format(
                    url=self.authority, cause=found.what
                ),
                hint=found.next_step,
            ) from None
        except OSError as error:
            raise TokenError(
                _("cannot connect to the Microsoft 365 sign-in {url} ({error})").format(
                    url=self.authority, error=error
                ),
                hint=_("check the network and proxy settings"),
            ) from None
        return self._app

    def _client_secret(self) -> str:
        return client_secret(
            self.secret_name,
            _("no client secret for the app"),
            _("set {variable}, or store it in the OS keyring with kops mail login"),
        )

    def _save(self) -> None:
        if self._cache is not None and self._cache.has_state_changed:
            self.store.save(self._cache.serialize())
            self._cache.has_state_changed = False

    # --- tokens ----------------------------------------------------------------------

    def token(self, fresh: bool = False) -> str:
        app = self._application()
        try:
            if self.flow == "client_credentials":
                # MSAL keeps the app token in memory; a refused one is not asked back.
                result = app.acquire_token_for_client(self.scopes, force_refresh=fresh)
            else:
                accounts = app.get_accounts(username=self.user)
                if not accounts:
                    raise TokenError(
                        _("not signed in as {user}").format(user=self.user),
                        hint=_("sign in with kops mail login"),
                    )
                result = app.acquire_token_silent_with_error(
                    self.scopes, account=accounts[0], force_refresh=fresh
                )
        except OSError as error:
            raise TokenError(
                _("cannot connect to the Microsoft 365 sign-in ({error})").format(
                    error=type(error).__name__
                ),
                hint=_("check the network and proxy settings"),
            ) from None
        finally:
            self._save()
        return self._access_token(result)

    def _access_token(self, result: dict[str, Any] | None) -> str:
        if not result:
            raise TokenError(
                _("the stored sign-in gave no access token (it may have expired)"),
                hint=_("sign in again with kops mail login"),
            )
        if "access_token" not in result:
            found = diagnosis.sign_in(
                str(result.get("error", "")), str(result.get("error_description", ""))
            )
            code = str(result.get("error_description", "")).split(":", 1)[0]
            error = str(result.get("error"))
            raise TokenError(
                _("Microsoft 365 issued no token ({code}): {cause}").format(
                    code=f"{error}, {code}" if code.startswith("AADSTS") else error,
                    cause=found.what,
                ),
                hint=found.next_step,
            )
        return checked_token(result["access_token"], "Microsoft 365")

    # --- kops mail login / logout ------------------------------------------------------

    def login(self, say: Callable[[str], None], secret: str | None = None) -> str:
        """Sign in interactively (device code) or store the app's secret; returns who."""
        if self.flow == "client_credentials":
            if secret:
                keyring_set(self.secret_name, secret)
                remember_secret(secret)
            self._app = None
            self.token(fresh=True)
            return _("the app {client_id} (sending as the app only)").format(
                client_id=self.client_id
            )
        app = self._application()
        flow = app.initiate_device_flow(scopes=self.login_scopes)
        if "user_code" not in flow:
            found = diagnosis.sign_in(
                str(flow.get("error", "")), str(flow.get("error_description", ""))
            )
            raise TokenError(
                _("could not start signing in: {cause}").format(cause=found.what),
                hint=found.next_step,
            )
        say(
            _(
                "Open {url} in a browser, enter the code {code} and sign in with the account "
                "{user} (within {minutes} minutes)."
            ).format(
                url=flow["verification_uri"],
                code=flow["user_code"],
                user=self.user,
                minutes=int(flow.get("expires_in", 900)) // 60,
            )
        )
        result = app.acquire_token_by_device_flow(flow)
        self._save()
        self._access_token(result)
        signed_in = str((result.get("id_token_claims") or {}).get("preferred_username", ""))
        if signed_in and signed_in.lower() != self.user.lower():
            # A token for another mailbox would be refused by the server (5.7.3): say it now.
            for account in app.get_accounts(username=signed_in):
                app.remove_account(account)
            self._save()
            raise TokenError(
                _("signed in as {signed_in}; the sender mail.smtp.user is {user}").format(
                    signed_in=signed_in, user=self.user
                ),
                hint=_(
                    "run kops mail login again with the account {user} (for a shared mailbox, "
                    "make mail.smtp.user an account that may send on its behalf)"
                ).format(user=self.user),
            )
        return signed_in or self.user

    def also_for(self, purpose: str) -> None:
        """Ask consent at login for another use of the same resource (SMTP and IMAP)."""
        if self.flow == "device_code":
            for scope in SCOPES[(purpose, self.flow)]:
                if scope not in self.login_scopes:
                    self.login_scopes.append(scope)

    def logout(self) -> bool:
        if self.flow == "client_credentials":
            from .keyring_store import keyring_delete

            return keyring_delete(self.secret_name)
        return self.store.delete()

    @property
    def where(self) -> str:
        return self.store.where
