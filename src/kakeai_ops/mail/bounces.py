"""Reading bounce notices saved from a mail client: which addresses failed, how, and for which mail.

Files: ``.eml`` (one message), ``.mbox`` (many), Outlook ``.msg`` (via
extract-msg), or folders of them. Detection is flufl.bounce's (RFC 3464
reports first, then the common non-standard forms); the status code and the
diagnostic come from the report's per-recipient fields where there are any.
A 5.x.x status is a permanent failure, a 4.x.x one temporary; without a
status, flufl.bounce's own verdict (failed or delayed) decides.

The message kops sent is found by its Message-ID: in the returned message or
its headers, in the notice's In-Reply-To/References, or anywhere in its text.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from ..errors import KopsError
from ..i18n import _

SUFFIXES = (".eml", ".mbox", ".msg")
# A bounce notice is a few kilobytes, with the returned message at most a few megabytes;
# a saved mail far beyond this is something else, and parsing it would take minutes.
MAX_NOTICE_BYTES = 25 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")
_MESSAGE_ID_LINE = re.compile(r"(?im)^\s*message-id:\s*(<[^<>\s@]+@[^<>\s@]+>)")


@dataclass(frozen=True)
class Bounce:
    """One failed recipient in one notice."""

    source: str  # file (and #N within an mbox)
    notice: str  # the notice's identity: its own Message-ID, else a hash of its bytes
    recipient: str  # as the notice names it, lower-cased
    permanent: bool
    status: str  # e.g. 5.1.1 ('' when the notice gives none)
    diagnostic: str  # the remote server's words, one line
    message_ids: tuple[str, ...]  # candidate Message-IDs of the mail kops sent
    date: dt.datetime | None  # when the notice was written
    # The recipient's names in the report (Original- and Final-Recipient), lower-cased
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    source: str
    message: Message
    raw: bytes


@dataclass
class Reading:
    bounces: list[Bounce]
    not_bounces: list[str]  # sources that hold no bounce
    problems: list[str]  # unreadable files, with the reason
    other_mail: int = 0  # messages in a mailbox folder that are not bounces (not listed)

    def add(self, notice: Notice, list_others: bool = True) -> None:
        found = bounces_in(notice)
        if found:
            self.bounces.extend(found)
        elif list_others:
            self.not_bounces.append(notice.source)
        else:
            self.other_mail += 1


def read_paths(paths: list[Path]) -> Reading:
    """Every bounce in the files and folders given; unreadable files are named, not fatal."""
    reading = Reading([], [], [])
    for path in paths:
        if not path.exists():
            said = (
                _("{path}: a link that leads to no file (its file was moved, or links form a loop)")
                if path.is_symlink()
                else _("{path}: no such file or folder")
            )
            raise KopsError(
                said.format(path=path),
                hint=_(
                    "give the bounce notices saved as .eml, .mbox or .msg, or the folder "
                    "that holds them"
                ),
            )
        files = (
            sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and _is_file(p))
            if path.is_dir()
            else [path]
        )
        if path.is_dir() and not files:
            reading.problems.append(
                _("{path}: no .eml, .mbox or .msg files in this folder").format(path=path)
            )
        for file in files:
            if not _is_file(file):
                # A device or pipe behind a notice's name (/dev/zero) would be read forever.
                reading.problems.append(
                    _("{path}: not a file (a device, pipe or socket)").format(path=file)
                )
                continue
            try:
                for notice in _notices(file):
                    if isinstance(notice, Notice):
                        reading.add(notice)
                    else:  # one message of an mbox that could not be read
                        reading.problems.append(notice)
            except KopsError as error:
                reading.problems.append(str(error))
    return reading


def _notices(file: Path) -> Iterator[Notice | str]:
    """The notices in one file; a message of an mbox too large to be one is a problem (str)."""
    suffix = file.suffix.lower()
    if suffix == ".msg":
        _check_size(file)
        yield from _msg_notices(file)
        return
    if suffix not in (".eml", ".mbox"):
        raise KopsError(_("{file}: not a mail file (.eml, .mbox or .msg)").format(file=file))
    try:
        with file.open("rb") as opened:
            head = opened.read(5)
    except OSError as error:
        raise KopsError(
            _("{file}: cannot read ({error})").format(file=file, error=error.strerror)
        ) from None
    if suffix == ".eml" or head != b"From ":
        _check_size(file)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise KopsError(
                _("{file}: cannot read ({error})").format(file=file, error=error.strerror)
            ) from None
        # Some tools save a message as "UTF-8 with BOM": the headers start after it.
        data = data.removeprefix(_BOM)
        if not _looks_like_mail(data):
            raise KopsError(
                _("{file}: not a mail message (no mail headers at the top)").format(file=file)
            )
        yield Notice(str(file), _parse(data, str(file)), data)
        return
    # A mailbox folder may be large: its messages are read one at a time, each bounded.
    box = mailbox.mbox(file, create=False)
    try:
        for number, key in enumerate(box.keys(), start=1):
            part = box.get_file(key)
            try:
                raw = part.read(MAX_NOTICE_BYTES + 1)
            finally:
                part.close()
            if len(raw) > MAX_NOTICE_BYTES:
                yield too_large(f"{file}#{number}")
                continue
            try:
                message = _parse(raw, f"{file}#{number}")
            except KopsError as error:
                yield str(error)
                continue
            yield Notice(f"{file}#{number}", message, raw)
    finally:
        box.close()


def too_large(source: str) -> str:
    return _("{source}: too large for a bounce notice (over {mb} MB); not read").format(
        source=source, mb=MAX_NOTICE_BYTES // 2**20
    )


def _check_size(file: Path) -> None:
    if file.stat().st_size > MAX_NOTICE_BYTES:
        raise KopsError(too_large(str(file)))


def _is_file(path: Path) -> bool:
    """A regular file (after symlinks); never a device, pipe or socket."""
    try:
        return path.is_file()
    except OSError:
        return False


# A bounce notice nests its parts three or four deep; thousands of levels (a few
# kilobytes) would exhaust the recursion of the parser and of every walk over it.
MAX_NESTING = 50


def _parse(data: bytes, source: str | None = None) -> Message:
    """The message in ``data``; with ``source``, one nested too deeply is refused by name."""
    try:
        message = email.message_from_bytes(data, policy=policy.compat32)
    except RecursionError:
        message = None
    if source is not None and (message is None or _too_deep(message)):
        raise KopsError(
            _(
                "{source}: nested too deeply to be a bounce notice (over {levels} levels "
                "of MIME parts); not read"
            ).format(source=source, levels=MAX_NESTING)
        )
    assert message is not None
    return message


def _too_deep(message: Message) -> bool:
    """Whether parts nest deeper than MAX_NESTING (counted without recursion)."""
    stack = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return False


def _looks_like_mail(data: bytes) -> bool:
    head = data[:4096].lstrip().split(b"\n", 1)[0]
    return re.match(rb"^[!-9;-~]+:", head) is not None


def bounces_in(notice: Notice) -> list[Bounce]:
    """The failed recipients of one notice (empty when it is not a bounce)."""
    from flufl.bounce import all_failures

    message = notice.message
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector tripped over a malformed part: treat as no bounce
        return []
    fields = _delivery_status(message)
    ids = _message_ids(message)
    date = _notice_date(message, fields)
    identity = (message.get("Message-ID") or "").strip() or (
        "sha256:" + hashlib.sha256(notice.raw).hexdigest()
    )
    found = []
    for raw_address in sorted(permanent | temporary):
        address = raw_address.decode("ascii", "replace").strip().lower()
        status, diagnostic, names = fields.get(address, ("", "", (address,)))
        if not status:
            status, near = _status_near(message, address)
            diagnostic = diagnostic or near
        is_permanent = status.startswith("5") if status else raw_address in permanent
        found.append(
            Bounce(
                source=notice.source,
                notice=identity,
                recipient=visible(address),
                permanent=is_permanent,
                status=status,
                diagnostic=visible(diagnostic),
                message_ids=ids,
                date=date,
                addresses=tuple(sorted({address, *names})),
            )
        )
    return found


def _delivery_status(message: Message) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Recipient → (Status, Diagnostic-Code, its names) from every delivery-status part."""
    found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status" or not part.is_multipart():
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            recipient = _address(block.get("Original-Recipient")) or _address(
                block.get("Final-Recipient")
            )
            final = _address(block.get("Final-Recipient"))
            status = _STATUS.search(str(block.get("Status", "")))
            diagnostic = " ".join(_decoded(block.get("Diagnostic-Code", "")).split())
            if diagnostic.lower().startswith(("smtp;", "x-postfix;", "x-unix;")):
                diagnostic = diagnostic.split(";", 1)[1].strip()
            names = tuple(sorted({recipient, final} - {""}))
            value = (status.group(0) if status else "", diagnostic[:300], names)
            for key in names:
                found[key] = value
    return found


def _decoded(value: object) -> str:
    """A header's text with RFC 2047 encoded words decoded (servers may answer in Japanese)."""
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError):
        return str(value)


def _address(value: object) -> str:
    if not value:
        return ""
    text = str(value)
    if ";" in text:
        text = text.split(";", 1)[1]
    return parseaddr(text.strip())[1].strip().lower()


def _status_near(message: Message, address: str) -> tuple[str, str]:
    """A status code in the text next to the address, and the words around it (non-standard
    notices such as qmail's: ``<addr>: Sorry, no mailbox here by that name. (#5.1.1)``)."""
    for text in _texts(message):
        at = text.lower().find(address)
        if at < 0:
            continue
        window = text[at : at + 600]
        found = _STATUS.search(window)
        if found:
            end = window.find("\n", found.end())
            said = window[len(address) : end if end > 0 else None]
            return found.group(0), " ".join(said.split()).lstrip(">:,; ")[:300]
        found = _STATUS.search(text)
        if found:
            return found.group(0), ""
    return "", ""


def _texts(message: Message) -> Iterator[str]:
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                charset = part.get_content_charset() or "utf-8"
                try:
                    yield payload.decode(charset, "replace")
                except LookupError:
                    yield payload.decode("utf-8", "replace")


def _message_ids(message: Message) -> tuple[str, ...]:
    """Message-IDs that may be the returned mail's, best first, each once."""
    found: list[str] = []
    for part in message.walk():
        if part is message:
            continue
        kind = part.get_content_type()
        if kind == "message/rfc822" and part.is_multipart():
            for inner in part.get_payload():
                if isinstance(inner, Message) and inner.get("Message-ID"):
                    found.append(str(inner["Message-ID"]))
        elif kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                headers = email.message_from_bytes(payload, policy=policy.compat32)
                if headers.get("Message-ID"):
                    found.append(str(headers["Message-ID"]))
        elif kind == "message/delivery-status" and part.is_multipart():
            for block in part.get_payload():
                if isinstance(block, Message) and block.get("X-Original-Message-ID"):
                    found.append(str(block["X-Original-Message-ID"]))
    for header in ("In-Reply-To", "References"):
        found.extend(_MESSAGE_ID.findall(str(message.get(header, ""))))
    for text in _texts(message):  # returned headers quoted in the text
        found.extend(_MESSAGE_ID_LINE.findall(text))
    own = str(message.get("Message-ID", "")).strip()
    result: list[str] = []
    for value in found:
        match = _MESSAGE_ID.search(value)
        if match and match.group(0) != own and match.group(0) not in result:
            result.append(match.group(0))
    return tuple(result)


def _notice_date(message: Message, fields: object) -> dt.datetime | None:
    for value in (message.get("Date"),):
        if value:
            try:
                moment = parsedate_to_datetime(str(value))
            except (TypeError, ValueError, IndexError):
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment
    return None


# --- Outlook .msg ---------------------------------------------------------------

# MAPI properties of a non-delivery report's recipient rows (MS-OXOMSG).
_SUPPLEMENTARY_INFO = "0C1B"  # the remote server's reply, e.g. "550 5.1.1 User unknown"
_NDR_STATUS_CODE = "0C20"  # an enhanced status code as a number: 5.1.1 → 511? (not always set)
_DELAYED_CLASSES = ("report.ipm.note.delayed",)


def visible(text: str) -> str:
    """A text a remote server wrote, safe to store and show: control characters (ESC
    sequences that retitle or rewrite a terminal), line and paragraph separators and
    direction marks each become U+FFFD, so what was there stays noticeable."""
    import unicodedata

    return "".join(
        "\ufffd"
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        or "\u202a" <= ch <= "\u202e"
        or "\u2066" <= ch <= "\u2069"
        else ch
        for ch in text
    )


def _msg_notices(file: Path) -> Iterator[Notice]:
    """An Outlook .msg as the notice it stands for.

    Outlook keeps a received report's own headers, its text, and (for a
    non-delivery report) one recipient row per failed address with the
    remote server's reply; the report is rebuilt from them as RFC 3464, so
    the same detection reads it.
    """
    try:
        import extract_msg
    except ImportError:  # pragma: no cover - a dependency of kops
        raise KopsError(f"{file}: reading .msg files needs extract-msg") from None
    try:
        msg = extract_msg.openMsg(str(file), strict=False, delayAttachments=True)
    except Exception as error:
        raise KopsError(
            _("{file}: not a readable Outlook .msg file ({error})").format(
                file=file, error=type(error).__name__
            ),
            hint=_(
                "save the mail again from Outlook "
                "(ファイル → 名前を付けて保存 → Outlook メッセージ形式)"
            ),
        ) from None
    try:
        raw = file.read_bytes()
        yield Notice(str(file), _msg_as_report(msg), raw)
    except KopsError:
        raise
    except Exception as error:
        raise KopsError(
            _("{file}: the Outlook .msg file is damaged ({error})").format(
                file=file, error=type(error).__name__
            ),
            hint=_("save the mail again from Outlook"),
        ) from None
    finally:
        msg.close()


def _msg_as_report(msg: object) -> Message:
    """The .msg as the RFC 3464 report it was, written out as text and parsed back."""
    import base64

    header = getattr(msg, "header", None)
    class_type = str(getattr(msg, "classType", "") or "").lower()
    body = str(getattr(msg, "body", "") or "")
    fields: dict[str, str] = {}
    if header is not None:
        for name in ("Date", "From", "Message-ID", "In-Reply-To", "References"):
            if header.get(name):
                fields[name] = " ".join(str(header[name]).split())
    if "Date" not in fields and getattr(msg, "date", None) is not None:
        fields["Date"] = email.utils.format_datetime(msg.date)  # type: ignore[attr-defined]
    if "Message-ID" not in fields and getattr(msg, "messageId", None):
        fields["Message-ID"] = " ".join(str(msg.messageId).split())  # type: ignore[attr-defined]
    in_reply_to = getattr(msg, "inReplyTo", None)
    if "In-Reply-To" not in fields and in_reply_to:
        fields["In-Reply-To"] = " ".join(str(in_reply_to).split())
    lines = [f"{name}: {_header_text(value)}" for name, value in fields.items()]
    lines += [
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="kops-msg"',
        "",
        "--kops-msg",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        base64.encodebytes(body.encode("utf-8")).decode("ascii"),
    ]
    is_ndr = class_type.startswith("report.") and class_type.endswith(".ndr")
    delayed = class_type.startswith(_DELAYED_CLASSES)
    if is_ndr or delayed:
        action = "delayed" if delayed else "failed"
        blocks = []
        for recipient in getattr(msg, "recipients", None) or []:
            address = parseaddr(
                str(
                    getattr(recipient, "smtpAddress", None)
                    or getattr(recipient, "email", None)
                    or ""
                )
            )[1]
            if "@" not in address or not address.isascii():
                continue
            stream = recipient.getStringStream(f"__substg1.0_{_SUPPLEMENTARY_INFO}")
            reply = " ".join(str(stream or "").split())
            status = _STATUS.search(reply)
            code = status.group(0) if status else ("4.0.0" if delayed else "5.0.0")
            block = [f"Final-Recipient: rfc822; {address}", f"Action: {action}", f"Status: {code}"]
            if reply:
                block.append(f"Diagnostic-Code: smtp; {_header_text(reply)}")
            blocks.append("\n".join(block))
        if blocks:
            lines += [
                "--kops-msg",
                "Content-Type: message/delivery-status",
                "",
                "Reporting-MTA: dns; outlook",
                "",
                "\n\n".join(blocks),
                "",
            ]
    lines.append("--kops-msg--")
    return _parse("\n".join(lines).encode("utf-8"))


def _header_text(value: str) -> str:
    from email.header import Header

    return value if value.isascii() else Header(value, "utf-8").encode()
