"""The pipeline: discover -> analyze each file once -> project rules -> suppressions -> result.

``analyze_file`` is a pure function of (path, bytes, config) so it can run in a process pool
and be cached; ``finish`` is the project pass over the facts, and the only place that sees
every engine's diagnostics together (selection, per-file ignores, suppressions).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archguard.analysis.astindex import indexed
from archguard.analysis.context import FileContext, layout_of
from archguard.analysis.facts import FileFacts, LineColumns, Span, collect_facts, module_name_for
from archguard.analysis.parsing import ParsedSource, ParseFailure, decode_source, parse_source
from archguard.analysis.project_view import DurableMemo, Project
from archguard.analysis.scope import APPLICATION, file_scope, judged
from archguard.diagnostics import ArchguardError, Diagnostic, sort_diagnostics
from archguard.project.config import Config
from archguard.project.layout import ModuleFolder
from archguard.report.suppressions import FileSuppressions, Suppression, parse_suppressions
from archguard.rules.registry import (
    all_rules, code_aliases, file_rules, find_rule, project_rules, resolve_code, selected,
    validate_codes,
)
from archguard.rules.wording import worded

PARSE_ERROR = "AG000"
# AG000's hint for a file that is valid on a newer Python: nothing to fix in the file.
NEWER_PYTHON_HINT = ("the file is valid Python {version}: run archguard with Python {version} "
                     "or newer to check it")
UNUSED_SUPPRESSION = "AG001"


@dataclass(slots=True)
class FileResult:
    path: str
    facts: FileFacts
    diagnostics: list[Diagnostic]
    suppressions: FileSuppressions


@dataclass(frozen=True)
class Selection:
    """Which codes are reported: explicit ``select`` (or the default-on rules) minus ignore."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    extra: tuple[str, ...] = ()  # valid codes outside the registry (custom semgrep rules)
    # Upper-cased slug -> code, so that a slug works wherever a code does.
    aliases: tuple[tuple[str, str], ...] = ()

    def __contains__(self, code: str) -> bool:
        return selected(code, list(self.select), list(self.ignore))

    def resolve(self, token: str) -> str:
        """A code or prefix from a comment or per-file ignore; a slug becomes its code."""
        return resolve_code(token, self.alias_map)

    @functools.cached_property
    def alias_map(self) -> dict[str, str]:
        return dict(self.aliases)

    @classmethod
    def build(cls, config: Config, select: list[str] | None = None,
              ignore: list[str] | None = None, extra_codes: Iterable[str] = (),
              extra_aliases: Mapping[str, str] | None = None) -> Selection:
        known = [r.code for r in all_rules()] + list(extra_codes)
        aliases = code_aliases(extra_aliases or {})
        chosen = select if select is not None else config.select
        if chosen is None:
            codes = [r.code for r in all_rules() if r.default_enabled] + list(extra_codes)
        else:
            where = "--select" if select is not None else "[tool.archguard] select"
            codes = validate_codes(chosen, where, known, aliases)
            if not codes:  # `--select "$UNSET"`: running no rule would pass everything
                raise ArchguardError(f"{where} is empty: name at least one rule code or "
                                     f"prefix (see 'archguard rules')")
        ignored = validate_codes(config.ignore, "[tool.archguard] ignore", known, aliases)
        ignored += validate_codes(ignore or [], "--ignore", known, aliases)
        validate_codes(list(config.severity), "[tool.archguard.severity]", known, aliases)
        for pattern, listed in config.per_file_ignores.items():
            validate_codes(listed, f"[tool.archguard.per-file-ignores] '{pattern}'", known,
                           aliases)
        return cls(tuple(codes), tuple(ignored), tuple(extra_codes),
                   tuple(sorted(aliases.items())))


def file_failure(path: str, message: str, line: int = 1, column: int = 1,
                 source_root: str = "", hint: str | None = None) -> FileResult:
    """A file archguard could not analyse: one AG000 finding and empty facts."""
    module, is_init = module_name_for(path, source_root)
    span = Span(line, column, line, column)
    return FileResult(path, FileFacts(path, module, is_init),
                      [find_rule(PARSE_ERROR).diagnostic(path, span, message, hint)],
                      FileSuppressions())


def file_problem(path: str, message: str) -> Diagnostic:
    """An AG000 finding at the top of a file or folder."""
    return find_rule(PARSE_ERROR).diagnostic(path, Span(1, 1, 1, 1), message)


def too_deep(path: str, stage: str) -> Diagnostic:
    return file_problem(path, f"too deeply nested to analyse ({stage}): its other findings "
                              f"may be missing")


def analyze_file(path: str, data: bytes, config: Config) -> FileResult:
    """Parse once, collect facts, run every per-file rule. Code nested deeper than a stage
    can follow (generated code: long operator chains, elif ladders) is an AG000 finding
    naming the stage; the file's other stages and the other files still run."""
    parsed = parse_source(data)
    if isinstance(parsed, ParseFailure):
        hint = NEWER_PYTHON_HINT.format(version=parsed.needs) if parsed.needs else None
        failed = file_failure(path, parsed.message, parsed.line, parsed.column,
                              config.source_root, hint)
        if parsed.needs:  # valid code on a newer Python: what can be read without a tree
            _collect_unparsed(failed.facts, data)
        return failed
    try:
        with indexed(parsed.tree):  # one walk of the tree, shared by every rule
            return _analyze_tree(path, parsed, config)
    except RecursionError:
        return file_failure(path, "too deeply nested to analyse (facts)",
                            source_root=config.source_root)


def _analyze_tree(path: str, parsed: ParsedSource, config: Config) -> FileResult:
    columns = LineColumns(parsed.text)
    facts, resolver = collect_facts(path, parsed.tree, columns, config.source_root)
    facts.scope = file_scope(path, parsed.text, parsed.tree, config)
    role, module_name = layout_of(path, config)
    ctx = FileContext(path, parsed.text, parsed.tree, config, facts, resolver, columns, role,
                      module_name)
    diagnostics: list[Diagnostic] = []
    for rule in file_rules():
        if not judged(rule.code, facts.scope, rule.checks_tests):
            continue  # a migration, a generated file, test code (archguard.analysis.scope)
        try:
            diagnostics.extend(rule.check(ctx))
        except RecursionError:
            diagnostics.append(too_deep(path, f"rule {rule.code}"))
        except Exception as error:  # a crashing rule must fail the run, never pass silently
            raise ArchguardError(
                f"internal error: rule {rule.code} failed on {path}: {error!r}") from error
    diagnostics.extend(_collect_extra(ctx))
    return FileResult(path, facts, diagnostics, parse_suppressions(parsed.text))


def _collect_extra(ctx: FileContext) -> list[Diagnostic]:
    """Project rules' per-file facts (``ProjectRule.collect``) into ``facts.extra``."""
    failed = []
    for rule in project_rules():
        try:
            data = rule.collect(ctx)
        except RecursionError:
            failed.append(too_deep(ctx.path, f"rule {rule.code}"))
            continue
        except Exception as error:  # same contract as a crashing file rule
            raise ArchguardError(
                f"internal error: rule {rule.code} failed on {ctx.path}: {error!r}") from error
        if data is not None:
            ctx.facts.extra[rule.code] = data
    return failed


def _collect_unparsed(facts: FileFacts, data: bytes) -> None:
    """Project rules' per-file facts of a file that needs a newer Python to parse
    (``ProjectRule.collect_unparsed``) into ``facts.extra``."""
    text = decode_source(data)
    if isinstance(text, ParseFailure):
        return
    for rule in project_rules():
        data_of_rule = rule.collect_unparsed(text)
        if data_of_rule is not None:
            facts.extra[rule.code] = data_of_rule


@dataclass
class ProjectInput:
    """Everything the project pass needs, however it was produced (disk, cache, memory)."""

    config: Config
    results: list[FileResult]
    module_folders: list[ModuleFolder] = field(default_factory=list)
    modules_dir_exists: bool = True
    durable: DurableMemo = field(default_factory=DurableMemo)  # kept by the cache


def project_rule_findings(project_input: ProjectInput, selection: Selection,
                          ) -> list[Diagnostic]:
    """The selected project rules' findings over the facts of every file (unfiltered)."""
    project = Project(project_input.config, {r.path: r.facts for r in project_input.results},
                      project_input.module_folders, project_input.modules_dir_exists,
                      project_input.durable)
    return [d for rule in project_rules() if rule.code in selection
            for d in rule.check(project)]


def finish(project_input: ProjectInput, selection: Selection,
           in_scope: Callable[[str], bool] = lambda path: True,
           extra: Iterable[Diagnostic] = (),
           extra_suppressions: Mapping[str, FileSuppressions] | None = None,
           project_found: list[Diagnostic] | None = None,
           ) -> list[Diagnostic]:
    """Project rules, then selection, per-file ignores and suppressions over all findings.
    ``extra``: other engines' findings; ``extra_suppressions``: the suppression comments of
    files they checked that the native pass did not (the tests folder); ``project_found``:
    the project rules' findings when already known (``project_rule_findings``)."""
    config = project_input.config
    found: list[Diagnostic] = [d for r in project_input.results for d in r.diagnostics]
    found.extend(project_rule_findings(project_input, selection) if project_found is None
                 else project_found)
    found.extend(extra)
    judge = _scope_filter(project_input.results)
    found = [worded(d, config) for d in found if d.code in selection and judge(d)
             and not _file_ignored(d, config, selection)]
    found = one_per_problem(found)
    suppressions = {**(extra_suppressions or {}),
                    **{r.path: r.suppressions for r in project_input.results}}
    suppressions = {path: table.resolved(selection.resolve)
                    for path, table in suppressions.items()}
    kept = _apply_suppressions(found, suppressions, selection)
    return sort_diagnostics(with_severity([d for d in kept if in_scope(d.path) and judge(d)],
                                          config, selection))


def _scope_filter(results: list[FileResult]) -> Callable[[Diagnostic], bool]:
    """Whether a finding is reported in its file's scope (``archguard.analysis.scope``):
    the project rules' and semgrep's findings too, and AG001 in a migration."""
    scopes = {r.path: r.facts.scope for r in results if r.facts.scope != APPLICATION}
    if not scopes:
        return lambda diagnostic: True
    tests_skipped = {rule.code.upper() for rule in all_rules() if not rule.checks_tests}

    def judge(diagnostic: Diagnostic) -> bool:
        scope = scopes.get(diagnostic.path, APPLICATION)
        return judged(diagnostic.code, scope, diagnostic.code.upper() not in tests_skipped)

    return judge


# (code, code that wins): one problem, one finding. A route without a return annotation is
# an untyped route (AG505), not also an untyped function (AG802); a cross-module import of
# a private file (AG202) is not also a layer break (AG203) on the same line.
SUPERSEDED = (("AG802", "AG505"), ("AG203", "AG202"))


def one_per_problem(found: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (same code and position) and findings another rule's finding on
    the same line already stands for (``SUPERSEDED``)."""
    at = {(d.code, d.path, d.line) for d in found}
    seen: set[tuple[str, str, int, int, str]] = set()
    kept = []
    for diagnostic in found:
        key = (diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.column,
               diagnostic.message)
        if key in seen or any(diagnostic.code == lost and (won, diagnostic.path,
                                                           diagnostic.line) in at
                              for lost, won in SUPERSEDED):
            continue
        seen.add(key)
        kept.append(diagnostic)
    return kept


def with_severity(found: list[Diagnostic], config: Config, selection: Selection,
                  ) -> list[Diagnostic]:
    """``[tool.archguard.severity]``: the longest matching code, prefix or slug decides."""
    if not config.severity:
        return found
    levels = sorted(((selection.resolve(key), level) for key, level in config.severity.items()),
                    key=lambda item: -len(item[0]))

    def level_of(d: Diagnostic) -> str:
        upper = d.code.upper()
        return next((level for key, level in levels if key == "ALL" or upper.startswith(key)),
                    d.severity)

    return [d if level_of(d) == d.severity else dataclasses.replace(d, severity=level_of(d))
            for d in found]


def _file_ignored(diagnostic: Diagnostic, config: Config, selection: Selection) -> bool:
    for pattern, codes in config.per_file_ignores.items():
        if fnmatch.fnmatch(diagnostic.path, pattern) or diagnostic.path.startswith(
                pattern.rstrip("/") + "/"):
            if any(diagnostic.code.upper().startswith(selection.resolve(code))
                   for code in codes):
                return True
    return False


def _apply_suppressions(found: list[Diagnostic], suppressions: dict[str, FileSuppressions],
                        selection: Selection) -> list[Diagnostic]:
    kept: list[Diagnostic] = []
    used: set[tuple[str, int, int, str]] = set()
    for diagnostic in found:
        table = suppressions.get(diagnostic.path)
        match = table.matching(diagnostic.code, diagnostic.line) if table else None
        if match is None:
            kept.append(diagnostic)
            continue
        for code in match.codes:
            if diagnostic.code.upper().startswith(code):
                used.add((diagnostic.path, match.line, match.column, code))
    if UNUSED_SUPPRESSION in selection:
        kept.extend(_unused(suppressions, used, selection))
    return kept


def _unused(suppressions: dict[str, FileSuppressions], used: set[tuple[str, int, int, str]],
            selection: Selection) -> list[Diagnostic]:
    rule = find_rule(UNUSED_SUPPRESSION)
    known = [r.code for r in all_rules()] + list(selection.extra)
    out = []
    for path, table in suppressions.items():
        for item in table.items:
            span = Span(item.line, item.column, item.line, item.end_column)
            for message, hint in _unused_reasons(path, item, used, selection, known):
                out.append(rule.diagnostic(path, span, message, hint))
    return out


def _unused_reasons(path: str, item: Suppression, used: set[tuple[str, int, int, str]],
                    selection: Selection, known: list[str]) -> list[tuple[str, str | None]]:
    if not item.codes:
        return [("bare '# archguard: ignore' suppresses nothing: name the codes",
                 "write '# archguard: ignore[AG201]' with the codes reported on this line")]
    reasons: list[tuple[str, str | None]] = []
    for code in item.codes:
        covered = [k for k in known if k.upper().startswith(code)]
        if not covered:
            reasons.append((f"unknown rule code '{code}' in suppression comment",
                            "see 'archguard rules' for the valid codes"))
        elif (path, item.line, item.column, code) not in used and any(
                c in selection for c in covered):
            reasons.append((f"unused suppression: no {code} finding "
                            f"{'in this file' if item.file_level else 'on this line'}", None))
    return reasons


def path_filter(root: Path, paths: list[Path]) -> Callable[[str], bool]:
    """Only findings under the PATHs given are reported; the project pass sees everything."""
    from archguard.project.discovery import relative

    prefixes = [relative(p, root) for p in paths]
    if any(p in ("", ".") for p in prefixes):
        return lambda path: True
    return lambda path: any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)
