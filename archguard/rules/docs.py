"""Rule documentation generated from the rule classes: ``rules``, ``explain``, the README's rule
table and the docs site's rule pages and configuration reference."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from archguard.rules.registry import Rule, all_rules
from archguard.rules.wording import default_hint

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
        "severity": rule.severity,
    }


def rules_json(extra: list[dict[str, object]] = []) -> str:  # noqa: B006 (read only)
    """Every rule as JSON; ``extra``: records of the project's own rules (same keys)."""
    return json.dumps([rule_record(rule) for rule in all_rules()] + extra, indent=2)


def print_rules_table(color: bool, extra: list[dict[str, object]] = []) -> None:  # noqa: B006
    from rich.console import Console  # only the human table needs rich
    from rich.table import Table

    table = Table(title=None, show_lines=False)
    for column in ("code", "rule", "summary", "default"):
        table.add_column(column, no_wrap=column != "summary")
    for record in [rule_record(rule) for rule in all_rules()] + extra:
        table.add_row(str(record["code"]), str(record["rule"]), str(record["summary"]),
                      "on" if record["default"] else "off")
    Console(color_system="auto" if color else None, highlight=False).print(table)


def explain_text(rule: Rule) -> str:
    parts = [
        f"{rule.code} {rule.name}: {rule.summary}",
        f"(default: {'on' if rule.default_enabled else 'off'}; engine: {rule.engine}; "
        f"severity: {rule.severity})",
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
        parts += ["", "Fix", _indent(default_hint(rule.hint))]
    if rule.ruff:
        parts += ["", "Overlap with ruff", _indent(ruff_text(rule))]
    if rule.fix_summary:
        parts += ["", "Autofix", _indent(autofix_line(rule))]
    parts += ["", "Configure and suppress"]
    if rule.configuration:
        parts.append(_indent(rule.configuration))
    parts.append(_indent(SUPPRESS_HELP.format(code=rule.code)))
    return "\n".join(parts)


def ruff_text(rule: Rule) -> str:
    codes = " and ".join(rule.ruff)
    return (f"{rule.ruff_overlap[0].upper()}{rule.ruff_overlap[1:]}. If your ruff "
            f"configuration enables {codes}, keep one of the two: add \"{rule.code}\" to "
            f"`ignore` ('archguard init' does it when it finds {codes} enabled).")


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


# Hand-written pages that explain how a family of rules decides, linked from each rule's page.
GUIDES = {
    "layers.md": ("Layers and the module graph", ("AG203", "AG204", "AG205")),
    "schemas-models-repositories.md": (
        "Schema, model and repository rules",
        ("AG302", "AG303", "AG304", "AG305", "AG401", "AG402", "AG403", "AG404", "AG405")),
    "routes-and-style.md": (
        "Route and style rules", ("AG504", "AG505", "AG602", "AG801", "AG802", "AG803", "AG804")),
}
SEMGREP_GUIDE = ("semgrep.md", "Pattern rules (semgrep)")


def rule_page_name(rule: Rule) -> str:
    """The rule's page in docs/rules/ (SARIF ``helpUri`` and the README link to it)."""
    return f"{rule.code}.md"


def markdown_table(link_prefix: str = "") -> str:
    """The rule table, each code linking to its page under ``link_prefix``."""
    rows = ["| code | rule | summary | default |", "|------|------|---------|---------|"]
    rows += [f"| [{r.code}]({link_prefix}{rule_page_name(r)}) | `{r.name}` | {r.summary} "
             f"| {'on' if r.default_enabled else 'off'} |" for r in all_rules()]
    return "\n".join(rows)


def rule_page(rule: Rule) -> str:
    """A rule's docs page: what ``archguard explain`` prints, as Markdown."""
    default = "on" if rule.default_enabled else "off"
    parts = [GENERATED_NOTE, "", f"# {rule.code} {rule.name}", "",
             f"{rule.summary} (default: {default}; engine: {rule.engine}).", "",
             "## Why", "", rule.rationale(), "", "## Rulebook", "", f"> {rule.rulebook}"]
    for title, example in (("Bad", rule.bad), ("Good", rule.good)):
        if example:
            parts += ["", f"## {title}", "", "```python", example.rstrip(), "```"]
    if rule.hint:
        parts += ["", "## Fix", "", default_hint(rule.hint)]
    parts += ["", "## Configure and suppress", ""]
    if rule.configuration:
        parts += [rule.configuration, ""]
    parts.append(SUPPRESS_HELP.format(code=rule.code))
    parts += ["", "See also: " + ", ".join(_see_also(rule)) + "."]
    return "\n".join(parts) + "\n"


def _see_also(rule: Rule) -> list[str]:
    links = [f"[{title}]({page})" for page, (title, codes) in GUIDES.items()
             if rule.code in codes]
    if rule.engine == "semgrep":
        links.append(f"[{SEMGREP_GUIDE[1]}]({SEMGREP_GUIDE[0]})")
    return links + ["[all rules](index.md)", "[configuration reference](../configuration.md)"]


GENERATED_NOTE = ("<!-- Generated from the rule class by `python -m archguard.rules.docs`: "
                  "edit the class, not this page. -->")


def generated_block(name: str) -> str:
    from archguard.project.reference import markdown_reference

    return {
        "rules-table": lambda: markdown_table("docs/rules/"),
        "rules-index": markdown_table,
        "config-reference": markdown_reference,
        "rules-nav": mkdocs_nav,
        "fixes-table": fixes_table,
    }[name]()


def mkdocs_nav() -> str:
    """The rule pages in mkdocs.yml's nav (mkdocs --strict fails on a page left out)."""
    return "\n".join(f"          - {r.code} {r.name}: {RULE_PAGES_DIR.removeprefix('docs/')}/"
                     f"{rule_page_name(r)}" for r in all_rules())


# File (relative to the repository root) -> the generated blocks it holds.
GENERATED_BLOCKS = {
    "README.md": ("rules-table",),
    "docs/rules/index.md": ("rules-index",),
    "docs/configuration.md": ("config-reference",),
    "mkdocs.yml": ("rules-nav",),
    "docs/fixes.md": ("fixes-table",),
}
RULE_PAGES_DIR = "docs/rules"
RULE_PAGE_PATTERN = re.compile(r"^[A-Z]+[0-9]+\.md$")


def with_blocks(text: str, names: tuple[str, ...]) -> str:
    """``text`` with each named block's content regenerated: between ``<!-- NAME:start -->``
    and ``<!-- NAME:end -->`` lines (Markdown), or ``# NAME:start`` and ``# NAME:end`` (YAML)."""
    for name in names:
        pattern = re.compile(
            rf"((?:<!--|#) {name}:start(?: -->)?\n)(?:.*?\n)?( *(?:<!--|#) {name}:end)", re.S)
        if not pattern.search(text):
            raise ValueError(f"no '{name}:start' / '{name}:end' block")
        text = pattern.sub(lambda m, n=name: f"{m[1]}{generated_block(n)}\n{m[2]}", text)
    return text


def expected_files(root: Path) -> dict[Path, str]:
    """Every generated file (or file with generated blocks) with the content it should have."""
    files = {root / name: with_blocks((root / name).read_text(encoding="utf-8"), blocks)
             for name, blocks in GENERATED_BLOCKS.items()}
    files.update({root / RULE_PAGES_DIR / rule_page_name(rule): rule_page(rule)
                  for rule in all_rules()})
    return files


def stale_rule_pages(root: Path) -> list[Path]:
    """Generated rule pages whose rule no longer exists."""
    wanted = {rule_page_name(rule) for rule in all_rules()}
    return sorted(path for path in (root / RULE_PAGES_DIR).iterdir()
                  if RULE_PAGE_PATTERN.match(path.name) and path.name not in wanted)


def sync_docs(root: Path) -> list[Path]:
    """Rewrite the generated docs under ``root``; the paths that changed."""
    changed = []
    for path, content in expected_files(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            changed.append(path)
    for path in stale_rule_pages(root):
        path.unlink()
        changed.append(path)
    return changed


if __name__ == "__main__":  # python -m archguard.rules.docs [REPOSITORY_ROOT]
    given = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for changed_path in sync_docs(given.parent if given.is_file() else given):  # README.md too
        print(f"rewrote {changed_path}")
