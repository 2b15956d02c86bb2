"""Shared fixtures: real workspaces in tmp_path, real export files, the real CLI."""

from __future__ import annotations

import ast
import atexit
import csv
import functools
import gc
import hashlib
import inspect
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from hypothesis import settings
from typer.testing import CliRunner

from kakeai_ops.cli.app import app
from kakeai_ops.jobs.workspace_init import init_workspace
from kakeai_ops.workspace import Workspace

# No time limit per example: `make test` runs a process per core and other work may
# share the machine, so an example's time says nothing about the code under test.
# The suite reads kops's messages in English (the catalog's message ids), whatever the
# machine's KOPS_LANG; subprocesses inherit it. tests/test_i18n.py checks the Japanese.
os.environ["KOPS_LANG"] = "en"
# The holiday table kops keeps in the user's cache folder (calendar.public_holiday): the
# tests' own folder, never the machine's ~/.cache; subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="kops-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ["KOPS_CACHE_DIR"] = _CACHE

# As `kops` itself does (cli/app.main): commands make millions of objects and little
# cyclic garbage, so a collection every 700 allocations is time spent for nothing.
gc.set_threshold(50_000)

settings.register_profile("kops", deadline=None)
settings.load_profile("kops")


def _keep_rewritten_tests() -> None:
    """pytest rewrites every test module's asserts (about two seconds of CPU for the
    suite, in each test process) and keeps the result in tests/__pycache__ unless
    PYTHONDONTWRITEBYTECODE is set, as it is on CI machines and in many shells. The
    tests' own rewritten code is kept even then: it is read back only while its source
    is unchanged (pytest checks the source's hash), so a test always runs as written.
    kops and the libraries still write nothing (the Makefile compiles kops first)."""
    if not sys.dont_write_bytecode:
        return
    try:
        from _pytest.assertion import rewrite
    except ImportError:  # pragma: no cover - a pytest without it rewrites as before
        return
    needed = ("_rewrite_test", "_write_pyc", "get_cache_dir", "try_makedirs", "PYC_TAIL")
    if not all(hasattr(rewrite, name) for name in needed):  # pragma: no cover
        return
    rewrite_test = rewrite._rewrite_test

    def rewrite_and_keep(fn: Path, config: pytest.Config) -> Any:
        source_hash, code = rewrite_test(fn, config)
        cache = rewrite.get_cache_dir(fn)
        if rewrite.try_makedirs(cache):
            state = config.stash[rewrite.assertstate_key]
            rewrite._write_pyc(state, code, source_hash, cache / (fn.name[:-3] + rewrite.PYC_TAIL))
        return source_hash, code

    rewrite._rewrite_test = rewrite_and_keep


_keep_rewritten_tests()

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"

USERS_HEADER = [
    "ユーザーID",
    "氏名",
    "メールアドレス",
    "事業部",
    "部署",
    "職種",
    "年代",
    "在籍状況",
    "最終ログイン日時",
]
PAIRS_HEADER = ["上司ID", "部下ID", "招待日", "承認日", "繰り返し設定"]
MEETINGS_HEADER = [
    "1on1ID",
    "上司ID",
    "部下ID",
    "実施日時",
    "ステータス",
    "トピック",
    "対応",
    "事前準備日時",
    "スッキリ度",
    "成長実感",
]


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@functools.cache
def source_trees(package: Path) -> tuple[tuple[Path, ast.Module], ...]:
    """Every module of ``package`` parsed, once per test process: the tests of the layers,
    the clock, the catalog and the screens each walk all of kops' code (half a second to
    parse); they read the trees and change none."""
    return tuple(
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(package.rglob("*.py"))
    )


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with its content hash: 'the workspace did not change'.

    SQLite's -wal/-shm files and the (empty) workspace lock file are not data."""
    digest = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(("-wal", "-shm", ".lock")):
            digest[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


# CliRunner.invoke builds the whole Click command tree from the Typer app on every call
# (about 60 ms: a fifth of a typical command in the tests). A real `kops` builds it once
# per process; the tests build it once per test process.
_commands: dict[int, Any] = {}


def _command_once(typer_app: Any) -> Any:
    key = id(typer_app)
    if key not in _commands:
        _commands[key] = typer.main.get_command(typer_app)
    return _commands[key]


typer.testing._get_command = _command_once  # type: ignore[attr-defined]


class Cli:
    def __init__(self, ws: Workspace | None) -> None:
        self.ws = ws
        self.runner = CliRunner()

    def __call__(
        self, *args: str, env: dict[str, str | None] | None = None, ok: bool = True
    ) -> Any:
        """``env``: variables for this call; None unsets one."""
        environment: dict[str, str | None] = {"KOPS_QUIET": "1", "COLUMNS": "200"}
        if self.ws is not None:
            environment["KOPS_WORKSPACE"] = str(self.ws.root)
        environment.update(env or {})
        result = self.runner.invoke(app, list(args), env=environment)
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"kops {' '.join(args)} exited {result.exit_code}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{result.exception!r}"
            )
        return result


@pytest.fixture
def cli(ws: Workspace) -> Cli:
    return Cli(ws)


@pytest.fixture
def make_exports(tmp_path: Path) -> Callable[..., list[Path]]:
    """Write a small, valid set of exports; override rows per table."""

    def make(
        users: Sequence[Sequence[Any]] | None = None,
        pairs: Sequence[Sequence[Any]] | None = None,
        meetings: Sequence[Sequence[Any]] | None = None,
        folder: str = "exports",
    ) -> list[Path]:
        base = tmp_path / folder
        base.mkdir(exist_ok=True)
        users = (
            users
            if users is not None
            else [
                [
                    "0001",
                    "髙橋 一郎",
                    "ichiro@example.jp",
                    "営業本部",
                    "第一営業部",
                    "営業",
                    "40代",
                    "在籍",
                    "2026/11/20 9:05",
                ],
                [
                    "0002",
                    "山﨑 花子",
                    "hanako@example.jp",
                    "営業本部",
                    "第一営業部",
                    "営業",
                    "20代",
                    "",
                    "2026-11-19T10:00:00",
                ],
                ["0003", "佐藤 健太", "", "開発本部", "", "エンジニア", "30代", "休職", ""],
            ]
        )
        pairs = (
            pairs
            if pairs is not None
            else [
                ["0001", "0002", "2026/04/01", "2026/04/02", "あり"],
                ["0001", "0003", "2026/04/01", "-", "なし"],
            ]
        )
        meetings = (
            meetings
            if meetings is not None
            else [
                [
                    "M1",
                    "0001",
                    "0002",
                    "2026/11/02 10:00",
                    "実施済",
                    "今後のキャリア",
                    "一緒に考えて欲しい",
                    "2026/11/01 18:00",
                    "4",
                    "3",
                ],
                ["M2", "0001", "0002", "2026/11/09 10:00", "キャンセル", "", "", "", "", ""],
                ["M3", "0001", "0002", "2026/11/30 10:00", "予定", "", "", "", "", ""],
            ]
        )
        return [
            write_csv(base / "users.csv", USERS_HEADER, users, encoding="cp932"),
            write_csv(base / "pairs.csv", PAIRS_HEADER, pairs, encoding="utf-8-sig"),
            write_csv(base / "meetings.csv", MEETINGS_HEADER, meetings),
        ]

    return make


@pytest.fixture(scope="session", autouse=True)
def _sample_dates_are_not_stale() -> Iterator[None]:
    """Workspaces made by the tests do not ask about old data before mailing.

    The sample and the test exports end in 2026-11 while the tests run on any later
    day, so every send would stop at rules.stale_days (7). Tests of that check set
    stale_days and pin the clock (KOPS_NOW) themselves."""
    import kakeai_ops.jobs.workspace_init as init_module

    shipped = init_module.default_config_text
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            init_module,
            "default_config_text",
            lambda: shipped().replace("  stale_days: 7 ", "  stale_days: 3650 ", 1),
        )
        yield


@pytest.fixture(autouse=True)
def _no_workspace_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOPS_WORKSPACE", raising=False)
    monkeypatch.delenv("KOPS_SMTP_PASSWORD", raising=False)


@pytest.fixture
def japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test reads what a Japanese reader reads (the suite runs in English)."""
    monkeypatch.setenv("KOPS_LANG", "ja")


def env_path() -> str:
    return os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def sample_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The sample tenant ingested (October, then November) once for the session.

    Tests that change the workspace copy it first (see ``sample_copy``).
    """
    root = tmp_path_factory.mktemp("sample") / "ws"
    ws = init_workspace(root)
    cli = Cli(ws)
    cli("ingest", *map(str, sorted((SAMPLE / "2026-10").iterdir())))
    cli("ingest", *map(str, sorted((SAMPLE / "2026-11").iterdir())))
    return ws


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """`kops demo` run once for the session: its workspace and the CLI's result.

    A whole month of commands (30 of them): every test that reads what the demo
    leaves behind reads this one run (and is listed in SHARED_RUNS below). Its folder
    has a space and a Japanese name, as a user's documents folder may."""
    root = tmp_path_factory.mktemp("demo") / "山田 太郎" / "kops demo"
    result = Cli(None)("demo", "--workspace", str(root))  # finds data/sample by itself
    return root, result


# `make test` runs the suite in one process per core (pytest-xdist, --dist loadfile): a
# file's tests stay in one process, so a workspace its module fixtures build is built
# once. Tests in other files that read one session fixture's run are sent with it, so
# that run is made once too: test id (or file) -> group.
SHARED_RUNS = {
    "tests/test_workbook_print.py": "demo_run",
    "tests/test_demo_documents.py": "demo_run",
    "tests/test_demo_paths.py": "demo_run",
    "tests/test_demo_mails.py": "demo_run",
    "tests/test_glossary_outputs.py": "demo_run",
    "tests/test_mail_ledger.py": "demo_run",
    "tests/test_i18n_screens.py::test_the_demo_month_in_english_shows_no_japanese_but_data": (
        "demo_run"
    ),
    "tests/test_review.py::test_demo_ends_with_the_deck": "demo_run",
    # The sample's reports and deck: REPORT_THEN_DECK, DECK then the 30 days as JSON,
    # NOVEMBER_REPORT, REPORT_90D.
    "tests/test_publication.py": "sample_reports",
    "tests/test_review_hostile.py": "sample_reports",
    "tests/test_output_audience.py": "sample_reports",
    "tests/test_report.py": "sample_reports",
    "tests/test_report_xlsx_charts.py": "sample_reports",
    "tests/test_report_xlsx.py": "sample_reports",  # REPORT_90D
    "tests/test_divisions_periods.py": "sample_reports",
    # The sample with its seminar held (seminar_ws), and the deck of it two tests of
    # test_review_hostile.py read (the rest of that file reads the sample's reports).
    "tests/test_survey_text_hostile.py": "seminar_ws",
    "tests/test_monthly_review_small_groups.py": "seminar_ws",
    "tests/test_review_hostile.py::test_review_paths_are_printed_as_written": "seminar_ws",
    "tests/test_review_hostile.py::test_review_seminar_groups_are_the_summary_counts": (
        "seminar_ws"
    ),
    "tests/test_review.py::test_one_snapshot_and_nothing_sent_gives_slides_that_say_so": (
        "october_review"
    ),
    "tests/test_review_hostile.py::test_review_of_a_workspace_with_one_snapshot": (
        "october_review"
    ),
}


# The files that take longest (with what they share), started first: the last files left
# are then short ones and the processes finish together. Measured with --durations=0.
HEAVY_FIRST = [
    "demo_run",
    "sample_reports",
    "tests/test_neutralise.py",
    "tests/test_binding.py",  # processes racing: more waiting than computing
    "tests/test_mail_command.py",
    "tests/test_lock.py",
    "tests/test_review.py",
    "tests/test_app_startup.py",  # fresh processes
    "tests/test_publication_time_attacks.py",
    "tests/test_send.py",
    "tests/test_advisors.py",
    "tests/test_table_fit.py",
    "tests/test_runs_states.py",
    "tests/test_filenames.py",
    "tests/test_headers.py",
]


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Files as units of work (as --dist loadfile), with SHARED_RUNS sent together and
    HEAVY_FIRST sent first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndSharedRuns(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::", 1)[0]
            return SHARED_RUNS.get(nodeid, SHARED_RUNS.get(file, file))

        def _assign_work_unit(self, node: Any) -> None:
            for scope in reversed(HEAVY_FIRST):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return FilesAndSharedRuns(config, log)


def _written(root: Path) -> dict[str, str]:
    """tree_digest, with what SQLite has written but not yet checkpointed (the -wal)."""
    digest = tree_digest(root)
    for wal in root.rglob("*-wal"):
        if wal.stat().st_size:
            digest[str(wal.relative_to(root))] = hashlib.sha256(wal.read_bytes()).hexdigest()
    return digest


@pytest.fixture(autouse=True)
def _sample_ws_stays_as_built(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that asks for the shared ``sample_ws`` must leave it as it was built.

    Every test in a process sees it, in whatever order they run: one that ran a
    writing command on it (a report records what it published, a send its ledger)
    would change what later tests find. Such a test asks for ``sample_copy``."""
    if "sample_ws" not in inspect.signature(request.function).parameters:
        yield
        return
    root = request.getfixturevalue("sample_ws").root
    before = _written(root)
    yield
    after = _written(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"the test changed the shared sample_ws ({changed}): use sample_copy"


def copied(ws: Workspace, target: Path) -> Workspace:
    """A workspace of its own: ``ws`` copied to ``target`` (a copy takes milliseconds, an
    ingest most of a second)."""
    shutil.copytree(ws.root, target)
    return Workspace(target)


@pytest.fixture
def sample_copy(sample_ws: Workspace, tmp_path: Path) -> Workspace:
    return copied(sample_ws, tmp_path / "sample-ws")


@pytest.fixture(scope="session")
def october_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The sample's October alone ingested, once for the session (copy it: october_copy)."""
    ws = init_workspace(tmp_path_factory.mktemp("october-only") / "ws")
    Cli(ws)("ingest", *map(str, sorted((SAMPLE / "2026-10").iterdir())))
    return ws


@pytest.fixture
def october_copy(october_ws: Workspace, tmp_path: Path) -> Workspace:
    """A workspace of its own holding only October's export (one snapshot, nothing sent)."""
    return copied(october_ws, tmp_path / "october-ws")


def hold_seminar(ws: Workspace) -> Cli:
    """Seminar month1 dated and linked, invited on 21 October and the sample's attendance
    read: what a survey of it needs. The CLI on ``ws``."""
    import yaml

    config = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    config["seminars"]["month1"].update(
        date="2026-10-28T12:15:00", url="https://meet.example/m1", recording_url="https://v/m1"
    )
    ws.config_path.write_text(
        yaml.dump(config, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    cli = Cli(ws)
    cli("seminar", "invite", "month1", "--yes", env={"KOPS_NOW": "2026-10-21T10:00:00+09:00"})
    cli("seminar", "attendance", "month1", str(SAMPLE / "seminar" / "month1-attendance.csv"))
    return cli


@pytest.fixture(scope="session")
def seminar_ws(sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The sample with seminar month1 held, once per process (copy it: seminar_copy)."""
    ws = copied(sample_ws, tmp_path_factory.mktemp("seminar") / "ws")
    hold_seminar(ws)
    return ws


@pytest.fixture
def seminar_copy(seminar_ws: Workspace, tmp_path: Path) -> Workspace:
    """A fresh copy of the sample with seminar month1 held (``hold_seminar``), once per
    process: a test of its survey reads the survey in."""
    return copied(seminar_ws, tmp_path / "seminar-ws")


@dataclass(frozen=True)
class SampleRun:
    """Commands run one after another on a fresh copy of the sample, as a test would on
    ``sample_copy``: the copy as they left it, the folder ``{out}`` named, their results."""

    ws: Workspace
    out: Path
    results: tuple[Any, ...]

    @property
    def result(self) -> Any:
        """The last command's result (stdout, stderr, exit_code)."""
        return self.results[-1]


# The type of the ``sample_run`` fixture.
RunSample = Callable[..., SampleRun]


def merge_config(ws: Workspace, changes: Mapping[str, Any]) -> None:
    """Write ``changes`` into the workspace's kops.yaml: a mapping merges into the one
    it names, any other value replaces it."""
    import yaml

    def merged(into: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        for key, value in changes.items():
            if isinstance(value, Mapping) and isinstance(into.get(key), dict):
                merged(into[key], value)
            else:
                into[key] = value
        return into

    data = yaml.load(ws.config_path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    ws.config_path.write_text(
        yaml.dump(merged(data, changes), allow_unicode=True, Dumper=yaml.CSafeDumper),
        encoding="utf-8",
    )


# What a run is made of: its commands, and the kops.yaml changes made before them (JSON).
RunKey = tuple[tuple[tuple[str, ...], ...], str]


@pytest.fixture(scope="session")
def _sample_runs(
    sample_ws: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[RunKey], SampleRun]:
    made: dict[RunKey, SampleRun] = {}

    def run(key: RunKey) -> SampleRun:
        if key not in made:
            commands, config = key
            base = tmp_path_factory.mktemp("run")
            shutil.copytree(sample_ws.root, base / "ws")
            ws, out = Workspace(base / "ws"), base / "out"
            out.mkdir()
            if config:
                merge_config(ws, json.loads(config))
            cli = Cli(ws)
            results = tuple(cli(*(a.replace("{out}", str(out)) for a in c)) for c in commands)
            made[key] = SampleRun(ws, out, results)
        return made[key]

    return run


@pytest.fixture
def sample_run(
    _sample_runs: Callable[[RunKey], SampleRun],
) -> Iterator[RunSample]:
    """``sample_run(("report", "divisions", "--out", "{out}/r.xlsx"), ...)``: the commands
    run in order on a fresh copy of the sample, once per process for all tests that ask
    for the same commands (a report, a deck: seconds each). ``config={...}``: kops.yaml
    changes made first (``merge_config``), part of what makes the run the same. The tests
    read what they left and must not change it (checked after each test); a test that
    writes asks for ``sample_copy``, or copies the run's workspace."""
    handed: list[SampleRun] = []
    before: list[dict[str, str]] = []

    def run(*commands: tuple[str, ...], config: Mapping[str, Any] | None = None) -> SampleRun:
        key = (tuple(commands), json.dumps(config or {}, ensure_ascii=False, sort_keys=True))
        made = _sample_runs(key)
        handed.append(made)
        before.append(_written(made.ws.root.parent))
        return made

    yield run
    for made, digest in zip(handed, before, strict=True):
        after = _written(made.ws.root.parent)
        changed = sorted(k for k in digest.keys() | after.keys() if digest.get(k) != after.get(k))
        assert not changed, f"the test changed a shared run ({changed}): use sample_copy"


# Runs that tests in several files read (``sample_run(*RUN)``): the same commands give
# the same run, made once per process.
NOVEMBER_REPORT = (("report", "divisions", "--period", "month:2026-11", "--out", "{out}/r.xlsx"),)
REPORT_90D = (
    ("report", "divisions", "--period", "90d", "--out", "{out}/r.xlsx"),
    ("report", "divisions", "--period", "90d", "--format", "json"),
)
REPORT_30D = (
    ("report", "divisions", "--period", "30d", "--out", "{out}/r.xlsx"),
    ("report", "divisions", "--period", "30d", "--format", "json"),
)
DECK = (("review", "--out", "{out}/deck.pptx", "--xlsx", "{out}/deck.xlsx"),)
# The 30 days' report as a file, then as JSON, then the deck, on one copy.
REPORT_THEN_DECK = (*REPORT_30D, ("review", "--out", "{out}/deck.pptx"))


@pytest.fixture(scope="session")
def october_review(october_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """A copy of ``october_ws`` (October alone ingested: one snapshot, nothing sent) and
    its review deck and workbook ({out}/deck.pptx, {out}/figures.xlsx), made once for the
    tests of a review with nothing to compare (listed in SHARED_RUNS)."""
    base = tmp_path_factory.mktemp("october")
    shutil.copytree(october_ws.root, base / "ws")
    ws, out = Workspace(base / "ws"), base / "out"
    out.mkdir()
    cli = Cli(ws)
    review = cli(
        "review",
        *("--out", str(out / "deck.pptx"), "--xlsx", str(out / "figures.xlsx")),
        env={"KOPS_QUIET": "0"},
    )
    return SampleRun(ws, out, (review,))
