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
from .transport import LOOPBACK, smtp_password

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def imap_notices(mail: Mail, folder: str | None = None) -> Iterator[Notice | str]:
    """The folder's recent messages as notices; a message too large to be one is fetched
    only up to the bound (a partial fetch) and given as a problem (str) instead."""
    imap = mail.imap
    if not imap.host:
        raise KopsError(
            "mail.imap.host がありません",
            hint="kops.yaml の mail.imap に、不達通知が届くメールボックスの"
            " IMAP サーバーを書いてください"
            "（Microsoft 365: outlook.office365.com、Google: imap.gmail.com）",
        )
    smtp = mail.smtp
    if not smtp.user:
        raise KopsError("mail.smtp.user（読むメールボックス）がありません")
    if imap.security == "none" and imap.host not in LOOPBACK:
        # As for SMTP: a password or an access token is never sent in the clear.
        raise KopsError(
            _(
                "mail.imap.security: none would send the sign-in (password or access token) "
                "to {host} unencrypted; nothing was read"
            ).format(host=imap.host),
            hint=_("set mail.imap.security to ssl (port 993) or starttls"),
        )
    name = folder or imap.folder
    where = f"IMAP {imap.host}:{imap.port}"
    try:
        client = _connect(mail)
    except ssl.SSLError as error:
        raise KopsError(
            f"{where}: TLS に失敗しました（{error.reason or error}）",
            hint="社内の認証局を使う場合は SSL_CERT_FILE に証明書を指定してください",
        ) from None
    except OSError as error:
        raise KopsError(f"{where} に接続できません（{error}）") from None
    try:
        _sign_in(client, mail, where)
        typ, data = client.select(_quoted(name), readonly=True)
        if typ != "OK":
            raise KopsError(
                f"{where}: フォルダ '{name}' を開けません（{_text(data)}）",
                hint="フォルダ名（mail.imap.folder または --folder）を確認してください",
            )
        since = (now() - dt.timedelta(days=imap.days)).date()
        typ, data = client.uid(
            "SEARCH", "SINCE", f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}"
        )
        if typ != "OK":
            raise KopsError(f"{where}: 検索に失敗しました（{_text(data)}）")
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
        raise KopsError(f"{where}: {error}") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


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
                    f"{where}: XOAUTH2 での認証に失敗しました（{error}）: {found.what}",
                    hint=found.next_step
                    + " Microsoft 365 では、アプリに IMAP.AccessAsUser.All の権限が必要です。",
                ) from None
    password = smtp_password(smtp)
    if password is None:
        raise KopsError(
            f"{where}: IMAP にはサインインが必要です（mail.smtp.auth が none です）",
            hint="mail.smtp.auth を xoauth2 か password にしてください",
        )
    try:
        client.login(smtp.user, password)
    except imaplib.IMAP4.error:
        raise KopsError(f"{where}: ユーザー名またはパスワードが正しくありません") from None


def _quoted(folder: str) -> str:
    """A folder name as IMAP wants it: quoted, and modified UTF-7 for non-ASCII names."""
    encoded = _utf7(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(text: str) -> str:
    """RFC 3501 modified UTF-7 (フォルダー名に日本語を使えるように)."""
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


def _text(data: object) -> str:
    if isinstance(data, list) and data and isinstance(data[0], bytes):
        return data[0].decode("utf-8", "replace")
    return re.sub(r"\s+", " ", str(data))
