"""archguard: architecture conformance checker for cpv3-style FastAPI backends.

The library API (the command line is a thin layer over it)::

    from archguard import CheckRequest, run_check, check_sources

    report = run_check(CheckRequest(paths=[Path("backend")]))
    for diagnostic in report.diagnostics: ...

The names below are loaded on first use, so ``import archguard`` (and the command line's
start-up) does not pay for the pipeline until it runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# public name -> the module that defines it
_EXPORTS = {
    "run_check": "archguard.run.runner",
    "check_sources": "archguard.run.runner",
    "CheckRequest": "archguard.run.runner",
    "CheckReport": "archguard.report.result",
    "Diagnostic": "archguard.diagnostics",
    "ArchguardError": "archguard.diagnostics",
    "Config": "archguard.project.config",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from archguard.diagnostics import ArchguardError, Diagnostic
    from archguard.project.config import Config
    from archguard.report.result import CheckReport
    from archguard.run.runner import CheckRequest, check_sources, run_check


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'archguard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
