"""The rule registry: the one place that knows every rule.

A rule is one class carrying its code, slug, summary, rationale (quoting the rulebook), a
bad and a good example, and its check. ``archguard rules``, ``archguard explain``, the README
table and the example tests are all generated from these classes.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Callable, ClassVar

from archguard.analysis.facts import Span
from archguard.diagnostics import ArchguardError, Diagnostic

if TYPE_CHECKING:
    from archguard.analysis.context import FileContext
    from archguard.analysis.project_view import Project
    from archguard.rules.fixing import FixOutput, FixRequest

# A rule's autofix: its findings in one file in, the new texts (and what it skipped) out.
Fixer = Callable[["FixRequest"], "FixOutput"]

EXAMPLE_FILE_MARKER = "# file: "


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case slug
    summary: ClassVar[str]
    rulebook: ClassVar[str]  # the rulebook line it enforces, quoted verbatim
    hint: ClassVar[str] = ""
    bad: ClassVar[str] = ""  # an example that must trigger the rule
    good: ClassVar[str] = ""  # the fixed example, which must not
    example_path: ClassVar[str] = "cpv3/modules/users/service.py"
    configuration: ClassVar[str] = ""  # how to configure it, beyond select/ignore
    default_enabled: ClassVar[bool] = True
    engine: ClassVar[str] = "native"
    severity: ClassVar[str] = "error"
    # The autofix: what it does (explain, docs), and when it is "safe" or "unsafe" (or "").
    fix_summary: ClassVar[str] = ""
    fix_applicability: ClassVar[str] = ""
    fix_exception: ClassVar[str] = ""  # findings of the other applicability, if any

    @classmethod
    def fix_title(cls) -> str:
        """What the fix does, without its conditions (the JSON/SARIF fix message)."""
        return cls.fix_summary.split("; ")[0]

    def fixer(self) -> Fixer | None:
        """The libcst fix of this rule's findings, imported only when something is fixed
        (the module beside the rule imports libcst); None when the rule has no fix."""
        return None

    @classmethod
    def rationale(cls) -> str:
        """Why the rule exists: the class docstring."""
        return inspect.cleandoc(cls.__doc__ or "")

    def example_files(self, source: str) -> dict[str, str]:
        """An example as files: a ``# file: <path>`` line starts a new file (for cross-file
        rules); without one, the whole example is one file at ``example_path``."""
        files: dict[str, list[str]] = {}
        current = self.example_path
        for line in source.splitlines(keepends=True):
            if line.startswith(EXAMPLE_FILE_MARKER):
                current = line[len(EXAMPLE_FILE_MARKER):].strip()
                files[current] = []
            else:
                files.setdefault(current, []).append(line)
        return {path: "".join(lines) for path, lines in files.items()}

    def diagnostic(self, path: str, span: Span, message: str, hint: str | None = None,
                   fix: str = "") -> Diagnostic:
        """``fix``: the applicability of this finding's autofix ("safe"/"unsafe"; "" none)."""
        return Diagnostic(
            path=path, line=span.line, column=span.column, code=self.code, rule=self.name,
            message=message, end_line=span.end_line, end_column=span.end_column,
            hint=self.hint if hint is None else hint, severity=self.severity, fix=fix,
        )


class FileRule(Rule):
    """Checks one parsed file; must be a pure function of the file and the config."""

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        raise NotImplementedError

    def report(self, ctx: FileContext, span: Span, message: str, hint: str | None = None,
               fix: str = "") -> Diagnostic:
        return self.diagnostic(ctx.path, span, message, hint, fix)


class ProjectRule(Rule):
    """Checks the whole project from per-file facts (cross-file rules)."""

    def check(self, project: Project) -> Iterable[Diagnostic]:
        raise NotImplementedError

    def collect(self, ctx: FileContext) -> object:
        """Per-file facts this rule needs across files, computed while the file is parsed
        and stored as ``facts.extra[code]`` (plain picklable data; None stores nothing)."""
        return None


class EngineRule(Rule):
    """Reported by the engine itself (parse errors, suppressions); carries the docs only."""


_RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.code in _RULES:
        raise RuntimeError(f"duplicate rule code {cls.code}")
    _RULES[cls.code] = cls()
    return cls


def all_rules() -> list[Rule]:
    import archguard.rules.builtin  # noqa: F401  (registers the built-in rules; see there)

    return [_RULES[code] for code in sorted(_RULES)]


def file_rules() -> list[FileRule]:
    return [rule for rule in all_rules() if isinstance(rule, FileRule)]


def project_rules() -> list[ProjectRule]:
    return [rule for rule in all_rules() if isinstance(rule, ProjectRule)]


def find_rule(code_or_slug: str) -> Rule:
    wanted = code_or_slug.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    candidates = [r.code for r in all_rules()] + [r.name for r in all_rules()]
    near = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.5)
    suggestion = f" (did you mean '{near[0]}'?)" if near else ""
    raise ArchguardError(f"unknown rule '{code_or_slug}'{suggestion}; see 'archguard rules'")


def validate_codes(codes: Iterable[str], where: str, known: Iterable[str]) -> list[str]:
    """Codes or prefixes (``AG2``, ``AG201``); each must select at least one known code."""
    known_codes = sorted(set(known))
    result = []
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if code != "ALL" and not any(k.upper().startswith(code) for k in known_codes):
            spelled = {k.upper(): k for k in known_codes}  # custom rule ids keep their case
            near = difflib.get_close_matches(code, list(spelled), n=1, cutoff=0.5)
            suggestion = f" (did you mean '{spelled[near[0]]}'?)" if near else ""
            raise ArchguardError(f"unknown rule code or prefix '{raw}' in {where}{suggestion}")
        result.append(code)
    return result


def selected(code: str, select: list[str], ignore: list[str]) -> bool:
    upper = code.upper()  # codes of custom semgrep rules may be lower-case rule ids

    def hits(prefixes: list[str]) -> bool:
        return any(p == "ALL" or upper.startswith(p.upper()) for p in prefixes)

    return hits(select) and not hits(ignore)
