"""Mail templates: Jinja2 files under the workspace's templates/mail/.

A template file starts with a small header, then ``---``, then the plain-text
body::

    subject: 1on1 の前に「トピック」を選んでみませんか
    kind: nudge
    ---
    {{ name }} {{ honorific }}
    …

The subject prefix (【KAKEAI事務局】) is added by kops. ``kind`` is ``nudge``
(a stuck point's mail: counted by the nudge cap), ``knowledge`` (milestones),
``invitation`` (seminars: unsolicited, counted as programme mail, as knowledge is)
or ``announcement`` (news of something the reader did or was given: awards). An
optional ``NAME.html`` next to it adds an HTML part. Rendering is strict: a variable
the template uses but the run does not provide is an error before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from ..errors import KopsError
from ..i18n import _
from .rendering import (
    ConfinedLoader,
    MailEnvironment,
    Reuse,
    compiled,
    ensure_inside,
    variables_read,
)

SUFFIX = ".txt"
KINDS = ("nudge", "knowledge", "invitation", "announcement")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


@dataclass
class MailTemplate:
    name: str
    path: Path
    kind: str
    subject_source: str
    body_source: str
    body_line: int  # the file line the body starts on, for error messages
    html_path: Path | None
    env: jinja2.Environment
    html_env: jinja2.Environment

    @cached_property
    def _subject(self) -> jinja2.Template:
        return self._compile(self.env, self.subject_source, 1)

    @cached_property
    def _body(self) -> jinja2.Template:
        return self._compile(self.env, self.body_source, self.body_line)

    @cached_property
    def _html(self) -> jinja2.Template | None:
        if self.html_path is None:
            return None
        return self._compile(
            self.html_env, self.html_path.read_text(encoding="utf-8-sig"), 1, self.html_path
        )

    def _compile(
        self, env: jinja2.Environment, source: str, first_line: int, path: Path | None = None
    ) -> jinja2.Template:
        try:
            return compiled(env, source)
        except jinja2.TemplateSyntaxError as err:
            where = f"{(path or self.path).name}:{first_line + (err.lineno or 1) - 1}"
            raise KopsError(
                _("{where}: template error: {error}").format(where=where, error=err.message),
                hint=_("fix {file}").format(file=path or self.path),
            ) from None

    def variables(self) -> list[str]:
        """Top-level variables the template (and what it includes) uses."""
        sources = [self.subject_source, self.body_source]
        if self.html_path is not None:
            sources.append(self.html_path.read_text(encoding="utf-8-sig"))
        return sorted(variables_read(self.env, sources, skip_unknown=True) or ())

    @cached_property
    def _subjects(self) -> Reuse:
        """Subjects by the values of the variables they read: most runs share one."""
        try:
            return Reuse(variables_read(self.env, [self.subject_source]))
        except jinja2.TemplateError:
            return Reuse(None)  # e.g. a missing include: rendering says so

    @cached_property
    def _messages(self) -> Reuse:
        """Whole messages by the values of the variables they read (often only the name)."""
        try:
            names = variables_read(self.env, [self.subject_source, self.body_source])
            if self.html_path is not None and names is not None:
                html = variables_read(
                    self.html_env, [self.html_path.read_text(encoding="utf-8-sig")]
                )
                names = None if html is None else names | html
        except jinja2.TemplateError:
            names = None
        return Reuse(names)

    def render(self, context: dict[str, Any], prefix: str) -> Rendered:
        """The message for this context: rendered once per distinct value of what it reads."""
        compiled = self._subject, self._body, self._html  # first: syntax errors by file and line
        messages = self._messages
        key = messages.key(context)
        if key is not None:
            key = (prefix, key)
            known = messages.look_up(key)
            if known is not None:
                return known
        rendered = self._render(compiled, context, prefix)
        if key is not None:
            messages.results[key] = rendered
        return rendered

    def _render(
        self,
        compiled: tuple[jinja2.Template, jinja2.Template, jinja2.Template | None],
        context: dict[str, Any],
        prefix: str,
    ) -> Rendered:
        subject_template, body_template, html_template = compiled
        subjects = self._subjects
        try:
            key = subjects.key(context)
            subject = subjects.look_up(key) if key is not None else None
            if subject is None:
                subject = " ".join(subject_template.render(context).split())
                if key is not None:
                    subjects.results[key] = subject
            text = body_template.render(context)
            html = html_template.render(context) if html_template is not None else None
        except jinja2.UndefinedError as err:
            raise KopsError(
                _("{file}: template uses a value this run does not provide: {error}").format(
                    file=self.path.name, error=_undefined_words(err.message)
                ),
                hint=_(
                    "check the variables with `kops mail templates`; seminar templates need "
                    "--seminar, campaign templates --awarded, milestone templates --milestones"
                ),
            ) from None
        except jinja2.TemplateError as err:
            raise KopsError(
                _("{where}: template error: {error}").format(where=self.path.name, error=err)
            ) from None
        except (ArithmeticError, MemoryError, ValueError, TypeError, LookupError) as err:
            # What a template's own expression raises (the sandbox's range limit, 1/0, …).
            raise KopsError(
                _("{where}: template error: {error}").format(
                    where=self.path.name, error=f"{type(err).__name__}: {err}"
                )
            ) from None
        # A subject edited to carry the prefix itself gets it once, not 【…】【…】.
        return Rendered(prefix + subject.removeprefix(prefix), _tidy(text), html)


def _tidy(text: str) -> str:
    """Collapse the blank lines that template tags leave, keep paragraphs."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _plain_name(name: str) -> bool:
    """A file name in a template folder: no folders, no dot files, nothing invisible."""
    return (
        bool(name.strip())
        and name == name.strip()
        and not name.startswith(".")
        and not any(c in name for c in "/\\:")
        and all(c.isprintable() for c in name)
    )


class TemplateSet:
    """The workspace's templates, falling back to the shipped defaults."""

    def __init__(self, workspace_dir: Path, shipped_dir: Path | None = None) -> None:
        self.dirs = [d for d in (workspace_dir, shipped_dir) if d is not None and d.is_dir()]
        loader = ConfinedLoader(self.dirs)
        self.roots = loader.roots
        self.env = MailEnvironment(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            # An included file is read once per run, not checked on disk per message.
            auto_reload=False,
        )
        self.html_env = MailEnvironment(
            loader=loader, undefined=jinja2.StrictUndefined, autoescape=True, auto_reload=False
        )
        self._cache: dict[str, MailTemplate] = {}

    def names(self) -> list[str]:
        found = set()
        for directory in self.dirs:
            for path in directory.glob(f"*{SUFFIX}"):
                if not path.name.startswith("_"):
                    found.add(path.name[: -len(SUFFIX)])
        return sorted(found)

    def exists(self, name: str) -> bool:
        return _plain_name(name) and any((d / f"{name}{SUFFIX}").is_file() for d in self.dirs)

    def get(self, name: str) -> MailTemplate:
        if name in self._cache:
            return self._cache[name]
        if not _plain_name(name):
            raise KopsError(
                _("'{name}' is not a template name").format(name=name),
                hint=_(
                    "a template is named by its file name in templates/mail/ without .txt "
                    "(no folders); `kops mail templates` lists them"
                ),
            )
        path = next(
            (d / f"{name}{SUFFIX}" for d in self.dirs if (d / f"{name}{SUFFIX}").is_file()), None
        )
        if path is not None:
            ensure_inside(path, self.roots)
        if path is None:
            raise KopsError(
                _("no mail template '{name}'").format(name=name),
                hint=_("templates: {names} (`kops mail templates` lists them)").format(
                    names=", ".join(self.names())
                ),
            )
        template = self._parse(name, path)
        self._cache[name] = template
        return template

    def _parse(self, name: str, path: Path) -> MailTemplate:
        try:
            # utf-8-sig: Windows Notepad saves UTF-8 with a BOM, which is not text.
            source = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise KopsError(
                _("{file}: not UTF-8 text").format(file=path), hint=_("save the template as UTF-8")
            ) from None
        head, sep, body = source.partition("\n---\n")
        if not sep:
            raise KopsError(
                _("{file}: no '---' line between the header and the body").format(file=path.name),
                hint=_("start the file with 'subject: …', then a line '---', then the body"),
            )
        fields: dict[str, str] = {}
        for number, line in enumerate(head.splitlines(), start=1):
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            if not colon or key.strip() not in ("subject", "kind"):
                raise KopsError(
                    _("{file}:{line_no}: expected 'subject: …' or 'kind: …', got '{line}'").format(
                        file=path.name, line_no=number, line=line
                    ),
                    hint=_("start the file with 'subject: …', then a line '---', then the body"),
                )
            fields[key.strip()] = value.strip()
        if not fields.get("subject"):
            raise KopsError(_("{file}: the header has no 'subject:' line").format(file=path.name))
        kind = fields.get("kind", "nudge")
        if kind == "nudge" and name.startswith("seminar."):
            # A workspace's copy from before seminar mails had a kind of their own: the
            # cap always counted them as programme mail, so they are labelled so (案内).
            kind = "invitation"
        if kind not in KINDS:
            raise KopsError(
                _("{file}: kind '{kind}' is not one of {kinds}").format(
                    file=path.name, kind=kind, kinds=", ".join(KINDS)
                )
            )
        html = path.with_suffix(".html")
        return MailTemplate(
            name=name,
            path=path,
            kind=kind,
            subject_source=fields["subject"],
            body_source=body,
            body_line=head.count("\n") + 3,
            html_path=html if html.is_file() else None,
            env=self.env,
            html_env=self.html_env,
        )


# Jinja's own words for a missing variable or attribute: 「'seminar' is undefined」.
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined|has no attribute '(?P<attribute>[^']+)'")


def _undefined_words(message: str | None) -> str:
    """The missing value's name alone (the message around it says the rest in the
    reader's language), not Jinja's English."""
    found = _UNDEFINED.search(message or "")
    if found is None:
        return message or ""
    return repr(found.group("name") or found.group("attribute"))
