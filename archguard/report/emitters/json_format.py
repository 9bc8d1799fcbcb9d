"""``--format json``: the stable contract that tools and coding agents parse. Paths are
relative to the project root, which the top-level ``root`` field names (absolute)."""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from archguard import __version__
from archguard.diagnostics import Diagnostic
from archguard.report.emitters import EmitOptions, dump_json
from archguard.report.emitters.summary import statistics_json
from archguard.report.result import CheckReport


def report_to_json(report: CheckReport) -> dict[str, Any]:
    by_code = Counter(d.code for d in report.diagnostics)
    summary: dict[str, Any] = {
        "files": report.files,
        "diagnostics": len(report.diagnostics),
        "by_code": dict(sorted(by_code.items())),
    }
    summary["fixable"], summary["unsafe_fixable"] = report.fix_counts()
    if report.fixed:  # only with --fix: the findings it fixed
        summary["fixed"] = len(report.fixed)
    if report.baseline is not None:  # only with --baseline: hidden and stale entries
        summary["baseline"] = report.baseline.to_json()
    return {
        "version": __version__,
        "root": report.root.resolve().as_posix(),  # diagnostics' paths are relative to it
        "diagnostics": [_diagnostic(report, d) for d in report.diagnostics],
        "summary": summary,
    }


def _diagnostic(report: CheckReport, d: Diagnostic) -> dict[str, Any]:
    """The finding, and its ``fix`` (null when it has none, or it cannot be made now)."""
    fix = report.fixes.get(d)
    return {**d.to_json(), "fix": fix.to_json() if fix is not None else None}


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    data = statistics_json(report) if options.statistics else report_to_json(report)
    dump_json(data, stream)  # one write of the whole text
