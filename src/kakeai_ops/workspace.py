"""Where a workspace keeps everything, and how commands find it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import WorkspaceError
from .i18n import _, language

CONFIG_NAME = "kops.yaml"
ENV_VAR = "KOPS_WORKSPACE"
# A snapshot is written under this prefix, then renamed into place.
STAGING_PREFIX = ".incoming-"


def shipped_templates_dir() -> Path | None:
    """The repository's templates/ (editable install) or the copy inside the package."""
    packaged = Path(str(resources.files("kakeai_ops").joinpath("resources/templates")))
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "templates"
    return repo if repo.is_dir() else None


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def mail_templates_dir(self) -> Path:
        return self.templates_dir / "mail"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def snapshots_dir(self) -> Path:
        return self.state_dir / "snapshots"

    @property
    def db_path(self) -> Path:
        return self.state_dir / "kops.db"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "kops.lock"

    @property
    def lock_holder_path(self) -> Path:
        return self.state_dir / "kops.lock.holder.json"

    @property
    def outbox_dir(self) -> Path:
        return self.root / "outbox"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"


def current_folder() -> Path:
    """The folder the command runs in. A terminal can stay in a folder that was then removed
    (or, on a network drive, one no longer reachable): every relative path fails there, so
    that is said once, plainly, before anything is read."""
    try:
        return Path(os.getcwd())
    except OSError:
        raise WorkspaceError(
            _("the current folder no longer exists (it was removed or renamed while in use)"),
            hint=_("move to a folder that exists (cd), then run the command again"),
        ) from None


def find_workspace(option: Path | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace from ``--workspace``, then ``KOPS_WORKSPACE``, then the current
    directory or one of its parents (as git finds a repository)."""
    ws = _find_workspace(option, cwd)
    for folder in (ws.state_dir, ws.snapshots_dir, ws.state_dir / "mail"):
        if folder.exists() and not folder.is_dir():
            # Commands read or write there: said once, not as "no data yet" by one
            # command and a traceback by the next.
            raise WorkspaceError(
                _("{path} is a file, not the folder kops keeps the workspace's data in").format(
                    path=folder
                ),
                hint=_(
                    "move that file out of the workspace; if you have a copy of the folder, "
                    "put it back in its place"
                ),
            )
    return ws


def _find_workspace(option: Path | None, cwd: Path | None) -> Workspace:
    if option is not None:
        return _require(Path(option), "--workspace")
    # Explorer's 「パスのコピー」 puts the path in double quotes, which a variable set in
    # Windows' settings keeps; no Windows path holds a '"', so they are not part of it.
    env = os.environ.get(ENV_VAR, "").strip().strip('"').strip()
    if env:
        return _require(Path(env), ENV_VAR)
    here = (cwd or current_folder()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return Workspace(candidate)
    raise WorkspaceError(
        _("no kops workspace here ({here} and its parents have no {config})").format(
            here=here, config=CONFIG_NAME
        ),
        hint=_(
            "create one with `kops init DIR`, then run commands inside DIR, "
            "or pass --workspace DIR, or set {variable}=DIR"
        ).format(variable=ENV_VAR),
    )


def _require(path: Path, source: str) -> Workspace:
    try:
        return _required(path, source)
    except OSError as error:  # a name too long even to look at
        said = _("{path} (from {source}) cannot be read").format(path=path, source=source)
        if language() == "en" and error.strerror:  # the system's own words are English
            said += f" ({error.strerror})"
        raise WorkspaceError(
            said,
            hint=_("give the workspace folder (the one with {config})").format(config=CONFIG_NAME),
        ) from None


def _required(path: Path, source: str) -> Workspace:
    if path.name == CONFIG_NAME and path.is_file():
        # -w …/kops.yaml: the settings file given for its folder.
        raise WorkspaceError(
            _("{path} (from {source}) is the settings file, not the workspace folder").format(
                path=path, source=source
            ),
            hint=_("give the folder that holds it: {folder}").format(folder=path.parent),
        )
    if path.is_file():
        raise WorkspaceError(
            _("{path} (from {source}) is a file, not a workspace folder").format(
                path=path, source=source
            ),
            hint=_("give the workspace folder (the one with {config})").format(config=CONFIG_NAME),
        )
    if (path / CONFIG_NAME).is_dir():
        raise WorkspaceError(
            _("{path} is a folder, not the settings file").format(path=path / CONFIG_NAME),
            hint=_("rename or remove that folder, then run `kops init` again"),
        )
    if not (path / CONFIG_NAME).is_file():
        raise WorkspaceError(
            _("{path} (from {source}) is not a kops workspace: it has no {config}").format(
                path=path, source=source, config=CONFIG_NAME
            ),
            hint=_("create it with `kops init {path}`").format(path=path),
        )
    return Workspace(path.resolve())
