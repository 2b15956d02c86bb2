"""What a mail is, in words, from its template and its run: 「事前準備なし・部下向け」,
「セミナーのご案内：1on1をみんなどうやっているの？」, 「経営層との1on1権：付与のお知らせ」.

The one place that names a template for people: the review deck and workbook name a mail
run by it (with its month), `kops mail status RUN --out` names each row's template by it.
The template's key stays in `--format json|csv` on stdout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import glossary

SEMINAR_MAILS = {
    "recording": "録画のご案内",
    "remind": "リマインド",
    "correction": "訂正のお知らせ",
}
CAMPAIGN_MAILS = {
    "awarded": "付与のお知らせ",
    "not_eligible": "対象外のお知らせ",
    "winner": "当選のお知らせ",
    "not_drawn": "落選のお知らせ",
}
MONTH = re.compile(r"^(\d{4})-(\d{2})")
# The advisors' reports' runs (jobs/advisor_reports.py names them): 「メール配信」 on the
# deck beside 「事業部別レポートの送付」 in `mail status`.
ADVISOR_RUNS = "advisor-reports-"


def template_name(template: str, about: str | None = None) -> str:
    """The template's name; ``about``: the title of the seminar or campaign it is for.
    A template kops does not ship (one the secretariat added) is named by its key."""
    kind, _, detail = template.partition(".")
    if kind in glossary.STUCK_POINTS:
        role = glossary.ROLES.get(detail, "")
        return f"{glossary.STUCK_POINTS[kind]}・{role}向け" if role else glossary.STUCK_POINTS[kind]
    if kind == "seminar":
        said = f"セミナーの{SEMINAR_MAILS.get(detail, 'ご案内')}"
        return f"{said}：{about}" if about else said
    if kind == "campaign":
        return f"{about or 'キャンペーン'}：{CAMPAIGN_MAILS.get(detail, 'お知らせ')}"
    if kind.startswith("milestone"):
        return "マイルストーンのお知らせ"
    if kind == "report":
        return "事業部別レポートの送付"
    return template


def run_about(run_id: str, seminars: Mapping[str, str], campaigns: Mapping[str, str]) -> str | None:
    """The title of the seminar or campaign a run is for (its id follows the template's
    key in the run id: seminar.recording-month1, campaign.awarded-exec-1on1-2026h2)."""
    base, _, rest = run_id.partition("-")
    titles = seminars if base.startswith("seminar") else campaigns
    if not base.startswith(("seminar", "campaign")):
        return None
    return next((title for key, title in titles.items() if rest.startswith(key)), None)


def run_name(run_id: str, seminars: Mapping[str, str], campaigns: Mapping[str, str]) -> str:
    """A run in words: its template's name, and the month of a monthly run
    (「事前準備なし・部下向け（2026年10月）」). ``seminars``/``campaigns``: id → title."""
    base, _, rest = run_id.partition("-")
    if run_id.startswith(ADVISOR_RUNS):  # advisor-reports-90d-0002: its template is report.*
        return template_name("report") + _advisor_run_words(run_id)
    name = template_name(base, run_about(run_id, seminars, campaigns))
    month = MONTH.match(rest)
    monthly = base.split(".")[0] in glossary.STUCK_POINTS or base.startswith("milestone")
    if month and monthly:
        name += f"（{int(month.group(1))}年{int(month.group(2))}月）"
    return name if name != base else "メール配信"


_ADVISOR_RUN = re.compile(rf"^{ADVISOR_RUNS}(?P<period>.+)-\d{{4}}(?:-(?P<day>\d{{8}}))?$")
_PERIOD_WORDS = (
    (re.compile(r"^(\d+)d$"), lambda m: f"直近{m[1]}日"),
    (re.compile(r"^month_(\d{4})-(\d{2})$"), lambda m: f"{m[1]}年{int(m[2])}月"),
    (
        re.compile(r"^quarter_(\d{4})[Qq]([1-4])$"),
        lambda m: f"{m[1]}年{3 * int(m[2]) - 2}〜{3 * int(m[2])}月",
    ),
    (re.compile(r"^half_(\d{4})[Hh]1$"), lambda m: f"{m[1]}年1〜6月"),
    (re.compile(r"^half_(\d{4})[Hh]2$"), lambda m: f"{m[1]}年7〜12月"),
    (re.compile(r"^year_(\d{4})$"), lambda m: f"{m[1]}年"),
)


def _advisor_run_words(run_id: str) -> str:
    """The period and the day an advisors' run is of (「（直近90日、11月13日時点）」): two
    runs of reports read as one 「事業部別レポートの送付」 on the deck."""
    found = _ADVISOR_RUN.match(run_id)
    if found is None:
        return ""
    period = found["period"]
    words = next((say(m) for pattern, say in _PERIOD_WORDS if (m := pattern.match(period))), period)
    day = found["day"]
    if day:
        words += f"、{int(day[4:6])}月{int(day[6:])}日時点"
    return f"（{words}）"


def item_words(item: str, user_id: str) -> str:
    """What a ledger item says beyond the person it goes to: nothing for a mail about the
    person (its item is their 社員番号, already in its own column), the milestones of a
    milestone mail (「上司 20回・部下 20回」), the advisor of a report."""
    if item == user_id:
        return ""
    person, _, milestones = item.partition(":")
    if person == user_id and milestones:
        said = []
        for part in milestones.split("+"):
            role, _, count = part.partition(":")
            said.append(f"{glossary.ROLES.get(role, role)} {count}回" if count else part)
        return "・".join(said)
    return item
