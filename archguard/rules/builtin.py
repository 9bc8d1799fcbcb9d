"""The built-in rules, one family per module: importing this module registers them all.

``registry.all_rules()`` imports this module on first use, and every family imports
``registry`` for its base classes: the one import cycle in archguard, and the usual shape of a
registration (the families are loaded only when rules are asked for, so a warm run that needs
no rule does not pay for importing them).
"""

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
