"""The finished report of one check: what the emitters print and the baseline records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.diagnostics import Diagnostic
from archguard.project.config import Config

if TYPE_CHECKING:
    from archguard.report.baseline import BaselineStatus


@dataclass
class CheckReport:
    root: Path
    config: Config
    diagnostics: list[Diagnostic]
    files: int
    notes: list[str] = field(default_factory=list)
    rules: tuple[str, ...] = ()  # codes of the rules that ran (selected)
    baseline: BaselineStatus | None = None  # set by --baseline
