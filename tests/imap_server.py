"""An IMAP4rev1 server on 127.0.0.1 (TLS) with the commands kops uses, for `mail bounces --imap`.

CAPABILITY, AUTHENTICATE XOAUTH2 (the SASL string checked byte for byte, an
error challenge then NO for a token it does not know), LOGIN, SELECT/EXAMINE,
UID SEARCH SINCE, UID FETCH BODY.PEEK[] (recorded, so a test can see nothing
was marked read), LOGOUT.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import re
import socketserver
import ssl
from dataclasses import dataclass, field

from local_server import serving_thread

XOAUTH2 = re.compile(rb"user=([^\x01]+)\x01auth=Bearer ([\x21-\x7e]+)\x01\x01")


@dataclass
class Mailbox:
    folders: dict[str, list[bytes]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token → user
    sasl: list[bytes] = field(default_factory=list)
    fetches: list[str] = field(default_factory=list)  # the FETCH items asked for
    selected: list[str] = field(default_factory=list)  # folder names as sent (modified UTF-7)


def _handler(box: Mailbox) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def send(self, line: str | bytes) -> None:
            data = line if isinstance(line, bytes) else line.encode()
            self.wfile.write(data + b"\r\n")
            self.wfile.flush()

        def handle(self) -> None:
            self.send("* OK IMAP4rev1 kops test server ready")
            folder: list[bytes] = []
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                tag, _, rest = raw.decode().rstrip("\r\n").partition(" ")
                command, _, args = rest.partition(" ")
                command = command.upper()
                if command == "CAPABILITY":
                    self.send("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2")
                    self.send(f"{tag} OK CAPABILITY completed")
                elif command == "AUTHENTICATE":
                    self.send("+ ")
                    blob = base64.b64decode(self.rfile.readline().strip())
                    box.sasl.append(blob)
                    found = XOAUTH2.fullmatch(blob)
                    if found and box.tokens.get(found.group(2).decode()) == found.group(1).decode():
                        self.send(f"{tag} OK AUTHENTICATE completed")
                    else:
                        error = b'{"status":"401","schemes":"bearer"}'
                        self.send(b"+ " + base64.b64encode(error))
                        self.rfile.readline()
                        self.send(f"{tag} NO AUTHENTICATE failed.")
                elif command in ("SELECT", "EXAMINE"):
                    sent = args.strip().strip('"')
                    box.selected.append(sent)
                    name = _from_utf7(sent)
                    if name not in box.folders:
                        self.send(f"{tag} NO Mailbox doesn't exist: {name}")
                        continue
                    folder = box.folders[name]
                    self.send(f"* {len(folder)} EXISTS")
                    self.send(f"{tag} OK [READ-ONLY] {command} completed")
                elif command == "UID":
                    sub, _, rest = args.partition(" ")
                    if sub.upper() == "SEARCH":
                        since = dt.datetime.strptime(rest.split()[-1], "%d-%b-%Y").date()
                        uids = [
                            str(n) for n, data in enumerate(folder, start=1) if _date(data) >= since
                        ]
                        self.send("* SEARCH " + " ".join(uids))
                        self.send(f"{tag} OK SEARCH completed")
                    else:
                        uid, _, items = rest.partition(" ")
                        box.fetches.append(items)
                        data = folder[int(uid) - 1]
                        section = "BODY[]"
                        partial = re.search(r"BODY\.PEEK\[\]<(\d+)\.(\d+)>", items)
                        if partial:  # RFC 3501 partial fetch: at most that many octets
                            first, count = int(partial.group(1)), int(partial.group(2))
                            data = data[first : first + count]
                            section = f"BODY[]<{first}>"
                        self.send(f"* {uid} FETCH (UID {uid} {section} {{{len(data)}}}".encode())
                        self.wfile.write(data)
                        self.send(")")
                        self.send(f"{tag} OK FETCH completed")
                elif command == "LOGOUT":
                    self.send("* BYE logging out")
                    self.send(f"{tag} OK LOGOUT completed")
                    return
                else:
                    self.send(f"{tag} BAD unknown command")

    return Handler


def _from_utf7(name: str) -> str:
    """RFC 3501 modified UTF-7 back to text, as a server reads a folder name."""

    def decode(match: re.Match[str]) -> str:
        body = match.group(1)
        if not body:
            return "&"
        padded = body.replace(",", "/") + "=" * (-len(body) % 4)
        return base64.b64decode(padded).decode("utf-16-be")

    return re.sub(r"&([^-]*)-", decode, name)


def _date(data: bytes) -> dt.date:
    found = re.search(rb"(?m)^Date: (.+)$", data)
    assert found is not None
    return email.utils.parsedate_to_datetime(found.group(1).decode().strip()).date()


class ImapServer:
    def __init__(self, context: ssl.SSLContext) -> None:
        self.box = Mailbox()
        handler = _handler(self.box)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def get_request(self):  # type: ignore[no-untyped-def]
                sock, address = self.socket.accept()
                return context.wrap_socket(sock, server_side=True), address

        self.server = Server(("127.0.0.1", 0), handler)
        self.port = int(self.server.server_address[1])
        self.thread = serving_thread(self.server)

    def __enter__(self) -> ImapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
