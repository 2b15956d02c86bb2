"""kops on a Windows PC: no POSIX-only import on any path, kops starts without fcntl."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kakeai_ops
from conftest import REPO

# What a Windows user has: no fcntl. Every module must import, and the lock still work.
NO_FCNTL = """
import importlib, pkgutil, sys, warnings
from pathlib import Path

import pytest
sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
warnings.simplefilter("ignore")
import kakeai_ops
names = [m.name for m in pkgutil.walk_packages(kakeai_ops.__path__, "kakeai_ops.")]
for name in names:
    if name != "kakeai_ops.__main__":  # it runs the CLI
        importlib.import_module(name)
from kakeai_ops.jobs.workspace_init import init_workspace
from kakeai_ops.store.lock import workspace_lock
ws = init_workspace(Path(sys.argv[1]))
with workspace_lock(ws, "kops test"):
    assert ws.lock_holder_path.is_file()
assert not ws.lock_holder_path.exists()
print(len(names))
"""


def test_every_module_imports_without_fcntl(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_FCNTL, str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 40  # the walk really found the package's modules


def test_the_walk_reaches_every_module_on_disk() -> None:
    package = REPO / "src" / "kakeai_ops"
    on_disk = {
        ".".join(("kakeai_ops", *path.relative_to(package).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in package.rglob("*.py")
    }
    walked = {m.name for m in pkgutil.walk_packages(kakeai_ops.__path__, "kakeai_ops.")}
    assert on_disk - {"kakeai_ops"} == walked


KOPS_WITHOUT_FCNTL = """
import runpy, sys
sys.modules["fcntl"] = None
sys.argv = ["kops", "--help"]
runpy.run_module("kakeai_ops", run_name="__main__")
"""


def test_kops_starts_without_fcntl() -> None:
    # python -m kakeai_ops (the module the walk above leaves out) runs the CLI.
    result = subprocess.run(
        [sys.executable, "-c", KOPS_WITHOUT_FCNTL],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "kops" in result.stdout and "ingest" in result.stdout


def test_demo_finds_the_sample_from_a_clone_without_make(tmp_path: Path) -> None:
    # Installed with `py -m pip install .`, the package lives in site-packages; run from
    # the clone, `kops demo` takes the clone's data/sample.
    from kakeai_ops.cli.demo import sample_dir

    installed = tmp_path / "site-packages" / "kakeai_ops" / "cli" / "demo.py"
    clone = tmp_path / "clone"
    (clone / "data" / "sample").mkdir(parents=True)
    assert sample_dir(installed, clone) == clone / "data" / "sample"
    assert sample_dir() == REPO / "data" / "sample"  # the editable install of this checkout


def test_the_sample_ships_inside_the_package(tmp_path: Path) -> None:
    """After any `pip install`, `kops demo` finds the sample in the package itself."""
    from kakeai_ops.cli.demo import sample_dir

    installed = tmp_path / "site-packages" / "kakeai_ops"
    (installed / "cli").mkdir(parents=True)
    (installed / "resources" / "sample" / "2026-10").mkdir(parents=True)
    elsewhere = tmp_path / "anywhere"
    assert (
        sample_dir(installed / "cli" / "demo.py", elsewhere) == installed / "resources" / "sample"
    )
    # In the source tree the package's copy is the repository's data/sample.
    shipped = REPO / "src" / "kakeai_ops" / "resources" / "sample"
    assert shipped.resolve() == (REPO / "data" / "sample").resolve()
    assert (shipped / "2026-11" / "meetings.xlsx").is_file()


def test_the_demo_says_how_to_put_kops_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from kakeai_ops.cli import demo

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("KOPS_LANG", "ja")
    hint = demo.path_hint()
    assert hint is not None and hint.startswith("kops を PATH に入れる: ")
    monkeypatch.setenv("KOPS_LANG", "en")
    assert str(demo.path_hint()).startswith("To put kops on PATH: ")
    assert "activate" in hint or "PATH" in hint
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/local/bin/kops")
    assert demo.path_hint() is None
