"""A mistake typed into kops.yaml is named as what was typed wrong, at its line, in the
reader's language: not in the YAML library's English terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import Cli
from kakeai_ops.config import load_settings
from kakeai_ops.config.loading import read_yaml
from kakeai_ops.config.yaml_problems import PROBLEMS
from kakeai_ops.errors import ConfigError
from kakeai_ops.workspace import Workspace

# What a person editing kops.yaml types wrong → the line named, and what it is called.
MISTAKES = {
    "a value holding ': '": ("a:\n  title: 1on1: 準備\n", 2, "a ':' where a value was expected"),
    "a setting out of line": ("a:\n  b: 1\n c: 2\n", 3, "this line does not line up"),
    "a name without ':'": ("a:\n  b: 1\n  c\n  d: 2\n", 4, "a setting's name without ':'"),
    "a value starting with @": ("a: @secretariat\n", 1, "a value starts with a character YAML"),
    "a tab in the indentation": ("a:\n  b: 1\n\t\n  c: 2\n", 3, "a tab in the indentation"),
    "a list out of line": ("- a\nb: 1\n", 2, "a list item ('- ') does not line up"),
    "an unclosed [": ("a: [1, 2\nb: 3\n", 2, "a list opened with '[' is not closed"),
    "an unclosed {": ("a: {x: 1\nb: 3\n", 2, "a group opened with '{' is never closed"),
    "an unclosed quote": ('a: "abc\nb: 3\n', 3, "a quote is opened and never closed"),
    "a Windows path": ('a: "C:\\data\\exports"\n', 1, "a backslash inside double quotes"),
    "a Windows path with \\x": ('a: "C:\\xls"\n', 1, "a backslash inside double quotes"),
    "a value starting with - ": ("a:\n  title: - 特集 -\n", 2, "a value starts with '- '"),
    "a value starting with *": ("a: *all\n", 1, "a value starts with '*'"),
    "a value that is only &": ("a: &\n", 1, "a value starts with '&' or '*'"),
    "an anchor twice": ("a: &x 1\nb: &x 2\n", 2, "a value starts with '&'"),
    "a value starting with !": ("a: !important\n", 1, "a value starts with '!'"),
    "a second document": ("a: 1\n---\nb: 2\n", 2, "a line '---' splits the file in two"),
    "a list as a name": ("[a]: b\n", 1, "a setting's name is a list or a group"),
    "two commas": ("a: [1, , 2]\n", 1, "a value is missing"),
    "--- inside quotes": ("a: 'x\n---\n'\n", 2, "'---' or '...' inside a quoted value"),
    "text after |": ("a: |x\n  y\n", 1, "text after '|' or '>'"),
    "a control character": ("a: 1\nb: x\x07y\n", 2, "a control character"),
    "a '?' as a value": ("a: ? b\n", 1, "a value starts with '? '"),
    "text after a closing quote": ('a:\n  title: "1on1" 準備\n', 2, "text after a closing quote"),
    "a %YAML line": ("%YAML 1.1\n%YAML 1.1\n--- a\n", 2, "a line that starts with '%'"),
    "a % line": ("%FOO bar\na: 1\n", 1, "a line that starts with '%'"),
    "a %YAML 2": ("%YAML 2.0\n--- a\n", 1, "a line that starts with '%'"),
    "text after ...": ("a: 1\n...\nb: 2\n", 3, "text after a line '...'"),
    "brackets too deep": ("a: " + "[" * 1100 + "\n", 1, "nested too deeply"),
    "a tag never closed": ("a: !<x 1\n", 1, "a value starts with '!'"),
    "a tag with %": ("a: !<%zz> 1\n", 1, "a value starts with '!'"),
    "a tag with a handle": ("a: !x!y 1\n", 1, "a value starts with '!'"),
    "a merge of a value": ("a: 1\n<<: 2\n", 2, "'<<' takes a group"),
    "a \\U past Unicode": ('a: "\\U0011FFFF"\n', 1, "a backslash inside double quotes"),
    "|0": ("a: |0\n  x\n", 1, "text after '|' or '>'"),
    "a [ at the end": ("rules: [\n", 2, "the file ends inside brackets"),
    "a { at the end": ("a: {b: 1,\n\n", 3, "the file ends inside brackets"),
    "a %TAG line": ("%TAG x y\n--- 1\n", 1, "a line that starts with '%'"),
}


def _refusal(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as refused:
        read_yaml(text, "kops.yaml")
    return refused.value


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_is_named_at_its_line(name: str) -> None:
    text, line, words = MISTAKES[name]
    refused = _refusal(text)
    assert refused.message.startswith(f"kops.yaml:{line}: "), refused.message
    assert words in refused.message, refused.message
    assert "\n" not in refused.message  # no "in <unicode string>, position 3" dump


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("a: !!int x\n", 1, "a value starts with '!'"),
        ("a:\n  b: !!float x\n", 2, "a value starts with '!'"),
        ("a: !!bool x\n", 1, "a value starts with '!'"),
        ("a: !!timestamp x\n", 1, "a value starts with '!'"),
        ("a: !!binary é\n", 1, "a value starts with '!'"),
        ("a: !!omap [1]\n", 1, "a value starts with '!'"),
        ("a: !!map [1]\n", 1, "a value starts with '!'"),
        ("a: 1\nb: " + "9" * 5000 + "\n", 2, "a number of 5,000 digits"),
    ],
)
def test_a_value_yaml_cannot_build_is_named_at_its_line(text: str, line: int, words: str) -> None:
    """A type typed before a value (!!int) that the value is not, or a number longer
    than Python reads: an error at the line, not an internal error."""
    refused = _refusal(text)
    assert refused.message.startswith(f"kops.yaml:{line}: "), refused.message
    assert words in refused.message, refused.message


def test_a_mistake_from_the_cli_is_an_error_not_an_internal_error(cli: Cli, ws: Workspace) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(text + "extra: !!int x\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    result = cli("status", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: kops.yaml:{line}: extra: a value starts with '!'")


def test_every_problem_in_the_table_is_one_the_yaml_library_gives() -> None:
    """A table entry no mistake above reaches is a guess at the library's wording: each
    is met by a real parse (libyaml, as kops reads kops.yaml)."""
    from kakeai_ops.config import yaml_problems
    from kakeai_ops.i18n import _

    said = {_refusal(text).message for text, _line, _words in MISTAKES.values()}
    unmet = [start for start, words in PROBLEMS.items() if not any(_(words) in m for m in said)]
    assert unmet == []
    assert yaml_problems.problem_words("something new in a later release") == (
        "something new in a later release"
    )


@pytest.mark.parametrize(
    "text, line, what",
    [
        ("rules:\n  lapse_days：30\n  recent_n: 3\n", 2, "a full-width '：'"),
        ("rules:\n  lapse_days: 30\n\u3000 recent_n: [3\n", 3, "a full-width space"),
        ("rules:\n\tlapse_days: 30\n", 2, "a tab"),
        # After the colon: the line reads as text, and YAML names the next one.
        ("rules:\n  lapse_days:\u300030\n  recent_n: 3\n", 2, "a full-width space after the ':'"),
    ],
)
def test_what_the_ime_typed_is_pointed_at(text: str, line: int, what: str) -> None:
    refused = _refusal(text)
    assert refused.hint == (
        f"kops.yaml:{line} has {what}: YAML reads only a half-width ':' after a "
        "setting's name, and spaces to indent"
    )


def test_every_context_in_the_table_is_one_the_yaml_library_gives() -> None:
    """What the library was reading decides the words (a directive, a tag): each part
    is met by a real parse."""
    from kakeai_ops.config.yaml_problems import CONTEXTS

    met = set()
    for text, _line, _words in MISTAKES.values():
        try:
            yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as err:
            met |= {part for part in CONTEXTS if part in (getattr(err, "context", "") or "")}
    assert met == set(CONTEXTS)


def test_no_problem_of_the_library_is_left_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mistake above reads in Japanese: no word of the library's English left."""
    monkeypatch.setenv("KOPS_LANG", "ja")
    for name, (text, _line, _words) in MISTAKES.items():
        message = _refusal(text).message
        assert not re.search(r"[a-z]{3,} [a-z]{3,}", message), (name, message)


def test_a_byte_order_mark_is_said_to_be_deleted() -> None:
    """A BOM has nothing to do with ':' or indentation: the hint says what to do with it."""
    refused = _refusal("rules:\n  lapse_days: 30\n\ufeff  recent_n: 3\n")
    assert refused.hint == (
        "kops.yaml:3 has an invisible byte order mark (BOM) where two files were joined: "
        "delete the line's first character (it cannot be seen), or type the line again"
    )


def test_the_line_pointed_at_is_counted_as_yaml_counts_lines() -> None:
    """Windows line ends (Notepad), and a line separator YAML also ends a line at."""
    text = "# 設定\u2028\r\nrules:\r\n  lapse_days：30\r\n  recent_n: 3\r\n"
    refused = _refusal(text)
    assert refused.message.startswith("kops.yaml:4: ")
    assert refused.hint is not None and refused.hint.startswith("kops.yaml:4 has a full-width")


def test_a_full_width_colon_in_a_value_is_not_blamed() -> None:
    """'：' inside a value is text; only one that ends a setting's name is a mistake."""
    assert read_yaml("a:\n  title: 説明：準備\n", "kops.yaml").data == {
        "a": {"title": "説明：準備"}
    }
    refused = _refusal("a:\n  title: 説明：準備\n  b: x: y\n")
    assert refused.hint == "check indentation (spaces, not tabs) and quoting near that line"


@pytest.mark.parametrize(
    "name, what",
    [("\u3000recent_n", "a full-width space"), ("recent_n：", "a full-width '：'")],
)
def test_a_name_with_what_the_ime_typed_is_unknown_and_says_why(
    name: str, what: str, tmp_path: Path
) -> None:
    """A full-width space before a name is valid YAML (a name of its own), and looks
    right on screen: the refusal says what is in it."""
    path = tmp_path / "kops.yaml"
    path.write_text(f"rules:\n  lapse_days: 30\n  {name}: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    assert refused.value.message == (
        f"kops.yaml:3: rules.{name}: unknown setting: its name has {what} "
        "(did you mean 'recent_n'?)"
    )


@pytest.mark.parametrize(
    "value, why",
    [
        ("2026-02-30", "'2026-02-30' is not a date: 2026年2月 has days 1–28"),
        ("2028-02-30", "'2028-02-30' is not a date: 2028年2月 has days 1–29"),
        ("2026-13-01", "'2026-13-01' is not a date: a year has months 1–12"),
        ("2026-04-31T12:00:00", "'2026-04-31T12:00:00' is not a date: 2026年4月 has days 1–30"),
    ],
)
def test_a_date_not_in_the_calendar_says_which_days_the_month_has(value: str, why: str) -> None:
    refused = _refusal(f"calendar:\n  company_holidays: [{value}]\n")
    assert refused.message == f"kops.yaml:2: calendar.company_holidays.0: {why}"


def test_the_japanese_reader_reads_the_mistake_in_japanese(ws: Workspace) -> None:
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(
        text.replace("  lapse_days: 30", "  lapse_days：30", 1), encoding="utf-8"
    )
    line = next(
        n
        for n, row in enumerate(ws.config_path.read_text("utf-8").splitlines(), 1)
        if "：30" in row
    )
    result = Cli(ws)("status", env={"KOPS_LANG": "ja"}, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    # The line typed wrong, not the next one where YAML met it (it named line+1's
    # indentation, which is right).
    assert lines[0] == f"エラー: kops.yaml:{line}: YAML として正しくありません: 全角の「：」"
    assert lines[1] == (
        f"ヒント: kops.yaml の {line} 行目に全角の「：」があります: 設定名の後は半角の ':'、"
        "インデントは半角スペースで書いてください"
    )


def test_a_control_character_in_a_long_text_is_shown_with_what_is_around_it() -> None:
    refused = _refusal('a: "' + "z" * 9000 + '\\x07tail"\n')
    assert refused.message == (
        "kops.yaml:1: a: the text holds a control character (U+0007): "
        "'…" + "z" * 40 + "\\u0007tail'"
    )


@pytest.mark.parametrize(
    "text, line",
    [
        ("# 日本語のコメント\nrules:\n  lapse_days: 30\n  x: a\x07b\n", 4),
        ("あいうえおかきくけこさしすせそ: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: x\x07y\n", 6),
        ("a: 1\rb: x\x07y\r", 2),
        ("a: 1\u2028b: x\x07y\n", 2),
        ("a: 1\x85c: 2\nb: x\x07y\n", 3),
        ("a: 1\r\nb: x\x07y\r\n", 2),
    ],
)
def test_a_control_character_is_named_at_its_line_after_japanese_text(text: str, line: int) -> None:
    """The library says where a control character is in bytes of UTF-8: after Japanese
    text (every kops.yaml has comments in Japanese) the line was wrong or missing."""
    refused = _refusal(text)
    assert refused.message.startswith(f"kops.yaml:{line}: "), refused.message


def test_a_control_character_s_hint_says_to_delete_it() -> None:
    refused = _refusal("# 設定\na: 1\nb: x\x1b[2Jy\n")
    assert refused.message.startswith("kops.yaml:3: ")
    assert refused.hint == (
        "kops.yaml:3 has an invisible control character (U+001B), often pasted from another "
        "program: delete it, or type the line again"
    )


@pytest.mark.parametrize("code", [0x200B, 0x00AD, 0x2060, 0xE0041, 0xE000, 0xFFFD])
def test_a_character_that_shows_nothing_is_refused_in_a_text(code: int) -> None:
    """A zero-width space, soft hyphen, word joiner, tag, private-use character or U+FFFD
    in a title passed the check: two titles that look alike were two titles."""
    refused = _refusal(f'campaigns:\n  x:\n    title: "経営層との{chr(code)}1on1権"\n')
    assert refused.message.startswith("kops.yaml:3: campaigns.x.title: the text holds a ")
    assert f"(U+{code:04X})" in refused.message


def test_an_emoji_joined_with_a_zero_width_joiner_is_a_text() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert read_yaml(f'a: "{family}"\n', "kops.yaml").data == {"a": family}
