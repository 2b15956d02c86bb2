"""What a YAML syntax problem in kops.yaml means, in the reader's words.

The YAML library names a problem in its own terms ("mapping values are not allowed in
this context"), in English. The person editing kops.yaml is a secretariat member in
Japanese Notepad or VS Code: what helps is what they typed wrong (a ':' in a value, a
tab, an unclosed quote, a Windows path in double quotes, a full-width '：' typed with
the IME on). Each known problem gets that; an unknown one keeps the library's words.
"""

from __future__ import annotations

import calendar
import re

from ..i18n import N_, _

DIRECTIVE = N_(
    "a line that starts with '%' (a YAML directive): kops.yaml has none; "
    "put '#' before it to make it a comment"
)
TAGGED = N_("a value starts with '!': put the value in quotes")
AFTER_BAR = N_("text after '|' or '>' on the same line (the text goes on the lines below)")
MERGE = N_("'<<' takes a group named with '&' elsewhere in the file ('<<: *name')")

# The library's problem (its start: some end with a name) → what the reader typed wrong.
# Checked against libyaml (PyYAML's C loader, which kops uses) in tests/test_config_yaml.py.
PROBLEMS: dict[str, str] = {
    "mapping values are not allowed": N_(
        "a ':' where a value was expected (a value that holds ': ' needs quotes)"
    ),
    "did not find expected key": N_(
        "this line does not line up with the settings above it (check its indentation)"
    ),
    "could not find expected ':'": N_("a setting's name without ':' after it"),
    "found character that cannot start any token": N_(
        "a value starts with a character YAML keeps for itself (@, `, %, a tab): "
        "put the value in quotes"
    ),
    "found a tab character": N_("a tab in the indentation: indent with spaces"),
    "did not find expected '-' indicator": N_(
        "a list item ('- ') does not line up with the items above it"
    ),
    "did not find expected ',' or ']'": N_("a list opened with '[' is not closed with ']'"),
    "did not find expected ',' or '}'": N_("a group opened with '{' is never closed"),
    "found unexpected end of stream": N_("a quote is opened and never closed"),
    "found unknown escape character": N_(
        "a backslash inside double quotes (a Windows path?): use single quotes, "
        "or '/' instead of '\\'"
    ),
    "found invalid Unicode character escape code": N_(
        "a backslash inside double quotes (a Windows path?): use single quotes, "
        "or '/' instead of '\\'"
    ),
    "did not find expected hexdecimal number": N_(
        "a backslash inside double quotes (a Windows path?): use single quotes, "
        "or '/' instead of '\\'"
    ),
    "block sequence entries are not allowed": N_(
        "a value starts with '- ': a list's items go on the lines below its name, "
        "and a text that starts so needs quotes"
    ),
    "found undefined alias": N_("a value starts with '*': put the value in quotes"),
    "did not find expected alphabetic or numeric character": N_(
        "a value starts with '&' or '*': put the value in quotes"
    ),
    "second occurrence": N_("a value starts with '&': put the value in quotes"),
    "could not determine a constructor for the tag": TAGGED,
    "but found another document": N_(
        "a line '---' splits the file in two: kops.yaml is one document"
    ),
    "found unhashable key": N_("a setting's name is a list or a group"),
    "did not find expected node content": N_(
        "a value is missing (two commas in a row, or a comma before ']')"
    ),
    "found unexpected document indicator": N_("'---' or '...' inside a quoted value"),
    "did not find expected comment or line break": AFTER_BAR,
    "found an indentation indicator equal to 0": AFTER_BAR,
    "unacceptable character": N_("a control character, which cannot be shown"),
    "mapping keys are not allowed": N_("a value starts with '? ': put the value in quotes"),
    "did not find expected <document start>": N_(
        "text after a line '...' (the end of the document) or after a line that "
        "starts with '%': remove that line"
    ),
    "found duplicate %": DIRECTIVE,
    "found incompatible YAML document": DIRECTIVE,
    "exceeded maximum nesting depth": N_(
        "brackets or settings nested too deeply to be kops.yaml (a bracket never closed?)"
    ),
    "found undefined tag handle": TAGGED,
    "expected a mapping for merging": MERGE,
    "expected a mapping or list of mappings for merging": MERGE,
}

# A part of the library's context (what it was reading) → what the reader typed,
# whatever the problem met there: a directive line or a tag has a dozen ways to be
# wrong. The first part found wins ("while parsing a tag directive" is a directive).
CONTEXTS: dict[str, str] = {
    "directive": DIRECTIVE,
    "a tag": TAGGED,
}

# "did not find expected key" where the line has text before the problem: not a line
# out of line, but text after a value's closing quote or bracket ('title: "1on1" 準備').
# "did not find expected node content" with nothing after it: the file ended in a flow.
UNCLOSED_AT_END = N_("the file ends inside brackets: a '[' or '{' is never closed")
AFTER_CLOSED = N_("text after a closing quote or bracket: put the whole value in quotes")

TYPED_WRONG = {
    "byte order mark": N_("an invisible byte order mark (BOM) where two files were joined"),
    "full-width colon": N_("a full-width '：'"),
    "full-width space": N_("a full-width space"),
    "full-width space after the colon": N_("a full-width space after the ':'"),
    "tab": N_("a tab"),
}
# A line's setting name ended by a full-width colon (before any half-width one), or a
# line indented with full-width spaces (both typed with the Japanese IME on) or a tab.
_TYPED_WRONG = (
    ("byte order mark", re.compile(r"^[ \u3000\t]*\ufeff")),
    ("full-width space", re.compile(r"^ *\u3000")),
    ("tab", re.compile(r"^ *\t")),
    ("full-width colon", re.compile(r"^[ \u3000]*[^\s#:'\"\-][^:#'\"]*：")),
    # 「lapse_days:　45」: YAML reads the line as text and names the next one.
    ("full-width space after the colon", re.compile(r"^ *[^\s#:'\"\-][^:#'\"]*:\u3000")),
)


def problem_words(problem: str, context: str | None = None) -> str:
    """The library's ``problem``, met while reading ``context``, said as what the reader
    typed wrong (or as it is)."""
    for part, said in CONTEXTS.items():
        if context is not None and part in context:
            return _(said)
    for start, words in PROBLEMS.items():
        if problem.startswith(start):
            return _(words)
    return problem


def typed_wrong(text: str, line: int, since: int | None = None) -> tuple[int, str, str] | None:
    """The line from ``since`` (or two before ``line``) to ``line`` (1-based) written
    with a full-width '：' after a setting's name, or indented with a full-width space,
    a tab or a BOM; which of them (a key of TYPED_WRONG) and its words. YAML reads none
    of them, and often names the problem a few lines later (where the setting it took
    for text ends)."""
    lines = text.splitlines()  # as YAML counts them: \r\n, \r, \x85 and \u2028 end a line
    first = max(min(line - 2, since if since is not None else line), 1)
    for number in range(min(line, len(lines)), first - 1, -1):
        for kind, pattern in _TYPED_WRONG:
            if pattern.match(lines[number - 1]):
                return number, kind, _(TYPED_WRONG[kind])
    return None


def not_built(value: str, tagged: bool) -> str:
    """Why YAML could not build a value: a type typed before it (``!!int x``), or a
    number longer than Python reads (``sys.get_int_max_str_digits``)."""
    if tagged:
        return _(TAGGED)
    digits = value.lstrip("+-").replace("_", "")
    if digits.isdigit():
        return _("a number of {digits:,} digits: put it in quotes if it is text").format(
            digits=len(digits)
        )
    return _("a value YAML cannot read: put it in quotes")


def typed_in_name(name: str) -> str | None:
    """What a setting's name has that the IME typed (a full-width space or '：'), or None:
    the name looks right on screen, and is unknown."""
    if "\u3000" in name:
        return _(TYPED_WRONG["full-width space"])
    if "：" in name:
        return _(TYPED_WRONG["full-width colon"])
    if "\t" in name:
        return _(TYPED_WRONG["tab"])
    return None


def not_a_date(value: str) -> str:
    """Why a date YAML recognises by its form is not in the calendar (``2026-02-30``)."""
    match = re.match(r"(\d{4})-(\d{1,2})-", value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return _("'{text}' is not a date: a year has months 1–12").format(text=value)
        last = calendar.monthrange(year, month)[1]
        return _("'{text}' is not a date: {year}年{month}月 has days 1–{last}").format(
            text=value, year=year, month=month, last=last
        )
    return _("'{text}' is not a date").format(text=value)
