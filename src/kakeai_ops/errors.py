"""One exception root for kops.

Core code raises these with enough context (file, row, key) for the user to act;
the CLI turns them into ``Error: … / Hint: …`` on stderr and exit code 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .i18n import _, ngettext


class KopsError(Exception):
    """An error the user can fix; ``hint`` says how."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(KopsError):
    """kops.yaml is missing, unreadable or invalid."""


class WorkspaceError(KopsError):
    """No workspace, or a workspace in a state the command can't use."""


class WorkspaceBusy(WorkspaceError):
    """Another kops command holds the workspace lock."""


class Phrase(str):
    """A problem's text made of a marked template (``N_``) and its values: read as a
    string it is the English text (a file of problems keeps it so); shown, the template
    is looked up in the catalog and filled with the same values."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Phrase:
        phrase = super().__new__(cls, template.format(**values))
        phrase.template = template
        phrase.values = values
        return phrase

    def __reduce__(self) -> tuple[object, ...]:
        return (_phrase, (self.template, self.values))

    def translated(self) -> str:
        return _(self.template).format(**self.values)

    def with_values(self, change: Callable[[str], str]) -> Phrase:
        """The same phrase with each value passed through ``change``."""
        return Phrase(self.template, **{k: change(str(v)) for k, v in self.values.items()})


def _phrase(template: str, values: dict[str, object]) -> Phrase:
    return Phrase(template, **values)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, reported as ``file:row: column: what (value)``.

    ``what`` is English (the catalog's key, and what tests and logs compare); ``said`` and
    what is shown, on the screen or in a file for people, are in the user's language when
    the catalog has it (the readers mark theirs with ``N_`` or build a ``Phrase``)."""

    file: str
    row: int | None
    column: str | None
    what: str
    value: str | None = None

    @property
    def said(self) -> str:
        """``what`` in the reader's language (a file for people holds this too)."""
        return self.what.translated() if isinstance(self.what, Phrase) else _(self.what)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        parts = [where]
        if self.column:
            parts.append(self.column)
        text = ": ".join(parts) + f": {self.said}"
        if self.value is not None:
            text += f" ({self.value})"
        return text


class InputError(KopsError):
    """Input files failed validation; ``problems`` lists every problem found."""

    def __init__(
        self,
        problems: list[Problem],
        hint: str | None = None,
        cap: int = 30,
        total: int | None = None,
    ) -> None:
        self.problems = problems
        self.total = max(total or 0, len(problems))
        shown = [str(p) for p in problems[:cap]]
        rest = self.total - len(shown)
        lines = [
            ngettext(
                "{n} problem in the input; nothing was changed:",
                "{n} problems in the input; nothing was changed:",
                self.total,
            ).format(n=self.total)
        ]
        lines += [f"  {line}" for line in shown]
        if rest > 0:
            lines.append("  " + _("… and {n} more").format(n=rest))
        super().__init__("\n".join(lines), hint)


# Secrets this process has handled (OAuth2 access and refresh tokens): never printed.
_SECRETS: set[str] = set()


def remember_secret(value: str) -> None:
    """Have ``redact`` hide this value from anything kops prints from now on."""
    if len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Remove the SMTP password and any token from anything kops prints, whatever carried it."""
    import os

    secret = os.environ.get("KOPS_SMTP_PASSWORD")
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    for value in _SECRETS:
        text = text.replace(value, "***")
    return text
