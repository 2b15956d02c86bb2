"""What the local test servers (Graph, OAuth, IMAP) share: a thread serving until shutdown()."""

from __future__ import annotations

import socketserver
import threading


def serving_thread(server: socketserver.BaseServer) -> threading.Thread:
    # A short poll: shutdown() waits up to one poll (0.5 s by default) at every test end.
    return threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
