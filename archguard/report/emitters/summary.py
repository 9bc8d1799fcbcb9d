"""The summary and ``--statistics`` lines shared by the human formats."""

from __future__ import annotations

from collections import Counter

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
    return (f"Found {count} finding{'s' if count != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''} ({checked}{notes}).{fixable_note(report)}")


def fixable_note(report: CheckReport) -> str:
    """" N fixable with --fix (M more with --unsafe-fixes)." or "" when nothing is."""
    now, unsafe = report.fix_counts()
    if not now and not unsafe:
        return ""
    more = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
    return f" {now} fixable with --fix{more}."


def fix_mark(report: CheckReport, d: Diagnostic) -> str:
    """"[*] " before the message of a finding that has a fix the config allows."""
    return "[*] " if report.fix_settings.has_fix(d) else ""


def statistics_lines(report: CheckReport) -> list[str]:
    counts = Counter((d.code, d.rule) for d in report.diagnostics)
    summaries = {rule.code: rule.summary for rule in all_rules()}
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{n:>{width}}  {code}  [{slug}] {summaries.get(code, '')}".rstrip()
            for (code, slug), n in sorted(counts.items())]
