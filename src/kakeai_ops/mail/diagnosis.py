"""What a mail server's or sign-in service's refusal means, and what to do next, in the
reader's language (the catalog's Japanese by default).

The secretariat reads these; the next step is usually for the mail
administrator (Entra ID / Google Workspace). Matched on the codes and phrases
the services document (enhanced status codes, AADSTS error numbers, OAuth2
error names), never on the secret parts of a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_, _

ADMIN_DOC = "docs/mail-admin.ja.md"


@dataclass(frozen=True)
class Diagnosis:
    """A cause and its next step: marked templates (``N_``), said when read, with
    ``values`` filled in (``{doc}`` is always the administrators' guide)."""

    cause: str
    step: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def what(self) -> str:
        """What went wrong."""
        return _(self.cause).format(doc=ADMIN_DOC, **self.values)

    @property
    def next_step(self) -> str:
        """Who does what next."""
        return _(self.step).format(doc=ADMIN_DOC, **self.values)


# (phrase in the reply, lower-cased) → diagnosis; the first match wins.
_SMTP_AUTH: tuple[tuple[str, Diagnosis], ...] = (
    (
        "smtpclientauthentication is disabled for the mailbox",
        Diagnosis(
            N_("SMTP AUTH (authenticated SMTP sending) is turned off for this mailbox."),
            N_(
                "Ask the mail administrator to turn on 'Authenticated SMTP' for the sending "
                "mailbox (Exchange admin center → Users → Mail → Manage email apps; {doc})."
            ),
        ),
    ),
    (
        "smtpclientauthentication is disabled for the tenant",
        Diagnosis(
            N_("SMTP AUTH is turned off for the whole organisation (tenant)."),
            N_(
                "Ask the mail administrator to turn SMTP AUTH on for the sending mailbox "
                "alone, or switch to mail.transport: graph (sending through Microsoft Graph; "
                "{doc})."
            ),
        ),
    ),
    (
        "basic authentication is disabled",
        Diagnosis(
            N_("SMTP sign-in with a password (basic authentication) is turned off."),
            N_(
                "Set mail.smtp.auth: xoauth2 in kops.yaml and sign in with kops mail login ({doc})."
            ),
        ),
    ),
    (
        "5.7.9",
        Diagnosis(
            N_("Google Workspace refused the account's password (an app password is needed)."),
            N_("Switch to mail.smtp.auth: xoauth2 and mail.smtp.oauth.provider: google ({doc})."),
        ),
    ),
    (
        "5.7.139",
        Diagnosis(
            N_(
                "Microsoft 365 refused the sign-in (perhaps conditional access or the "
                "security defaults)."
            ),
            N_("Ask the mail administrator to look at the sending mailbox's sign-in logs ({doc})."),
        ),
    ),
    (
        "5.7.3",
        Diagnosis(
            N_(
                "The token was accepted but may not send as this mailbox (the token's user "
                "is not mail.smtp.user, or SMTP.Send is not granted)."
            ),
            N_(
                "Set mail.smtp.user to the account that signed in (or a shared mailbox it "
                "may send as). For app-only sending the administrator grants the service "
                "principal the mailbox permission ({doc})."
            ),
        ),
    ),
)

_EXPIRED = Diagnosis(
    N_("The access token was refused (expired, revoked, or another user's token)."),
    N_(
        "If a new token is refused too, sign in again with kops mail login. Check also that "
        "the token's user is mail.smtp.user."
    ),
)

_PASSWORD = Diagnosis(
    N_("The user name or password is wrong."),
    N_(
        "Check the password in KOPS_SMTP_PASSWORD (or the OS keyring). Microsoft 365 and "
        "Google Workspace take no passwords: set mail.smtp.auth: xoauth2."
    ),
)


def smtp_auth(code: int, reply: str, mechanism: str) -> Diagnosis:
    """Why the server refused AUTH."""
    text = reply.lower()
    for phrase, diagnosis in _SMTP_AUTH:
        if phrase in text:
            return diagnosis
    return _EXPIRED if mechanism == "XOAUTH2" else _PASSWORD


def not_offered(mechanism: str, offered: str) -> Diagnosis:
    shown = offered or _("none")
    if mechanism == "XOAUTH2":
        return Diagnosis(
            N_("The server does not take XOAUTH2 sign-in (it offers: {offered})."),
            N_(
                "Check mail.smtp.host and port (Microsoft 365: smtp.office365.com:587, "
                "Google: smtp.gmail.com:587) and security: starttls."
            ),
            {"offered": shown},
        )
    return Diagnosis(
        N_("The server does not take {mechanism} sign-in (it offers: {offered})."),
        N_("Check mail.smtp.auth and security."),
        {"mechanism": mechanism, "offered": shown},
    )


_SIGN_IN_AGAIN = N_("Sign in again with kops mail login.")

# Sign-in service errors (AADSTS numbers, OAuth2 error names) → diagnosis.
_SIGN_IN: tuple[tuple[str, Diagnosis], ...] = (
    (
        "aadsts65001",
        Diagnosis(
            N_("The app has no consent (or it was revoked)."),
            N_(
                "Ask the mail administrator to grant admin consent to SMTP.Send (delegated) "
                "in the Entra ID app registration, then sign in again with kops mail login "
                "({doc})."
            ),
        ),
    ),
    (
        "aadsts700082",
        Diagnosis(
            N_("The sign-in has expired (unused for a long time)."),
            _SIGN_IN_AGAIN,
        ),
    ),
    (
        "aadsts90002",
        Diagnosis(
            N_("The tenant was not found."),
            N_(
                "Check mail.smtp.oauth.tenant in kops.yaml (the directory ID or the "
                "organisation's domain)."
            ),
        ),
    ),
    (
        "aadsts700016",
        Diagnosis(
            N_("The app (client_id) was not found in this tenant (perhaps another tenant)."),
            N_(
                "Check that mail.smtp.oauth.tenant and client_id are those of the tenant the "
                "app is registered in ({doc})."
            ),
        ),
    ),
    (
        "aadsts50020",
        Diagnosis(
            N_("The account that signed in is not a user of this tenant."),
            N_("Sign in again with an account of the sending mailbox's organisation."),
        ),
    ),
    (
        "aadsts7000215",
        Diagnosis(
            N_("The client secret is wrong (perhaps expired)."),
            N_("Have the administrator issue a new secret and set it in KOPS_OAUTH_CLIENT_SECRET."),
        ),
    ),
    (
        "invalid_grant",
        Diagnosis(
            N_(
                "The saved sign-in (refresh token) is no longer valid (expired, revoked, or "
                "the password changed)."
            ),
            _SIGN_IN_AGAIN,
        ),
    ),
    (
        "invalid_client",
        Diagnosis(
            N_("The app (client_id or client secret) was not accepted."),
            N_("Check mail.smtp.oauth.client_id and the secret ({doc})."),
        ),
    ),
    (
        "unauthorized_client",
        Diagnosis(
            N_("This app may not sign in this way."),
            N_("Turn on 'Allow public client flows' in the Entra ID app registration ({doc})."),
        ),
    ),
)


def sign_in(error: str, description: str) -> Diagnosis:
    text = f"{error} {description}".lower()
    for phrase, diagnosis in _SIGN_IN:
        if phrase in text:
            return diagnosis
    return Diagnosis(
        N_("Signing in failed ({error})."),
        N_("Sign in again with kops mail login; if it goes on, contact the mail administrator."),
        {"error": error or _("an unknown error")},
    )
