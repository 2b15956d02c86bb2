"""The language kops speaks on screen: Japanese by default, English with ``KOPS_LANG=en``.

Messages are written in English in the code, marked ``_("…")`` (or ``ngettext`` for
counts), and looked up in the gettext catalog ``locale/ja/LC_MESSAGES/kops.mo``; the
English text is the message id, so English needs no catalog. Help texts (command
docstrings and ``help=``) stay plain strings: the CLI translates them when it builds the
commands (``translate_help``), paragraph by paragraph.

``make messages`` extracts the marked strings and help texts with Babel, updates
``kops.po`` and compiles ``kops.mo``; tests/test_i18n.py fails on a message without a
Japanese translation.

Placeholders are named (``_("No user {user}").format(user=…)``) so the translation can
put them where Japanese wants them.
"""

from __future__ import annotations

import functools
import gettext
import inspect
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DOMAIN = "kops"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


def language() -> str:
    """``ja`` or ``en``, from KOPS_LANG (read on every call: each command sees its own)."""
    wanted = os.environ.get("KOPS_LANG", "").strip().lower()
    if wanted.startswith("en") or wanted in ("c", "posix"):
        return "en"
    return DEFAULT_LANGUAGE


@functools.cache
def _catalog(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    # fallback: a missing catalog (a broken install) shows English rather than failing.
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """The message in the user's language."""
    return _catalog(language()).gettext(message)


def japanese(message: str) -> str:
    """The message in Japanese whatever the user's language: for outputs made only in
    Japanese (the review deck), which say a thing in the words the Japanese screens use."""
    return _catalog("ja").gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the user's language."""
    return _catalog(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it (translated where shown)."""
    return message


def paragraphs(text: str) -> list[str]:
    """A help text's paragraphs (dedented, split at blank lines)."""
    return [part.strip("\n") for part in inspect.cleandoc(text).split("\n\n") if part.strip()]


# A help text's last paragraph is an example command: only its label is translated.
EXAMPLE = N_("Example:")


def help_messages(text: str) -> list[str]:
    """The catalog's messages for a help text: one per paragraph, ``Example:`` for examples."""
    return [EXAMPLE if part.startswith(EXAMPLE + " ") else part for part in paragraphs(text)]


def translate_help(text: str | None) -> str | None:
    """A help text in the user's language, translated paragraph by paragraph."""
    if not text:
        return text
    return _translated_help(language(), text)


# Every command's help is put in the invocation's language each time kops is invoked
# (a process may switch languages between commands): each text is translated once.
@functools.lru_cache(maxsize=8192)
def _translated_help(lang: str, text: str) -> str:
    catalog = _catalog(lang)
    shown = []
    for part in paragraphs(text):
        if part.startswith(EXAMPLE + " "):
            shown.append(catalog.gettext(EXAMPLE) + part[len(EXAMPLE) :])
        else:
            shown.append(catalog.gettext(part))
    return "\n\n".join(shown)


def term(words: Mapping[Any, str], key: Any) -> str:
    """A glossary word on the screen: its Japanese label (the word the files use) in
    Japanese, the stable key (the word of ``--format json``) in English."""
    if language() == "en":
        return str(key)
    return str(words.get(key, key))
