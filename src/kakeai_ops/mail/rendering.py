"""Rendering a handful of Jinja templates tens of thousands of times, cheaply.

Jinja keeps a template's globals as a ChainMap over the environment's and
copies them into a fresh context on every render (and every include): that
copy cost about as much as rendering the mail. :class:`MailEnvironment` keeps
them in one plain dict.

And messages repeat: what a template produces depends only on the variables
it reads (its own and those of the templates it includes), so :class:`Reuse`
keys a result (a subject, a whole message) by their values, and each distinct
combination is rendered once.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from ..errors import KopsError
from ..i18n import _


class MailEnvironment(SandboxedEnvironment):
    """A sandboxed Jinja environment whose templates keep their globals in a plain dict.

    Sandboxed: a template (the workspace's to edit) reaches only the values a
    run gives it, never Python (``cycler.__init__.__globals__.os`` is refused).

    Every render (and every include within one) copies the template's globals
    into a fresh context; Jinja keeps them as a ChainMap over the environment's,
    which copies slowly. kops never changes globals once its templates are
    loaded, so one flat dict per template serves.
    """

    # Operators that could build a value too large for memory ('x' * 10**9, 9 ** 10**7).
    intercepted_binops = frozenset({"*", "**", "%"})
    LARGEST = 1_000_000  # characters or items a product may hold; digits a power may have

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for many, times in ((left, right), (right, left)):
                sized = isinstance(many, str | list | tuple) and isinstance(times, int)
                if sized and len(many) * times > self.LARGEST:
                    raise SecurityError(_("the template makes a value too large to mail"))
        if operator == "**" and isinstance(right, int) and abs(right) > 1_000:
            raise SecurityError(_("the template raises a number to too large a power"))
        return super().call_binop(context, operator, left, right)


class ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates only from files inside its folders.

    Jinja already refuses ``..`` in a name; this also refuses a symlink (or a
    linked folder) that leads out of the template folders.
    """

    def __init__(self, folders: list[Path]) -> None:
        # utf-8-sig: an included file Notepad saved with a BOM brings no U+FEFF into a mail.
        super().__init__([str(d) for d in folders], encoding="utf-8-sig")
        self.roots = [d.resolve() for d in folders]

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        source, filename, uptodate = super().get_source(environment, template)
        ensure_inside(Path(filename), self.roots)
        return source, filename, uptodate


def ensure_inside(path: Path, roots: list[Path]) -> None:
    """Refuse a template file that resolves outside the template folders."""
    real = path.resolve()
    if not any(real.is_relative_to(root) for root in roots):
        raise KopsError(
            _("{file}: template file is outside the template folder (it leads to {real})").format(
                file=path.name, real=real
            ),
            hint=_("keep templates as plain files in templates/mail/"),
        )


# What a template text is, once parsed or compiled, does not depend on the environment
# object but on its settings (its syntax, sandbox, filters): each text is parsed and
# compiled once per process for each settings, and what is kept is derived from the text
# alone: an edited template or include is a new text. At most LIMIT of each are kept.
LIMIT = 512
_CODE: dict[tuple[Any, str], CodeType] = {}
_READS: dict[tuple[Any, str], tuple[frozenset[str], tuple[str | None, ...]]] = {}


def settings_key(environment: jinja2.Environment) -> tuple[Any, ...]:
    """What of an environment decides how a text parses and compiles."""
    return (
        type(environment),
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.autoescape,
        environment.finalize,
        environment.is_async,
        tuple(sorted(environment.extensions)),
        tuple(sorted(environment.filters)),
        tuple(sorted(environment.tests)),
        getattr(environment, "intercepted_binops", None),
        getattr(environment, "intercepted_unops", None),
    )


def remember(memory: dict[Any, Any], key: Any, value: Any) -> None:
    """Keep ``value`` under ``key``; a full memory starts again."""
    if len(memory) >= LIMIT:
        memory.clear()
    memory[key] = value


def compiled(environment: jinja2.Environment, source: str) -> jinja2.Template:
    """``environment.from_string(source)``, the text compiled once per process."""
    key = (settings_key(environment), source)
    code = _CODE.get(key)
    if code is None:
        code = environment.compile(source)
        remember(_CODE, key, code)
    globals_ = environment.make_globals(None)
    return environment.template_class.from_code(environment, code, globals_, None)


def reads(environment: jinja2.Environment, source: str) -> tuple[frozenset[str], tuple[Any, ...]]:
    """The text's top-level variables and the templates it names (None for one named only
    at run time), in its order; the text parsed once per process."""
    key = (settings_key(environment), source)
    found = _READS.get(key)
    if found is None:
        tree = environment.parse(source)
        found = (
            frozenset(meta.find_undeclared_variables(tree)),
            tuple(meta.find_referenced_templates(tree)),
        )
        remember(_READS, key, found)
    return found


def variables_read(
    environment: jinja2.Environment, sources: Iterable[str], skip_unknown: bool = False
) -> frozenset[str] | None:
    """Every top-level variable the sources and the templates they include (extend,
    import), recursively, look up; None when one names a template only at run time
    (``skip_unknown``: leave such a template out, for a listing)."""
    names: set[str] = set()
    pending = list(sources)
    seen: set[str] = set()
    while pending:
        variables, referenced_templates = reads(environment, pending.pop())
        names |= variables
        for referenced in referenced_templates:
            if referenced is None or environment.loader is None:
                if skip_unknown:
                    continue
                return None
            if referenced not in seen:
                seen.add(referenced)
                text, _name, _uptodate = environment.loader.get_source(environment, referenced)
                pending.append(text)
    return frozenset(names)


class Unkeyable(Exception):
    """A value whose identity as a key can't be told from its contents."""


class _Missing:
    """Stands for a variable the context lacks (rendering then fails, as it should)."""


_MISSING = _Missing()
_PLAIN = (int, bool, type(None), _Missing)


def value_key(value: Any) -> Any:
    """A hashable stand-in equal for two values only if they render the same.

    Exact types only (``1``, ``1.0`` and ``True`` are different keys; so are
    ``0.0`` and ``-0.0``, by their repr); dicts keep their order, as a loop
    over them would. Anything else raises :class:`Unkeyable`.
    """
    kind = type(value)
    if kind is str:
        return value  # the usual value, as itself: every other key is a tuple
    if kind in _PLAIN:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))
    if kind is dict:
        return (kind, tuple((value_key(k), value_key(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return (kind, tuple(value_key(item) for item in value))
    raise Unkeyable(kind.__name__)


class Reuse:
    """Results of a rendering, keyed by the values of the variables it reads.

    ``None`` for ``names`` turns reuse off (every call renders); so does a
    run in which few results are found again (each recipient's own facts, say),
    where keying would only cost. A dict or list met again (the sender, a
    seminar: one object for the whole run) is keyed once: contexts are built
    for a run and not changed while it is rendered.
    """

    TRIAL = 1_000  # look-ups before deciding whether reuse pays
    MIN_HITS = 0.25  # the share of them found again for it to pay

    def __init__(self, names: frozenset[str] | None) -> None:
        self.names = None if names is None else sorted(names)
        self.results: dict[Any, Any] = {}
        self.tries = 0
        self.hits = 0
        # id → (the object, its key); holding the object keeps its id from being reused.
        self._keyed: dict[int, tuple[Any, Any]] = {}

    def look_up(self, key: Any) -> Any:
        """The result stored under key, or None; gives up reuse when it does not pay."""
        self.tries += 1
        found = self.results.get(key)
        if found is not None:
            self.hits += 1
        elif self.tries >= self.TRIAL and self.hits < self.MIN_HITS * self.tries:
            self.names = None
            self.results.clear()
            self._keyed.clear()
        return found

    def key(self, context: dict[str, Any]) -> Any:
        """The key of this context, or None when it can't be keyed (then render it)."""
        if self.names is None:
            return None
        try:
            return tuple([self._value_key(context.get(name, _MISSING)) for name in self.names])
        except Unkeyable:
            return None

    def _value_key(self, value: Any) -> Any:
        kind = type(value)
        if kind is not dict and kind is not list:
            return value_key(value)
        known = self._keyed.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        key = value_key(value)
        self._keyed[id(value)] = (value, key)
        return key
