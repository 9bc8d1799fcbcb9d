"""AG203-AG205: the layers and the module graph (router -> service -> repository -> models).

These rules read the import graph of ``archguard.graph.modules`` (built once per run); every import
is resolved through re-exports first, and ``if TYPE_CHECKING:`` imports are left out unless
``type-checking-imports = true``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.analysis.astindex import walk
from archguard.analysis.context import FileContext
from archguard.analysis.facts import Span
from archguard.analysis.project_view import Project
from archguard.diagnostics import Diagnostic
from archguard.graph.modules import (
    ModuleGraph, Node, Reference, cycle_edges, cycle_report, first_reference, module_cycles,
    module_graph,
)
from archguard.rules.registry import ProjectRule, register
from archguard.rules.repositories import is_data_layer_file

TYPE_CHECKING_TEXT = ("`type-checking-imports = true` also counts imports under "
                      "`if TYPE_CHECKING:`.")
VERBS = {"import": "imports", "attribute": "uses", "call": "calls"}
CallFact = tuple[str, int, int, int, int]  # resolved callee, span of the call


def _via(ref: Reference) -> str:
    return f" (re-exported as '{ref.written}')" if ref.written != ref.resolved else ""


def _unique(refs: Iterator[Reference]) -> Iterator[Reference]:
    """One finding per statement and target file (``from x import A, B`` is one import)."""
    seen: set[tuple[str, int, int, str]] = set()
    for ref in refs:
        if ref.sort_key() not in seen:
            seen.add(ref.sort_key())
            yield ref


class GraphRule(ProjectRule):
    """A rule over references of the import graph; ``findings`` keeps the reference of each
    diagnostic so that ``archguard graph`` can highlight the edge it belongs to."""

    def check(self, project: Project) -> Iterator[Diagnostic]:
        for _, diagnostic in self.findings(project):
            yield diagnostic

    def findings(self, project: Project) -> list[tuple[Reference, Diagnostic]]:
        graph = module_graph(project)
        return [(ref, self.diagnostic(ref.path, ref.span, self.message(project, graph, ref)))
                for ref in _unique(r for r in graph.references
                                   if self.violates(project, graph, r))]

    def violates(self, project: Project, graph: ModuleGraph, ref: Reference) -> bool:
        raise NotImplementedError

    def message(self, project: Project, graph: ModuleGraph, ref: Reference) -> str:
        raise NotImplementedError


@register
class RouterRepositoryAccess(GraphRule):
    """A router that imports or instantiates a repository skips the service layer: business
    rules (permissions, soft deletes, cross-module coordination) then live in the endpoint,
    where nothing else can reuse or test them. Its own module's repository counts as much as
    another module's. Detected: any import from a router file whose target, after
    re-exports, is in a repository file (`from ... import XRepository`,
    `import ...repository as r` — one finding at the import, the `r.XRepository(db)` calls
    are covered by it — names re-exported by a module's `__init__.py`), attribute chains
    through `import cpv3...`, and calls through an imported package
    (`users.UserRepository(db)` after `from cpv3.modules import users`). A repository is
    whatever lives in a file with the repository role inside a module folder and touches
    the SQL database (see AG204); a variable or a module elsewhere that is merely called
    `repository` is not one."""

    code = "AG203"
    name = "router-repository-access"
    summary = "A router importing or instantiating a repository"
    rulebook = ("**Direct repository calls from router** — skipping the service layer means "
                "business logic leaks into the routing layer, making it untestable and "
                "unreusable.")
    hint = "call the module's service from the endpoint; the service uses the repository"
    example_path = "cpv3/modules/users/router.py"
    bad = ("from __future__ import annotations\n\n"
           "from cpv3.modules.users.repository import UserRepository\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.modules.users.service import UserService\n")
    configuration = "Role file names: `[tool.archguard.roles]`. " + TYPE_CHECKING_TEXT

    def collect(self, ctx: FileContext) -> list[CallFact] | None:
        """Calls through an imported name in a router (``users.UserRepository(db)``)."""
        if ctx.role != "router":
            return None
        prefix = ctx.config.package + "."
        calls: list[CallFact] = []
        for node in walk(ctx.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                dotted = ctx.qualname(node.func)
                if dotted and dotted.startswith(prefix):
                    span = ctx.span(node)
                    calls.append((dotted, span.line, span.column, span.end_line,
                                  span.end_column))
        return calls or None

    def violates(self, project: Project, graph: ModuleGraph, ref: Reference) -> bool:
        return (graph.nodes[ref.source].role == "router"
                and layer_role(project, graph.nodes[ref.target]) == "repository")

    def message(self, project: Project, graph: ModuleGraph, ref: Reference) -> str:
        owner = graph.nodes[ref.target].module
        return (f"router {VERBS[ref.kind]} '{ref.resolved}' of the {owner} repository"
                f"{_via(ref)}: routers call services, never repositories")


def layer_role(project: Project, node: Node) -> str | None:
    """The file's role for the layer rules: a repository file (by its name) that shows no
    SQL is not the data layer (tracecat's ``registry/repository.py`` loads actions from git)
    and has no rank; every other file keeps the role of its name."""
    if node.role != "repository" or not node.exists:
        return node.role
    return node.role if is_data_layer_file(project, node.path) else None


def layer_order(project: Project) -> str:
    """``router -> service -> repository -> models/schemas`` from the configured ranks."""
    ranks: dict[int, list[str]] = {}
    for role in ("router", "service", "repository", "models", "schemas"):
        rank = project.config.layers.rank(role)
        if rank > 0:
            ranks.setdefault(rank, []).append(role)
    return " -> ".join("/".join(ranks[rank]) for rank in sorted(ranks, reverse=True))


@register
class LayerDirection(GraphRule):
    """Dependencies point one way: router -> service -> repository -> models/schemas. A
    repository importing a service, a service importing a router, or models and schemas
    importing a repository or a service turns the layers into a knot: lower layers can no
    longer be used or tested without the ones above, and import cycles follow. Each role has
    a rank (router 4, service 3, repository 2, models and schemas 1); a file may import its
    own rank or a lower one, in its own module or another (a service of A importing the
    router of B is a violation; a service of A importing B's service is fine). `__init__.py`
    files and files outside module folders are unranked and never judged. Reported at the
    import, after resolving re-exports (`from cpv3.modules.b import BService` imports b's
    service); imports inside functions count. Routers reaching into repositories are
    AG203's concern. A file named as a repository that does not touch the SQL database (a
    git repository of plugins, a wrapper of an analytics API) is not the data layer and
    has no rank: its code, outside classes, names no SQLAlchemy, SQLModel or other database
    driver query API and writes no SQL text; uses no ORM model as a value (an annotation is
    data handed in); and none of its classes, with their project bases, does that or names a
    session (a function handing a session on to a service does not make a data layer). A
    file with no code to judge (imports only, stubs) keeps the role of its name."""

    code = "AG204"
    name = "layer-direction"
    summary = "An import against router -> service -> repository -> models/schemas"
    rulebook = "Router → Service → Repository → Database"
    hint = ("move the shared code down into the lower layer, or pass the value in from the "
            "caller; lower layers never import upper ones")
    example_path = "cpv3/modules/users/repository.py"
    bad = ("from __future__ import annotations\n\n"
           "from cpv3.modules.users.service import UserService\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.modules.users.models import User\n")
    configuration = ("`[tool.archguard.layers]` maps a role to its rank (defaults: router = "
                     "4, service = 3, repository = 2, models = 1, schemas = 1); an import "
                     "to a higher rank is reported, equal ranks are allowed, 0 leaves a role "
                     "unranked. " + TYPE_CHECKING_TEXT)

    def violates(self, project: Project, graph: ModuleGraph, ref: Reference) -> bool:
        layers = project.config.layers
        source = layers.rank(layer_role(project, graph.nodes[ref.source]))
        target = layers.rank(layer_role(project, graph.nodes[ref.target]))
        return 0 < source < target

    def message(self, project: Project, graph: ModuleGraph, ref: Reference) -> str:
        source, target = graph.nodes[ref.source], graph.nodes[ref.target]
        where = "its own module's" if source.module == target.module else f"the {target.module}"
        return (f"{source.role} {VERBS[ref.kind]} '{ref.resolved}' from {where} {target.role}"
                f"{_via(ref)}: layers depend downward only ({layer_order(project)})")


@register
class ModuleCycle(ProjectRule):
    """Modules that import each other (A -> B -> A, or through C) cannot be understood,
    tested or changed alone, and each owns part of the other's domain; at runtime they
    are one import cycle away from an ImportError. Each cycle cluster (a strongly connected
    component of the module graph) is reported once: its modules and one shortest cycle
    through them; every two-module cycle (A imports B, B imports A) is reported too, since
    each is one decision to undo. A cycle is rotated to start at its alphabetically first
    module and reported at the first import of the chain; the message lists every edge as
    `file:line`. Imports between files of the same module are not cycles, and test files
    are not part of the module graph. Imports inside functions count (a lazy import hides
    a cycle, it does not remove it). At most `max-cycles` cycles are reported; one more
    finding says when there are more."""

    code = "AG205"
    name = "module-cycle"
    summary = "Modules that import each other, directly or through other modules"
    rulebook = "Each module owns its domain."
    hint = ("break the cycle: move the shared piece into one module (or {shared_dir}) "
            "and make the calls go one way")
    example_path = "cpv3/modules/users/service.py"
    bad = ("# file: cpv3/modules/users/service.py\n"
           "from __future__ import annotations\n\n"
           "from cpv3.modules.projects.service import ProjectService\n\n"
           "# file: cpv3/modules/projects/service.py\n"
           "from __future__ import annotations\n\n"
           "from cpv3.modules.users.service import UserService\n")
    good = ("# file: cpv3/modules/users/service.py\n"
            "from __future__ import annotations\n\n"
            "from cpv3.modules.projects.service import ProjectService\n\n"
            "# file: cpv3/modules/projects/service.py\n"
            "from __future__ import annotations\n")
    configuration = ("`max-cycles = 50` caps the number of cycles reported. "
                     + TYPE_CHECKING_TEXT)

    def check(self, project: Project) -> Iterator[Diagnostic]:
        for _, diagnostic in self.findings(project):
            yield diagnostic
        cycles, truncated = module_cycles(project)
        if truncated:
            limit = project.config.max_cycles
            yield self.diagnostic(
                project.config.modules_dirs[0], Span(1, 1, 1, 1),
                f"more than {limit} module cycles: only the first {limit} are reported",
                hint="break the cycles above, or raise max-cycles to see more")

    def findings(self, project: Project) -> list[tuple[list[str], Diagnostic]]:
        graph = module_graph(project)
        out = []
        for cycle, cluster in cycle_report(project)[0]:
            chain = [first_reference(graph, a, b) for a, b in cycle_edges(cycle)]
            names = " -> ".join([*cycle, cycle[0]])
            steps = "; ".join(f"{ref.location} {VERBS[ref.kind]} '{ref.written}'"
                              for ref in chain)
            where = (f"module cycle cluster of {len(cluster)} modules "
                     f"({', '.join(cluster)}); shortest cycle {names}" if cluster
                     else f"module cycle {names}")
            out.append((cycle, self.diagnostic(chain[0].path, chain[0].span,
                                               f"{where}: {steps}")))
        return out