"""A first month without advisors: the refusal's hint is an entry that works as written."""

from __future__ import annotations

import yaml

from conftest import Cli
from kakeai_ops.workspace import Workspace


def test_the_hint_without_advisors_is_an_entry_that_works(sample_copy: Workspace) -> None:
    cli = Cli(sample_copy)
    refused = cli("report", "divisions", "--all-advisors", "--out", "reports", ok=False)
    assert "no advisors in kops.yaml" in refused.stderr
    hint = refused.stderr.split("e.g. ", 1)[1].strip()
    # The name: the mail greets (a report mailed without one is refused) is in it.
    assert "name: 山田 太郎" in hint and "scope: [営業本部]" in hint
    config = sample_copy.config_path
    data = yaml.load(config.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["advisors"] = yaml.load(hint, Loader=yaml.CSafeLoader)
    config.write_text(
        yaml.dump(data, allow_unicode=True, Dumper=yaml.CSafeDumper), encoding="utf-8"
    )
    out = sample_copy.root / "reports"
    done = cli("report", "divisions", "--all-advisors", "--out", str(out), "--mail", "--dry-run")
    assert "営業本部長" in done.stderr and list(out.glob("*.xlsx"))
