"""Output formats: separate emitters over the one diagnostic type.

An emitter takes the finished report and a text stream. Adding a format is adding a module
and one entry in ``EMITTERS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from archguard.report.result import CheckReport


@dataclass(frozen=True)
class EmitOptions:
    color: bool = False
    statistics: bool = False
    show_source: bool = True
    show_hints: bool = False  # every finding's hint inline, not once per rule in a footer
    quiet: bool = False  # the findings only: no summary, no footer
    width: int | None = None  # wrap source excerpts to this many columns (a terminal's)


Emitter = Callable[[CheckReport, TextIO, EmitOptions], None]


# format -> module; only the chosen one is imported (rich is for the human formats only).
_EMITTER_MODULES = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}


def get_emitter(name: str) -> Emitter:
    module = importlib.import_module(f"archguard.report.emitters.{_EMITTER_MODULES[name]}")
    emit: Emitter = module.emit
    return emit


FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab", "junit")
MACHINE_FORMATS = frozenset({"json", "sarif", "github", "gitlab", "junit"})
