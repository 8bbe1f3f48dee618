"""Every rule id the code or the docs cite is stated in docs/rules.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"\bR([1-9][0-9]?)\b")


def _defined() -> set[str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^\| R([0-9]+) \|", text, re.MULTILINE)}


def _cited() -> dict[str, str]:
    cited: dict[str, str] = {}
    files = [*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py"), ROOT / "README.md"]
    files += [p for p in ROOT.glob("docs/*.md") if p.name != "rules.md"]
    for path in files:
        for match in RULE.finditer(path.read_text(encoding="utf-8")):
            cited.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return cited


def test_every_cited_rule_id_is_stated_in_docs_rules():
    defined = _defined()
    missing = {f"R{rule}": where for rule, where in _cited().items() if rule not in defined}
    assert not missing, f"rule ids cited but not in docs/rules.md: {missing}"


def test_docs_rules_states_the_rules_in_order_without_gaps_in_each_group():
    defined = sorted(int(r) for r in _defined())
    assert defined[0] == 1 and 50 in defined
    assert len(defined) == len(set(defined))
