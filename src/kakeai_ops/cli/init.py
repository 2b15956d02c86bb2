"""``kops init``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..i18n import _
from ..jobs.workspace_init import default_config_text, init_workspace
from .shared import err, out, shell_word

# Between two commands typed on one line: Windows PowerShell 5.1 (the README's shell
# there) has no &&, and ; works in PowerShell 7 too.
THEN = "; " if os.name == "nt" else " && "


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_command(
        directory: Annotated[
            Path, typer.Argument(help="Directory for the new workspace (created if needed).")
        ] = Path("."),
        force: Annotated[
            bool, typer.Option("--force", help="Rewrite kops.yaml with the defaults.")
        ] = False,
        print_config: Annotated[
            bool,
            typer.Option("--print-config", help="Print the default kops.yaml and exit."),
        ] = False,
    ) -> None:
        """Create a workspace: kops.yaml, mail templates and the state directory.

        Example: kops init ~/kops-2026 && cd ~/kops-2026
        """
        if print_config:
            out.print(default_config_text(), markup=False, highlight=False, end="")
            return
        try:
            existed = (directory / "kops.yaml").is_file()
        except OSError:  # a name too long: init_workspace says so
            existed = False
        ws = init_workspace(directory, force=force)
        if existed:  # --force: only kops.yaml was written again
            err.print(
                _(
                    "Rewrote {path} with the defaults; the templates and the data are as they were"
                ).format(path=escape(str(ws.config_path))),
                highlight=False,
            )
            return
        err.print(_("Created workspace {path}").format(path=escape(str(ws.root))), highlight=False)
        err.print(
            "  " + _("{name}: settings (edit as needed)").format(name=ws.config_path.name),
            highlight=False,
        )
        err.print("  " + _("templates/: mail templates (yours to edit)"), highlight=False)
        err.print("  " + _("state/: snapshots and the state database"), highlight=False)
        first = "kops ingest users.csv pairs.csv meetings.xlsx"
        if ws.root.resolve() != Path.cwd().resolve():  # never 「cd . && …」
            first = f"cd {escape(shell_word(str(directory)))}{THEN}{first}"
        err.print(_("Next: {command}").format(command=first), highlight=False)
