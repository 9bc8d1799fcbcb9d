"""Built-in rules, one family per module; importing this package registers them all."""

from __future__ import annotations

from archguard.rules import (  # noqa: F401
    complexity,
    errors,
    imports,
    layers,
    layout,
    meta,
    models,
    repositories,
    routes,
    schemas,
    semgrep_backed,
    style,
)
