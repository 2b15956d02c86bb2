"""The message kops sends: an ``EmailMessage`` built by the standard library.

Not yagmail's builder: it drops addresses from Japanese display-name headers,
puts HTML into the text part and reuses Message-IDs. Here, From/To/Reply-To
are ``Address`` headers (name encoded, address intact), the subject is folded
per RFC 2047 by ``policy.SMTP``, bodies are base64 UTF-8, the Message-ID is
stable per (run, recipient) and the Date is Japan time (JST) whatever the machine's TZ.

A template without an HTML body still gets an HTML part, made line for line from the
text (see text_as_html): Outlook, by default, joins the lines of a plain-text mail it
takes for wrapped ("extra line breaks removed"), which runs a list, a 「■ 日時」 block and
the footer into one paragraph. The two parts say the same, being one text.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_escaping
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import encoders, policy
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from ..clock import now
from ..config import Mail


@dataclass(frozen=True)
class Sender:
    """Who a message is from: frozen with a run's plan, so a resumed run keeps it."""

    name: str
    address: str
    reply_to: str

    @classmethod
    def of(cls, settings: Mail) -> Sender:
        return cls(settings.from_name, settings.from_addr, settings.reply_to)

    @classmethod
    def stored(cls, fields: dict[str, str], settings: Mail) -> Sender:
        """The sender a plan recorded; the settings' for a plan made before senders were."""
        if not fields:
            return cls.of(settings)
        return cls(fields["name"], fields["address"], fields["reply_to"])


def message_id(run_id: str, key: str, domain: str) -> str:
    digest = hashlib.sha256(f"{run_id}\0{key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def split_address(address: str) -> tuple[str, str]:
    local, _, domain = address.rpartition("@")
    return local, domain


def build_message(
    settings: Mail,
    to_name: str,
    to_addr: str,
    subject: str,
    text: str,
    html: str | None,
    msg_id: str,
    date: str | None = None,
    attachments: Sequence[Path] = (),
    sender: Sender | None = None,
    attachment_names: Sequence[str] = (),
) -> EmailMessage:
    message = EmailMessage(policy=_BUILD)
    sender = sender or Sender.of(settings)
    from_user, from_domain = split_address(sender.address)
    to_user, to_domain = split_address(to_addr)
    reply_user, reply_domain = split_address(sender.reply_to)
    message["From"] = Address(sender.name, from_user, from_domain)
    message["To"] = Address(to_name, to_user, to_domain)
    message["Reply-To"] = Address(sender.name, reply_user, reply_domain)
    message["Subject"] = subject
    message["Date"] = date or format_datetime(now())
    message["Message-ID"] = msg_id
    message["MIME-Version"] = "1.0"
    message.set_content(text, charset="utf-8", cte="base64")
    html = html if html is not None else text_as_html(text)
    message.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    if attachments:
        message.make_mixed()
    for n, path in enumerate(attachments):
        # The name the reader sees and saves, when one is given (not the folder's own).
        name = attachment_names[n] if n < len(attachment_names) else path.name
        message.attach(_attachment(path, name))
    return message


def _attachment(path: Path, name: str) -> EmailMessage:
    """A file part whose Japanese name every client shows: the name as RFC 2047 words in
    quotes, as Outlook and Gmail name their own attachments. The standard library writes
    RFC 2231 (``filename*0*=utf-8''…``), which Outlook has been seen to show as
    「ATT00001」 or an untitled attachment. The headers are written as given (see as_bytes),
    each line short enough to need no folding."""
    maintype, subtype = _content_type(path)
    part = EmailMessage(policy=policy.compat32)  # its headers stay the text given them
    part.set_payload(path.read_bytes())
    encoders.encode_base64(part)
    if name.isascii() and name.isprintable():
        words = name.replace("\\", "\\\\").replace('"', '\\"')
    else:
        words = Header(name, "utf-8", maxlinelen=60).encode(linesep="\r\n ")
    part["Content-Type"] = f'{maintype}/{subtype};\r\n name="{words}"'
    part["Content-Disposition"] = f'attachment;\r\n filename="{words}"'
    return part


# An address in the text, to its last character that can end one: ASCII only, so the
# Japanese that follows 「…：https://…」 or precedes 「）」 is never part of the link.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+[A-Za-z0-9/#=_~\-]")
# The fonts Japanese mail clients show body text in; an HTML part without one is shown
# in a serif (Times New Roman and MS 明朝) by Outlook.
_STYLE = (
    "font-family:'Yu Gothic UI','Yu Gothic',Meiryo,'Hiragino Sans',sans-serif;"
    "font-size:14px;line-height:1.6"
)


def _html_line(line: str) -> str:
    """One line of text as HTML: escaped, its addresses linked, runs of spaces kept."""
    parts, last = [], 0
    for found in _URL.finditer(line):
        parts.append(html_escaping.escape(line[last : found.start()]))
        address = html_escaping.escape(found.group())
        parts.append(f'<a href="{address}">{address}</a>')
        last = found.end()
    parts.append(html_escaping.escape(line[last:]))
    return re.sub(" {2,}", lambda run: "&nbsp;" * len(run.group()), "".join(parts))


def text_as_html(text: str) -> str:
    """The text as an HTML body, one line for each line (blank lines kept), nothing added."""
    lines = "<br>\n".join(_html_line(line) for line in text.split("\n"))
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"></head>\n'
        f'<body><div style="{_STYLE}">\n{lines}\n</div></body></html>\n'
    )


def _content_type(path: Path) -> tuple[str, str]:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix.lower() == ".xlsx":
        guessed = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
    return maintype, subtype


class _HeadersOnce(EmailPolicy):
    """An EmailPolicy that parses each header value once and folds each parsed header once
    per policy, in this process: a run's messages share their From, Reply-To, Subject, Date
    and every part's Content-Type and encoding, and parsing and folding them (the standard
    library's header classes) cost more than the rest of building a message.

    A parsed header is immutable and the same for the same name and value; its folded
    lines are the same for the same header and policy settings (a generator makes a new
    policy for each part, by clone: the settings, not the object, are the key). The byte
    output is the standard library's own. The memory holds at most LIMIT entries."""

    LIMIT = 4096

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        key = _value_key(value)
        if key is None:
            return super().header_store_parse(name, value)
        key = (self.header_factory, name, key)
        stored = _PARSED.get(key)
        if stored is None:
            stored = super().header_store_parse(name, value)
            _remember(_PARSED, key, stored)
        return stored

    def header_max_count(self, name: str) -> int | None:
        # Asked on every header set; the registry makes a new class each time it is asked.
        return _max_count(self.header_factory, name.lower())

    def fold_binary(self, name: str, value: Any) -> bytes:
        try:
            key = (tuple(vars(self).items()), name, id(value))
            hash(key)
        except TypeError:  # a setting that can't be a key: fold as usual
            return super().fold_binary(name, value)
        stored = _FOLDED.get(key)
        if stored is not None and stored[0] is value:
            return stored[1]
        folded = super().fold_binary(name, value)
        # The value is held beside its lines: its id stays its own while the entry lives.
        _remember(_FOLDED, key, (value, folded))
        return folded


_PARSED: dict[Any, tuple[str, Any]] = {}
_FOLDED: dict[Any, tuple[Any, bytes]] = {}


@functools.cache
def _max_count(registry: Any, name: str) -> int | None:
    return registry[name].max_count


def _value_key(value: Any) -> Any:
    """What a header value is, as a key: text as itself, an Address by its parts; None for
    other values (parsed every time)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is Address:
        return (kind, value.display_name, value.username, value.domain)
    return None


def _remember(memory: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memory) >= _HeadersOnce.LIMIT:
        memory.clear()
    memory[key] = value


# policy.SMTP (the default policy with CRLF line ends), its headers parsed and folded once.
_BUILD = _HeadersOnce(linesep="\r\n", header_factory=policy.SMTP.header_factory)

# Headers kops set as objects are folded as policy.SMTP folds them; a header given as text
# (an attachment's, above) is written as given: refolded, its quoted RFC 2047 name would be
# turned into RFC 2231 and its content type broken across encoded words.
_WIRE = _BUILD.clone(refold_source="none")


class _Writer(BytesGenerator):
    """The standard library's writer, choosing each part boundary as it does (a random
    token, changed while a line of the parts is that boundary) without compiling a regular
    expression for each message to look for it."""

    @classmethod
    def _make_boundary(cls, text: Any = None) -> str:
        boundary: str = super()._make_boundary()  # type: ignore[misc]  # not in typeshed
        if text is None:
            return boundary
        chosen, counter = boundary, 0
        while _has_boundary_line(text, chosen):
            chosen = f"{boundary}.{counter}"
            counter += 1
        return chosen


def _has_boundary_line(text: str | bytes, boundary: str) -> bool:
    """Whether a line of ``text`` is ``--boundary`` or ``--boundary--`` (the lines split at
    LF, as the standard library's ``^--boundary(--)?$`` reads them)."""
    marker = "--" + boundary
    if isinstance(text, bytes):
        found: Any = marker.encode("ascii")
        newline: Any = b"\n"
    else:
        found, newline = marker, "\n"
    if found not in text:  # the usual case: a random boundary nowhere in the text
        return False
    return any(line in (found, found + found[:2]) for line in text.split(newline))


def wire_header(name: str, value: Any) -> bytes:
    """The header line(s) ``name: value`` as a message carries them: parsed and folded as
    build_message and as_bytes do (and, like them, once per value in this process)."""
    return _WIRE.fold_binary(name, _BUILD.header_store_parse(name, value)[1])


def as_bytes(message: EmailMessage) -> bytes:
    """``message.as_bytes(policy=_WIRE)``, written by _Writer."""
    written = BytesIO()
    _Writer(written, mangle_from_=False, policy=_WIRE).flatten(message, unixfrom=False)
    return written.getvalue()
