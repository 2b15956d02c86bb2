"""The docs cover the CLI as it is: every command and every long option is on its page.

Walks the Typer app (as sqlite-utils walks its click app): a command, a subcommand or a
`--option` added without a line in docs/ fails here, naming what to document and where.
Also: the README stays a short front page, and every relative link in the README and
docs/ reaches a file (and a heading, when it names one).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import click
import pytest
from typer.main import get_command

from conftest import REPO
from kakeai_ops.cli.app import app

DOCS = REPO / "docs"
COMMANDS = DOCS / "commands"
# Options every command shares are explained once, on the page of what commands share.
COMMON = COMMANDS / "README.md"
README_MAX_LINES = 250


def _walk() -> list[tuple[list[str], click.Command]]:
    found: list[tuple[list[str], click.Command]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append((path, command))
        for name, child in getattr(command, "commands", {}).items():
            walk(child, [*path, name])

    walk(get_command(app), [])
    return found


WALK = _walk()
ROOT = WALK[0][1]  # the click tree, built once: building it is most of what a check costs
LEAVES = [(path, command) for path, command in WALK if path]


def _long_options(command: click.Command) -> list[str]:
    return sorted(
        {o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}
    )


def _page(path: list[str]) -> Path:
    """The page that documents a command: docs/commands/<first word>.md; the root's is COMMON."""
    return COMMANDS / f"{path[0]}.md" if path else COMMON


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8") if page.exists() else ""


def test_the_walk_finds_commands_subcommands_and_options() -> None:
    paths = [path for path, _ in WALK]
    assert ["ingest"] in paths and ["mail", "send"] in paths and ["campaign", "draw"] in paths
    send = dict((" ".join(p), c) for p, c in WALK)["mail send"]
    assert "--holdout" in _long_options(send) and "--dry-run" in _long_options(send)


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=" ".join)
def test_every_command_is_on_its_page(path: list[str]) -> None:
    page = _page(path)
    assert page.exists(), f"kops {' '.join(path)}: no page {page.relative_to(REPO)}"
    assert f"kops {' '.join(path)}" in _text(page), (
        f"{page.relative_to(REPO)} does not mention `kops {' '.join(path)}`"
    )


OPTION_CASES = [(path, option) for path, command in WALK for option in _long_options(command)]


@pytest.mark.parametrize(
    ("path", "option"), OPTION_CASES, ids=[" ".join([*p, o]) for p, o in OPTION_CASES]
)
def test_every_long_option_is_on_its_page(path: list[str], option: str) -> None:
    page = _page(path)
    # `--format` must not pass because `--format-x` is written somewhere: whole tokens only.
    pattern = re.compile(re.escape(option) + r"(?![\w-])")
    where = [p for p in (page, COMMON) if pattern.search(_text(p))]
    assert where, (
        f"kops {' '.join(path)} {option} is not documented: "
        f"mention it in {page.relative_to(REPO)} (or {COMMON.relative_to(REPO)} if every command has it)"
    )


def test_the_option_check_would_catch_a_missing_option() -> None:
    """The check above is not vacuous: an option no page names is reported."""
    pattern = re.compile(re.escape("--no-such-option-anywhere") + r"(?![\w-])")
    assert not any(pattern.search(_text(p)) for p in _markdown())


def test_readme_is_a_short_front_page() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines (at most {README_MAX_LINES}): move detail into docs/"
    )


def test_readme_gives_the_first_steps() -> None:
    """What a newcomer needs on the front page: the two commands, PATH on each OS, the month."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for needed in (
        "make demo",
        "make test",
        "source .venv/bin/activate",
        r".venv\Scripts\Activate.ps1",
        r".venv\Scripts\activate",
        "--out",
        ".xlsx",
        "CHANGELOG.md",
    ):
        assert needed in readme, f"README.md lacks {needed!r}"
    steps = re.findall(r"^\| (\d+) \|.*\| `kops [^`]+` \|$", readme, flags=re.M)
    assert steps == [str(n) for n in range(1, 11)], "the month in ten steps, one command each"


def _loss_table(text: str) -> str:
    """The information-loss table: the Markdown table whose header starts 会社全体のレポート."""
    found = re.search(r"^\| 会社全体のレポート \|.*?(?=\n(?!\|))", text, flags=re.M | re.S)
    return found.group() if found else ""


def test_readme_keeps_the_information_loss_table() -> None:
    """The sample's before/after table is on the front page and on the privacy page, the same."""
    readme = _loss_table((REPO / "README.md").read_text(encoding="utf-8"))
    privacy = _loss_table((DOCS / "privacy.md").read_text(encoding="utf-8"))
    assert "非表示の値" in readme and "管理本部" in readme, (
        "README.md lost the information-loss table"
    )
    assert readme == privacy, (
        "README.md and docs/privacy.md state different information-loss figures"
    )
    for audience in ("事務局内限り", "共有可"):
        assert audience in (REPO / "README.md").read_text(encoding="utf-8")


def _markdown() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@functools.cache
def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def _links() -> list[tuple[Path, str]]:
    found = []
    for page in _markdown():
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        found += [(page, target) for target in LINK.findall(text)]
    return found


def test_there_are_links_to_check() -> None:
    assert len(_links()) > 30


@pytest.mark.parametrize(
    ("page", "target"), _links(), ids=[f"{p.relative_to(REPO)}:{t}" for p, t in _links()]
)
def test_every_relative_link_resolves(page: Path, target: str) -> None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
        return
    file_part, _, anchor = target.partition("#")
    dest = (page.parent / file_part).resolve() if file_part else page
    assert dest.exists(), f"{page.relative_to(REPO)}: link to {target} reaches no file"
    if anchor and dest.suffix == ".md":
        assert anchor in _anchors(dest), (
            f"{page.relative_to(REPO)}: link to {target}: no heading #{anchor} in {dest.name}"
        )


def test_the_link_check_sees_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "x.md"
    page.write_text("# Title\n[a](missing.md) [b](#title) [c](#nope)\n", encoding="utf-8")
    targets = LINK.findall(page.read_text(encoding="utf-8"))
    assert targets == ["missing.md", "#title", "#nope"]
    assert not (tmp_path / "missing.md").exists()
    assert "title" in _anchors(page) and "nope" not in _anchors(page)


def _table_problems(text: str) -> list[str]:
    """Rows whose cell count differs from their table's header (an unescaped | in a cell)."""
    lines = re.sub(r"```.*?```", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    rows = lines.split("\n")
    problems = []
    separator = re.compile(r"^\s*\|(\s*:?-+:?\s*\|)+\s*$")
    cells = re.compile(r"(?<!\\)\|")
    for i, line in enumerate(rows):
        if i == 0 or not separator.match(line):
            continue
        width = len(cells.split(rows[i - 1].strip()))
        for j in range(i + 1, len(rows)):
            if not rows[j].strip().startswith("|"):
                break
            if len(cells.split(rows[j].strip())) != width:
                problems.append(f"line {j + 1}: {rows[j][:60]}")
    return problems


@pytest.mark.parametrize("page", _markdown(), ids=lambda p: str(p.relative_to(REPO)))
def test_tables_keep_their_columns(page: Path) -> None:
    """A | inside a cell (even in `code`) splits it on GitHub: write it as \\|."""
    assert _table_problems(page.read_text(encoding="utf-8")) == []


def test_the_table_check_sees_a_stray_pipe() -> None:
    bad = "| a | b |\n|---|---|\n| `x|y` | z |\n"
    assert _table_problems(bad) and not _table_problems(bad.replace("x|y", "x\\|y"))


EXPECTED_MAIL = REPO / "tests" / "expected" / "mail"


def _mail_examples() -> list[str]:
    """The rendered mails the guides show: code blocks that start with a Subject: line."""
    blocks = []
    for page in (COMMANDS / "mail.md", COMMANDS / "report.md"):
        for block in _fenced(page.read_text(encoding="utf-8")):
            lines = block.splitlines()
            if any(line.startswith("Subject: ") for line in lines[:2]):
                blocks.append(block)
    return blocks


def _fenced(text: str) -> list[str]:
    """The contents of the fenced code blocks, opening and closing fences paired."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_the_mails_shown_are_the_mails_sent() -> None:
    """Each example whose mail is pinned in tests/expected/mail reads as that file does.

    The example leaves out headers and the footer (and may skip with …), but every line it
    shows is the sent mail's, in order: a template edited without its example fails here.
    """
    pinned = {}
    for path in EXPECTED_MAIL.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        subject = re.search(r"^Subject: .*$", text, flags=re.M)
        if subject:
            pinned[subject.group()] = text.splitlines()
    checked = 0
    for block in _mail_examples():
        lines = block.splitlines()
        subject = next(line for line in lines if line.startswith("Subject: "))
        if subject not in pinned:
            continue
        sent = iter(pinned[subject])
        for line in lines:
            if line.strip() in ("", "…"):
                continue
            assert any(line == other for other in sent), (
                f"the example of {subject!r} shows a line the mail does not send (or out of order):"
                f" {line!r}"
            )
        checked += 1
    assert checked >= 4, f"only {checked} mail examples match a pinned mail"


@pytest.mark.parametrize(
    "page",
    [p for p in _markdown() if p.name != "glossary.md"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_the_guides_speak_the_glossary(page: Path) -> None:
    """The docs use each term as docs/glossary.md spells it (上司, not 上長)."""
    from kakeai_ops.glossary import TERMS

    text = page.read_text(encoding="utf-8")
    wrong = [f"{bad} (say {t.term})" for t in TERMS for bad in t.not_spelt if bad in text]
    assert not wrong, f"{page.relative_to(REPO)} spells terms another way: {wrong}"


def test_every_section_of_kops_yaml_has_a_line_in_the_settings_page() -> None:
    from kakeai_ops.config import Settings

    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [key for key in Settings.model_fields if f"`{key}:" not in page]
    assert not missing, f"docs/settings.md does not describe kops.yaml sections {missing}"


PACKAGE = REPO / "src" / "kakeai_ops"
ARCHITECTURE = DOCS / "architecture.md"


def _layout() -> list[str]:
    """What a newcomer looks for on the architecture page: every package and root module."""
    names = []
    for path in sorted(PACKAGE.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists():
            names.append(f"{path.name}/")
        elif path.suffix == ".py" and path.stem not in ("__init__", "__main__"):
            names.append(path.name)
    return names


@pytest.mark.parametrize("name", _layout())
def test_the_architecture_page_names_every_package_and_root_module(name: str) -> None:
    assert f"`{name}" in ARCHITECTURE.read_text(encoding="utf-8"), (
        f"docs/architecture.md does not describe src/kakeai_ops/{name}"
    )


def test_every_module_the_architecture_page_names_exists() -> None:
    """A module renamed or moved leaves no stale name behind on the page."""
    modules = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    stale = []
    for named in sorted(set(re.findall(r"`([\w/]+\.py)`", ARCHITECTURE.read_text("utf-8")))):
        exists = (REPO / named).exists() or any(
            m == named or m.endswith(f"/{named}") for m in modules
        )
        if not exists:
            stale.append(named)
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"


def _examples() -> list[tuple[Path, str]]:
    """Every kops command line the docs show: in `code` and in sh/powershell blocks."""
    found = []
    for page in _markdown():
        text = page.read_text(encoding="utf-8")
        lines = re.findall(r"`(kops [^`]+)`", text)
        for block in _fenced(text):
            lines += [
                line.split(" #")[0].strip()
                for line in block.splitlines()
                if line.strip().startswith("kops ")
            ]
        found += [(page, line) for line in lines]
    return found


def _example_problems(line: str) -> list[str]:
    words = line.split()[1:]
    command: click.Command = ROOT
    while words and words[0] in getattr(command, "commands", {}):
        command = command.commands[words.pop(0)]  # type: ignore[attr-defined]
    if getattr(command, "commands", None) and words and re.fullmatch(r"[a-z]+", words[0]):
        return [f"no command {words[0]!r}"]
    known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
    return [
        f"no option {w.split('=')[0]}"
        for w in words
        if w.startswith("--") and w.split("=")[0] not in known
    ]


def test_there_are_examples_to_check() -> None:
    assert len(_examples()) > 150


def test_every_example_names_real_commands_and_options() -> None:
    """An example with a misspelt or removed command or option fails (the docs would lie)."""
    problems = [
        f"{page.relative_to(REPO)}: {line}: {', '.join(found)}"
        for page, line in _examples()
        if (found := _example_problems(line))
    ]
    assert not problems, "\n".join(problems)


def test_the_example_check_sees_a_wrong_option() -> None:
    assert _example_problems("kops mail send --segment no_prep --yes") == []
    assert _example_problems("kops mail send --segmnt no_prep") == ["no option --segmnt"]
    assert _example_problems("kops mail lgoin") == ["no command 'lgoin'"]
