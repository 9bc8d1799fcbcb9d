"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` holds one descriptor per rule that ran or reported (codes
outside the registry, such as custom semgrep rules, get a descriptor from their findings);
``partialFingerprints`` carry the baseline fingerprint so alerts follow code that moves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from archguard import __version__
from archguard.diagnostics import Diagnostic, Fix
from archguard.report.baseline import fingerprints
from archguard.report.emitters import EmitOptions, dump_json
from archguard.report.emitters.locations import repository_base
from archguard.report.result import CheckReport
from archguard.rules.docs import (
    RULE_PAGES_DIR,
    SUPPRESS_HELP,
    autofix_line,
    explain_text,
    rule_page_name,
)
from archguard.rules.registry import Rule, all_rules
from archguard.rules.wording import default_hint

PROJECT_URL = "https://github.com/archguard/archguard"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "archguardFingerprint/v1"


def rule_help_uri(rule: Rule) -> str:
    """The rule's docs page (docs/rules/CODE.md, generated from the rule class), as GitHub
    shows it: a link that works without a hosted docs site."""
    return f"{PROJECT_URL}/blob/main/{RULE_PAGES_DIR}/{rule_page_name(rule)}"


def level(severity: str) -> str:
    return severity if severity in ("error", "warning") else "note"


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    dump_json(sarif_log(report), stream)


def sarif_log(report: CheckReport) -> dict[str, Any]:
    descriptors, index = _descriptors(report)
    base, prefix = repository_base(report.root)  # code scanning resolves in the repository
    prints = fingerprints(report.diagnostics, report.root)
    results = [_result(d, fingerprint, index[d.code], prefix, report.root,
                       report.fixes.get(d))
               for d, fingerprint in zip(report.diagnostics, prints)]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "archguard", "version": __version__,
                            "semanticVersion": __version__, "informationUri": PROJECT_URL,
                            "rules": descriptors}},
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if report.baseline is not None:
        run["properties"] = {"baseline": report.baseline.to_json()}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _descriptors(report: CheckReport) -> tuple[list[dict[str, Any]], dict[str, int]]:
    registry = {rule.code: rule for rule in all_rules()}
    found = {d.code: d for d in reversed(report.diagnostics)}  # first finding per code
    codes = sorted(set(report.rules or registry) | set(found))
    descriptors = [_registered(registry[code]) if code in registry else _unregistered(
        found[code]) for code in codes]
    return descriptors, {code: i for i, code in enumerate(codes)}


def _registered(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale() or rule.summary},
        "help": {"text": explain_text(rule), "markdown": _help_markdown(rule)},
        "helpUri": rule_help_uri(rule),
        "defaultConfiguration": {"level": level(rule.severity),
                                 "enabled": rule.default_enabled},
        "properties": {"tags": ["architecture", rule.engine]},
    }


def _unregistered(d: Diagnostic) -> dict[str, Any]:
    """A rule archguard only knows from its findings (a custom semgrep rule)."""
    text = d.hint or d.message
    return {
        "id": d.code,
        "name": d.rule or d.code,
        "shortDescription": {"text": d.rule or d.code},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "helpUri": PROJECT_URL,
        "defaultConfiguration": {"level": level(d.severity)},
        "properties": {"tags": ["architecture", "custom"]},
    }


def _help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.code} `{rule.name}`**: {rule.summary}", rule.rationale(),
             f"> {rule.rulebook}"]
    for title, example in (("Bad", rule.bad), ("Good", rule.good)):
        if example:
            language = "python" if "\n" in example.strip() else "text"  # a path for layout
            parts.append(f"{title}:\n\n```{language}\n{example.rstrip()}\n```")
    if rule.hint:
        parts.append(f"Fix: {default_hint(rule.hint)}")
    if rule.fix_summary:
        parts.append(f"Autofix: {autofix_line(rule)}")
    if rule.configuration:
        parts.append(rule.configuration)
    parts.append(SUPPRESS_HELP.format(code=rule.code))
    return "\n\n".join(part for part in parts if part)


def _result(d: Diagnostic, fingerprint: str, rule_index: int, prefix: str, root: Path,
            fix: Fix | None = None) -> dict[str, Any]:
    is_folder = (root / d.path).is_dir()
    physical: dict[str, Any] = {"artifactLocation": {
        # The file name's bytes, percent-encoded (undecodable bytes included).
        "uri": quote(os.fsencode(prefix + d.path + ("/" if is_folder else "")), safe="/"),
        "uriBaseId": SRCROOT}}
    if not is_folder:  # a region of a folder means nothing
        physical["region"] = _region(d)
    result = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": {"text": d.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if fix is not None:
        result["fixes"] = [_fix(fix, prefix)]
    return result


def _fix(fix: Fix, prefix: str) -> dict[str, Any]:
    """A SARIF fix: one artifactChange per file, each edit a replacement of a region (an
    empty region inserts; a new file's change is one insertion at its start)."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append({
            "deletedRegion": {"startLine": edit.line, "startColumn": edit.column,
                              "endLine": edit.end_line, "endColumn": edit.end_column},
            "insertedContent": {"text": edit.content}})
    return {
        "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
        "artifactChanges": [
            {"artifactLocation": {"uri": quote(os.fsencode(prefix + path), safe="/"),
                                  "uriBaseId": SRCROOT},
             "replacements": replacements}
            for path, replacements in sorted(by_path.items())],
    }


def _region(d: Diagnostic) -> dict[str, int]:
    end_line = max(d.end_line, d.line)
    end_column = d.end_column if end_line > d.line else max(d.end_column, d.column)
    return {"startLine": max(d.line, 1), "startColumn": max(d.column, 1),
            "endLine": max(end_line, 1), "endColumn": max(end_column, 1)}
