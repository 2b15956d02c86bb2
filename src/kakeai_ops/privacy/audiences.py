"""Who may see what a command writes: the secretariat only, or anyone it is shared with.

- ``secretariat`` (事務局内限り): the secretariat's own files. Lists of people by
  name, every free-text answer (names in the text masked), counts however small.
  They never leave the secretariat.
- ``shared`` (共有可): anything mailed or shown outside it (advisors' reports, the
  company report, the deck for the meeting with the service's success team, the
  effect of a mailing). ``min_group`` applies to every figure, and periods are
  only those the audit knows (months, quarters and the windows 30d and 90d), so
  two shared files never differ by a day.

Every command that writes has its audience (``DEFAULTS``) and an ``--audience``
option; the choice is printed on the file and recorded in the audit log. A
command whose output names people has no shared form and refuses ``shared``.
"""

from __future__ import annotations

from ..errors import KopsError
from ..i18n import _, language

SECRETARIAT = "secretariat"
SHARED = "shared"
AUDIENCES = (SECRETARIAT, SHARED)
LABELS = {SECRETARIAT: "事務局内限り", SHARED: "共有可"}

# Each writing command's audience when --audience is not given.
DEFAULTS = {
    "report divisions": SHARED,
    "review": SHARED,
    "mail report": SHARED,
    "report advisors": SECRETARIAT,
    "segment": SECRETARIAT,
    "campaign eligible": SECRETARIAT,
    "campaign milestones": SECRETARIAT,
    "interview shortlist": SECRETARIAT,
    "mail status": SECRETARIAT,
    "mail plan": SECRETARIAT,  # --left-out --out: who is left out, by name
    "seminar list": SECRETARIAT,
    "seminar summary": SECRETARIAT,
}
# Commands whose every output names people (or holds free text): no shared form.
NAMES_PEOPLE = frozenset(name for name, audience in DEFAULTS.items() if audience == SECRETARIAT)


class AudienceError(KopsError):
    """An audience a command's output cannot have."""


def label(audience: str) -> str:
    """What the file says: 事務局内限り or 共有可."""
    return LABELS[audience]


def line(audience: str) -> str:
    """The console line that goes with every output: 「公開範囲: 共有可（shared）」 (the audit
    log's word; 「対象」 is who a list or a campaign is about)."""
    # The Japanese label is the glossary's word; an English reader reads the key.
    shown = audience if language() == "en" else f"{LABELS[audience]}（{audience}）"
    return _("Audience: {audience}").format(audience=shown)


def resolve(command: str, chosen: str | None) -> str:
    """The audience of ``command``'s output: ``chosen``, else the command's own;
    ``shared`` is refused for an output that names people."""
    audience = DEFAULTS[command] if chosen is None else chosen.strip().lower()
    if audience not in AUDIENCES:
        raise AudienceError(
            _("--audience {chosen}: choose secretariat (事務局内限り) or shared (共有可)").format(
                chosen=chosen
            ),
            hint=f"kops {command} --audience {DEFAULTS[command]}",
        )
    if audience == SHARED and command in NAMES_PEOPLE:
        raise AudienceError(
            _(
                "kops {command} --audience shared: this output lists people by name; "
                "it is the secretariat's own file (事務局内限り) and has no shared form"
            ).format(command=command),
            hint=_("share a division report (kops report divisions) or the deck (kops review)"),
        )
    return audience


def is_shared(audience: str) -> bool:
    return audience == SHARED
