"""Reading kops.yaml safely: YAML with limits, and the line each setting is on.

PyYAML builds an alias once and shares it, but whatever walks the result
(validation, a report) walks every copy: nine levels of nine aliases are 387
million values. So the document's size *with aliases expanded* is measured on
the node graph before anything is built, and a document bigger than any
kops.yaml could be is refused. A date YAML recognises but the calendar does
not have (``2026-02-30``) is an error at its line, not a crash; so is a key
given twice (YAML would keep the last one silently), and so is a control
character in any key or text (a name that clears the terminal, a line break
that would end a mail header).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError
from ..i18n import N_, _
from .yaml_problems import (
    AFTER_CLOSED,
    UNCLOSED_AT_END,
    not_a_date,
    not_built,
    problem_words,
    typed_wrong,
)

MAX_VALUES = 100_000  # values with aliases expanded; the shipped kops.yaml has under 1,000
MAX_TEXT = 10_000  # characters in one key or text; the longest setting is a sentence
# C0/C1 controls, line and paragraph separators, direction marks and overrides, BOM; and
# what shows nothing or stands for nothing: zero-width space, word joiner, soft hyphen,
# tags, private use, interlinear annotations and U+FFFD (text that lost its encoding). Two
# titles that look alike are then one title. The zero-width joiner of emoji stays.
CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\xad\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ue000-\uf8ff\ufeff\ufff9-\ufffb\ufffd\U000e0000-\U000e007f]"
)

Path = tuple[Any, ...]

# Where YAML ends a line (as it counts lines for its marks): \r\n once, and \r, \n,
# NEL, the line and paragraph separators each.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


# libyaml's parser when PyYAML has it (every wheel does): the pure-Python one took a
# tenth of a second to read the shipped kops.yaml, on every command.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """The safe loader, with dates checked (``2026-02-30`` is an error at its line), and
    a value it cannot build an error at its line: a type typed before it that it is not
    (``!!int x`` raises ValueError, ``!!bool x`` KeyError), or a number of more digits
    than Python reads."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            value = node.value if isinstance(node, ScalarNode) else ""
            problem = not_built(value, self._tagged(node))
            raise ConstructorError(None, None, problem, node.start_mark) from None

    def _tagged(self, node: Node) -> bool:
        """Whether the node is written with a tag (``!!int x``; a tag is never implicit)."""
        return _tagged(self.text, node.start_mark)


def _tagged(text: str, mark: Any) -> bool:
    """Whether the node at ``mark`` is written with a tag (``!!int x``): a tag is never
    implied, so the text there starts with '!'."""
    return mark is not None and text.startswith("!", mark.index)


def _timestamp(loader: yaml.SafeLoader, node: Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        raise ConstructorError(None, None, not_a_date(node.value), node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass
class Document:
    """kops.yaml read: its data, and the line of every setting (by key path)."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of the deepest setting on ``path`` that the file spells out."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def where(self, name: str, path: Path) -> str:
        line = self.line_of(path)
        return f"{name}:{line}" if line is not None else name


# The documents read lately, by text and name: `kops demo` (and a session of commands in
# one process) reads the same kops.yaml for each command; checking its size, lines and
# text again costs more than a copy of what was read.
_READ: dict[tuple[str, str], Document] = {}
_READ_MOST = 8


def read_yaml(text: str, name: str) -> Document:
    """Parse kops.yaml; every problem is a ConfigError naming file:line. Each caller gets
    its own copy of the data (a document read before is not read again)."""
    known = _READ.get((text, name))
    if known is None:
        known = _read_yaml(text, name)
        if len(_READ) >= _READ_MOST:
            _READ.clear()
        _READ[(text, name)] = known
    return Document(copy.deepcopy(known.data), dict(known.lines))


def _read_yaml(text: str, name: str) -> Document:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return Document(None)
            _check_size(node, name)
            lines: dict[Path, int] = {}
            _map_lines(node, (), lines, name)
            try:
                data = loader.construct_document(node)
            except ConstructorError as err:
                raise _yaml_error(err, name, text, lines) from None
        except yaml.YAMLError as err:
            raise _yaml_error(err, name, text, {}) from None
        except RecursionError:
            raise ConfigError(
                _("{file}: nested too deeply to be kops.yaml").format(file=name),
                hint=_("kops.yaml has a few levels of settings; check the brackets"),
            ) from None
    finally:
        loader.dispose()
    document = Document(data, lines)
    _check_text(document, data, (), name)
    return document


def _yaml_error(err: yaml.YAMLError, name: str, text: str, lines: dict[Path, int]) -> ConfigError:
    """The problem at its line, in the reader's words (see yaml_problems)."""
    line = _problem_line(err, text)
    where = f"{name}:{line}" if line is not None else name
    if isinstance(err, yaml.reader.ReaderError):
        problem = problem_words(f"unacceptable character #x{err.character:04x}")
    else:
        problem = _problem(err, text)
    context = getattr(err, "context_mark", None)
    since = int(context.line) + 1 if context is not None else None
    typed = typed_wrong(text, line, since) if line is not None else None
    if typed is not None and typed[1] == "byte order mark":
        hint = _(
            "{file}:{line} has {what}: delete the line's first character (it cannot be "
            "seen), or type the line again"
        ).format(file=name, line=typed[0], what=typed[2])
    elif typed is not None:
        number, _kind, what = typed
        hint = _(
            "{file}:{line} has {what}: YAML reads only a half-width ':' after a setting's "
            "name, and spaces to indent"
        ).format(file=name, line=number, what=what)
        # The line typed wrong is the problem: YAML meets it a line or two later, and
        # 「59: この行が上の設定とそろっていません」 sent the reader to a line that is right.
        if number != line:
            where, problem, line = f"{name}:{number}", what, number
    elif isinstance(err, yaml.reader.ReaderError):  # not indentation nor quotes: a character
        hint = _(
            "{where} has an invisible control character ({code}), often pasted from another "
            "program: delete it, or type the line again"
        ).format(where=where, code=f"U+{err.character:04X}")
    else:
        hint = None
    if line is not None and lines:
        here = [path for path, at in lines.items() if at == line]
        if here:
            key = dotted(max(here, key=len))
            return ConfigError(
                f"{where}: {key}: {problem}",
                hint=hint or _("fix {file} at that line").format(file=name),
            )
    return ConfigError(
        _("{where}: not valid YAML: {problem}").format(where=where, problem=problem),
        hint=hint or _("check indentation (spaces, not tabs) and quoting near that line"),
    )


def _problem(err: yaml.YAMLError, text: str) -> str:
    """The library's problem in the reader's words; never its multi-line dump."""
    said = getattr(err, "problem", None)
    if not said:
        return _("this line is not as YAML reads it")
    mark = getattr(err, "problem_mark", None)
    if isinstance(err, ConstructorError) and (
        _tagged(text, mark) or _tagged(text, err.context_mark)
    ):
        return not_built("", tagged=True)  # !!omap [1], !!binary é: the tag is the mistake
    ended = mark is not None and not text[mark.index :].strip()
    if said.startswith("did not find expected node content") and ended:
        return _(UNCLOSED_AT_END)
    if said.startswith("did not find expected key") and mark is not None:
        before = text[mark.index - mark.column : mark.index].replace("\ufeff", "")
        if before.strip():
            return _(AFTER_CLOSED)
    return problem_words(said, getattr(err, "context", None))


def _problem_line(err: yaml.YAMLError, text: str) -> int | None:
    """The 1-based line the problem is on (a reader error knows only its position)."""
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(err, "position", None)
    if not isinstance(position, int) or position < 0:
        return None
    if _SafeLoader is not yaml.SafeLoader:
        # libyaml reads the text as UTF-8 and says where in bytes: after a Japanese
        # comment the character count is far smaller.
        position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
    if position > len(text):
        return None
    return len(LINE_BREAK.findall(text, 0, position)) + 1


def _check_size(root: Node, name: str) -> None:
    """Refuse a document whose values, aliases expanded, exceed MAX_VALUES."""
    sizes: dict[int, int] = {}
    # Post-order over the node graph, each node once (aliases are shared nodes).
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            total = 1 + sum(sizes.get(id(child), 0) for child in children)
            sizes[id(node)] = total
            if total > MAX_VALUES:
                raise ConfigError(
                    _(
                        "{file}:{line}: more than {most:,} values with its aliases (*name) "
                        "expanded; refused (an alias bomb?)"
                    ).format(file=name, line=node.start_mark.line + 1, most=MAX_VALUES),
                    hint=_("write the settings out; kops.yaml needs no nested aliases"),
                )
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
        if len(stack) > MAX_VALUES:
            raise ConfigError(
                _("{file}: nested too deeply or too large to be kops.yaml").format(file=name)
            )


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _map_lines(node: Node, path: Path, lines: dict[Path, int], name: str) -> None:
    """The line of each key path; a key given twice in one mapping is refused."""
    if isinstance(node, MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key == "<<":  # a merge key: its keys are the mapping's own
                continue
            if key in seen:
                raise ConfigError(
                    _("{file}:{line}: {key}: given twice (first on line {first})").format(
                        file=name, line=line, key=dotted((*path, key)), first=seen[key]
                    ),
                    hint=_("keep one of them"),
                )
            seen[key] = line
            lines[(*path, key)] = line
            _map_lines(value_node, (*path, key), lines, name)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _map_lines(item, (*path, index), lines, name)


def shown(text: str) -> str:
    """Text with its control characters written as escapes (never sent to a terminal)."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _around(text: str, at: int, reach: int = 40) -> str:
    """The part of a long text around position ``at``, cut with '…' (a text of thousands
    of characters is not repeated whole in a message)."""
    start, end = max(at - reach, 0), min(at + reach, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def dotted(path: Path) -> str:
    """A key path as text, control characters shown as escapes."""
    return shown(".".join(str(p) for p in path))


def _check_text(document: Document, value: Any, path: Path, name: str) -> None:
    """No control character in any key or text of kops.yaml."""
    if isinstance(value, str):
        _refuse_control(document, value, path, name)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                _refuse_control(document, key, (*path, key), name, what=N_("key"))
            _check_text(document, item, (*path, key), name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(document, item, (*path, index), name)


def _refuse_control(
    document: Document, text: str, path: Path, name: str, what: str = N_("text")
) -> None:
    if len(text) > MAX_TEXT:
        raise ConfigError(
            _("{where}: {key}: the {what} is {length:,} characters long (at most {most:,})").format(
                where=document.where(name, path),
                key=dotted(path),
                what=_(what),
                length=len(text),
                most=MAX_TEXT,
            ),
            hint=_("names and texts in kops.yaml are one line of visible characters"),
        )
    found = CONTROL.search(text)
    if found is None:
        return
    raise ConfigError(
        _("{where}: {key}: the {what} holds a control character ({code}): '{text}'").format(
            where=document.where(name, path),
            key=dotted(path),
            what=_(what),
            code=f"U+{ord(found.group()):04X}",
            text=shown(_around(text, found.start())),
        ),
        hint=_("names and texts in kops.yaml are one line of visible characters"),
    )
