"""Output formats: separate emitters over the one diagnostic type.

An emitter takes the finished report and a text stream. Adding a format is adding a module
and one entry in ``EMITTERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from archguard.runner import CheckReport


@dataclass(frozen=True)
class EmitOptions:
    color: bool = False
    statistics: bool = False
    show_source: bool = True


Emitter = Callable[[CheckReport, TextIO, EmitOptions], None]


def get_emitter(name: str) -> Emitter:
    from archguard.emitters import concise, full, github, gitlab, json_format, junit, sarif

    emitters: dict[str, Emitter] = {
        "full": full.emit,
        "concise": concise.emit,
        "json": json_format.emit,
        "sarif": sarif.emit,
        "github": github.emit,
        "gitlab": gitlab.emit,
        "junit": junit.emit,
    }
    return emitters[name]


FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab", "junit")
MACHINE_FORMATS = frozenset({"json", "sarif", "github", "gitlab", "junit"})
