"""Microsoft Graph answers that are odd but legal: a Retry-After date without a zone."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_a_retry_after_date_without_zone_waits_instead_of_crashing(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: object
) -> None:
    """Retry-After: 'Fri, 20 Nov 2026 10:00:02 -0000' (RFC 2822's UTC of unknown origin)
    parsed to a naive time and crashed the send with a TypeError; it is UTC."""
    from collections import Counter

    import pytest

    from graph_server import GraphServer
    from kakeai_ops.config import load_settings
    from kakeai_ops.mail.graph import GraphTransport
    from kakeai_ops.mail.plan import load_plan
    from kakeai_ops.mail.send import Sender
    from kakeai_ops.store.ledger import Ledger
    from mailing import RUN, SEGMENT
    from test_graph import PinnedTime, use_graph
    from token_broker import broker

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    with GraphServer(tmp_path) as graph:
        monkeypatch.setenv("SSL_CERT_FILE", str(graph.cert))
        graph.state.tokens = {"t"}
        use_graph(sample_copy, graph, broker(tmp_path, "t", "t"))
        Cli(sample_copy)("mail", "send", *SEGMENT, "--limit", "1", "--yes")
        monkeypatch.setenv("KOPS_NOW", "2026-11-20T19:00:00+09:00")
        graph.state.answers = [(429, {"Retry-After": "Fri, 20 Nov 2026 10:00:05 -0000"})]
        settings = load_settings(sample_copy.config_path)
        time = PinnedTime()
        ledger = Ledger(sample_copy)
        try:
            sender = Sender(
                sample_copy,
                settings,
                ledger,
                GraphTransport(settings.mail),
                sleep=time.sleep,
                clock=time.clock,
            )
            plan = load_plan(sample_copy, RUN)
            first = sender.pending(plan, False)[0]
            report = sender.send(plan, [first])
        finally:
            ledger.close()
    assert 5.0 in time.waits
    assert report.outcomes == Counter({"sent": 1})
