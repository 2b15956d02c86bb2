"""``kops demo``: the secretariat's month on the sample tenant.

It runs the real commands, in-process, printing each as it would be typed, so
the demo is also a tour of the command line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import KopsError
from ..i18n import N_, _
from ..outputs.atomic import check_folder, make_folder
from ..outputs.filenames import safe_name
from .options import workspace_option
from .shared import err, shell_word


def sample_dir(package_file: Path | None = None, cwd: Path | None = None) -> Path:
    """The sample tenant shipped inside the package (``resources/sample``: in the source
    tree a link to data/sample, in a wheel a copy), so `kops demo` works after any
    `pip install`; else data/sample of the repository this package runs from or of the
    current directory."""
    here = (package_file or Path(__file__)).resolve()
    shipped = here.parents[1] / "resources" / "sample"
    if shipped.is_dir():
        return shipped.resolve()
    source_tree = here.parents[3] / "data" / "sample"
    if source_tree.is_dir():
        return source_tree
    return (cwd or Path.cwd()) / "data" / "sample"


def path_hint() -> str | None:
    """How to put `kops` on PATH when it is not there yet (a venv not activated), for
    the shell in use; None when `kops` already runs as typed."""
    if shutil.which("kops"):
        return None
    in_venv = sys.prefix != sys.base_prefix
    if os.name == "nt":
        scripts = Path(sys.prefix) / "Scripts"
        if in_venv:
            return _("To put kops on PATH: {command} (PowerShell: {powershell})").format(
                command=scripts / "activate", powershell=scripts / "Activate.ps1"
            )
        return _("To put kops on PATH: {command}").format(command=f"$env:Path += ';{scripts}'")
    bin_dir = Path(sys.prefix) / "bin"
    if in_venv:
        return _("To put kops on PATH: {command}").format(command=f"source {bin_dir / 'activate'}")
    command = f'export PATH="{Path(sys.executable).parent}:$PATH"'
    return _("To put kops on PATH: {command}").format(command=command)


REVIEW_DECK = "review-2026-11.pptx"

# The month, one step a line as typed (split at spaces), with what it writes for the
# closing list. In a word, {ws} is the workspace, {out} its out/ folder, {seminar} the
# sample's seminar files and {october}/{november} that month's exports.
MONTH: list[tuple[str, str | None]] = [
    ("init {ws}", None),
    ("ingest -w {ws} {october}", None),
    # October: the Month1 seminar invites those stuck at the start of the funnel.
    ("seminar list -w {ws}", None),
    ("seminar invite month1 -w {ws} --yes", None),
    # A nudge to those without preparation, half held back so its effect can be measured.
    ("mail send -w {ws} --segment no_prep --holdout 50 --yes", None),
    ("seminar attendance month1 {seminar}/month1-attendance.csv -w {ws}", None),
    ("seminar survey month1 {seminar}/month1-survey.csv -w {ws}", None),
    # November's export arrives.
    ("ingest -w {ws} {november}", None),
    ("status -w {ws}", None),
    ("segment -w {ws}", None),
    ("segment -w {ws} --by division", None),
    (
        "segment -w {ws} --list --out {out}/segment.xlsx",
        N_("segment list (Excel)") + ": out/segment.xlsx",
    ),
    ("segment -w {ws} --compare 1", None),
    ("campaign list -w {ws}", None),
    (
        "campaign eligible exec-1on1-2026h2 -w {ws} --all --out {out}/campaign-eligible.xlsx",
        N_("campaign eligibility (Excel)") + ": out/campaign-eligible.xlsx",
    ),
    ("campaign eligible exec-1on1-2026h2 -w {ws}", None),
    ("campaign award exec-1on1-2026h2 -w {ws}", None),
    ("campaign milestones -w {ws}", None),
    ("report divisions -w {ws} --period 90d", None),
    (
        "report divisions -w {ws} --out {out}/division-report.xlsx",
        N_("division report (Excel, all 事業部)") + ": out/division-report.xlsx",
    ),
    (
        "report divisions -w {ws} --all-advisors --out {out}/advisors",
        N_("one report per advisor (Excel)") + ": out/advisors/",
    ),
    ("report advisors -w {ws} --out {out}/advisor-scopes", None),
    ("audit -w {ws}", None),
    ("interview shortlist -w {ws} --n 6", None),
    (
        "interview shortlist -w {ws} --n 4 --topic 今後のキャリア "
        "--out {out}/interview-shortlist.xlsx",
        N_("interview shortlist (Excel)") + ": out/interview-shortlist.xlsx",
    ),
    ("mail templates -w {ws}", None),
    ("mail preview -w {ws} --segment no_prep --role member", None),
    (
        "mail send -w {ws} --segment no_prep --role member --dry-run",
        N_("mail dry run (.eml files)")
        + ": outbox/"
        + safe_name("no_prep.member-2026-11", suffix="-dry-run"),
    ),
    # Nine managers: too few for a holdout (each group needs privacy.min_group people).
    ("mail send -w {ws} --segment no_recurrence --yes", None),
    ("mail send -w {ws} --awarded exec-1on1-2026h2 --yes", None),
    ("mail status -w {ws}", None),
    ("seminar remind month1 -w {ws} --yes", None),
    ("seminar summary month1 -w {ws}", None),
    (
        "seminar summary month1 -w {ws} --out {out}/seminar-month1.xlsx",
        N_("seminar summary (Excel)") + ": out/seminar-month1.xlsx",
    ),
    (
        "seminar list -w {ws} --out {out}/seminars.xlsx",
        N_("seminar list (Excel)") + ": out/seminars.xlsx",
    ),
    ("mail report no_prep.member-2026-10 -w {ws}", None),
    # The deck for the monthly meeting, with every figure as Excel too.
    (
        f"review -w {{ws}} --out {{out}}/{REVIEW_DECK} --xlsx {{out}}/review-2026-11.xlsx",
        N_("review deck (PowerPoint)") + f": out/{REVIEW_DECK}, out/review-2026-11.xlsx",
    ),
]


def demo_steps(root: Path, data: Path) -> list[tuple[list[str], str | None]]:
    """(kops arguments, output file it writes or None) for each step of the month."""
    places = {"{ws}": root, "{out}": root / "out", "{seminar}": data / "seminar"}
    files = {
        "{october}": sorted((data / "2026-10").iterdir()),
        "{november}": sorted((data / "2026-11").iterdir()),
    }
    return [
        ([arg for word in line.split() for arg in _arguments(word, places, files)], output)
        for line, output in MONTH
    ]


def _arguments(word: str, places: dict[str, Path], files: dict[str, list[Path]]) -> list[str]:
    """A word of a MONTH step as arguments: a place (with the path under it), a month's
    export files, else the word itself."""
    if word in files:
        return [str(path) for path in files[word]]
    place, slash, rest = word.partition("/")
    if place in places:
        return [str(places[place] / rest if slash else places[place])]
    return [word]


SAMPLE_SETTINGS = """advisors:
  営業本部長:
    email: sales-head@sample-seisakusho.example
    name: 山田 太郎
    title: 営業本部長
    scope: [営業本部]
  開発本部HRBP:
    email: dev-hrbp@sample-seisakusho.example
    name: 佐々木 恵
    title: 開発本部 HRBP
    scope: [開発本部/製品開発部, 開発本部/品質保証部]
"""


# The demo's clock follows the sample month, so every step reads as of one day of it
# (the mail's Date, the ledger's times, the files' properties, the age of the data):
# the October snapshot's data ends on 2026-10-20 and the Month1 seminar is on 2026-10-28,
# so the invitation and the nudge go out the day after that export (a week before the
# seminar: an invitation after the seminar's date is refused), attendance and survey are
# recorded the day after the seminar; November's data ends on 2026-11-20, and everything
# from its ingest to the deck happens on the first business day after it (11-23 is a
# holiday). Each send's data is then days old, not months: no --stale-ok is needed.
OCTOBER = "2026-10-21T10:00:00+09:00"
AFTER_SEMINAR = "2026-10-29T10:00:00+09:00"
NOVEMBER = "2026-11-24T10:00:00+09:00"
AFTER_SEMINAR_STEPS = (["seminar", "attendance"], ["seminar", "survey"])


def story_clock(steps: list[tuple[list[str], str | None]]) -> list[str]:
    """The moment (KOPS_NOW) each step of ``demo_steps`` runs at: OCTOBER until the second
    ingest (AFTER_SEMINAR for attendance and survey), NOVEMBER from it on."""
    moments = []
    ingests = 0
    for args, _output in steps:
        ingests += args[0] == "ingest"
        if ingests >= 2:
            moments.append(NOVEMBER)
        elif args[:2] in AFTER_SEMINAR_STEPS:
            moments.append(AFTER_SEMINAR)
        else:
            moments.append(OCTOBER)
    return moments


@contextlib.contextmanager
def _clock(moment: str) -> Iterator[None]:
    before = os.environ.get("KOPS_NOW")
    os.environ["KOPS_NOW"] = moment
    try:
        yield
    finally:
        if before is None:
            del os.environ["KOPS_NOW"]
        else:
            os.environ["KOPS_NOW"] = before


def configure_sample(root: Path) -> None:
    """The sample company's advisors, as a secretariat would add them to kops.yaml."""
    config = root / "kops.yaml"
    text = config.read_text("utf-8").replace("advisors: {}\n", SAMPLE_SETTINGS, 1)
    # The Month1 seminar was held on 2026-10-28 (the first date/url lines are month1's).
    text = text.replace("date: null ", "date: 2026-10-28T12:15:00 ", 1)
    # It lasts 30 minutes, as the sample company's programme plans each seminar.
    text = text.replace("minutes: null ", "minutes: 30 ", 1)
    # (indented as a seminar's key: "login_url: null" ends in "url: null" too)
    text = text.replace(
        "\n    url: null ", "\n    url: https://meet.example.invalid/kakeai-month1 ", 1
    )
    text = text.replace(
        "recording_url: null ", "recording_url: https://video.example.invalid/kakeai-month1 ", 1
    )
    # Where the sample company's people log in to KAKEAI and find its guide.
    text = text.replace("login_url: null ", "login_url: https://kakeai.example.invalid/login ", 1)
    text = text.replace("help_url: null ", "help_url: https://portal.example.invalid/kakeai ", 1)
    config.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command(
        workspace: Annotated[
            Path | None,
            workspace_option(
                help="Where to build the demo workspace (default: a new temporary directory)."
            ),
        ] = None,
        data: Annotated[
            Path | None,
            typer.Option(
                "--data", help="Sample exports to use (default: the shipped data/sample)."
            ),
        ] = None,
    ) -> None:
        """Run the secretariat's month on the sample tenant in a fresh workspace.

        init → ingest October and November → each capability, then print where
        the outputs are.

        Example: kops demo --workspace ./kops-demo
        """
        source = _sample_tenant(data)
        root = _new_workspace(workspace)
        outputs = _run_month(app, root, source)
        _say_where(root, outputs)


def _sample_tenant(data: Path | None) -> Path:
    source = data or sample_dir()
    if not all((source / part).is_dir() for part in ("2026-10", "2026-11", "seminar")):
        raise KopsError(
            _("no sample tenant at {path} (expected 2026-10/, 2026-11/ and seminar/)").format(
                path=source
            ),
            hint=_("run `make sample` or pass --data DIR"),
        )
    return source


def _new_workspace(workspace: Path | None) -> Path:
    root = (workspace or Path(tempfile.mkdtemp(prefix="kops-demo-"))).resolve()
    check_folder(root)  # a file, a path through one, a name Windows refuses, …
    if (root / "kops.yaml").exists():
        raise KopsError(
            _("{path} is already a workspace").format(path=root),
            hint=_("give --workspace a new or empty directory"),
        )
    make_folder(root)  # or why not (no permission, a name too long)
    return root


def _run_month(app: typer.Typer, root: Path, source: Path) -> list[str]:
    """Run every step of the month, each at its moment, printed as typed; the outputs
    the steps wrote."""
    outputs: list[str] = []
    (root / "out").mkdir(parents=True, exist_ok=True)
    steps = demo_steps(root, source)
    err.print(
        _(
            "(The demo's clock follows the sample's month: {october} invitations and mail, "
            "{seminar} attendance and survey, {november} from November's data on)"
        ).format(october=OCTOBER[:10], seminar=AFTER_SEMINAR[:10], november=NOVEMBER[:10]),
        highlight=False,
    )
    shown_day = ""
    for (args, output), moment in zip(steps, story_clock(steps), strict=True):
        if args[0] == "ingest" and "advisors: {}" in (root / "kops.yaml").read_text("utf-8"):
            configure_sample(root)
        shown = " ".join(a if " " not in a else f"'{a}'" for a in args)
        if moment[:10] != shown_day:
            shown_day = moment[:10]
            err.rule(escape(f"KOPS_NOW={moment}"), style="magenta", align="left")
        err.rule(escape(f"$ kops {shown}"), style="cyan", align="left")
        with _clock(moment):
            code = app(args=args, prog_name="kops", standalone_mode=False)
        if code not in (None, 0):
            raise KopsError(_("demo step failed: {command}").format(command=f"kops {shown}"))
        if output:
            outputs.append(output)
    return outputs


def _say_rehearsals(outbox: Path) -> None:
    """Every run the month wrote to the outbox, with its count of mails: all of them are
    rehearsals (the sample's mail.transport is outbox), not one of them delivered."""
    runs = sorted(
        folder
        for folder in outbox.iterdir()
        if folder.is_dir() and not folder.name.endswith(("-dry-run", "-test"))
    )
    if not runs:
        return
    err.print(
        "  "
        + _("mail written to the outbox (a rehearsal, not delivered): {n} runs").format(
            n=len(runs)
        ),
        highlight=False,
    )
    for folder in runs:
        line = _("{folder} ({n} mails)").format(
            folder=f"outbox/{folder.name}", n=len(list(folder.glob("*.eml")))
        )
        err.print("    " + escape(line), highlight=False)


def _say_where(root: Path, outputs: list[str]) -> None:
    """Where the workspace and the outputs are, and the next command to try."""
    err.rule(escape(_("done")), style="green")
    shown_root = escape(str(root))
    err.print(_("Demo workspace: {path}").format(path=shown_root), highlight=False)
    snapshots = escape(str(root / "state" / "snapshots"))
    err.print("  " + _("snapshots: {path}").format(path=snapshots), highlight=False)
    for output in outputs:
        label, _colon, where = output.partition(": ")
        err.print(f"  {escape(_(label))}: {escape(where)}", highlight=False)
    _say_rehearsals(root / "outbox")
    deck = escape(str(root / "out" / REVIEW_DECK))
    err.print(_("Review deck: {path}").format(path=deck), highlight=False)
    hint = path_hint()
    if hint:
        err.print(escape(hint), highlight=False)
    pasted = escape(shell_word(str(root)))  # a folder with a space still pastes as one word
    command = f"cd {pasted} && kops status" if os.name != "nt" else f"kops status -w {pasted}"
    err.print(_("Try: {command}").format(command=command), highlight=False)
