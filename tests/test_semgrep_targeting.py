"""Each rule is given only the files its prefilter passed (``archguard.semgrep.targeting``):
which targets a rule skips, the rule file rewritten with them, and why only the shipped rule
files may be rewritten (PyYAML reads YAML 1.1, semgrep 1.2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from archguard.semgrep.rules import builtin_rules_dir
from archguard.semgrep.targeting import exclusion_patterns, skipped_targets, with_exclusions

RULES = {"a.py": ("env",), "b.py": ("env", "db"), "c.py": (), "d[1].py": ("db",),
         "e\udcff.py": ("db",), "f.py": None}


def test_a_rule_skips_the_targets_it_cannot_match() -> None:
    """Not skipped: a target every rule may match (None), one with a glob character, one
    whose name is not UTF-8."""
    skipped = skipped_targets(list(RULES), ["env", "db", "actor"], RULES.get)
    assert skipped == {"env": ["c.py"], "db": ["a.py", "c.py"],
                       "actor": ["a.py", "b.py", "c.py"]}


def test_the_skipped_targets_join_the_rule_s_own_excludes() -> None:
    text = b"""rules:
  - id: env
    languages: [python]
    message: m
    severity: ERROR
    paths:
      exclude: ["**/tests/**"]
    pattern: os.environ
  - id: other
    languages: [python]
    message: m
    severity: ERROR
    pattern: x
"""
    narrowed = with_exclusions(text, {"env": ["/c.py", "/pkg/a b.py"], "missing": ["/a.py"]})
    assert narrowed is not None
    rules = yaml.safe_load(narrowed)["rules"]
    assert rules[0]["paths"] == {"exclude": ["**/tests/**", "/c.py", "/pkg/a b.py"]}
    assert "paths" not in rules[1]
    assert with_exclusions(text, {"other2": ["/c.py"]}) is None  # nothing to add
    assert with_exclusions(b"rules: [oops", {"env": ["/c.py"]}) is None  # semgrep reports it
    assert with_exclusions(b"- just a list", {"env": ["/c.py"]}) is None


def test_a_folder_a_rule_cannot_match_anywhere_is_one_pattern() -> None:
    """Each pattern costs semgrep memory: a folder all of whose targets a rule skips is
    `/folder/*.py` (direct children only: semgrep's `*` stops at `/`); a folder with a
    target the rule keeps, or with one target, lists the skipped files."""
    targets = ["top.py", "root.py", "pkg/a.py", "pkg/b.py", "pkg/sub/c.py", "pkg/sub/d.py",
               "lone/e.py"]
    skipped = {"env": ["top.py", "root.py", "pkg/a.py", "pkg/b.py", "pkg/sub/c.py",
                       "lone/e.py"]}
    assert exclusion_patterns(skipped, targets) == {
        "env": ["/*.py", "/pkg/*.py", "/pkg/sub/c.py", "/lone/e.py"]}


# Plain scalars YAML 1.2 (semgrep) reads as the same non-string PyYAML (1.1) reads them as.
YAML12 = {"tag:yaml.org,2002:bool": r"true|false|True|False|TRUE|FALSE",
          "tag:yaml.org,2002:int": r"[-+]?[0-9]+",
          "tag:yaml.org,2002:float": r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?",
          "tag:yaml.org,2002:null": r"null|Null|NULL|~|"}


def _plain_scalars(node: yaml.Node) -> list[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        return [node] if node.style is None else []
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _plain_scalars(item)]
    if isinstance(node, yaml.MappingNode):
        return [s for key, value in node.value for part in (key, value)
                for s in _plain_scalars(part)]
    return []


@pytest.mark.parametrize("rule_file", sorted(builtin_rules_dir().glob("*.yaml")),
                         ids=lambda p: p.name)
def test_the_shipped_rules_read_alike_in_yaml_1_1_and_1_2(rule_file: Path) -> None:
    """The round trip through PyYAML keeps their meaning: every plain scalar PyYAML reads
    as something other than a string is read the same way by YAML 1.2 (no `yes`, `on`,
    `10:30`, `0o7` written plain)."""
    document = yaml.compose(rule_file.read_text("utf-8"))
    assert document is not None
    for scalar in _plain_scalars(document):
        pattern = YAML12.get(scalar.tag)
        if scalar.tag != "tag:yaml.org,2002:str":
            assert pattern is not None and re.fullmatch(pattern, scalar.value), (
                f"{rule_file.name}:{scalar.start_mark.line + 1}: {scalar.value!r} is read "
                f"as {scalar.tag} by PyYAML; quote it")
