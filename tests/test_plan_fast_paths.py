"""The fast paths of planning a mail run give exactly what the plain ones gave.

Each test puts a path taken for speed next to the plain rule it replaces, on
data chosen to trip it: missing values of every kind, time zones, look-alike
keys (1, 1.0, True; 0.0 and -0.0), includes and Jinja's globals.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import pytest

from factories import meeting, pair, tables, user
from kakeai_ops.analyses import segmentation
from kakeai_ops.config import Settings
from kakeai_ops.mail.context import date_text, date_texts
from kakeai_ops.mail.fact_rows import MAIL_COLUMNS, fact_rows
from kakeai_ops.mail.plan import Plan, PlannedMessage, plan_file, save_plan
from kakeai_ops.mail.rendering import MailEnvironment, Reuse, Unkeyable, value_key, variables_read
from kakeai_ops.mail.templates import TemplateSet
from kakeai_ops.workspace import Workspace


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and (a is b or a == b)


def test_fact_rows_hold_what_to_dict_gave() -> None:
    t = tables(
        users=[
            user("001", last_login_at=None),
            user("002", email=None),
            user("003", employment="休職", employment_status="leave"),
            user("004", last_login_at="2026-01-31 23:59"),
            user("005"),
        ],
        pairs=[pair("004", "005")],
        meetings=[meeting("004", "005", "2026-10-01 10:00")],
    )
    facts = segmentation.segment(t, Settings().rules, dt.date(2026, 11, 20))
    facts = facts.set_index("user_id", drop=False)
    wanted = ["005", "001", "999", "002", "004", "003"]
    plain = facts.loc[facts.index.isin(wanted)].to_dict("index")

    rows = fact_rows(facts, wanted)

    assert set(rows) == set(plain) == {"001", "002", "003", "004", "005"}
    for user_id, row in rows.items():
        for column in MAIL_COLUMNS:
            assert same_value(row[column], plain[user_id][column]), (user_id, column)
        assert row["last_login_date"] == date_text(plain[user_id]["last_login_at"])
        assert row["last_held_date"] == date_text(plain[user_id]["last_held_at"])
    assert rows["001"]["last_login_date"] == "記録なし"
    assert rows["004"]["last_login_date"] == "2026年1月31日（土）"


def test_fact_rows_turn_pandas_na_into_none_as_to_dict_does() -> None:
    facts = pd.DataFrame(
        {name: ["x", "y"] for name in MAIL_COLUMNS}
        | {"last_login_at": pd.to_datetime(["2026-11-01", None]), "last_held_at": [pd.NaT] * 2},
        index=pd.Index(["a", "b"]),
    )
    facts["held_total"] = pd.array([3, None], dtype="Int64")
    facts["name"] = pd.array(["名前", None], dtype="string")

    rows = fact_rows(facts, ["a", "b"])
    plain = facts.to_dict("index")

    for user_id in ("a", "b"):
        for column in MAIL_COLUMNS:
            assert same_value(rows[user_id][column], plain[user_id][column]), column
    assert rows["b"]["held_total"] is None and rows["b"]["name"] is None


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(pd.to_datetime(["2026-11-20 23:59:59.999999", None, "1999-01-01 00:00:00.0"])),
        pd.Series(pd.to_datetime(["2026-03-01 08:00", None]).as_unit("us")),
        pd.Series(pd.to_datetime(["2026-03-31 23:30", None]).tz_localize("Asia/Tokyo")),
        pd.Series(pd.to_datetime(["2026-03-31 23:30", None]).tz_localize("UTC")),
        pd.Series([pd.Timestamp("2026-02-28"), None, float("nan")], dtype=object),
        pd.Series([None, None], dtype="datetime64[ns]"),
        pd.Series(pd.to_datetime(["2026-12-31", None])).astype("timestamp[us][pyarrow]"),
    ],
)
def test_date_texts_are_date_text_per_value(values: pd.Series) -> None:
    assert date_texts(values) == [date_text(value) for value in values]


def test_value_keys_tell_apart_what_renders_differently() -> None:
    keys = [value_key(v) for v in ("1", 1, 1.0, True, None, 0.0, -0.0, [1], (1,), {"a": 1})]
    assert len(set(keys)) == len(keys)
    assert value_key({"a": 1, "b": 2}) != value_key({"b": 2, "a": 1})  # a loop shows the order
    assert value_key({"a": [1, "x"]}) == value_key({"a": [1, "x"]})
    assert value_key(float("nan")) == value_key(float("nan"))
    with pytest.raises(Unkeyable):
        value_key(pd.Timestamp("2026-11-20"))
    with pytest.raises(Unkeyable):
        value_key({"when": dt.date(2026, 11, 20)})


def test_variables_read_follow_includes(tmp_path: Path) -> None:
    (tmp_path / "_footer.txt").write_text("{{ mail.contact }}{% include '_inner.txt' %}")
    (tmp_path / "_inner.txt").write_text("{{ deep }}")
    env = MailEnvironment(loader=jinja2.FileSystemLoader(str(tmp_path)))

    assert variables_read(env, ["{{ name }}{% include '_footer.txt' %}"]) == {
        "name",
        "mail",
        "deep",
    }
    assert variables_read(env, ["{% include which %}"]) is None  # named only when rendered


def write_template(directory: Path, name: str, subject: str, body: str = "本文\n") -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{name}.txt").write_text(f"subject: {subject}\n---\n{body}", encoding="utf-8")


def test_subjects_reused_only_for_the_same_values(tmp_path: Path) -> None:
    own = tmp_path / "mail"
    write_template(own, "m", "{{ milestone }} 回目 {{ title }}", "{{ name }}\n")
    template = TemplateSet(own).get("m")

    def subject(**context: Any) -> str:
        return template.render({"name": "名", **context}, "【P】").subject

    assert subject(milestone=1, title="a") == "【P】1 回目 a"
    assert subject(milestone=True, title="a") == "【P】True 回目 a"
    assert subject(milestone=1.0, title="a") == "【P】1.0 回目 a"
    assert subject(milestone=1, title="b") == "【P】1 回目 b"
    assert subject(milestone=-0.0, title="a") == "【P】-0.0 回目 a"
    assert subject(milestone=0.0, title="a") == "【P】0.0 回目 a"
    assert subject(milestone=pd.Timestamp("2026-11-20"), title="a").startswith("【P】2026-11-20")
    assert template.render({"name": "名", "milestone": 1, "title": "a"}, "").subject == "1 回目 a"


def test_a_missing_subject_variable_still_stops_the_run(tmp_path: Path) -> None:
    own = tmp_path / "mail"
    write_template(own, "m", "{{ title }}")
    template = TemplateSet(own).get("m")
    assert template.render({"title": "x"}, "").subject == "x"
    with pytest.raises(Exception, match="does not provide: 'title'"):
        template.render({}, "")


TRICKY = """{% set ns = namespace(total=0) %}{% for i in range(3) %}{% set ns.total = ns.total + i %}{% endfor %}
{{ ns.total }} {% for row in rows %}{{ loop.index }}:{{ row }}{{ ', ' if not loop.last }}{% endfor %}
{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }} {{ name | upper }}
{% include '_part.txt' %}
"""


@pytest.mark.parametrize("autoescape", [False, True])
def test_mail_environment_renders_as_jinja_does(tmp_path: Path, autoescape: bool) -> None:
    (tmp_path / "_part.txt").write_text("{{ name }} & {{ rows | length }}")
    options: dict[str, Any] = {
        "loader": jinja2.FileSystemLoader(str(tmp_path)),
        "undefined": jinja2.StrictUndefined,
        "autoescape": autoescape,
    }
    context = {"name": "<佐藤 & 髙橋>", "rows": ["x", "<y>"]}
    plain = jinja2.Environment(**options).from_string(TRICKY)
    fast = MailEnvironment(**options).from_string(TRICKY)
    assert fast.render(context) == plain.render(context)
    assert fast.render(context) == fast.render(context)


def test_plan_file_bytes_are_those_of_the_dataclass_as_json(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    messages = [
        PlannedMessage(
            item=f"{n}:member:5",
            user_id=str(n),
            name="髙橋 﨑",
            email=f"u{n}@example.jp",
            template="milestone.member",
            kind="knowledge",
            subject="【KAKEAI事務局】①",
            text='本文 "引用"\n\\ \t\n',
            html="<p>&amp;</p>" if n else None,
            message_id=f"<{n}@example.jp>",
            state="holdout" if n == 2 else "planned",
            extra={"milestone": 5, "role": "member", "ratio": 0.5},
            attachments=[str(tmp_path / "a.xlsx")] if n == 1 else [],
        )
        for n in range(3)
    ]
    content_hash = save_plan(ws, Plan("run-1", messages))

    expected = b"".join(
        (json.dumps(asdict(m), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        for m in messages
    )
    assert plan_file(ws, "run-1", content_hash).read_bytes() == expected


def test_messages_reused_only_for_the_same_values_of_what_they_read(tmp_path: Path) -> None:
    own = tmp_path / "mail"
    write_template(own, "m", "件名", "{{ name }} {{ honorific }}\n{% include '_footer.txt' %}")
    (own / "_footer.txt").write_text("{{ mail.contact }}\n", encoding="utf-8")
    write_template(own, "u", "件名", "{{ user.user_id }}\n")
    templates = TemplateSet(own)
    sender = {"contact": "内線 1"}

    def text(name: str, contact_of: dict[str, str]) -> str:
        context = {"name": name, "honorific": "様", "mail": contact_of, "user": {"user_id": name}}
        return templates.get("m").render(context, "").text

    assert text("佐藤", sender) == "佐藤 様\n内線 1\n"
    assert text("髙橋", sender) == "髙橋 様\n内線 1\n"
    assert text("佐藤", sender) == "佐藤 様\n内線 1\n"
    assert text("佐藤", {"contact": "内線 2"}) == "佐藤 様\n内線 2\n"  # another sender object
    # A template reading only the user's id never mixes two users up, whatever their names.
    for user_id in ("001", "002", "001"):
        context = {"name": "同姓 同名", "user": {"user_id": user_id}}
        assert templates.get("u").render(context, "").text == f"{user_id}\n"


def test_reuse_gives_up_when_results_are_not_found_again() -> None:
    reuse = Reuse(frozenset({"name"}))
    for n in range(Reuse.TRIAL + 1):
        key = reuse.key({"name": f"n{n}"})
        assert reuse.look_up(key) is None
        if key is not None:
            reuse.results[key] = n
    assert reuse.key({"name": "n0"}) is None  # every render from now on, no keys kept
    assert len(reuse.results) <= 1

    kept = Reuse(frozenset({"name"}))
    for n in range(3 * Reuse.TRIAL):
        key = kept.key({"name": f"n{n % 10}"})
        if kept.look_up(key) is None:
            kept.results[key] = n % 10
    assert kept.look_up(kept.key({"name": "n3"})) == 3
