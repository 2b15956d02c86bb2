"""The layers of docs/architecture.md, as import-linter contracts in pyproject.toml.

`make test` and `make check` run them: an import that crosses a layer the wrong
way (analyses → mail, anything → cli, a cycle between packages) fails here.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from conftest import REPO, source_trees

CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]


def test_imports_keep_to_the_layers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    code = lint_imports(no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in report


def test_contracts_cover_the_rules_the_architecture_names() -> None:
    kinds = {contract["type"] for contract in CONTRACTS}
    assert {"forbidden", "protected", "acyclic_siblings"} <= kinds
    analyses = next(c for c in CONTRACTS if c.get("source_modules") == ["kakeai_ops.analyses"])
    assert {"kakeai_ops.mail", "kakeai_ops.outputs", "kakeai_ops.cli"} <= set(
        analyses["forbidden_modules"]
    )
    protected = next(c for c in CONTRACTS if c["type"] == "protected")
    assert protected["protected_modules"] == ["kakeai_ops.cli"]
    assert protected["allowed_importers"] == ["kakeai_ops.__main__"]


def test_a_wrong_way_import_is_caught(tmp_path: Path) -> None:
    # A copy of the package where an analysis imports the CLI: the contracts must refuse it.
    package = tmp_path / "kakeai_ops"
    shutil.copytree(REPO / "src" / "kakeai_ops", package, ignore=shutil.ignore_patterns("*.pyc"))
    segment = package / "analyses" / "segmentation.py"
    segment.write_text(
        segment.read_text(encoding="utf-8") + "\nfrom ..cli import shared  # noqa\n",
        encoding="utf-8",
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    run = subprocess.run(
        [sys.executable, "-c", LINT],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0, run.stdout + run.stderr
    assert "analyses are pure" in run.stdout
    assert "kakeai_ops.analyses.segmentation -> kakeai_ops.cli.shared" in run.stdout


LINT = """
import sys
from importlinter.cli import lint_imports
sys.exit(lint_imports(no_cache=True, no_logo=True))
"""


def test_only_the_store_speaks_sql() -> None:
    # The state database is the store's: no other module imports sqlite3 (design.md).
    package = REPO / "src" / "kakeai_ops"
    speaking = sorted(
        str(path.relative_to(package))
        for path, tree in source_trees(package)
        if "store" not in path.relative_to(package).parts
        and any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (alias.name if isinstance(node, ast.Import) else node.module or "") == "sqlite3"
                for alias in node.names
            )
            for node in ast.walk(tree)
        )
    )
    assert speaking == []


PACKAGE = REPO / "src" / "kakeai_ops"


def module_names(package: Path) -> dict[str, list[str]]:
    """Every module's and subpackage's name -> where it is (``__init__``/``__main__`` aside)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(package.rglob("*.py")):
        where = str(path.relative_to(package))
        if path.stem not in {"__init__", "__main__"}:
            found[path.stem].append(where)
        elif path.stem == "__init__" and path.parent != package:
            found[path.parent.name].append(str(path.parent.relative_to(package)) + "/")
    return found


def test_no_two_modules_share_a_name() -> None:
    # One name, one place: `draws` must not mean a workflow here and a table there.
    clashes = {name: places for name, places in module_names(PACKAGE).items() if len(places) > 1}
    assert clashes == {}


def test_a_name_clash_is_caught(tmp_path: Path) -> None:
    package = tmp_path / "kakeai_ops"
    (package / "jobs" / "review").mkdir(parents=True)
    for path in ("__init__.py", "jobs/__init__.py", "jobs/review/__init__.py"):
        (package / path).write_text("", encoding="utf-8")
    (package / "cli").mkdir()
    (package / "cli" / "review.py").write_text("", encoding="utf-8")
    assert module_names(package)["review"] == ["cli/review.py", "jobs/review/"]


def test_contracts_name_packages_not_workflow_files() -> None:
    # A new workflow module in jobs/ needs no contract edit: the contracts name the package.
    named = {
        module
        for contract in CONTRACTS
        for key in ("source_modules", "forbidden_modules", "protected_modules")
        for module in contract.get(key, [])
    }
    assert "kakeai_ops.jobs" in named
    assert not [m for m in named if m.startswith("kakeai_ops.jobs.")]
    # The root keeps the base; every workflow is in jobs/.
    roots = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert roots == {
        "model",
        "errors",
        "clock",
        "calendar",
        "dates",
        "workspace",
        "ids",
        "glossary",
        "i18n",
        "numbers",
    }
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == {
        "config",
        "columnar",
        "analyses",
        "exports",
        "store",
        "privacy",
        "outputs",
        "mail",
        "jobs",
        "cli",
    }


# Files that test the package as a whole rather than one module (test_docs_<what>.py too).
WHOLE_PACKAGE_TESTS = {"test_layers", "test_docs"}


def test_test_files_are_named_after_the_module_they_test() -> None:
    # tests/test_<module>.py, or test_<module>_<what>.py where a module's tests are split.
    names = set(module_names(PACKAGE))
    stray = sorted(
        path.stem
        for path in (REPO / "tests").glob("test_*.py")
        if not any(path.stem.startswith(whole) for whole in WHOLE_PACKAGE_TESTS)
        and not any(
            path.stem == f"test_{name}" or path.stem.startswith(f"test_{name}_") for name in names
        )
    )
    assert stray == []


MAX_FUNCTION_LINES = 80
# Functions still longer, and how long they are: this list only shrinks (a function on it
# may not grow, and none may join it).
LONG_FUNCTIONS: dict[str, int] = {}


def long_functions(package: Path) -> dict[str, int]:
    """Every function (methods and nested ones too) over MAX_FUNCTION_LINES lines, by
    ``module path:name``, with its length from ``def`` to its last line."""
    found = {}
    for path, tree in source_trees(package):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found[f"{path.relative_to(package)}:{node.name}"] = length
    return found


@functools.cache
def long_functions_now() -> dict[str, int]:
    """long_functions of kops itself, walked once for the file (two tests read it)."""
    return long_functions(PACKAGE)


def test_no_function_is_over_80_lines() -> None:
    grown = {
        name: length
        for name, length in long_functions_now().items()
        if length > LONG_FUNCTIONS.get(name, MAX_FUNCTION_LINES)
    }
    assert grown == {}


def test_the_list_of_long_functions_only_shrinks() -> None:
    """An entry is the function's length today: one made shorter lowers its entry, one
    brought under the limit leaves the list (so it cannot grow back unnoticed)."""
    now = long_functions_now()
    stale = {
        name: (listed, now.get(name))
        for name, listed in LONG_FUNCTIONS.items()
        if now.get(name) != listed
    }
    assert stale == {}


def test_a_long_function_is_caught(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}", encoding="utf-8")
    (tmp_path / "short.py").write_text("def short():\n    return 1\n", encoding="utf-8")
    assert long_functions(tmp_path) == {"long.py:long": MAX_FUNCTION_LINES + 1}
