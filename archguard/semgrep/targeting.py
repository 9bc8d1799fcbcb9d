"""Each rule sees only the files its prefilter passed.

semgrep is given every file one of the selected rules can match, and then runs every rule on
every file it was given (its own prefilter is coarser than archguard's: on tracecat it tried
the database rule on 90 files where 6 can match). The targets a rule cannot match are added
to that rule's ``paths: exclude`` in the copy of its file semgrep reads, anchored to the
project root (``/tracecat/db/models.py``, or ``/tracecat/db/*.py`` for a folder none of
whose targets the rule can match): the rule's own ``include``/``exclude`` still
apply, and a path is only ever taken away from a rule, never given to one. A path holding a
glob character (``*?[]{}!\\``) cannot be written as a literal pattern and stays with every
rule, as before, and so does one that cannot be written as UTF-8 (a file name that is not).
Only the shipped rule files are rewritten (``SemgrepScan._rule_files``): PyYAML reads YAML
1.1, semgrep YAML 1.2, and a user's unquoted ``10:30`` would be written back as ``630``;
the shipped files quote what the two read differently, which the engine tests check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

GLOB_CHARACTERS = frozenset("*?[]{}!\\")


def skipped_targets(targets: Iterable[str], rule_ids: Iterable[str],
                    rules_of: Callable[[str], tuple[str, ...] | None],
                    ) -> dict[str, list[str]]:
    """Rule id -> the targets it cannot match (``rules_of(path)``: the rules that can, None
    for all), leaving out paths no glob can name literally."""
    ids = list(rule_ids)
    skipped: dict[str, list[str]] = {rule_id: [] for rule_id in ids}
    for path in targets:
        runs = rules_of(path)
        if runs is None or GLOB_CHARACTERS.intersection(path) or not utf8_name(path):
            continue
        for rule_id in ids:
            if rule_id not in runs:
                skipped[rule_id].append(path)
    return {rule_id: paths for rule_id, paths in skipped.items() if paths}


def exclusion_patterns(skipped: Mapping[str, list[str]], targets: Iterable[str],
                       ) -> dict[str, list[str]]:
    """Rule id -> its anchored exclude patterns: ``/pkg/x.py`` per skipped target, or
    ``/pkg/*.py`` for a folder none of whose targets the rule can match (each pattern
    costs semgrep memory: polar's 700 targets x 8 rules held 20 MB). A pattern may name
    files that are no targets: semgrep is not given those anyway."""
    by_folder: dict[str, set[str]] = {}
    for path in targets:
        by_folder.setdefault(path.rpartition("/")[0], set()).add(path)
    patterns: dict[str, list[str]] = {}
    for rule_id, paths in skipped.items():
        grouped: dict[str, list[str]] = {}
        for path in paths:
            grouped.setdefault(path.rpartition("/")[0], []).append(path)
        found = patterns[rule_id] = []
        for folder, inside in grouped.items():
            if set(inside) == by_folder[folder] and len(inside) > 1:
                found.append(f"/{folder}/*.py" if folder else "/*.py")
            else:
                found.extend(f"/{path}" for path in inside)
    return patterns


def with_exclusions(text: bytes, skipped: Mapping[str, list[str]]) -> bytes | None:
    """The rule file with each rule's exclude patterns (``exclusion_patterns``) added to
    its ``paths: exclude``; None when none of its rules skips a target or the file is not a
    readable rule file."""
    import yaml

    try:
        document = yaml.load(text.decode("utf-8"),
                             Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list):
        return None
    changed = False
    for rule in rules:
        paths = skipped.get(str(rule.get("id"))) if isinstance(rule, dict) else None
        if paths and _add_exclusions(rule, paths):
            changed = True
    if not changed:
        return None
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True,
                     width=1 << 16).encode("utf-8")


def _add_exclusions(rule: dict[str, Any], paths: list[str]) -> bool:
    scope = rule.setdefault("paths", {})
    if not isinstance(scope, dict):
        return False  # not a rule semgrep accepts: left for semgrep to report
    exclude = scope.get("exclude") or []
    if not isinstance(exclude, list):
        return False
    scope["exclude"] = [*exclude, *paths]
    return True


def utf8_name(path: str) -> bool:
    """A path YAML can hold (a file name that is not UTF-8 decodes to lone surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
