"""A folder or a device given where a file is expected is called what it is."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, tree_digest
from kakeai_ops.workspace import Workspace


def test_a_folder_or_device_given_for_a_file_is_called_what_it_is(
    sample_copy: Workspace, tmp_path: Path
) -> None:
    """'file not found' for a folder that plainly exists sent people looking for a typo."""
    folder = tmp_path / "2026-11"
    folder.mkdir()
    device = tmp_path / "users.csv"
    device.symlink_to("/dev/null")
    cli = Cli(sample_copy)
    before = tree_digest(sample_copy.root)
    ingest = cli("ingest", str(folder), str(device), ok=False)
    assert f"{folder}: a folder, not a file" in ingest.stderr, ingest.stderr
    assert f"{device}: not a regular file" in ingest.stderr, ingest.stderr
    listed = cli("mail", "plan", "--users", str(folder), "--template", "no_pair", ok=False)
    assert f"{folder}: a folder, not a file" in listed.stderr
    missing = cli(
        "mail", "plan", "--users", str(tmp_path / "nope.csv"), "--template", "no_pair", ok=False
    )
    assert "file not found" in missing.stderr
    assert tree_digest(sample_copy.root) == before
