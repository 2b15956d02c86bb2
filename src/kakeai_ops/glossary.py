"""The one glossary: each term kops shows people, spelt one way everywhere.

Files for people (XLSX, CSV, the deck) show the Japanese label; ``--format json``
and the 「列の説明」 sheet keep the stable English key beside it. docs/glossary.md
is this module written out for readers (a test keeps the two the same), and a test
fails when templates, the deck or a workbook header spell a term another way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# Number formats by kind of figure (Excel's own format codes).
PERCENT = "0%"
PERCENT_TENTHS = "0.0%"
# A difference of two shares is in points, as the deck and the terminal say it (+3pt,
# −5.5pt): a cell showing +3% under 差（pt） read as a relative change. Excel cannot show a
# fraction in points, so such a cell holds the points themselves (POINT_FORMATS).
SIGNED_POINTS = '+0"pt";-0"pt";"±0pt"'
# A mail's effect and its interval, to a tenth of a point as `kops mail report` says them.
SIGNED_POINTS_TENTHS = '+0.0"pt";-0.0"pt";"±0.0pt"'
# Formats whose cells hold points (a share × 100), with the decimals they show.
POINT_FORMATS = {SIGNED_POINTS: 0, SIGNED_POINTS_TENTHS: 1}
ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
COUNT = "#,##0"
TEXT = "@"
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Term:
    """A word people read, and the other spellings that must not appear beside it."""

    term: str
    meaning: str
    not_spelt: tuple[str, ...] = ()


TERMS: tuple[Term, ...] = (
    Term("上司", "ペアで部下と1on1を行う側（KAKEAI の「上司」）", ("上長",)),
    Term("部下", "1on1 の主役になる側（KAKEAI の「部下」）", ("メンバー",)),
    Term("両方", "上司でも部下でもある人", ()),
    Term("事業部", "会社の最上位の組織単位（本部・室）", ()),
    Term("部署", "事業部の下の組織単位", ()),
    Term("スタックポイント", "定着の流れで最初につまずいている段階（1人に1つ）", ()),
    Term("1on1実施率", "部下のうち期間内に実施済みの1on1がある人の割合", ("実施割合",)),
    Term(
        "スッキリ度",
        "1on1 の後に部下が付ける評価（既定の尺度は 0〜5、kops.yaml で変更可）",
        ("すっきり度",),
    ),
    Term("成長実感", "部下が付ける成長の実感 1〜5", ()),
    Term("事前準備", "1on1 の前にトピックを選んでおくこと（事前準備日時が 1on1 の日時以前）", ()),
    Term("基準日", "集計の基準になる日（この日までのデータで数える）", ()),
    Term("対象", "キャンペーンなどの条件を満たす", ()),
    Term("対象外", "条件を満たさない", ()),
    Term("全社", "会社全体の合計・平均", ()),
    Term("合計", "表の行を足し合わせた行", ()),
    Term(
        "(秘匿)",
        "少人数の値が差し引きで分からないよう、併せて非表示にした値（これ自体は少人数の値ではない）",
        (),
    ),
    Term("事務局内限り", "個人が分かるファイル。事務局の外に出さない", ()),
    Term("共有可", "少人数の値を伏せた集計だけのファイル", ()),
)

# Roles in a pair, as the segment list shows them.
ROLES: dict[object, str] = {"manager": "上司", "member": "部下", "both": "両方", "none": "なし"}
BOOLEAN: dict[object, str] = {True: "はい", False: "いいえ"}

# Stuck points: key → label (the analyses hold the rules; this is only the word).
STUCK_POINTS: dict[object, str] = {
    "not_activated": "未ログイン",
    "no_pair": "ペア未成立",
    "no_1on1": "1on1未実施",
    "lapsed": "1on1休眠",
    "no_prep": "事前準備なし",
    "no_rating": "スッキリ度未入力",
    "no_recurrence": "繰り返し未設定",
    "healthy": "定着",
}

# How people moved between two snapshots (the rows below the stuck points).
MOVEMENT = {
    "moved_on": "次の段階に進んだ",
    "slid_back": "前の段階に戻った",
    "unchanged": "変わらず",
    "joined": "新たに加わった",
    "departed": "退職・対象外になった",
}


@dataclass(frozen=True)
class Figure:
    """A figure kops shows about people or groups: its one label and its one definition.

    ``label`` is what every output prints (a table header, a tile, a slide's sentence, a
    mail); an output that must say the period or whom it counts adds it in brackets after
    the label (「1on1実施率（部下・直近30日）」), never another word. ``not_spelt``: other
    words for it that must not appear as a label (tests read every output for them)."""

    label: str
    unit: str
    counts: str  # the numerator: what is counted
    out_of: str  # the denominator ("－" for a count or an average's own rows)
    period: str  # the days it covers, and the day it is as of
    rounding: str
    shown: str  # where people read it
    not_spelt: tuple[str, ...] = ()


WHOLE_PERCENT = "整数の%（Excel と同じく 0.5 は切り上げ）"
TENTH = "小数第1位（0.05 は切り上げ）"
AS_OF = "基準日時点（期間によらない）"
REPORT_PERIOD = "レポートの期間（--period、既定は直近90日）。デッキ・デッキのブックは直近30日"

# Every figure about people or groups, in the order a reader meets them. The key is the
# figure's --format json key (and COLUMNS key); COLUMNS takes its label from here.
FIGURES: dict[str, Figure] = {
    "headcount": Figure(
        "人数",
        "人",
        "在籍している人（退職は除き、休職・産休・育休は含む）",
        "－",
        AS_OF,
        "整数",
        "kops report divisions（画面・概要・事業部のシート）、スライド 1・4、"
        "レビューのシート 1_サマリー・4",
    ),
    "activation_rate": Figure(
        "ログイン率",
        "%",
        "一度でもログインした人（最終ログイン日がある）",
        "人数",
        AS_OF,
        WHOLE_PERCENT,
        "kops report divisions、スライド 1・4、レビューのシート、メール report.advisor（・内容）",
        ("ログイン割合", "利用率"),
    ),
    "pair_rate": Figure(
        "ペア成立率",
        "%",
        "成立した（承認済みの）ペアに上司か部下として入っている人",
        "人数",
        AS_OF,
        WHOLE_PERCENT,
        "kops report divisions、スライド 1・4、レビューのシート、メール report.advisor（・内容）",
        ("ペア成立割合",),
    ),
    "members": Figure(
        "部下の人数",
        "人",
        "成立したペアに部下として入っている人",
        "－",
        AS_OF,
        "整数",
        "kops report divisions",
    ),
    "implementation_rate": Figure(
        "1on1実施率",
        "%",
        "期間内に部下として実施済みの1on1が1回以上ある部下",
        "期間の終わりまでにペアが承認されていたか、部下として1on1をしていた部下",
        REPORT_PERIOD + "。見出しに「（部下・直近90日）」のように期間を添える",
        WHOLE_PERCENT,
        "kops report divisions（画面・概要・事業部のシート・グラフの値・月別）、"
        "スライド 1・4（タイトルも）、レビューのシート 1・4、メール report.advisor（・内容）",
        ("実施割合", "1on1 実施率", "1on1実施割合"),
    ),
    "implementation_rate_trend": Figure(
        "1on1実施率の推移",
        "pt",
        "1on1実施率の、同じ長さの前期間からの差（どちらも表示のとおり整数の%に丸めてからの差）",
        "－",
        "レポートの期間と前期間（窓は直前の同じ日数、暦の月・四半期は前の月・四半期の同じ日まで。レポートの見出しがその日付を言います）",
        "整数の pt（±0pt は変化なし）",
        "kops report divisions（画面・概要）",
        ("実施率の推移",),
    ),
    "implementation_rate_change": Figure(
        "1on1実施率の差（pt）",
        "pt",
        "1on1実施率（直近30日）の、前回のスナップショットの基準日での値からの差",
        "－",
        "直近30日（今回と前回の基準日それぞれ）",
        "整数の pt",
        "スライド 4（見出しは「前回比」）、レビューのシート 4",
    ),
    "held": Figure(
        "1on1実施数",
        "回",
        "期間内に実施済みの1on1（部下の所属で数える。退職した部下の1on1は数えない）",
        "－",
        REPORT_PERIOD + "。好事例インタビュー候補ではペアの直近90日（interview.lookback_days）",
        "整数",
        "kops report divisions、トピック・対応の内訳、kops interview shortlist、スライド 8",
        ("1on1数", "回数"),
    ),
    "per_member_month": Figure(
        "部下1人あたり月間1on1数",
        "回",
        "期間内に実施済みの1on1の数",
        "期間の終わりまでにペアが承認されていたか、部下として1on1をしていた部下の人数 × "
        "期間の月数（日数 ÷ 30.4375）",
        REPORT_PERIOD,
        TENTH,
        "kops report divisions、スライド 1・4、レビューのシート",
        ("1on1/人/月", "1on1 / 人 / 月", "1on1/人/月数"),
    ),
    "per_member_month_trend": Figure(
        "部下1人あたり月間1on1数の推移",
        "回",
        "部下1人あたり月間1on1数 の、前期間からの差"
        "（どちらも表示のとおり小数第1位に丸めてからの差）",
        "－",
        "レポートの期間と前期間（窓は直前の同じ日数、暦の月・四半期は前の月・四半期の同じ日まで。レポートの見出しがその日付を言います）",
        TENTH,
        "kops report divisions（画面・概要）",
        ("回数の推移",),
    ),
    "prepared_share": Figure(
        "事前準備率",
        "%",
        "期間内に実施済みの1on1のうち、事前準備（1on1 の前にトピックを選んだ）があったもの",
        "期間内に実施済みの1on1",
        REPORT_PERIOD,
        WHOLE_PERCENT,
        "kops report divisions、メール report.advisor（・内容）",
        ("準備率", "事前準備割合"),
    ),
    "rated_share": Figure(
        "スッキリ度入力率",
        "%",
        "期間内に実施済みの1on1のうち、スッキリ度が入力されたもの",
        "期間内に実施済みの1on1",
        REPORT_PERIOD,
        WHOLE_PERCENT,
        "kops report divisions、メール report.advisor（・内容）",
        ("スッキリ度回答率", "入力率"),
    ),
    "sukkiri_avg": Figure(
        "平均スッキリ度",
        "0〜5（kops.yaml の尺度）",
        "期間内に実施済みでスッキリ度が入力された1on1のスッキリ度の合計",
        "その1on1の数（人ではなく1on1ごとの平均）",
        REPORT_PERIOD + "。好事例インタビュー候補ではペアの直近90日",
        TENTH,
        "kops report divisions、スライド 1・4・8、レビューのシート、kops interview shortlist",
        ("スッキリ度の平均", "スッキリ度"),
    ),
    "sukkiri_avg_trend": Figure(
        "平均スッキリ度の推移",
        "0〜5",
        "平均スッキリ度の、前期間からの差（どちらも表示のとおり小数第1位に丸めてからの差）",
        "－",
        "レポートの期間と前期間（窓は直前の同じ日数、暦の月・四半期は前の月・四半期の同じ日まで。レポートの見出しがその日付を言います）",
        TENTH,
        "kops report divisions（画面・概要）",
        ("スッキリ度の推移",),
    ),
    "growth_avg": Figure(
        "平均成長実感",
        "1〜5",
        "期間内に実施済みで成長実感が入力された1on1の成長実感の合計",
        "その1on1の数",
        REPORT_PERIOD,
        TENTH,
        "kops report divisions、kops interview shortlist",
        ("成長実感の平均",),
    ),
    "prep_share": Figure(
        "直近の事前準備率",
        "%",
        "本人が部下として直近に実施した1on1（rules.recent_n、既定3回）のうち事前準備があったもの",
        "その1on1の数（直近の1on1数（部下として））",
        "基準日までの直近 recent_n 回（期間ではなく回数）",
        WHOLE_PERCENT,
        "スタックポイントの一覧（kops segment --list）、kops segment --explain",
    ),
    "rating_share": Figure(
        "直近のスッキリ度入力率",
        "%",
        "本人が部下として直近に実施した1on1（recent_n 回）のうちスッキリ度が入力されたもの",
        "その1on1の数（直近の1on1数（部下として））",
        "基準日までの直近 recent_n 回",
        WHOLE_PERCENT,
        "スタックポイントの一覧（kops segment --list）、kops segment --explain",
    ),
    "stuck_point_people": Figure(
        "スタックポイント別の人数",
        "人",
        "その段階が最初のつまずき（スタックポイント）である人（1人に1つ）",
        "－",
        AS_OF,
        "整数",
        "kops segment（画面・集計シート）、スライド 2（タイトルも）、レビューのシート 2",
    ),
    "stuck_point_share": Figure(
        "割合",
        "%",
        "そのスタックポイントの人",
        "退職を除く全員（見出しの「（252人、基準日 …）」）",
        AS_OF,
        WHOLE_PERCENT,
        "kops segment（割合）、スライド 3（推移）・次のアクション（全体の11%）、"
        "レビューのシート 3（○○の割合）",
    ),
    "movement": Figure(
        "次の段階に進んだ・前の段階に戻った・変わらず・新たに加わった・退職・対象外になった",
        "人",
        "前回と今回のスナップショットの両方（または片方）にいる人を、スタックポイントの移り変わりで分けた人数",
        "－",
        "前回の基準日から今回の基準日まで",
        "整数",
        "kops segment --compare、スライド 2、レビューのシート 2（（移動）…）",
        ("変化なし", "新規", "退職・削除"),
    ),
    "eligible_people": Figure(
        "対象の人数",
        "人",
        "キャンペーンの条件（例: 3か月連続毎週1on1）を判定期間のうちに満たした、在籍中の人",
        "－",
        "判定期間（kops.yaml の window）のうち、基準日までに終わった月",
        "整数",
        "kops campaign eligible（「対象: N人」）、スライド 7（対象）、レビューのシート 7",
    ),
    "on_track": Figure(
        "達成見込みの人数",
        "人",
        (
            "まだ対象ではないが、判定の済んだ最後の月まで続けて条件を満たし（1か月以上）、"
            "判定期間の残りの月で連続の月数に届く人（判定期間中だけ）"
        ),
        "－",
        "判定期間中の基準日まで",
        "整数",
        "スライド 7（達成見込み）、レビューのシート 7",
        ("進行中",),
    ),
    "awarded": Figure(
        "付与済みの人数",
        "人",
        "kops campaign award で付与を記録した人",
        "－",
        "記録した日まで（すべての回）",
        "整数",
        "kops campaign list、スライド 7（付与済み）、レビューのシート 7",
    ),
    "due": Figure(
        "送付予定",
        "件",
        "マイルストーン（節目の回数）に達し、まだお知らせを送っていない人と役割の組",
        "－",
        "前回のスナップショットの基準日より後（初回は milestones_since）から基準日まで",
        "整数",
        "kops campaign milestones、スライド 7・9、レビューのシート 7",
        ("未送付",),
    ),
    "share_left": Figure(
        "抜け出した割合",
        "%",
        "配信時にそのスタックポイントだった人のうち、最新データでそのスタックポイントが当てはまらなくなった人"
        "（主なスタックポイントがほかに変わっても、まだ当てはまる人と、ペアの解消などで前の段階の"
        "スタックポイントに戻った人は含みません）",
        "配信時の区分（送付・比較群）の人のうち最新データにいる人",
        "配信時のスナップショットから最新のスナップショット（基準日）まで",
        WHOLE_PERCENT + "。差は 0.1pt 単位",
        "kops mail report、スライド 5、レビューのシート 5（送付群で〜・比較群で〜）",
        ("抜けた割合",),
    ),
    "attendance_rate": Figure(
        "出席率",
        "%",
        "招待した人のうち出席した人（出席数（招待した人））",
        "招待数",
        "セミナー当日の出席リスト",
        WHOLE_PERCENT,
        "kops seminar summary（画面・ブック）",
    ),
    "satisfaction_avg": Figure(
        "満足度の平均",
        "1〜5",
        "セミナーアンケートで答えられた満足度の合計",
        "満足度を答えた回答の数",
        "取り込んだアンケート",
        TENTH,
        "kops seminar summary（画面・ブック）、スライド 6、レビューのシート 6",
        ("満足度（平均）",),
    ),
    "share_moved_on": Figure(
        "次の段階に進んだ割合",
        "%",
        "招待時のスタックポイントから、最新データで次の段階に進んだ人",
        "その区分の人のうち最新データにいる人",
        "招待時のスナップショットから最新のスナップショットまで",
        WHOLE_PERCENT,
        "kops seminar summary、スライド 6、レビューのシート 6",
    ),
}

# A hidden cell shows only these marks (privacy/rules.py writes them), explained in these
# words wherever a legend stands: under a workbook's table, on the terminal, on a slide.
HIDDEN: dict[str, str] = {
    "<5": "人数が少ないため非表示（privacy.min_group、既定5人未満）",
    "<10": "心身の状態を含む集計で、人数が少ないため非表示（既定10人未満）",
    # The figures it hides protect the small ones, and are not small themselves: one may be
    # worked out from other reports (a quarter less its other month) without telling any
    # small figure (the reader who did so took it for a leak of a small group).
    "(秘匿)": (
        "少人数の値が差し引きで分からないよう併せて非表示（これ自体は少人数の値ではありません）"
    ),
}
# Other ways a hidden value was explained, that must not come back.
HIDDEN_NOT_SPELT = (
    "少人数のため非表示",
    "少数のため非表示",
    "人数が少ないため表示しません",
    "差し引きで分かるため非表示",
    "差し引きで推定できないよう併せて非表示",  # read as: this value cannot be worked out
)
# A table's ``attrs`` key for what its sheet says under the table, a line each (the
# terminal's caveat beside the figures it is about: 「出席は本人の選択です…」).
SHEET_NOTE = "note"
# A frame's attrs key: the columns a workbook may fold away as details for this table,
# in place of the glossary's (a shortlist shows the pair's 職種, 年代 and topics: why it
# was chosen).
DETAIL_COLUMNS = "detail_columns"
# A frame's attrs key: key → the label this table heads it with, where it must say its
# period (「1on1実施率（部下・直近30日）」 in a workbook of 30 days): the key, its number
# format and its line in 列の説明 stay the column's own.
COLUMN_LABELS = "column_labels"
# A frame's attrs key: key → what this table's column holds, where it is not the figure the
# glossary defines under that key (a pair's own 1on1s, not a 事業部's: 「部下の所属で数える」
# said nothing of a pair).
OWN_MEANINGS = "own_meanings"
# The row that sums a topic (or 対応) table: the 1on1s with a topic (or a 対応).
MIX_TOTAL = "計"


def hidden_legend(general: int = 5, sensitive: int = 10) -> str:
    """What <5, <10 and (秘匿) mean, with the minimums the file was made under: at
    privacy.min_group 15 the cells read 「<15」 under a legend that said 「<5 / <10」.
    The mark is a number of people, not of what the column counts: 「<10」 in a column of
    1on1s was read as 「1on1 が 10 回未満」."""
    if general == sensitive:
        marks = (
            f"<{general}：人数が少ないため非表示（集計した人が{general}人未満。"
            "心身の状態を含む集計も。1on1の数ではありません）。"
        )
    else:
        marks = (
            f"<{general} / <{sensitive}：人数が少ないため非表示（集計した人が{general}人未満、"
            f"心身の状態を含む集計は{sensitive}人未満。1on1の数ではありません）。"
        )
    return f"{marks}(秘匿)：{HIDDEN['(秘匿)']}。"


HIDDEN_LEGEND = hidden_legend()


DEFINITIONS_SHEET = "数値の定義"
DEFINITION_HEADERS = ["数値", "数えるもの", "分母", "時点・期間", "単位・丸め"]
# The figures of a division report, in the order its 概要 has them.
REPORT_FIGURES = tuple(
    key for key, figure in FIGURES.items() if figure.shown.startswith("kops report divisions")
)


def definition_rows(keys: Sequence[str], period: str, as_of: object) -> list[list[str]]:
    """Each figure's one definition, said for a reader of one report: its period and
    as-of day in words instead of the option that sets them, the scale without the
    setting that holds it."""
    rows = []
    for key in keys:
        figure = FIGURES[key]
        when = figure.period
        if when.startswith(AS_OF):
            when = f"基準日（{as_of}）時点。期間によらない"
        elif when.startswith(REPORT_PERIOD):
            when = f"このレポートの期間（{period}）"
        elif when.startswith("レポートの期間"):
            when = when.replace("レポートの期間", f"このレポートの期間（{period}）", 1)
        unit = re.sub(r"（kops\.yaml[^）]*）", "", figure.unit)
        rows.append(
            [figure.label, figure.counts, figure.out_of, when, f"{unit}、{figure.rounding}"]
        )
    return rows


def figure_label(key: str, *qualifiers: str) -> str:
    """A figure's label, with what it counts or its period in brackets when the output
    must say it: figure_label("implementation_rate", "部下", "直近30日") →
    「1on1実施率（部下・直近30日）」."""
    label = FIGURES[key].label
    return f"{label}（{'・'.join(qualifiers)}）" if qualifiers else label


def pair_held_meaning(days: str) -> str:
    """What a shortlist's 1on1実施数 counts: the pair's own, over the shortlist's days."""
    return f"そのペア（上司と部下の二人）で{days}に実施済みの1on1"


def implementation_rate_label(basis: str = "") -> str:
    """「1on1実施率（部下・直近90日）」: the rate counts members; ``basis`` is its period."""
    return figure_label("implementation_rate", *filter(None, ["部下", basis]))


@dataclass(frozen=True)
class Column:
    label: str
    format: str | None = None  # an Excel number format; None: as the value comes
    # A detail column: folded away (Excel's [+] opens it) when a sheet would otherwise
    # print too small to read on A4.
    detail: bool = False


def _c(label: str, number_format: str | None = None, detail: bool = False) -> Column:
    return Column(label, number_format, detail)


def _f(key: str, number_format: str | None = None, detail: bool = False) -> Column:
    """A figure's column: its label is the figure's (FIGURES), never written twice."""
    return Column(FIGURES[key].label, number_format, detail)


# Columns of short phrases kops writes (「未ログイン・ペア未成立・…」, 「…なし 2人、…」): a cell
# too long for its column is written with its line breaks between them (Excel would break
# 「スッキ / リ度未入力」; a mail's 名称 「付 / 与のお知らせ」, a line that starts with 「：」).
PHRASE_COLUMNS = frozenset(
    # A state with its qualifier breaks before it: 「書き出しのみ / （未送信）」, not 「未 / 送信」.
    {"invites", "left_out_reasons", "note", "effect", "title", "value", "label", "state", "status"}
)
# Columns that hold ids among other things (the audit log's 対象: a run, a snapshot, an
# address): never broken inside one (「no_recurrence.manag / er-2026-11」), as ids are not.
ID_LIKE_COLUMNS = frozenset({"target"})
# Columns of reasons one after another (選んだ理由: 「90日で13回、週カバー率 100%、平均スッキリ度
# 4.4、…」): their column is given the room of the longest reason, and a cell breaks only
# between two reasons (after 「、」), never inside one (「週カバ / ー率」, 「平均ス / ッキリ度」).
LIST_COLUMNS = frozenset({"reason"})

# Column key → what people read in a file's header, and how its figures are formatted.
COLUMNS: dict[str, Column] = {
    # people and organisation
    "user_id": _c("社員番号", TEXT),
    "name": _c("氏名"),
    "email": _c("メールアドレス", detail=True),
    "division": _c("事業部"),
    "department": _c("部署"),
    "job_type": _c("職種", detail=True),
    "age_band": _c("年代", detail=True),
    "employment": _c("在籍状況", detail=True),
    "role": _c("役割"),
    "manager_id": _c("上司の社員番号", TEXT),
    "manager_name": _c("上司"),
    "member_id": _c("部下の社員番号", TEXT),
    "member_name": _c("部下"),
    "manager_division": _c("上司の事業部", detail=True),
    "manager_department": _c("上司の部署", detail=True),
    # A candidate pair's 職種 and 年代 are the member's (the pair's own, as the shortlist
    # spreads them), said so beside the manager's: 「エンジニア・20代」 of a pair whose
    # manager is 営業・40代 read as the manager's.
    "member_job_type": _c("部下の職種"),
    "member_age_band": _c("部下の年代"),
    "manager_job_type": _c("上司の職種", detail=True),
    "manager_age_band": _c("上司の年代", detail=True),
    "headcount": _f("headcount", COUNT),
    "users": _c("人数", COUNT),
    "members": _f("members", COUNT),
    # stuck points
    "stuck_point": _c("スタックポイント"),
    "stuck_point_label": _c("スタックポイント名"),
    "flags": _c("該当するスタックポイント", detail=True),
    "manager": _c("上司", COUNT),
    "member": _c("部下", COUNT),
    "both": _c("両方", COUNT),
    "none": _c("なし", COUNT),
    "total": _c("合計", COUNT),
    "share": _c("割合", PERCENT),
    "label": _c("項目"),
    # activity
    "last_login_at": _c("最終ログイン日", DATE),
    "pairs_as_manager": _c("ペア数（上司として）", COUNT, detail=True),
    "pairs_as_member": _c("ペア数（部下として）", COUNT, detail=True),
    "recurring_pairs": _c("繰り返し設定のあるペア数", COUNT, detail=True),
    "held_total": _c("1on1実施数（累計）", COUNT),
    "held_as_manager": _c("1on1実施数（上司として）", COUNT, detail=True),
    "held_as_member": _c("1on1実施数（部下として）", COUNT, detail=True),
    "last_held_at": _c("最終1on1実施日", DATE),
    "held_in_lapse_window": _c("休眠判定期間内の1on1数", COUNT, detail=True),
    # As a member only, as the two after it: 0 beside 81 held as manager read as untrue.
    "recent_count": _c("直近の1on1数（部下として）", COUNT, detail=True),
    "recent_prepared": _c("うち事前準備あり", COUNT, detail=True),
    "recent_rated": _c("うちスッキリ度入力あり", COUNT, detail=True),
    "invites_to_accept": _c("承認待ちのペア招待（部下として）", COUNT, detail=True),
    "prep_share": _f("prep_share", PERCENT),
    "rating_share": _f("rating_share", PERCENT),
    "seminar_month": _c("おすすめセミナー（シリーズの回）", detail=True),
    "held": _f("held", COUNT),
    "regularity": _c("週カバー率", PERCENT, detail=True),
    "weeks_covered": _c("実施のあった週数", COUNT, detail=True),
    "topics_distinct": _c("公開トピックの種類数", COUNT, detail=True),
    "spread_note": _c("備考（分散の繰り上げ）", detail=True),
    # The pair's two people's own, not the pair's (glossary of a shortlist's stuck_points).
    "stuck_points": _c("本人のスタックポイント", detail=True),
    "sukkiri_avg": _f("sukkiri_avg", ONE_DECIMAL),
    "growth_avg": _f("growth_avg", ONE_DECIMAL, detail=True),
    "top_topics": _c("主なトピック", detail=True),
    "private_topics": _c("非公開トピック数", COUNT, detail=True),
    "theme_share": _c("テーマの割合", PERCENT, detail=True),
    "score": _c("スコア", TWO_DECIMALS),
    "reason": _c("選んだ理由"),
    # The shortlist's order of picking (each spread against those before): not a ranking.
    "rank": _c("順番", COUNT),
    # A theme's place by how many chose it (ties share it).
    "interest_rank": _c("順位", COUNT),
    "eligible_pairs": _c("条件を満たすペア数", COUNT),
    "activation_rate": _f("activation_rate", PERCENT),
    "pair_rate": _f("pair_rate", PERCENT),
    "implementation_rate": _f("implementation_rate", PERCENT),
    "implementation_rate_before": _c(figure_label("implementation_rate", "前回"), PERCENT),
    "implementation_rate_change": _f("implementation_rate_change", SIGNED_POINTS),
    "per_member_month": _f("per_member_month", ONE_DECIMAL),
    "prepared_share": _f("prepared_share", PERCENT),
    "rated_share": _f("rated_share", PERCENT),
    "implementation_rate_trend": _f("implementation_rate_trend"),
    "per_member_month_trend": _f("per_member_month_trend"),
    "sukkiri_avg_trend": _f("sukkiri_avg_trend"),
    "period": _c("期間"),
    "previous_period": _c("前回の期間"),
    # campaigns and milestones
    "campaign": _c("キャンペーンID", TEXT),
    "campaign_id": _c("キャンペーンID", TEXT),
    "title": _c("名称"),
    "window": _c("判定期間"),
    "weeks_judged": _c("判定した週"),
    "eligible": _c("判定"),
    "eligible_people": _f("eligible_people", COUNT),
    "not_eligible": _c("対象外の人数", COUNT),
    "on_leave": _c("休職・休業中の人数", COUNT),
    "qualify_but_on_leave": _c("条件を満たすが休職・休業中の人数", COUNT),
    "run_start": _c("期間の開始月"),
    "run_end": _c("期間の終了月"),
    "missed_weeks": _c("実施のなかった週", detail=True),
    "months_judged": _c("判定した月数", COUNT, detail=True),
    "best_run_months": _c("最長の連続月数", COUNT),
    "note": _c("備考"),
    "on_track": _f("on_track", COUNT),
    "awarded": _f("awarded", COUNT),
    "entries": _c("応募数", COUNT),
    "eligible_entrants": _c("応募者のうち対象", COUNT),
    "winners": _c("当選者数", COUNT),
    "window_open": _c("判定期間中", detail=True),  # the 判定期間 beside it says as much
    "due": _f("due", COUNT),
    # Their sum, 送付予定, is shown; by role, a detail a wide sheet folds.
    "due_manager": _c(figure_label("due", "上司"), COUNT, detail=True),
    "due_member": _c(figure_label("due", "部下"), COUNT, detail=True),
    "delivered": _c("届いた数", COUNT),  # sent and not bounced
    "notices_sent": _c("送付済み", COUNT),  # milestone notices mailed
    "milestone": _c("マイルストーン（回）", COUNT),
    "held_in_role": _c("実施数（その役割で）", COUNT),  # held as manager or as member
    "held_before": _c("前回までの実施数", COUNT),
    "last_delivered": _c("前回お送りした節目（回）", COUNT),
    # mail
    "run_id": _c("配信ID", TEXT),
    "created_at": _c("作成日時", DATE_TIME, detail=True),
    "segment_key": _c("スタックポイント"),
    "snapshot": _c("スナップショット", TEXT, detail=True),
    "as_of": _c("基準日", DATE),
    "previous_snapshot": _c("前回のスナップショット", TEXT, detail=True),
    "previous_as_of": _c("前回の基準日", DATE),
    "sent": _c("送信数", COUNT),
    "failed": _c("失敗数", COUNT, detail=True),
    # Handed over, no answer (kops stopped, the connection lost): maybe delivered. A row
    # without it added up to fewer people than the run had.
    "unknown": _c("結果不明数", COUNT, detail=True),
    # The ledger's ``suppressed``: people who left or went on leave by the send, a
    # milestone another run delivered, and the suppression list (not only the list).
    "suppressed": _c("送信対象外の数", COUNT, detail=True),  # never 「送信 / 対象 / 外数」
    "holdout": _c("比較群（送らない）", COUNT),
    # Not a detail: in a rehearsal month it is the count the deck gives (送信数 is 0).
    "written": _c("書き出し数（未送信）", COUNT),
    "deferred": _c("後日送信", COUNT, detail=True),
    "bounced": _c("不達数", COUNT, detail=True),
    # People a run left out when planned (no address, on leave, …): no mail, no ledger row.
    "left_out": _c("宛先から除いた人数", COUNT),
    "left_out_reasons": _c("宛先から除いた理由"),
    # The reason as a fixed key (scheduled, no_email…), for a filter that does not read
    # the words (`kops mail plan --left-out`).
    "reason_code": _c("理由のキー"),
    # A campaign's award mails, one per awarded person told.
    "award_notices": _c("付与のお知らせ（通数）", COUNT),
    "effect": _c("効果測定"),
    "mailed_in_snapshot": _c("送付群の人数", COUNT, detail=True),
    "mailed_left": _c("送付群で抜け出した人数", COUNT, detail=True),
    "mailed_share_left": _c("送付群で" + FIGURES["share_left"].label, PERCENT),
    "share_left": _f("share_left", PERCENT),
    "left_stuck_point": _c("抜け出した人数", COUNT),
    "still_flagged": _c("まだ該当する人数", COUNT),
    # No longer in the stuck point because an earlier stage applies (a pair dissolved):
    # not among those who left it (`kops segment --compare` says 前の段階に戻った too).
    "slid_back": _c("前の段階に戻った人数", COUNT),
    "holdout_in_snapshot": _c("比較群の人数", COUNT, detail=True),
    "holdout_left": _c("比較群で抜け出した人数", COUNT, detail=True),
    "holdout_share_left": _c("比較群で" + FIGURES["share_left"].label, PERCENT),
    "difference": _c("差（pt）", SIGNED_POINTS_TENTHS),
    "ci95_low": _c("95%信頼区間（下限）", SIGNED_POINTS_TENTHS, detail=True),
    "ci95_high": _c("95%信頼区間（上限）", SIGNED_POINTS_TENTHS, detail=True),
    "state": _c("状態"),
    "item": _c("宛先・項目", TEXT),
    "template": _c("テンプレート"),
    "attempts": _c("送信の試行回数", COUNT, detail=True),
    "message_id": _c("Message-ID", detail=True),
    "sendable_from": _c("送れる日", detail=True),
    "updated_at": _c("更新日時", DATE_TIME, detail=True),
    "error": _c("エラー"),  # why a mail was not sent: never folded away
    "subject": _c("件名"),
    "sent_at": _c("送信日時", DATE_TIME),
    "recipient": _c("宛先"),
    "to": _c("宛先"),
    # the deck's figures
    "figure": _c("指標"),
    "figure_kind": _c("単位"),
    "now": _c("今回"),
    "before": _c("前回"),
    # `kops segment --compare --out`: who moved between two snapshots, and how.
    "stuck_point_before": _c("前回のスタックポイント"),
    # The corner of the transitions' table: its rows are 前回's stuck points, its columns
    # 今回's (its first cell said 「前回のスタックポイント」, and nothing named the columns).
    "before_by_after": _c("前回＼今回"),
    "stuck_point_after": _c("今回のスタックポイント"),
    "direction": _c("変化"),
    "change": _c("差"),
    "arrow": _c("増減"),
    "value": _c("値"),
    "action": _c("次のアクション"),
    "basis": _c("根拠"),
    "command": _c("コマンド", detail=True),
    "satisfaction_avg": _f("satisfaction_avg", ONE_DECIMAL),
    # seminars
    "seminar_id": _c("セミナーID", TEXT),
    "seminar": _c("セミナーID", TEXT),
    "month": _c("シリーズの回"),
    "points": _c("主な内容", detail=True),
    "date": _c("日時", DATE_TIME),
    "url": _c("参加URL", detail=True),
    "recording_url": _c("録画URL", detail=True),
    "invites": _c("案内する人"),
    "invited": _c("招待数", COUNT),
    "written_only": _c("書き出しのみ（未送信）", COUNT),
    "attended": _c("出席数", COUNT),
    "rate": _f("attendance_rate", PERCENT),
    "invited_attended": _c("出席数（招待した人）", COUNT),
    "uninvited": _c("招待外の参加", COUNT),
    "satisfaction": _c("満足度", "0"),
    "group_label": _c("区分名"),
    "unit": _c("単位"),
    "answers": _c("回答数", COUNT),
    # A theme of the multiple-choice question: the people who chose it (the deck's word).
    "chosen_by": _c("選んだ人", COUNT),
    "survey_answers": _c("アンケート回答数", COUNT),
    "interest": _c("知りたいテーマ"),
    "group": _c("区分"),
    "example_1": _c("回答例1"),
    "example_2": _c("回答例2"),
    "example_3": _c("回答例3"),
    "example": _c("回答例"),
    "answer": _c("回答（名前は○○）"),
    "theme": _c("テーマ"),
    "kind": _c("種類"),
    "covered_by": _c("扱うセミナー"),
    "suggestion": _c("提案"),
    "in_snapshot": _c("最新データにいる人数", COUNT),
    "moved_on": _c("次の段階に進んだ人数", COUNT),
    "share_moved_on": _f("share_moved_on", PERCENT),
    # import problems, the audit log, the template list
    "count": _c("件数", COUNT),
    "rows": _c("行数", COUNT),
    "variables": _c("使う変数"),
    "file": _c("ファイル"),
    "row": _c("行", COUNT),
    "column": _c("列"),
    "what": _c("内容"),
    "relaxed": _c("条件を緩めた点"),
}

for _key, _label in STUCK_POINTS.items():
    COLUMNS[str(_key)] = Column(_label, COUNT)
    COLUMNS[f"{_key}_share"] = Column(f"{_label}の割合", PERCENT)

# The two groups a mail's effect compares (`kops mail report`, the deck's chart).
EFFECT_GROUPS: dict[object, str] = {"mailed": "送付", "holdout": "比較群（送らなかった人）"}

# A mail ledger's states and a template's kinds as people read them (`kops mail status`,
# its file, the plan of a send).
MAIL_STATES: dict[object, str] = {
    "planned": "未送信（計画のみ）",
    "sending": "送信中（結果不明）",
    "unknown": "結果不明（届いたかもしれません）",  # a run's 'sending' once it has stopped
    "sent": "送信済み",
    "written": "書き出しのみ（未送信）",
    "deferred": "後日送信",
    "temp_failed": "一時エラー",
    "perm_failed": "送信失敗",
    "suppressed": "送信対象外",  # left, on leave, on the suppression list, …: the reason says
    "holdout": "比較群（送らない）",
}
TEMPLATE_KINDS: dict[object, str] = {
    "nudge": "促し",
    "knowledge": "ナレッジ",
    "invitation": "案内",
    "announcement": "お知らせ",
}

# Values shown to people, by column: the stable keys stay in --format json.
VALUES: dict[str, dict[object, str]] = {
    "role": ROLES,
    "stuck_point": {
        **STUCK_POINTS,
        **{k: f"（移動）{v}" for k, v in MOVEMENT.items()},
        "all": "全体",
        "uninvited": "招待外の参加",
    },
    "segment_key": STUCK_POINTS,
    # `kops segment --compare --out`: the transitions' rows, and who moved where.
    "stuck_point_before": STUCK_POINTS,
    "before_by_after": STUCK_POINTS,
    "stuck_point_after": STUCK_POINTS,
    "direction": {key: word for key, word in MOVEMENT.items()},
    "eligible": {True: "対象", False: "対象外", "true": "対象", "false": "対象外"},
    "window_open": {True: "はい", False: "いいえ", "true": "はい", "false": "いいえ"},
    # Otherwise why not, in the deck's words (monthly_review.mail_counts.unmeasured_words).
    "effect": {"measured": "測定済み"},
    # As the seminar slide and its movement say them (analyses.seminar_movement): the sheet's
    # 「招待・欠席」 beside the slide's 「出席しなかった人」 read as two groups.
    "group": {"attended": "出席した人", "invited, did not attend": "出席しなかった人"},
    # A problem row's kind, a template's kind, and an emerging theme's: a word or a phrase.
    "kind": {
        "refused": "取り込まず",
        "note": "注意",
        **TEMPLATE_KINDS,
        "term": "語",
        "phrase": "句",
    },
    "state": MAIL_STATES,
    "figure_kind": {"rate": "割合", "count": "人数・件数", "number": "数", "score": "平均"},
}

# Values that list several keys in one cell, separated by ";" (the --format json form):
# shown as their labels joined by 「・」.
LIST_VALUES: dict[str, dict[object, str]] = {"flags": STUCK_POINTS}

# A column that says again what another one says in people's words: left out of files
# for people when that other one is there (its key stays in --format json).
SAME_AS = {
    "stuck_point_label": "stuck_point",
    "label": "stuck_point",
    "figure": "label",
    "group": "group_label",
    # The review workbook's rows say their unit in words (人, %, 回); the kind (a count, a
    # rate…) only sets each row's number format.
    "figure_kind": "unit",
}


# A table whose rows are figures of different kinds (a rate, a count, an average) says
# each row's kind in ``figure_kind``; its numbers take that row's format.
ROW_FORMATS = {
    "rate": PERCENT,
    "count": COUNT,
    "number": ONE_DECIMAL,
    "score": ONE_DECIMAL,
}
# …and a change of a rate is in points.
# No change reads 「±0」 and 「±0.0」, as the deck's tiles and the division report say it.
CHANGE_FORMATS = {
    "rate": SIGNED_POINTS,
    "count": '+#,##0;-#,##0;"±0"',
    "number": '+0.0;-0.0;"±0.0"',
    "score": '+0.0;-0.0;"±0.0"',  # 平均スッキリ度 +0.1, not 0.1
}
CHANGE_KEYS = frozenset({"change"})

# Sheet names of the list workbooks.
SHEETS = {
    "data": "一覧",
    "users": "一覧",
    "summary": "集計",
    "eligibility": "判定",
    "shortlist": "候補",
    "notes": "注記",
    "conditions": "条件",
    "ledger": "配信記録",
    "runs": "配信一覧",
    "milestones": "マイルストーン",
    "transitions": "推移",
    "moved": "移動した人",  # both ways: 次の段階に進んだ and 前の段階に戻った
    "seminars": "セミナー",
    "left_out": "宛先から除いた人",
}
COLUMN_NOTES_SHEET = "列の説明"
# What a column that is not a figure (FIGURES) holds, where its header alone does not say:
# the 列の説明 sheet of a list file says it beside the header (it only paired each header
# with its JSON key, and a reader asked what 休眠判定期間 and 期間の開始月 were).
COLUMN_MEANINGS = {
    "stuck_point": "段階の順（未ログイン → ペア未成立 → … → 繰り返し未設定 → 定着）で、"
    "基準日に最初に該当するスタックポイント",
    "flags": "基準日に該当するスタックポイントすべて",
    "held_total": "基準日までに実施した1on1の数（上司と部下の両方の役割の合計）",
    "held_in_lapse_window": "基準日を含む直近 rules.lapse_days 日（既定30日）に実施した1on1の数"
    "（両方の役割の合計。これまでに1on1を実施した人で 0 なら 1on1休眠）",
    "recent_count": "部下として実施した直近の1on1（rules.recent_n 回、既定3回まで）の数",
    "recent_prepared": "そのうち事前準備があった1on1の数",
    "recent_rated": "そのうちスッキリ度が入力された1on1の数",
    "run_start": "対象の人は条件を満たした連続の月の最初の月、対象外の人は条件に最も近かった"
    "連続の月の最初の月（備考にそう書きます）",
    "run_end": "同じ連続の月の最後の月",
    "weeks_judged": "判定した月の週が覆う日（週は月曜〜日曜で、木曜日のある月に数えます。"
    "判定期間の初日より前から始まることがあります）",
    "missed_weeks": "その連続の月のうち、条件の役割（部下としてなど）の1on1のなかった週"
    "（週の月曜日の日付。週は木曜日のある月に数えます）",
}


def column_label(key: str) -> str:
    found = COLUMNS.get(key)
    return found.label if found else key


def value_label(key: str, value: object) -> object:
    labels = VALUES.get(key)
    if labels is None:
        return value
    try:
        return labels.get(value, value)
    except TypeError:  # unhashable values are shown as they are
        return value
