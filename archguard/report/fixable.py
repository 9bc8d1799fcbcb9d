"""Which findings a run may fix: the finding's applicability, ``--unsafe-fixes`` and the
``fixable``/``unfixable`` config keys (codes or prefixes, as in ruff)."""

from __future__ import annotations

from dataclasses import dataclass

from archguard.diagnostics import SAFE, Diagnostic
from archguard.project.config import Config
from archguard.rules.registry import all_rules, selected, validate_codes


@dataclass(frozen=True)
class FixSettings:
    unsafe: bool = False  # --unsafe-fixes
    fixable: tuple[str, ...] = ("ALL",)
    unfixable: tuple[str, ...] = ()

    @classmethod
    def build(cls, config: Config, unsafe: bool = False) -> FixSettings:
        """Unknown codes in ``fixable``/``unfixable`` are a config error (exit 2)."""
        known = [rule.code for rule in all_rules()]
        fixable = ("ALL",) if config.fixable is None else tuple(
            validate_codes(config.fixable, "[tool.archguard] fixable", known))
        return cls(unsafe, fixable, tuple(
            validate_codes(config.unfixable, "[tool.archguard] unfixable", known)))

    def has_fix(self, d: Diagnostic) -> bool:
        """A fix exists and the config lets archguard apply it (safe or unsafe)."""
        return bool(d.fix) and selected(d.code, list(self.fixable), list(self.unfixable))

    def applies(self, d: Diagnostic) -> bool:
        """``--fix`` applies it: allowed, and safe (or ``--unsafe-fixes``)."""
        return self.has_fix(d) and (d.fix == SAFE or self.unsafe)
