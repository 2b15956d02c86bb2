"""Help and usage errors in the user's language (kakeai_ops.i18n), laid out by display width.

Typer reads help texts at import; they are translated here, when the click commands are
built, so a process sees each command's own KOPS_LANG. Typer's own few words ("Options",
"default: …") go through the stdlib ``gettext`` of its default domain; they are pointed at
the kops catalog. Click's help layout counts characters: a Japanese character takes two
columns, so the layout here wraps by display width (and never starts a line with 。 or 、).
"""

from __future__ import annotations

import re
import sys
import types
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, Any

import typer
import typer.core
from typer._click import formatting
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from ..i18n import N_, _, translate_help

# Typer's words for its help pages, looked up with the stdlib gettext (see module doc).
typer.core._ = _
FRAMEWORK_WORDS = (
    N_("Usage: "),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Show this message and exit."),
)

# Click's usage errors, said in the user's language; anything else is shown as click says it.
_USAGE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"No such option: (?P<option>\S+)(?P<rest>.*)", re.S),
        N_("No such option: {option}"),
    ),
    (re.compile(r"Missing argument (?P<name>.+?)\.$", re.S), N_("Missing argument {name}.")),
    (re.compile(r"Missing option (?P<name>.+?)\.$", re.S), N_("Missing option {name}.")),
    (
        re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$", re.S),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (
        re.compile(r"Option (?P<option>'\S+') requires an argument\.$", re.S),
        N_("Option {option} requires a value."),
    ),
    (
        # --explain MANAGER MEMBER given one id was told it needs 「a value」.
        re.compile(r"Option (?P<option>'\S+') requires (?P<n>\d+) arguments\.$", re.S),
        N_("Option {option} requires {n} values."),
    ),
    (
        re.compile(r"Invalid value for (?P<name>'[^']+'(?: / '[^']+')*): (?P<reason>.*)$", re.S),
        N_("Invalid value for {name}: {reason}"),
    ),
    (
        # A check of kops' own (typer.BadParameter) without an option named: its words
        # are already translated.
        re.compile(r"Invalid value: (?P<reason>.*)$", re.S),
        N_("Invalid value: {reason}"),
    ),
    (
        re.compile(r"(?P<value>'.*') is not one of (?P<choices>.*)\.$", re.S),
        N_("{value} is not one of {choices}."),
    ),
    # Typer checks numbers as pydantic does, in pydantic's words.
    (
        re.compile(r"Input should be greater than or equal to (?P<limit>\S+)$"),
        N_("must be {limit} or more"),
    ),
    (
        re.compile(r"Input should be less than or equal to (?P<limit>\S+)$"),
        N_("must be {limit} or less"),
    ),
    (re.compile(r"Input should be greater than (?P<limit>\S+)$"), N_("must be more than {limit}")),
    (re.compile(r"Input should be less than (?P<limit>\S+)$"), N_("must be less than {limit}")),
    (re.compile(r"Input should be a valid integer\b.*$", re.S), N_("must be a whole number")),
    (re.compile(r"Input should be a valid number\b.*$", re.S), N_("must be a number")),
    # Typer's suggestion for a mistyped command, added to click's (already translated)
    # message after its last full stop: 「…ありません。. Did you mean 'segment'?」.
    (
        re.compile(r"(?P<said>.*?)\. Did you mean (?P<suggestions>.+)\?$", re.S),
        N_("{said}. Did you mean {suggestions}?"),
    ),
]


# Click adds the options it would take to an unknown one: 「(Possible options: --format)」.
_POSSIBLE = re.compile(r"\(Possible options: (?P<options>[^)]*)\)")


def usage_message(message: str) -> str:
    """A click usage error's message in the user's language."""
    for pattern, msgid in _USAGE_ERRORS:
        found = pattern.match(message)
        if found:
            fields = found.groupdict()
            rest = _POSSIBLE.sub(
                lambda m: _("(Possible options: {options})").format(options=m["options"]),
                fields.pop("rest", ""),
            )
            if "reason" in fields:  # Typer's choices say "Value error, 'x' is not one of …"
                fields["reason"] = usage_message(fields["reason"].removeprefix("Value error, "))
            return _(msgid).format(**fields) + rest
    return _(message)


def _show_usage_error(error: UsageError, file: IO[Any] | None = None) -> None:
    stream = file if file is not None else sys.stderr
    ctx = error.ctx
    if ctx is not None:
        typer.echo(ctx.get_usage(), file=stream, color=ctx.color)
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]
            )
            typer.echo(hint + "\n", file=stream, color=ctx.color)
    label = _("Error:")
    typer.echo(
        f"{label} {usage_message(error.format_message())}",
        file=stream,
        color=ctx.color if ctx is not None else None,
    )
    advice = getattr(error, "kops_hint", None)
    if advice:
        typer.echo(f"{_('Hint:')} {advice}", file=stream, color=ctx.color if ctx else None)


def localize_usage_error(error: UsageError, hint: str | None = None) -> UsageError:
    """The same error, shown in the user's language (with ``hint``, what to type)."""
    if not isinstance(error, NoArgsIsHelpError):
        error.show = types.MethodType(_show_usage_error, error)  # type: ignore[method-assign]
        error.kops_hint = hint  # type: ignore[attr-defined]
    return error


def localize(command: Any) -> Any:
    """A built click command (and its loaded subcommands) with help in the user's language."""
    # The English texts are kept: a process that runs several commands (the tests) may
    # switch languages between them.
    source = getattr(command, "_kops_source", None)
    if source is None:
        params = [getattr(param, "help", None) for param in command.params]
        source = command._kops_source = (command.help, command.short_help, params)
    help_text, short_help, params = source
    command.help = translate_help(help_text)
    # The listing shows the whole first paragraph: click would cut it at the first "."
    # (e.g.) or at a character count that is too long for Japanese.
    first = (command.help or "").split("\n\n")[0]
    command.short_help = translate_help(short_help) or " ".join(first.split())
    for param, text in zip(command.params, params, strict=False):
        if text:
            param.help = translate_help(text)
    command.context_class = KopsContext
    commands = getattr(command, "commands", None)
    if isinstance(commands, dict):  # a sub-app; the root's lazy table localizes its own
        for sub in commands.values():
            localize(sub)
    return command


# --- layout by display width ---------------------------------------------------------------

_NO_LINE_START = frozenset("、。，．,.)）]」』】〕！？!?ーッャュョァィゥェォっゃゅょ")
# A space run, or one unit that is never broken: an ASCII word, or one other character;
# opening brackets stick to what follows them.
_TOKENS = re.compile(r"\s+|[\[(（「『【〔]*(?:[\x21-\x7e]+|.)", re.S)


def cells(text: str) -> int:
    """Terminal columns the text takes (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def wrap(text: str, width: int) -> list[str]:
    """One paragraph in lines of at most ``width`` columns: ASCII words stay whole,
    Japanese breaks between characters, but not before closing punctuation."""
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(re.sub(r"\s*\n\s*", " ", text.strip())):
        size = cells(token)
        if token.isspace():
            if used + size < width:
                line, used = line + token, used + size
            elif line:
                lines.append(line.rstrip())
                line, used = "", 0
            continue
        if line.strip() and used + size > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _wrap_paragraphs(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for number, paragraph in enumerate(text.split("\n\n")):
        if number:
            lines.append("")
        lines += wrap(paragraph, width)
    return lines


# What a value is, as the help shows it after an option: Click's and Typer's type names
# (``<int range>``, ``<list[Path]>``) are a programmer's words in any language.
METAVARS = {
    "<int range>": N_("<integer>"),
    "<float range>": N_("<number>"),
    "<str>": N_("<text>"),
    "<path>": N_("<path>"),
    "<list[Path]>": N_("<path>…"),
    "<list[str]>": N_("<text>…"),
    "<str,str>": N_("<text> <text>"),
}
_METAVAR = re.compile("|".join(re.escape(key) for key in METAVARS))


def _metavars(option: str) -> str:
    """An option's first column with its value named in the reader's words."""
    return _METAVAR.sub(lambda found: _(METAVARS[found.group()]), option)


class KopsHelpFormatter(formatting.HelpFormatter):
    """Click's help layout, measured in display columns and in the user's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for line in _wrap_paragraphs(text, max(self.width - self.current_indent, 11)):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(_metavars(first), _(second) if second else second) for first, second in rows]
        first_col = min(max((cells(first) for first, _second in rows), default=0), col_max)
        first_col += col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cells(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cells(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = _wrap_paragraphs(second, max(self.width - first_col - 2, 10))
            self.write(f"{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class KopsContext(typer.Context):
    formatter_class = KopsHelpFormatter


def localize_all(commands: Iterable[Any]) -> None:
    for command in commands:
        localize(command)
