"""Outlook .msg files written per MS-OXMSG (a compound file of MAPI property streams).

Outlook saves a received non-delivery report as a .msg of class
``REPORT.IPM.Note.NDR``: the report's own transport headers, its text, and one
recipient row per failed address carrying the remote server's reply
(PidTagSupplementaryInfo, 0x0C1B). Written with extract-msg's compound file
writer, so the reader under test (extract-msg too) meets a file laid out as
Outlook lays it out, not one it wrote for itself.
"""

from __future__ import annotations

import struct
from pathlib import Path

PT_LONG = 0x0003
PT_UNICODE = 0x001F


def _string(value: str) -> bytes:
    return value.encode("utf-16-le")


def _entry(prop_id: int, prop_type: int, value: int) -> bytes:
    tag = (prop_id << 16) | prop_type
    return struct.pack("<IIQ", tag, 0x6, value)  # flags: readable | writable


def _string_entry(prop_id: int, text: str) -> bytes:
    return struct.pack("<IIII", (prop_id << 16) | PT_UNICODE, 0x6, len(_string(text)) + 2, 0)


def write_ndr_msg(
    path: Path,
    headers: str,
    body: str,
    failed: list[tuple[str, str]],
    subject: str = "配信不能: 【KAKEAI事務局】1on1 の前に",
    message_class: str = "REPORT.IPM.Note.NDR",
) -> Path:
    """An NDR .msg: transport ``headers``, ``body`` text, ``failed`` (address, server reply)."""
    # Imported here: extract-msg takes a tenth of a second to import, in every test
    # process that collects the suite, though one file's tests write a .msg.
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    strings = {
        0x001A: message_class,
        0x0037: subject,
        0x1000: body,
        0x007D: headers,
    }
    props = struct.pack("<8sIIII8s", b"\0" * 8, len(failed), 0, len(failed), 0, b"\0" * 8)
    for prop_id, text in strings.items():
        writer.addEntry(f"__substg1.0_{prop_id:04X}001F", _string(text))
        props += _string_entry(prop_id, text)
    writer.addEntry("__properties_version1.0", props)
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for number, (address, reply) in enumerate(failed):
        folder = f"__recip_version1.0_#{number:08X}"
        writer.addEntry(folder, storage=True)
        recipient_strings = {
            0x3001: address.split("@")[0],  # display name
            0x3002: "SMTP",  # address type
            0x3003: address,  # email address
            0x39FE: address,  # SMTP address
            0x0C1B: reply,  # supplementary info: the remote server's reply
        }
        recipient_props = b"\0" * 8
        recipient_props += _entry(0x0C15, PT_LONG, 1)  # recipient type: To
        recipient_props += _entry(0x3000, PT_LONG, number)  # row id
        for prop_id, text in recipient_strings.items():
            writer.addEntry(f"{folder}/__substg1.0_{prop_id:04X}001F", _string(text))
            recipient_props += _string_entry(prop_id, text)
        writer.addEntry(f"{folder}/__properties_version1.0", recipient_props)
    writer.write(str(path))
    return path
