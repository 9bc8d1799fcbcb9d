"""Rule documentation generated from the rule classes: ``rules``, ``explain``, README table."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from archguard.registry import Rule, all_rules

SUPPRESS_HELP = (
    "Suppress one finding with `# archguard: ignore[{code}]` on the reported line, a whole "
    "file with `# archguard: ignore-file[{code}]` near its top, folders with "
    "`[tool.archguard.per-file-ignores]`, or everywhere with `ignore = [\"{code}\"]`."
)


def rule_record(rule: Rule) -> dict[str, object]:
    return {
        "code": rule.code,
        "rule": rule.name,
        "summary": rule.summary,
        "default": rule.default_enabled,
        "engine": rule.engine,
    }


def rules_json() -> str:
    return json.dumps([rule_record(rule) for rule in all_rules()], indent=2)


def print_rules_table(color: bool) -> None:
    table = Table(title=None, show_lines=False)
    for column in ("code", "rule", "summary", "default"):
        table.add_column(column, no_wrap=column != "summary")
    for rule in all_rules():
        table.add_row(rule.code, rule.name, rule.summary, "on" if rule.default_enabled else "off")
    Console(color_system="auto" if color else None, highlight=False).print(table)


def markdown_table() -> str:
    """The README's rule table (a test keeps the README in sync with it)."""
    rows = ["| code | rule | summary | default |", "|------|------|---------|---------|"]
    rows += [f"| {r.code} | `{r.name}` | {r.summary} | {'on' if r.default_enabled else 'off'} |"
             for r in all_rules()]
    return "\n".join(rows)


def explain_text(rule: Rule) -> str:
    parts = [
        f"{rule.code} {rule.name}: {rule.summary}",
        f"(default: {'on' if rule.default_enabled else 'off'}; engine: {rule.engine})",
        "",
        "Why",
        _indent(rule.rationale()),
        "",
        "Rulebook",
        _indent(f"> {rule.rulebook}"),
    ]
    if rule.bad:
        parts += ["", "Bad", _indent(rule.bad.rstrip())]
    if rule.good:
        parts += ["", "Good", _indent(rule.good.rstrip())]
    if rule.hint:
        parts += ["", "Fix", _indent(rule.hint)]
    parts += ["", "Configure and suppress"]
    if rule.configuration:
        parts.append(_indent(rule.configuration))
    parts.append(_indent(SUPPRESS_HELP.format(code=rule.code)))
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines())
