"""``archguard rules`` and ``archguard explain`` over every rule a check would run: the
registry's and the project's own semgrep rules (``semgrep-rules``)."""

from __future__ import annotations

import sys
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.project.discovery import locate_project
from archguard.rules.docs import SUPPRESS_HELP, explain_text
from archguard.rules.registry import all_rules, did_you_mean, find_rule
from archguard.semgrep.process import first_sentence
from archguard.semgrep.rules import SemgrepRuleInfo, load_custom_rules


def project_rules(path: Path, config_file: Path | None) -> list[SemgrepRuleInfo]:
    """The project's own semgrep rules; none (and a warning) when they cannot be read, so
    that the built-in rules stay listable from anywhere."""
    try:
        location = locate_project([path], config_file)
        if not location.config.semgrep_rules:
            return []
        return load_custom_rules(location.root, location.config)
    except ArchguardError as error:
        if config_file is not None:
            raise
        sys.stderr.write(f"archguard: warning: the project's own rules are not listed: "
                         f"{error}\n")
        return []


def custom_record(info: SemgrepRuleInfo) -> dict[str, object]:
    return {"code": info.code, "rule": info.slug, "summary": first_sentence(info.message)[0]
            or info.slug, "default": True, "engine": "semgrep (project)",
            "severity": info.severity}


def explain_any(wanted: str, custom: list[SemgrepRuleInfo]) -> str:
    """The built-in rule's explanation, else the project rule's (code, id or slug)."""
    key = wanted.strip().lower()
    for info in custom:
        if key in (info.code.lower(), info.rule_id.lower(), info.slug.lower()):
            return custom_explain(info)
    if not custom:
        return explain_text(find_rule(wanted))
    try:
        return explain_text(find_rule(wanted))
    except ArchguardError:
        names = {r.code: r.name for r in all_rules()}
        names.update((info.code, info.slug) for info in custom)
        raise ArchguardError(f"unknown rule '{wanted}'{did_you_mean(wanted, names)}; see "
                             f"'archguard rules'") from None


def custom_explain(info: SemgrepRuleInfo) -> str:
    summary, _ = first_sentence(info.message)
    parts = [f"{info.code} {info.slug}: {summary or info.slug}",
             f"(default: on; engine: semgrep, the project's rule '{info.rule_id}' in "
             f"{info.file}; severity: {info.severity})"]
    if info.message:
        parts += ["", "Message", "    " + info.message]
    if info.hint:
        parts += ["", "Fix", "    " + info.hint]
    parts += ["", "Configure and suppress",
              "    " + SUPPRESS_HELP.format(code=info.code)]
    return "\n".join(parts)
