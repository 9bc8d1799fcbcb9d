"""The rule registry: the one place that knows every rule.

A rule is one class carrying its code, slug, summary, rationale (quoting the rulebook), a
bad and a good example, and its check. ``archguard rules``, ``archguard explain``, the rule
pages of the docs (``rules/docs.py``) and the example tests are all generated from these
classes.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Iterable, Mapping
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
    # False: test code (archguard.analysis.scope.is_test_file) is not checked by this rule.
    checks_tests: ClassVar[bool] = True
    # ruff rules that check the same thing (``explain`` says so; ``init`` ignores this rule
    # when the project's ruff config enables one of them).
    ruff: ClassVar[tuple[str, ...]] = ()
    ruff_overlap: ClassVar[str] = ""  # how far the overlap goes, one sentence
    # The autofix: what it does (explain, docs), and when it is "safe" or "unsafe" (or "").
    fix_summary: ClassVar[str] = ""
    fix_applicability: ClassVar[str] = ""
    fix_exception: ClassVar[str] = ""  # findings of the other applicability, if any
    # The fix reads the other project files too (a rename in every file that uses the name):
    # its time goes with the project, not with its own file (archguard.fix.parallel).
    fix_reads_project: ClassVar[bool] = False

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

    def collect_unparsed(self, text: str) -> object:
        """Like ``collect``, for a file that is valid only on a newer Python than the one
        running (no tree: read the tokens, or return None to know nothing of it)."""
        return None


class EngineRule(Rule):
    """Reported by the engine itself (parse errors, suppressions); carries the docs only."""


class _RuleTable(dict[str, Rule]):
    """The registered rules by code. Setting or deleting a rule drops the sorted lists
    derived from the table, which the engine asks for once per analysed file."""

    def __init__(self) -> None:
        super().__init__()
        self.derived: dict[str, list[Rule]] = {}

    def __setitem__(self, code: str, rule: Rule) -> None:
        self.derived.clear()
        super().__setitem__(code, rule)

    def __delitem__(self, code: str) -> None:
        self.derived.clear()
        super().__delitem__(code)

    def listed(self, kind: str, keep: Callable[[Rule], bool]) -> list[Rule]:
        """The rules that ``keep`` accepts, sorted by code (a new list each call)."""
        found = self.derived.get(kind)
        if found is None:
            found = self.derived[kind] = [self[code] for code in sorted(self)
                                          if keep(self[code])]
        return list(found)


_RULES = _RuleTable()


def register(cls: type[Rule]) -> type[Rule]:
    if cls.code in _RULES:
        raise RuntimeError(f"duplicate rule code {cls.code}")
    _RULES[cls.code] = cls()
    return cls


def all_rules() -> list[Rule]:
    import archguard.rules.builtin  # noqa: F401  (registers the built-in rules; see there)

    return _RULES.listed("all", lambda rule: True)


def file_rules() -> list[FileRule]:
    all_rules()  # the built-in rules registered
    rules = _RULES.listed("file", lambda rule: isinstance(rule, FileRule))
    return rules  # type: ignore[return-value]


def project_rules() -> list[ProjectRule]:
    all_rules()
    rules = _RULES.listed("project", lambda rule: isinstance(rule, ProjectRule))
    return rules  # type: ignore[return-value]


def find_rule(code_or_slug: str) -> Rule:
    wanted = code_or_slug.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    names = {r.code: r.name for r in all_rules()}
    raise ArchguardError(f"unknown rule '{code_or_slug}'{did_you_mean(wanted, names)}; "
                         f"see 'archguard rules'")


def did_you_mean(wanted: str, names: Mapping[str, str]) -> str:
    """`` (did you mean 'AG201' or 'AG202'?)`` for a mistyped code or slug; ``names`` maps
    code -> slug. A code-like input is matched by prefix only (``AG9`` has no near code:
    AG805 is not a suggestion); a name by prefix, substring, then spelling."""
    found = suggestions(wanted, names)
    if not found:
        return ""
    quoted = [f"'{item}'" for item in found]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {listed}?)"


_CODE_LIKE = re.compile(r"^[A-Za-z]{1,4}\d+$")


def suggestions(wanted: str, names: Mapping[str, str], limit: int = 3) -> list[str]:
    text = wanted.strip()
    if not text:
        return []
    codes = sorted(names)
    if _CODE_LIKE.match(text):
        upper = text.upper()
        longer = [c for c in codes if c.upper().startswith(upper)]  # AG20 -> AG201...
        if longer:
            return longer[:limit]
        shorter = [c for c in codes if upper.startswith(c.upper())]  # AG2011 -> AG201
        if shorter:
            return shorter[-1:]
        letters = upper.rstrip("0123456789")
        family = upper[:len(letters) + 1]  # AG209 -> AG2: a near code of the same family
        same = [c for c in codes if c.upper().startswith(family)]
        return difflib.get_close_matches(upper, same, n=limit, cutoff=0.6)
    lower = text.lower().replace("_", "-")
    slugs = sorted(set(names.values()))
    starting = [s for s in slugs if s.startswith(lower)]
    containing = [s for s in slugs if lower in s and s not in starting]
    found = (starting + containing)[:limit]
    if found:
        return found
    return difflib.get_close_matches(lower, slugs, n=limit, cutoff=0.6)


def code_aliases(extra: Mapping[str, str] = {}) -> dict[str, str]:  # noqa: B006 (read only)
    """Upper-cased slug -> code, for every rule (``extra``: custom rules' slug -> code).
    Lets a slug stand wherever a code does (select, ignore, per-file ignores, comments)."""
    aliases = {rule.name.upper(): rule.code for rule in all_rules()}
    aliases.update((slug.upper(), code) for slug, code in extra.items()
                   if slug.upper() not in aliases)
    return aliases


def resolve_code(token: str, aliases: Mapping[str, str]) -> str:
    """A slug's code; a code or prefix unchanged (upper-cased)."""
    upper = token.strip().upper()
    return aliases.get(upper, upper)


def validate_codes(codes: Iterable[str], where: str, known: Iterable[str],
                   aliases: Mapping[str, str] | None = None) -> list[str]:
    """Codes, prefixes or slugs (``AG2``, ``AG201``, ``relative-import``); each must select
    at least one known code. Slugs come back as their codes."""
    known_codes = sorted(set(known))
    aliases = code_aliases() if aliases is None else aliases
    result = []
    for raw in codes:
        code = resolve_code(raw, aliases)
        if not code:
            continue
        if code != "ALL" and not any(k.upper().startswith(code) for k in known_codes):
            names = {k: next((s.lower() for s, c in aliases.items() if c == k), k)
                     for k in known_codes}
            raise ArchguardError(f"unknown rule code or prefix '{raw.strip()}' in "
                                 f"{where}{did_you_mean(raw, names)}")
        result.append(code)
    return result


def selected(code: str, select: list[str], ignore: list[str]) -> bool:
    upper = code.upper()  # codes of custom semgrep rules may be lower-case rule ids

    def hits(prefixes: list[str]) -> bool:
        return any(p == "ALL" or upper.startswith(p.upper()) for p in prefixes)

    return hits(select) and not hits(ignore)
