"""AG2xx: imports (absolute only, no reaching into another module's repository)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.analysis.astindex import nodes_of
from archguard.analysis.context import FileContext, layout_of
from archguard.analysis.facts import Span, dotted_name, module_name_for, resolve_relative
from archguard.analysis.parsing import type_alias_statements
from archguard.analysis.project_view import Project
from archguard.diagnostics import SAFE, Diagnostic
from archguard.project.config import Config
from archguard.rules.registry import FileRule, Fixer, ProjectRule, register


def absolute_import(path: str, level: int, target: str | None, config: Config) -> str:
    """The absolute module of a relative import in ``path``, or "" when it climbs above the
    package root (or resolves outside the configured package)."""
    module, is_init = module_name_for(path, config.source_root)
    absolute = resolve_relative(module, is_init, level, target)
    root = config.package.split(".")[0]
    return absolute if absolute == root or absolute.startswith(root + ".") else ""


@register
class RelativeImport(FileRule):
    """Relative imports hide which module a name comes from and break when files move. The
    codebase uses absolute imports from the package root everywhere; the message gives the
    absolute form to write instead."""

    code = "AG201"
    ruff = ("TID252",)
    ruff_overlap = (
        "ruff's TID252 reports every relative import when `lint.flake8-tidy-imports.ban-"
        'relative-imports = "all"` (its default, "parents", allows `from .sibling import x`)')
    name = "relative-import"
    summary = "A relative import anywhere in the package"
    rulebook = ("Absolute imports — `from cpv3.modules.media.schemas import MediaRead`, not "
                "relative imports")
    hint = "always import absolutely from the package root"
    example_path = "cpv3/modules/media/service.py"
    bad = ("from __future__ import annotations\n\n"
           "from .schemas import MediaRead\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.modules.media.schemas import MediaRead\n")

    fix_summary = ("rewrites the import as the absolute import from the package root (same "
                   "names, same aliases, same place); not when it climbs above the package root")
    fix_applicability = SAFE

    def fixer(self) -> Fixer:
        from archguard.rules.imports_fix import make_absolute

        return make_absolute

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for node in nodes_of(ctx.tree, ast.ImportFrom):
            if isinstance(node, ast.ImportFrom) and node.level:
                absolute = absolute_import(ctx.path, node.level, node.module, ctx.config)
                yield self.report(ctx, ctx.span(node), self._message(node, absolute),
                                  fix=SAFE if absolute else "")

    @staticmethod
    def _message(node: ast.ImportFrom, absolute: str) -> str:
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
        written = f"from {'.' * node.level}{node.module or ''} import {names}"
        if not absolute:
            return f"relative import '{written}' reaches above the package root"
        return f"relative import '{written}': use 'from {absolute} import {names}'"


@register
class CrossModuleRepository(ProjectRule):
    """Each module owns its data. Module A reaching into module B's repository bypasses B's
    business rules (soft deletes, permissions, invariants) and couples A to B's tables.
    Cross-module calls go service to service. Every import form counts: `from ... import`,
    `import ... as`, `from cpv3.modules.b import repository`, relative forms, attribute access
    through an imported package, and names that B's `__init__.py` re-exports from its
    repository. One finding per file and repository, at its first import (`from
    b.repository import X, Y` is one; a second import of B's repository in the same file,
    say inside a function, is named in that finding's message).
    `if TYPE_CHECKING:` imports are ignored unless `type-checking-imports = true`. So is an
    import whose every name is, in the repository file, a type and nothing else: a type
    alias (`type X = ...`, `X: TypeAlias = ...`, `X = TypeAliasType(...)`), a `TypedDict`
    or a `Protocol` class. Annotating with the shape a repository returns runs none of its
    queries; importing the repository class, a function or a constant beside it does.
    """

    code = "AG202"
    name = "cross-module-repository"
    summary = "A module importing another module's repository"
    rulebook = ("No module directly accesses another module's repository — cross-module "
                "communication goes **service-to-service**, never repo-to-repo.")
    hint = "call the other module's service instead (e.g. UserService), never its repository"
    example_path = "cpv3/modules/projects/service.py"
    bad = ("from __future__ import annotations\n\n"
           "from cpv3.modules.users.repository import UserRepository\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.modules.users.service import UserService\n")

    def collect(self, ctx: FileContext) -> list[str] | None:
        """The module-level names of this file that are types and nothing else (of every
        file: a repository can be a package, and the walk is of the top level only)."""
        return type_only_names(ctx.tree) or None

    def collect_unparsed(self, text: str) -> list[str] | None:
        """A file with ``type X = ...`` parses only on 3.12+: its aliases, from the tokens."""
        return type_alias_statements(text) or None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        served = _modules_with_a_service(project)
        for facts in project.iter_files():
            _, own_module = layout_of(facts.path, project.config)
            if own_module is None:
                continue
            # the first reference to each other module's repository, and the lines of the
            # rest: one file reaching into one repository is one problem
            first: dict[str, tuple[str, str, Span]] = {}
            more: dict[str, list[int]] = {}
            imports = [((f.module if f.name is None else f.target), f.span, f.type_checking)
                       for f in facts.imports]
            for references, kind in ((imports, "import"), (facts.module_refs, "reference")):
                for dotted, span, type_only in references:
                    if type_only and not project.config.type_checking_imports:
                        continue
                    target = project.resolve(dotted)
                    other = _repository_owner(target, project)
                    if other is None or other == own_module or self._type_only(project, target):
                        continue
                    if other not in first:
                        first[other] = (dotted, target, span)
                    elif kind == "import" and span != first[other][2] \
                            and span.line not in more.setdefault(other, []):
                        more[other].append(span.line)
            for other, (dotted, target, span) in sorted(first.items(),
                                                         key=lambda item: item[1][2]):
                message, hint = self.check_message(dotted, target, other, other in served)
                lines = sorted(line for line in more.get(other, []) if line != span.line)
                if lines:
                    message += f" (imported again on line{'s' * (len(lines) > 1)} " \
                        f"{', '.join(map(str, lines))})"
                yield self.diagnostic(facts.path, span, message, hint)

    def _type_only(self, project: Project, target: str) -> bool:
        module, _, name = target.rpartition(".")
        owner = project.by_module.get(module)
        return owner is not None and name in owner.extra.get(self.code, ())

    def check_message(self, dotted: str, target: str, other: str, has_service: bool,
                      ) -> tuple[str, str | None]:
        via = f" (re-exported as '{dotted}')" if dotted != target else ""
        if has_service:
            return (f"'{target}' belongs to module '{other}''s repository{via}: "
                    f"go through the {other} service"), None
        return (f"'{target}' belongs to module '{other}''s repository{via}: module '{other}' "
                f"has no service to go through"), NO_SERVICE_HINT.format(module=other)


def _modules_with_a_service(project: Project) -> set[str]:
    """Modules with a service file, or a service package (``service/``, which AG102 reports
    as a subfolder but which is a service all the same)."""
    served = {module for module, roles in project.module_roles.items() if "service" in roles}
    layout = project.config.layout
    for path in project.files:
        place = layout.place(path)
        if place is not None and "/" in place.inside and place.module not in served:
            folder = place.inside.split("/", 1)[0]
            if f"{folder}.py" in project.config.roles.expected("service", place.module):
                served.add(place.module)
    return served


NO_SERVICE_HINT = ("give module '{module}' a service that the other modules call, or move "
                   "what they share into a shared folder; never import its repository")


_TYPE_ALIAS = frozenset({"TypeAlias", "typing.TypeAlias", "typing_extensions.TypeAlias"})
_ALIAS_TYPE = frozenset({"TypeAliasType", "typing.TypeAliasType",
                         "typing_extensions.TypeAliasType"})
_TYPE_BASES = frozenset({"TypedDict", "Protocol"})  # by last part: typing.X, typing_extensions.X


def type_only_names(tree: ast.Module) -> list[str]:
    """Module-level names that are types only: PEP 695 ``type X = ...``, ``X: TypeAlias =
    ...``, ``X = TypeAliasType(...)``, ``TypedDict`` and ``Protocol`` classes (matched as
    written, any import spelling of the typing name)."""
    found = []
    for statement in tree.body:
        if statement.__class__.__name__ == "TypeAlias" \
                and isinstance(getattr(statement, "name", None), ast.Name):  # 3.12+ only
            found.append(getattr(statement, "name").id)
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                and dotted_name(statement.annotation) in _TYPE_ALIAS:
            found.append(statement.target.id)
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call) \
                and dotted_name(statement.value.func) in _ALIAS_TYPE:
            found.extend(t.id for t in statement.targets if isinstance(t, ast.Name))
        elif isinstance(statement, ast.ClassDef) and statement.bases and all(
                (dotted_name(_unsubscripted(base)) or "").rpartition(".")[2] in _TYPE_BASES
                for base in statement.bases):
            found.append(statement.name)
    return found


def _unsubscripted(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Subscript) else node


def _repository_owner(target: str, project: Project) -> str | None:
    """The module whose repository ``target`` is in (or is), else None. Only role files of
    domain modules are repositories: a ``repository/`` package of a shared folder is not."""
    role, module = project.layout_of_name(target)
    return module if role == "repository" else None
