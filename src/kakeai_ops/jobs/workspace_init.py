"""``kops init``: a new workspace with its kops.yaml, templates and state directory."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from ..errors import WorkspaceError
from ..i18n import _
from ..outputs.atomic import check_folder, make_folder, unwritable
from ..store import connect
from ..workspace import CONFIG_NAME, Workspace, shipped_templates_dir


def default_config_text() -> str:
    return resources.files("kakeai_ops").joinpath("resources/kops.yaml").read_text("utf-8")


def init_workspace(directory: Path, force: bool = False) -> Workspace:
    ws = Workspace(directory.resolve())
    check_folder(directory)  # a file, a path through one, a name Windows refuses
    try:
        config_is = "folder" if ws.config_path.is_dir() else ws.config_path.exists()
    except OSError as error:  # a name too long even to look at
        raise unwritable(directory, error) from None
    if config_is == "folder":
        raise WorkspaceError(
            _("{path} is a folder, not the settings file").format(path=ws.config_path),
            hint=_("rename or remove that folder, then run `kops init` again"),
        )
    if config_is and not force:
        raise WorkspaceError(
            _("{path} already exists").format(path=ws.config_path),
            hint=_(
                "this is already a workspace; use --force to rewrite kops.yaml with the defaults"
            ),
        )
    make_folder(directory)  # or why it cannot be one: a file, a name Windows refuses, …
    try:
        source = shipped_templates_dir()
        if source is not None:
            # Only the templates missing: `init --force` rewrites kops.yaml, and said the
            # templates stayed as they were while it put every shipped one back over the
            # secretariat's edits.
            shutil.copytree(source, ws.templates_dir, dirs_exist_ok=True, copy_function=_new_only)
        else:
            ws.templates_dir.mkdir(exist_ok=True)
        ws.snapshots_dir.mkdir(parents=True, exist_ok=True)
        # kops.yaml last: a template folder it cannot write to stops it before the settings
        # are reset (`init --force` reset them, then failed).
        ws.config_path.write_text(default_config_text(), encoding="utf-8")
    except OSError as error:
        raise unwritable(Path(error.filename or directory), error) from None
    connect(ws).close()
    return ws


def _new_only(source: str, target: str) -> object:
    """Copy a shipped file where the workspace has none; keep one it has, or a link in its
    place, even one pointing nowhere (copying would write through it, out of the workspace)."""
    if os.path.lexists(target):
        return target
    return shutil.copy2(source, target)


__all__ = ["CONFIG_NAME", "default_config_text", "init_workspace"]
