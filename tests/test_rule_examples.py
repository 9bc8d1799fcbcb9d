"""Every rule's documented bad example triggers it and its good example does not.

The examples are what ``archguard explain`` shows, so docs and behaviour cannot drift apart.
Layout rules document paths rather than code and are tested in test_layout.py.
"""

from __future__ import annotations

import pytest

from archguard.rules.layout import LayoutRule, MissingModule
from archguard.rules.registry import EngineRule, ProjectRule, Rule, all_rules
from helpers import run

CODE_RULES = [
    rule for rule in all_rules()
    if not isinstance(rule, (LayoutRule, MissingModule)) and rule.engine == "native"
    and rule.bad and rule.good
]


def _codes(rule: Rule, source: str) -> list[str]:
    """Every rule runs (AG001 judges suppressions only for selected codes); keep this one's."""
    found = run(rule.example_files(source), select=["ALL"])
    return [d.code for d in found if d.code == rule.code]


@pytest.mark.parametrize("rule", CODE_RULES, ids=lambda r: r.code)
def test_bad_example_triggers_the_rule(rule: Rule) -> None:
    assert rule.code in _codes(rule, rule.bad)


@pytest.mark.parametrize("rule", CODE_RULES, ids=lambda r: r.code)
def test_good_example_is_clean(rule: Rule) -> None:
    assert _codes(rule, rule.good) == []


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.code[:2] == "AG" and len(rule.code) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and rule.rationale() and rule.rulebook
    assert isinstance(rule, (EngineRule, ProjectRule)) or rule.bad


def test_codes_and_slugs_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
