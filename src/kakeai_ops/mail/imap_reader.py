"""``kops mail bounces --imap``: the notices in a mailbox folder, read over IMAP, left unread.

Signed in as the sending mailbox (``mail.smtp.user``) the way sending is:
AUTHENTICATE XOAUTH2 with a token from the same provider (Microsoft: the
``IMAP.AccessAsUser.All`` permission; Google: the same consent), or LOGIN with
the password. Only messages that arrived in the last ``mail.imap.days`` days
are fetched, with ``BODY.PEEK[]`` so that nothing is marked as read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import re
import ssl
from collections.abc import Iterator

from ..clock import now
from ..config import Mail
from ..errors import KopsError
from ..i18n import _
from . import bounces, diagnosis
from .bounces import Notice, _parse
from .oauth import token_source, xoauth2_string
from .transport import LOOPBACK, connection_reason, smtp_password

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def imap_notices(mail: Mail, folder: str | None = None) -> Iterator[Notice | str]:
    """The folder's recent messages as notices; a message too large to be one is fetched
    only up to the bound (a partial fetch) and given as a problem (str) instead."""
    imap = mail.imap
    _check_settings(mail)
    name = folder or imap.folder
    where = f"IMAP {imap.host}:{imap.port}"
    client = _open(mail, where)
    try:
        _sign_in(client, mail, where)
        typ, data = client.select(_quoted(name), readonly=True)
        if typ != "OK":
            raise KopsError(
                _("{where}: cannot open the folder '{folder}' (the server said: {reply})").format(
                    where=where, folder=name, reply=_text(data)
                ),
                hint=_("check the folder name (mail.imap.folder or --folder)"),
            )
        since = (now() - dt.timedelta(days=imap.days)).date()
        typ, data = client.uid(
            "SEARCH", "SINCE", f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}"
        )
        if typ != "OK":
            raise KopsError(
                _("{where}: the search failed (the server said: {reply})").format(
                    where=where, reply=_text(data)
                )
            )
        uids = data[0].split() if data and data[0] else []
        bound = bounces.MAX_NOTICE_BYTES
        for uid in uids:
            # A partial fetch: a mail with a large attachment in the folder is not
            # downloaded whole (one octet over the bound tells it is larger).
            typ, parts = client.uid("FETCH", uid.decode("ascii"), f"(BODY.PEEK[]<0.{bound + 1}>)")
            raw = next(
                (p[1] for p in parts or [] if isinstance(p, tuple) and len(p) == 2),
                None,
            )
            if typ != "OK" or not isinstance(raw, bytes):
                continue
            if len(raw) > bound:
                yield bounces.too_large(f"imap:{name}/{uid.decode()}")
                continue
            source = f"imap:{name}/{uid.decode()}"
            try:
                message = _parse(raw, source)
            except KopsError as error:
                yield str(error)
                continue
            yield Notice(source, message, raw)
    except imaplib.IMAP4.error as error:
        raise KopsError(
            _("{where}: the server refused (it said: {reply})").format(
                where=where, reply=_reply(error)
            )
        ) from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def _check_settings(mail: Mail) -> None:
    """Refuse settings that cannot read a mailbox, before any connection."""
    imap = mail.imap
    if not imap.host:
        raise KopsError(
            _("mail.imap.host is not set"),
            hint=_(
                "write the IMAP server of the mailbox the bounce notices reach under mail.imap "
                "in kops.yaml (Microsoft 365: {microsoft}, Google: {google})"
            ).format(microsoft="outlook.office365.com", google="imap.gmail.com"),
        )
    smtp = mail.smtp
    if not smtp.user:
        raise KopsError(_("mail.smtp.user (the mailbox to read) is not set"))
    if imap.security == "none" and imap.host not in LOOPBACK:
        # As for SMTP: a password or an access token is never sent in the clear.
        raise KopsError(
            _(
                "mail.imap.security: none would send the sign-in (password or access token) "
                "to {host} unencrypted; nothing was read"
            ).format(host=imap.host),
            hint=_("set mail.imap.security to ssl (port 993) or starttls"),
        )


def _open(mail: Mail, where: str) -> imaplib.IMAP4:
    """The connection, or the refusal saying why there is none."""
    try:
        client = _connect(mail)
    except ssl.SSLError as error:
        raise KopsError(
            _("{where}: TLS failed ({reason})").format(where=where, reason=error.reason or error),
            hint=_("for a company certificate authority, name its certificate in SSL_CERT_FILE"),
        ) from None
    except OSError as error:
        raise KopsError(
            _("cannot connect to {where} ({reason})").format(
                where=where, reason=connection_reason(error)
            ),
            hint=_("check mail.imap.host, port and security in kops.yaml"),
        ) from None
    return client


def _connect(mail: Mail) -> imaplib.IMAP4:
    imap = mail.imap
    assert imap.host is not None
    context = ssl.create_default_context()
    if imap.security == "ssl":
        return imaplib.IMAP4_SSL(imap.host, imap.port, ssl_context=context, timeout=imap.timeout)
    client = imaplib.IMAP4(imap.host, imap.port, timeout=imap.timeout)
    if imap.security == "starttls":
        client.starttls(ssl_context=context)
    return client


def _sign_in(client: imaplib.IMAP4, mail: Mail, where: str) -> None:
    smtp = mail.smtp
    assert smtp.user is not None
    if smtp.auth_mode == "xoauth2":
        tokens = token_source(smtp, "imap")
        for fresh in (False, True):
            sasl = xoauth2_string(smtp.user, tokens.token(fresh=fresh))
            answers = iter([sasl.encode("ascii")])

            def respond(challenge: bytes, answers: Iterator[bytes] = answers) -> bytes:
                # The first continuation takes the SASL string; an error challenge, an empty reply.
                return next(answers, b"")

            try:
                client.authenticate("XOAUTH2", respond)
                return
            except imaplib.IMAP4.error as error:
                if not fresh:
                    continue
                found = diagnosis.smtp_auth(535, str(error), "XOAUTH2")
                raise KopsError(
                    _("{where}: signing in with XOAUTH2 failed ({reply}): {cause}").format(
                        where=where, reply=_reply(error), cause=found.what
                    ),
                    hint=found.next_step
                    + " "
                    + _("On Microsoft 365 the app needs the {permission} permission.").format(
                        permission="IMAP.AccessAsUser.All"
                    ),
                ) from None
    password = smtp_password(smtp)
    if password is None:
        raise KopsError(
            _("{where}: IMAP needs a sign-in (mail.smtp.auth is none)").format(where=where),
            hint=_("set mail.smtp.auth to xoauth2 or password"),
        )
    try:
        client.login(smtp.user, password)
    except imaplib.IMAP4.error:
        raise KopsError(
            _("{where}: the user name or password is wrong").format(where=where),
            hint=_(
                "check the password in KOPS_SMTP_PASSWORD (or the OS keyring); Microsoft 365 "
                "and Google Workspace take no passwords: set mail.smtp.auth to xoauth2"
            ),
        ) from None


def _quoted(folder: str) -> str:
    """A folder name as IMAP wants it: quoted, and modified UTF-7 for non-ASCII names."""
    encoded = _utf7(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(text: str) -> str:
    """RFC 3501 modified UTF-7 (so that a folder may have a Japanese name)."""
    import base64

    out: list[str] = []
    buffer = ""

    def flush() -> None:
        nonlocal buffer
        if buffer:
            data = base64.b64encode(buffer.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + data.replace("/", ",") + "-")
            buffer = ""

    for ch in text:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buffer += ch
    flush()
    return "".join(out)


def _reply(error: BaseException) -> str:
    """What the server replied, as imaplib gives it (its own words are the server's)."""
    text = str(error)
    for prefix in ("AUTHENTICATE command error: ", "LOGIN command error: "):
        text = text.removeprefix(prefix)
    return re.sub(r"\s+", " ", text).strip()


def _text(data: object) -> str:
    if isinstance(data, list) and data and isinstance(data[0], bytes):
        return data[0].decode("utf-8", "replace")
    return re.sub(r"\s+", " ", str(data))
