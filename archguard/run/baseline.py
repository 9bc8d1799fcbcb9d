"""``archguard baseline``: run the check and record (or prune) its findings."""

from __future__ import annotations

from pathlib import Path

from archguard.report.baseline import DEFAULT_BASELINE, dump, load, prune, record
from archguard.run.runner import CheckRequest, run_check


def write_baseline_command(request: CheckRequest, output: Path | None,
                           prune_file: Path | None) -> str:
    """``archguard baseline``: record (or prune) and say what was written."""
    if prune_file is not None:
        old = load(prune_file)  # a bad file fails before the run
        pruned, dropped = prune(run_check(request), old)
        target = output or prune_file
        dump(pruned, target)
        return (f"archguard: pruned {dropped} stale entr{'ies' if dropped != 1 else 'y'} "
                f"from {prune_file}; {len(pruned.entries)} kept in {target}")
    target = output or Path(DEFAULT_BASELINE)
    report = run_check(request)
    recorded = record(report)
    dump(recorded, target)
    count = len(recorded.entries)
    return (f"archguard: recorded {count} finding{'s' if count != 1 else ''} in {target}; "
            f"'archguard check --baseline {target}' now reports only new ones")
