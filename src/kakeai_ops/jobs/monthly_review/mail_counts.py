"""Counts of people beside counts of mails, so that the deck's two never disagree unexplained.

A run's audience is frozen when it is planned; the people it leaves out then (no address, on
leave, …) get no ledger row. The deck shows them, with the reason `kops mail send` printed.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ... import glossary
from ...analyses.mail_effect import (
    NO_HOLDOUT,
    NO_LATER_SNAPSHOT,
    NOT_DELIVERED,
    TOO_SMALL,
    Difference,
)
from ...i18n import japanese
from ...mail.audience import REASONS
from ...privacy.rules import is_small
from ...store.ledger import Ledger
from ...workspace import Workspace
from .figures import AwardNotices, MailRun, Milestones

# Awarded people no run has planned a mail for (awarded after the last run, or no run yet).
NOT_PLANNED = "not_planned"
NOT_PLANNED_WORDS = "まだ配信していない"
# A run whose effect cannot be given yet, as slide 5 and sheet 5 both say it.
NOT_YET_WORDS = "まだ測定できません"
NEVER_WORDS = "測定できません"
# A person's outcome when several runs told them: the furthest one counts.
ORDER = ("sent", "sending", "written", "deferred", "temp_failed", "perm_failed", "suppressed")


def left_out(description: object) -> dict[str, int]:
    """Who a run left out when it was planned, by reason, as its stored description says."""
    try:
        found = json.loads(description) if isinstance(description, str) else {}
    except json.JSONDecodeError:
        return {}
    excluded = found.get("excluded") if isinstance(found, dict) else None
    if not isinstance(excluded, dict):
        return {}
    return {str(k): int(v) for k, v in excluded.items() if isinstance(v, int) and v > 0}


def reason_words(reasons: dict[str, int]) -> str:
    """「メールアドレスなし 2・休職・休業中 1」: the words `kops mail send` prints, in Japanese
    (the deck is made in Japanese whatever the terminal's language)."""
    return "、".join(f"{reason_word(k)} {n:,}人" for k, n in reasons.items() if n)


# Reasons a person's own circumstances give (on leave may be health or childcare): on a
# shared deck a count of them below min_group is said as 「その他の理由」.
PERSONAL_REASONS = ("on_leave",)
OTHER_REASON = "other"


def for_the_room(reasons: dict[str, int], min_group: int) -> dict[str, int]:
    """``reasons`` as a shared deck says them: a personal reason of fewer than
    ``min_group`` people (「休職・休業中 1人」 among a seminar's 65 invitees) folded into
    「その他の理由」 with the counts that say nothing of anyone."""
    small = {
        k for k, n in reasons.items() if k in PERSONAL_REASONS and n and is_small(n, min_group)
    }
    if not small:
        return dict(reasons)
    shown = {k: n for k, n in reasons.items() if k not in small}
    shown[OTHER_REASON] = shown.get(OTHER_REASON, 0) + sum(reasons[k] for k in small)
    return shown


def reason_word(reason: str) -> str:
    if reason == OTHER_REASON:
        return "その他の理由"
    if reason == NOT_PLANNED:
        return NOT_PLANNED_WORDS
    return japanese(REASONS[reason]) if reason in REASONS else reason


def award_notices(ws: Workspace, campaign_id: str, awarded: set[str]) -> AwardNotices:
    """What became of the award mails of ``campaign_id`` for each awarded person."""
    ledger = Ledger(ws)
    try:
        runs = [ledger.run(run_id) for run_id in ledger.run_ids()]
        ours = [r for r in runs if r is not None and _awarded_run(r, campaign_id)]
        ours.sort(key=lambda r: (str(r["created_at"]), str(r["run_id"])))
        state: dict[str, str] = {}
        bounced: set[str] = set()
        for run in ours:
            frame = ledger.frame(run["run_id"])
            for user, row_state in zip(frame["user_id"], frame["state"], strict=True):
                user = str(user)
                if user in state and _rank(state[user]) <= _rank(row_state):
                    continue
                state[user] = str(row_state)
            bounces = ledger.bounces_frame(run["run_id"])
            hard = bounces[bounces["permanent"].astype(int) == 1]["item"].astype(str)
            sent_items = frame[frame["state"] == "sent"]
            bounced |= set(sent_items[sent_items["item"].astype(str).isin(set(hard))]["user_id"])
    finally:
        ledger.close()
    counts: Counter[str] = Counter()
    for user in awarded:
        found = state.get(user)
        if found is None:
            counts["none"] += 1
        elif found == "sent":
            counts["bounced" if user in bounced else "sent"] += 1
        elif found in ("written", "deferred"):
            counts[found] += 1
        else:
            counts["not_sent"] += 1
    # Why the people without a mail have none: the last run's reasons (a person it left out
    # was left out of every run before it too, or is counted as told there).
    reasons: dict[str, int] = {}
    missing = counts["none"]
    if ours and missing:
        for key, n in left_out(ours[-1]["description"]).items():
            if key == "already_told" or missing <= 0:
                continue
            reasons[key] = min(n, missing)
            missing -= reasons[key]
    if missing > 0:
        reasons[NOT_PLANNED] = missing
    return AwardNotices(
        sent=counts["sent"],
        bounced=counts["bounced"],
        written=counts["written"],
        deferred=counts["deferred"],
        not_sent=counts["not_sent"],
        left_out=reasons,
    )


def _rank(state: str) -> int:
    return ORDER.index(state) if state in ORDER else len(ORDER)


def _awarded_run(run: dict[str, Any], campaign_id: str) -> bool:
    try:
        binding = json.loads(run["binding"]) if run.get("binding") else {}
    except json.JSONDecodeError:
        return False
    return (
        isinstance(binding, dict)
        and binding.get("kind") == "awarded"
        and binding.get("value") == campaign_id
    )


def left_out_cell(reasons: dict[str, int]) -> str:
    """Whom a run left out, as slide 5 and sheet 7 show it: the count over each reason with
    its own (「1」 over 「メールアドレスなし 1人」; 「3」 over 「メールアドレスなし 2人」 and
    「休職・休業中 1人」), or 「0」. One form for one reason and for several: 「1（メールアドレス
    なし）」 beside 「3 / …」 read as two kinds of figure."""
    total = sum(reasons.values())
    if not total:
        return "0"
    # A reason a line: run on, the renderer broke inside 「2人」.
    lines = "\n".join(reason_words(reasons).split("、"))
    return f"{total:,}\n{lines}"


def left_out_words(reasons: dict[str, int]) -> str:
    """A short clause for a count of mails: 「1人はメールアドレスなし」, or with several
    reasons 「3人は宛先から除外: メールアドレスなし 2人、退職 1人」 ('' when nobody)."""
    total = sum(reasons.values())
    if not total:
        return ""
    sole = _sole_reason(reasons)
    if sole is not None:
        return f"{total:,}人は{reason_word(sole)}"
    return f"{total:,}人は宛先から除外: {reason_words(reasons)}"


def _sole_reason(reasons: dict[str, int]) -> str | None:
    """The one reason people were left out for, when there is only one."""
    given = [k for k, n in reasons.items() if n]
    return given[0] if len(given) == 1 else None


def notice_parts(notices: AwardNotices) -> list[str]:
    """Each awarded person under what became of their mail: 「書き出しのみ（未送信） 77人」 …
    (the parts add up to 付与済み)."""
    parts = [
        (glossary.MAIL_STATES["sent"], notices.sent),
        (f"{glossary.column_label('bounced').removesuffix('数')}", notices.bounced),
        (glossary.MAIL_STATES["written"], notices.written),
        (glossary.MAIL_STATES["deferred"], notices.deferred),
        ("送信できず（失敗・停止など）", notices.not_sent),
    ]
    words = [f"{label} {n:,}人" for label, n in parts if n]
    words += [f"{reason_word(k)} {n:,}人" for k, n in notices.left_out.items() if n]
    return words


def milestone_mails(m: Milestones) -> str:
    """What sending the due notices makes, when it is not one mail per notice:
    「。送るとメール 52通（53人のうち 1人はメールアドレスなし）」 ('' when it is)."""
    due = m.due_manager + m.due_member
    if not due or (m.mails == due and not m.left_out):
        return ""
    why = [f"{m.people:,}人のうち {left_out_words(m.left_out)}"] if m.left_out else []
    if m.people < due:  # both roles' milestones in one mail
        why.append("上司と部下の両方の節目は1通にまとめます")
    return f"。送るとメール {m.mails:,}通（{'、'.join(why)}）"


def unmeasured_words(run: MailRun) -> str:
    """Why a run's effect is not given, in Japanese (the deck and its workbook are Japanese
    whatever the terminal's language): 「まだ測定できません（送信後のデータがまだありません）」,
    or the run's own note (not a stuck point's run, no holdout, a group under min_group)."""
    effect = run.effect
    if effect is None or effect.measured:
        return run.note
    # 「まだ」 only where time will tell: groups too small or no holdout stay so, and the
    # room read 「まだ測定できません」 as "wait for next month's data".
    later = effect.reason in (NO_LATER_SNAPSHOT, NOT_DELIVERED)
    return f"{NOT_YET_WORDS if later else NEVER_WORDS}（{_not_yet_reason(effect)}）"


def _not_yet_reason(effect: Difference) -> str:
    """``Difference.reason`` (the mail report's English message id) in the deck's words."""
    if effect.reason == NO_LATER_SNAPSHOT:
        return "送信後のデータがまだありません"
    if effect.reason == NOT_DELIVERED:
        # What kops knows: it has not sent them (the files may have gone out by hand:
        # 「だれにも届いていません」 beside invitees who came read as a contradiction).
        return "書き出しのみで、まだ送っていません"
    if effect.reason == NO_HOLDOUT:
        return "比較群がありません"
    if effect.reason.startswith(TOO_SMALL):
        return (
            f"送付 {effect.mailed_n:,}人・比較群 {effect.holdout_n:,}人。"
            f"差は各{effect.minimum:,}人以上で出します"
        )
    return effect.reason
