"""Arrow's buffers come from the C library's allocator, as NumPy's do (less system time,
a lower peak); a pool the user chose stands."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from kakeai_ops.cli import app as app_module


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """``main`` also spaces out the garbage collector: not for the rest of the tests."""
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)


def test_kops_asks_arrow_for_the_system_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.setattr(app_module, "app", lambda prog_name: None)
    app_module.main()
    assert app_module.os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    # pyarrow reads it when it first allocates, as in a fresh kops process.
    probe = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert shown.stdout.strip() == "system"


def test_a_pool_the_user_chose_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    monkeypatch.setattr(app_module, "app", lambda prog_name: None)
    app_module.main()
    assert app_module.os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
