"""Why an address is refused, in the reader's words.

email-validator explains a refusal in English ("An email address must have an
@-sign."). The person fixing the users export reads Japanese: each reason it gives
for the mistakes an HR export holds (a name with the address, two addresses in one
cell, a space, a missing or doubled @, a domain without its .co.jp) is said here; a
reason not listed keeps the library's words. The characters it names stay as it
names them ('山', SPACE, ZERO WIDTH SPACE).
"""

from __future__ import annotations

import re

from ..i18n import N_, _

# The library's reason (a pattern over the whole text; {chars} is what it names) → words.
# OLDER: reasons only releases older than the installed one give (the lowest in
# pyproject.toml), which tests/test_email_words.py cannot meet with the library at hand.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), words)
    for pattern, words in (
        (r"An email address must have an @-sign\.", N_("there is no @")),
        # The oldest release kops allows says a second @ so (later ones name the character).
        (
            r"The email address is not valid\. It must have exactly one @-sign\.",
            N_("there must be exactly one @"),
        ),
        (r"There must be something before the @-sign\.", N_("nothing before the @")),
        (r"There must be something after the @-sign\.", N_("nothing after the @")),
        (
            r"The display name contains invalid characters when not quoted: (?P<chars>.*)\.",
            N_(
                "a name is written with the address (山田 <a@example.co.jp>): "
                "write the address only"
            ),
        ),
        (
            r"The part after the @-sign contains invalid characters: (?P<chars>.*)\.",
            N_("characters that cannot be in an address after the @: {chars}"),
        ),
        (
            r"The email address contains invalid characters before the @-sign: (?P<chars>.*)\.",
            N_("characters that cannot be in an address before the @: {chars}"),
        ),
        (
            r"The email address contains unsafe characters: (?P<chars>.*)\.",
            N_("characters that cannot be seen or are unsafe: {chars}"),
        ),
        (
            r"The part after the @-sign is not valid\. It should have a period\.",
            N_("the domain after the @ has no period (e.g. example.co.jp)"),
        ),
        (
            r"The part after the @-sign is not valid\. It is not within a valid top-level domain\.",
            N_("the domain after the @ does not end in a real top-level domain (.jp, .com …)"),
        ),
        (
            r"The part after the @-sign is a special-use or reserved name that cannot be used "
            r"with email\.",
            N_("the domain after the @ is a reserved name no mail can reach"),
        ),
        (r"An email address cannot have two periods in a row\.", N_("two periods in a row")),
        (
            r"An email address cannot have a period immediately before the @-sign\.",
            N_("a period just before the @"),
        ),
        (
            r"An email address cannot have a period immediately after the @-sign\.",
            N_("a period just after the @"),
        ),
        (r"An email address cannot start with a period\.", N_("it starts with a period")),
        (r"An email address cannot end with a period\.", N_("it ends with a period")),
        (
            r"An email address cannot have a hyphen immediately after the @-sign\.",
            N_("a hyphen just after the @"),
        ),
        (
            r"Quoting the part before the @-sign is not allowed here\.",
            N_("the part before the @ is in quotes"),
        ),
        (
            r"A bracketed IP address after the @-sign is not allowed here\.",
            N_("an IP address after the @"),
        ),
        (r"The email address is too long.*", N_("the address is too long")),
        (
            r"After the @-sign, periods cannot be separated by so many characters.*",
            N_("a part of the domain after the @ is too long (63 characters at most)"),
        ),
    )
)


OLDER = {r"The email address is not valid\. It must have exactly one @-sign\."}


def reason_words(reason: str) -> str:
    """email-validator's ``reason`` said in the reader's language (or as it is)."""
    for pattern, words in REASONS:
        found = pattern.fullmatch(reason)
        if found:
            return _(words).format(**found.groupdict())
    return reason
