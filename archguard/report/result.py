"""The finished report of one check: what the emitters print and the baseline records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.diagnostics import Diagnostic, Fix
from archguard.project.config import SEVERITY_LEVELS, Config
from archguard.report.fixable import FixSettings

if TYPE_CHECKING:
    from archguard.report.baseline import BaselineStatus


@dataclass(frozen=True)
class CheckedFiles:
    """The package files a check read, for the steps after it (the fix records): their
    relative paths, sorted, and the content digest of each file whose bytes the run knows
    (none with --no-cache)."""

    paths: tuple[str, ...]
    digests: Mapping[str, bytes] = field(default_factory=dict)


@dataclass
class CheckReport:
    root: Path
    config: Config
    diagnostics: list[Diagnostic]
    files: int
    notes: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # codes of the rules that ran (selected)
    baseline: BaselineStatus | None = None  # set by --baseline
    fix_settings: FixSettings = field(default_factory=FixSettings)  # what --fix may apply
    fixes: dict[Diagnostic, Fix] = field(default_factory=dict)  # the edits (json, sarif)
    fixed: list[Diagnostic] = field(default_factory=list)  # what --fix fixed (--show-fixes)
    checked: CheckedFiles | None = None  # set by run_check

    def fix_counts(self) -> tuple[int, int]:
        """(findings ``--fix`` would fix, how many more ``--unsafe-fixes`` would)."""
        fixable = [d for d in self.diagnostics if self.fix_settings.has_fix(d)]
        now = sum(1 for d in fixable if self.fix_settings.applies(d))
        return now, len(fixable) - now

    def failing(self, fail_on: str = "error") -> list[Diagnostic]:
        """The findings that fail the run: those at ``fail_on`` or more severe."""
        worst = SEVERITY_LEVELS.index(fail_on)
        return [d for d in self.diagnostics if severity_rank(d.severity) <= worst]


def severity_rank(severity: str) -> int:
    """0 for an error; an unknown severity ranks as info."""
    return SEVERITY_LEVELS.index(severity) if severity in SEVERITY_LEVELS else \
        len(SEVERITY_LEVELS) - 1
