"""Babel's extraction method for kops: the marked messages and the commands' help.

``_("…")``, ``ngettext(…)`` and ``N_("…")`` are found by Babel's own Python extractor.
Help texts are plain strings in the code (Typer reads them at import); the CLI translates
them paragraph by paragraph when it builds the commands (kakeai_ops.cli.localized), so
they are extracted the same way: every ``help="…"`` keyword, and the docstring of every
command function (decorated with ``.command``/``.callback``, or named ``*_command``).

Used by babel.cfg (``make messages``) and by tests/test_i18n.py.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

from kakeai_ops.i18n import help_messages

Extracted = tuple[int, str | None, str | tuple[str, ...], list[str]]


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if node.name.endswith("_command") or node.name == "root":
        return True
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ("command", "callback"):
            return True
    return False


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, paragraph) of every help text in a module's source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "help":
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                for part in help_messages(value.value):
                    yield value.lineno, part
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                for part in help_messages(doc):
                    yield node.body[0].lineno, part


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[Extracted]:
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    text = source.decode(options.get("encoding", "utf-8"))
    for lineno, message in help_texts(text):
        yield lineno, None, message, []
