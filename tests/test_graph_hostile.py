"""Microsoft Graph answers that are odd but legal: a Retry-After date without a zone."""

from __future__ import annotations

from pathlib import Path

from kakeai_ops.workspace import Workspace


def test_a_retry_after_date_without_zone_waits_instead_of_crashing(
    sample_copy: Workspace, tmp_path: Path, monkeypatch: object
) -> None:
    """Retry-After: 'Fri, 20 Nov 2026 10:00:02 -0000' (RFC 2822's UTC of unknown origin)
    parsed to a naive time and crashed the send with a TypeError; it is UTC."""
    from collections import Counter

    import pytest

    from graph_server import GraphServer
    from test_graph import one_sent_through_graph, pinned_sender

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    with GraphServer(tmp_path) as graph:
        monkeypatch.setenv("SSL_CERT_FILE", str(graph.cert))
        one_sent_through_graph(sample_copy, graph, tmp_path)
        monkeypatch.setenv("KOPS_NOW", "2026-11-20T19:00:00+09:00")
        graph.state.answers = [(429, {"Retry-After": "Fri, 20 Nov 2026 10:00:05 -0000"})]
        with pinned_sender(sample_copy) as run:
            report = run.send_first()
    assert 5.0 in run.time.waits
    assert report.outcomes == Counter({"sent": 1})
