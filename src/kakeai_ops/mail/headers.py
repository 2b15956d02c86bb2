"""Every header of every message checked before the first is sent.

A name with a line break, an address that is really two, a subject that can't
be encoded: any of these would stop a live run half-way (or, worse, mail a
mangled address). So a run is refused as a whole, before anything is sent or
recorded, with each problem named by user and header. The checks use the
standard library's own header classes, the ones the message is built with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from email import errors
from email.headerregistry import Address
from pathlib import Path
from typing import Protocol

from ..config import Mail
from ..errors import KopsError
from ..i18n import _
from .message import wire_header

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators:
# any of them in a header either breaks it or is silently mangled on the way.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Plain dot-atom addresses, a strict subset of what the parser accepts: most
# addresses match, and this is twenty times faster than parsing (50k per run).
_PLAIN = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Beyond these a value is a mistake (a body in a subject variable, a list for a name).
MAX_NAME = 100
MAX_SUBJECT = 200
SHOWN = 30


class Headed(Protocol):
    """What the checks need of a planned message."""

    user_id: str
    name: str
    email: str
    subject: str
    attachments: list[str]


class HeaderError(KopsError):
    """Headers that can't be sent; nothing was sent."""


def text_problem(value: str, limit: int) -> str | None:
    found = _CONTROL.search(value)
    if found:
        return _("contains a line break or control character ({code})").format(
            code=f"U+{ord(found.group()):04X}"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(value[error.start])
        return _("contains a character that can't be encoded ({code})").format(code=f"U+{code:04X}")
    if len(value) > limit:
        return _("is too long ({length} characters, at most {limit})").format(
            length=len(value), limit=limit
        )
    found_word = _ENCODED_WORD.search(value)
    if found_word:
        # Python and every mail program decode it: 「=?utf-8?q?INJ?= 【事務局】」 arrives as
        # 「INJ 【事務局】」, not as written.
        return _(
            "holds {text}, which mail programs read as encoded text (an encoded word), "
            "not as written"
        ).format(text=found_word.group())
    return None


# An RFC 2047 encoded word: =?charset?B|Q?text?=
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def address_problem(name: str, address: str) -> str | None:
    """None when (name, address) makes one proper address header, as the message builds it."""
    if not address:
        return _("has no email address")
    if not address.isascii() or _CONTROL.search(address):
        return _("the address has characters mail servers can't take")
    if _PLAIN.fullmatch(address):
        return None  # the name was checked by text_problem; the address is a dot-atom
    try:
        parsed = Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError, errors.MessageError):
        return _("the address is not one email address")
    domain = parsed.domain
    if parsed.addr_spec != address or '"' in address or "." not in domain:
        return _("the address is not one plain email address (user@domain)")
    return None


def recipient_problem(name: str, address: str) -> str | None:
    """Why (name, address) can't be a To header (said without the raw characters), or None."""
    what = text_problem(name, MAX_NAME)
    if what is not None:
        return _("name: {problem}").format(problem=what)
    what = address_problem(name, address)
    return None if what is None else _("email address: {problem}").format(problem=what)


def fold_problem(header: str, value: object) -> str | None:
    """Build the header exactly as the message will, and fold it for the wire."""
    try:
        wire_header(header, value)
    except (ValueError, TypeError, IndexError, UnicodeError, errors.MessageError) as error:
        return _("can't be written as a mail header ({error})").format(error=error)
    return None


def _sender_problems(mail: Mail) -> list[str]:
    problems = []
    for header, name, address in (
        ("From", mail.from_name, mail.from_addr),
        ("Reply-To", mail.from_name, mail.reply_to),
    ):
        what = text_problem(name, MAX_NAME) or address_problem(name, address)
        if what is None:
            what = fold_problem(header, Address(display_name=name, addr_spec=address))
        if what is not None:
            problems.append(f"kops.yaml: mail: {header}: {what} ({name!r} <{address!r}>)")
    return problems


def check_headers(
    mail: Mail, run_id: str, messages: Iterable[Headed], test_address: str | None = None
) -> None:
    """Raise HeaderError listing every header of the run that can't be sent."""
    problems = _sender_problems(mail)
    subjects: dict[str, str | None] = {}  # a subject is shared by many: checked once
    for message in messages:
        who = _("user {user}").format(user=_printable(message.user_id))
        name = message.name if test_address is None else f"テスト送信（{message.name}）"
        address = message.email if test_address is None else test_address
        what = text_problem(message.name, MAX_NAME) or address_problem(name, address)
        if what is not None:
            problems.append(f"{who}: To: {what} ({name!r} <{address!r}>)")
        subject = message.subject if test_address is None else "[TEST] " + message.subject
        if subject not in subjects:
            subjects[subject] = text_problem(subject, MAX_SUBJECT) or fold_problem(
                "Subject", subject
            )
        if subjects[subject] is not None:
            problems.append(f"{who}: Subject: {subjects[subject]} ({subject!r})")
        problems += _attachment_problems(who, message.attachments)
    if problems:
        raise _error(run_id, problems)


def _printable(text: str) -> str:
    """Text as the terminal can show it: quoted with escapes when it holds a control character."""
    return repr(text) if _CONTROL.search(text) else text


def _attachment_problems(who: str, attachments: Sequence[str]) -> list[str]:
    return [
        _("{who}: attachment: the file is missing ({path})").format(who=who, path=path)
        for path in attachments
        if not Path(path).is_file()
    ]


def _error(run_id: str, problems: list[str]) -> HeaderError:
    lines = [
        _("run '{run}': {count} header problem(s); nothing was sent:").format(
            run=run_id, count=len(problems)
        )
    ]
    lines += [f"  {p}" for p in problems[:SHOWN]]
    if len(problems) > SHOWN:
        lines.append("  " + _("… and {count} more").format(count=len(problems) - SHOWN))
    return HeaderError(
        "\n".join(lines),
        hint=_(
            "fix the names or addresses in the export (then `kops ingest`), the template "
            "or kops.yaml, and run the same command again"
        ),
    )
