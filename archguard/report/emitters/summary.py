"""The summary and ``--statistics`` lines shared by the human formats."""

from __future__ import annotations

from collections import Counter
from typing import Any

from archguard.diagnostics import Diagnostic
from archguard.report.result import CheckReport
from archguard.rules.registry import all_rules


def summary_line(report: CheckReport) -> str:
    count = len(report.diagnostics)
    files = len({d.path for d in report.diagnostics})
    checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
    notes = "".join(f"; {note}" for note in report.notes)
    if report.fixed:
        notes = f"; {len(report.fixed)} fixed{notes}"
    if not count:
        return f"All checks passed ({checked}{notes})."
    return (f"Found {count} finding{'s' if count != 1 else ''}{_by_severity(report)} in "
            f"{files} file{'s' if files != 1 else ''} ({checked}{notes}).{fixable_note(report)}")


def _by_severity(report: CheckReport) -> str:
    """`` (2 errors, 1 warning)`` when not every finding is an error."""
    counts = Counter(d.severity for d in report.diagnostics)
    if set(counts) <= {"error"}:
        return ""
    parts = [f"{counts[level]} {level}{'s' if counts[level] != 1 and level != 'info' else ''}"
             for level in ("error", "warning", "info") if counts[level]]
    return f" ({', '.join(parts)})"


def severity_label(severity: str) -> str:
    """``warning: `` before the message of a finding that is not an error."""
    return "" if severity == "error" else f"{severity}: "


def statistics(report: CheckReport) -> list[dict[str, Any]]:
    """One row per code, most frequent first (then by code)."""
    summaries = {rule.code: rule.summary for rule in all_rules()}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for d in report.diagnostics:
        row = rows.setdefault((d.code, d.rule), {
            "code": d.code, "rule": d.rule, "count": 0, "fixable": 0,
            "summary": summaries.get(d.code, "")})
        row["count"] += 1
        row["fixable"] += report.fix_settings.has_fix(d)
    return sorted(rows.values(), key=lambda row: (-row["count"], row["code"]))


def statistics_json(report: CheckReport) -> dict[str, Any]:
    rows = statistics(report)
    return {"statistics": rows, "total": sum(row["count"] for row in rows),
            "fixable": sum(row["fixable"] for row in rows)}


def fixable_note(report: CheckReport) -> str:
    """" N fixable with --fix (M more with --unsafe-fixes)." or "" when nothing is."""
    now, unsafe = report.fix_counts()
    if not now and not unsafe:
        return ""
    more = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
    return f" {now} fixable with --fix{more}."


def fix_mark(report: CheckReport, d: Diagnostic) -> str:
    """"[*] " before the message of a finding that this run's ``--fix`` would fix (as in
    ruff: an unsafe fix is marked only with ``--unsafe-fixes``)."""
    return "[*] " if report.fix_settings.applies(d) else ""


def statistics_lines(report: CheckReport) -> list[str]:
    """``--statistics``: count, code, rule, fixable count (blank when 0), summary; a total."""
    rows = statistics(report)
    total = sum(row["count"] for row in rows)
    fixable = sum(row["fixable"] for row in rows)
    width = max(len(str(total)), len("count"))
    code_width = max([len(row["code"]) for row in rows] + [len("total")])
    rule_width = max([len(row["rule"]) + 2 for row in rows] + [len("rule")])
    lines = [f"{'count':>{width}}  {'code':<{code_width}}  {'rule':<{rule_width}}  fixable  "
             "summary"]
    for row in rows:
        lines.append(f"{row['count']:>{width}}  {row['code']:<{code_width}}  "
                     f"{'[' + row['rule'] + ']':<{rule_width}}  "
                     f"{row['fixable'] or '':>7}  {row['summary']}".rstrip())
    lines.append(f"{total:>{width}}  {'total':<{code_width}}  {'':<{rule_width}}  "
                 f"{fixable or '':>7}".rstrip())
    return lines
