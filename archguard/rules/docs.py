"""Rule documentation generated from the rule classes: ``rules``, ``explain``, README table."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from archguard.rules.registry import Rule, all_rules

README_BLOCKS = ("rules-table", "rules-reference")

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
    from rich.console import Console  # only the human table needs rich
    from rich.table import Table

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
    if rule.fix_summary:
        parts += ["", "Autofix", _indent(autofix_line(rule))]
    parts += ["", "Configure and suppress"]
    if rule.configuration:
        parts.append(_indent(rule.configuration))
    parts.append(_indent(SUPPRESS_HELP.format(code=rule.code)))
    return "\n".join(parts)


def autofix_line(rule: Rule) -> str:
    """``archguard check --fix`` (or ``--fix --unsafe-fixes``): what the fix does."""
    flags = "--fix" if rule.fix_applicability == "safe" else "--fix --unsafe-fixes"
    return f"{_applicability(rule)} (`archguard check {flags}`): {rule.fix_summary}."


def _applicability(rule: Rule) -> str:
    return rule.fix_applicability + (f" ({rule.fix_exception})" if rule.fix_exception else "")


def fixes_table() -> str:
    """docs/fixes.md's table of the rules that have a fix (a test keeps it in sync)."""
    rows = ["| code | rule | applicability | what the fix does |", "|---|---|---|---|"]
    rows += [f"| {r.code} | `{r.name}` | {_applicability(r)} | {r.fix_summary} |"
             for r in all_rules() if r.fix_summary]
    return "\n".join(rows)


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.splitlines())


def rule_reference() -> str:
    """One README section per rule: the anchors SARIF helpUri links point at."""
    return "\n\n".join(_reference_entry(rule) for rule in all_rules())


def _reference_entry(rule: Rule) -> str:
    default = "on" if rule.default_enabled else "off"
    parts = [f"### {rule.code} {rule.name}", "",
             f"{rule.summary} (default: {default}; engine: {rule.engine}).", "",
             rule.rationale(), "", f"> {rule.rulebook}"]
    for title, example in (("Bad", rule.bad), ("Good", rule.good)):
        if example and "\n" in example.strip():
            parts += ["", f"{title}:", "", "```python", example.rstrip(), "```"]
        elif example:
            parts += ["", f"{title}: `{example.strip()}`"]
    if rule.configuration:
        parts += ["", f"Configuration: {rule.configuration}"]
    return "\n".join(parts)


def generated_block(name: str) -> str:
    return {"rules-table": markdown_table, "rules-reference": rule_reference,
            "fixes-table": fixes_table}[name]()


def sync_readme(path: Path, blocks: tuple[str, ...] = README_BLOCKS) -> bool:
    """Rewrite the generated blocks of the README (or another page); True if anything
    changed."""
    text = path.read_text(encoding="utf-8")
    updated = text
    for name in blocks:
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
        updated = pattern.sub(lambda m, n=name: m[1] + generated_block(n) + m[2], updated)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":  # python -m archguard.rules.docs README.md [block ...]
    chosen = tuple(sys.argv[2:]) or README_BLOCKS
    sys.exit(1 if sync_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"),
                              chosen) else 0)
