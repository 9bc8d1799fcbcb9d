"""AG3xx: Pydantic schemas go through the project's Schema base, are named by their role and
spell string enums as ``Literal`` types."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.analysis.context import FileContext, layout_of
from archguard.analysis.facts import FileFacts, Span, dotted_name, is_type_checking_test
from archguard.analysis.patterns import ENUM_BASES, STR_ENUM_BASES, annotation_names, class_nodes
from archguard.analysis.project_view import Project
from archguard.diagnostics import UNSAFE, Diagnostic
from archguard.rules.registry import Fixer, ProjectRule, register

PYDANTIC_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.RootModel",
    "pydantic.root_model.RootModel", "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
    "pydantic.generics.GenericModel",
})

BASE_MODELS = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})


@register
class SchemaBase(ProjectRule):
    """All Pydantic models inherit from the project's `Schema` (which sets
    `from_attributes=True`), never from raw `BaseModel`: otherwise returning ORM objects
    from endpoints fails at runtime and config drifts between schemas. Any import or alias
    form of `pydantic.BaseModel`/`RootModel` counts; a class deriving from another project
    class that derives from Schema (in any file) is fine; the Schema definition itself (and
    its own bases) is exempt; `BaseSettings` is not a schema. A class whose chain reaches the
    raw base only through project classes that skip Schema is reported too, naming the
    classes in between. A class whose chain holds a class archguard cannot see (a library
    class, one defined in a file that failed to parse) is not judged."""

    code = "AG301"
    name = "schema-base"
    summary = "A Pydantic model that does not derive from the configured Schema base"
    rulebook = ("**Always** inherit from `cpv3.common.schemas.Schema` (Pydantic with "
                "`from_attributes=True`) — never from raw `BaseModel`")
    hint = "derive from {schema_base} instead of pydantic.BaseModel"
    configuration = "The base class: `schema-base` (default `cpv3.common.schemas.Schema`)."
    example_path = "cpv3/modules/media/schemas.py"
    bad = ("from __future__ import annotations\n\nfrom pydantic import BaseModel\n\n\n"
           "class MediaRead(BaseModel):\n    id: int\n")
    good = ("from __future__ import annotations\n\nfrom cpv3.common.schemas import Schema\n\n\n"
            "class MediaRead(Schema):\n    id: int\n")

    fix_summary = ("replaces the `BaseModel` base with the configured schema base and imports "
                   "it (an unused `BaseModel` import goes); unsafe: the base's model config "
                   "(`from_attributes`, extra fields, aliases) changes behaviour; not for "
                   "`RootModel` or a class that lists more than one base")
    fix_applicability = UNSAFE

    def fixer(self) -> Fixer:
        from archguard.rules.schemas_fix_text import derive_from_schema

        return derive_from_schema

    def check(self, project: Project) -> Iterator[Diagnostic]:
        schema = project.config.schema_base
        exempt = {project.resolve(schema),
                  *(b for b in project.mro_names(schema) if b in project.classes)}
        memo: dict[str, tuple[str, ...] | None] = {}
        # the fix imports the base: only when it is a class of the project
        base_exists = schema in project.classes
        for facts in project.iter_files():
            for cls in facts.classes:
                if cls.qualname in exempt:
                    continue
                path = _raw_path(project, cls.qualname, exempt, memo)
                if path is None:
                    continue
                through = f" (through {', '.join(p.rsplit('.', 1)[-1] for p in path[:-1])})" \
                    if len(path) > 1 else ""
                direct = [base for base in cls.bases if base]
                fixable = base_exists and len(path) == 1 and len(direct) == 1 \
                    and path[0] in BASE_MODELS
                yield self.diagnostic(
                    facts.path, cls.span,
                    f"schema '{cls.name}' derives from {path[-1]}{through} instead of {schema}",
                    fix=UNSAFE if fixable else "")


def _raw_path(project: Project, qualname: str, exempt: set[str],
              memo: dict[str, tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """The project classes from ``qualname``'s bases down to a raw Pydantic base, ending
    with that base, when every step skips the schema base; None when the class is not such
    a schema (it reaches the schema base, is settings, or its chain leaves the project)."""
    if qualname in memo:
        return memo[qualname]
    memo[qualname] = None  # cycle-safe
    fact = project.classes.get(qualname)
    found: tuple[str, ...] | None = None
    chain = project.mro_names(qualname)
    unseen = [b for b in project.unseen_bases(qualname) if b not in PYDANTIC_BASES]
    if fact is not None and not unseen and not (set(chain) & (exempt | SETTINGS)):
        # derives from neither the schema base (nor its own bases) nor settings, and every
        # class of its chain is visible: a base from a library or from a file that failed
        # to parse may well be the schema base
        for base in (project.resolve(b) for b in fact.bases if b):
            if base in PYDANTIC_BASES:
                found = (base,)
                break
            if base in project.classes and base not in exempt:
                below = _raw_path(project, base, exempt, memo)
                if below is not None:
                    found = (base, *below)
                    break
    memo[qualname] = found
    return found


SETTINGS = frozenset({"pydantic_settings.BaseSettings", "pydantic.BaseSettings",
                      "pydantic.v1.BaseSettings", "pydantic_settings.main.BaseSettings"})


def schema_files(project: Project) -> Iterator[FileFacts]:
    """The files whose role is ``schemas`` (a module's schemas.py)."""
    for facts in project.iter_files():
        if layout_of(facts.path, project.config)[0] == "schemas":
            yield facts


@register
class SchemaSuffix(ProjectRule):
    """The suffix says what a DTO is for: `*Create` is the input for creation, `*Update` the
    input for a change, `*Read` the output. A schema named otherwise (`UserOut`, `UserDTO`,
    `ProjectBase`) hides its direction, and the OpenAPI schema names stop being predictable.
    Checked: every public top-level class of a schemas file that derives from the Schema
    base, directly or through other project classes in any file. `_Private` helpers and the
    Schema base itself are exempt. Add a suffix such as `Base` to `schema-suffixes` if the team
    keeps shared field sets."""

    code = "AG302"
    name = "schema-suffix"
    summary = "A schema whose name does not end in Create, Update or Read"
    rulebook = ("Suffix naming convention: `*Create` (input for creation), `*Update` (input "
                "for mutation), `*Read` (output/response)")
    hint = "name it by its role: *Create (creation input), *Update (change input), *Read (output)"
    configuration = ("The suffixes: `schema-suffixes` (default `[\"Create\", \"Update\", "
                     "\"Read\"]`); the base: `schema-base`.")
    example_path = "cpv3/modules/media/schemas.py"
    bad = ("from __future__ import annotations\n\nfrom cpv3.common.schemas import Schema\n\n\n"
           "class MediaOut(Schema):\n    id: int\n")
    good = ("from __future__ import annotations\n\nfrom cpv3.common.schemas import Schema\n\n\n"
            "class MediaRead(Schema):\n    id: int\n")

    def check(self, project: Project) -> Iterator[Diagnostic]:
        schema = project.resolve(project.config.schema_base)
        suffixes = tuple(project.config.schema_suffixes)
        wanted = ", ".join(suffixes[:-1]) + (" or " if len(suffixes) > 1 else "") + \
            (suffixes[-1] if suffixes else "")
        for facts in schema_files(project):
            for cls in facts.classes:
                if cls.is_nested or cls.name.startswith("_") or cls.qualname == schema:
                    continue
                if not cls.name.endswith(suffixes) and project.derives_from(cls.qualname,
                                                                            schema):
                    yield self.diagnostic(facts.path, cls.span,
                                          f"schema '{cls.name}' must end in {wanted}")


FieldFact = tuple[str, Span, list[str]]  # field name, annotation span, names it mentions


@register
class SchemaStringEnum(ProjectRule):
    """String choices in the API are `Literal["a", "b"]` types: they need no import on the
    client side, serialise as plain strings, and show their values in the OpenAPI schema,
    where a `str` Enum adds a class per choice set and an `.value` at every use. Reported:
    a str-valued Enum (`class X(str, Enum)`, `StrEnum`, any alias, or a subclass of a project
    str-Enum) defined in a schemas file, at its `class` line; and a field of a Schema-derived
    class (in any file) whose annotation mentions a str-Enum defined in the project (through
    `Optional`, `list[...]`, quotes, re-exports), at the annotation. Enums from libraries are
    not reported: they cannot be rewritten. An enum whose only definition is a member-less
    stub under `if TYPE_CHECKING:` (the runtime one built from a list, `StrEnum("X", ...)`)
    is not reported: its values cannot be known. The hint spells the `Literal` from the
    members' values (`auto()` in a `StrEnum` is the lower-cased name)."""

    code = "AG303"
    name = "schema-string-enum"
    summary = "A str Enum defined in a schemas file or used as a schema field type"
    rulebook = "Use `Literal` types for enums with string values"
    hint = "use a Literal type of the values instead"
    configuration = "The base class: `schema-base`."
    example_path = "cpv3/modules/projects/schemas.py"
    bad = ("from __future__ import annotations\n\nfrom enum import Enum\n\n"
           "from cpv3.common.schemas import Schema\n\n\n"
           "class ProjectStatus(str, Enum):\n    ACTIVE = \"active\"\n"
           "    ARCHIVED = \"archived\"\n\n\n"
           "class ProjectRead(Schema):\n    status: ProjectStatus\n")
    good = ("from __future__ import annotations\n\nfrom typing import Literal\n\n"
            "from cpv3.common.schemas import Schema\n\n"
            "ProjectStatus = Literal[\"active\", \"archived\"]\n\n\n"
            "class ProjectRead(Schema):\n    status: ProjectStatus\n")

    def collect(self, ctx: FileContext) -> dict[str, object] | None:
        enums: dict[str, list[str | None]] = {}
        fields: dict[str, list[FieldFact]] = {}
        for node, qualname in class_nodes(ctx.tree, ctx.module):
            if not node.bases:
                continue
            members = _member_values(node)
            if members:
                enums[qualname] = members
            annotated = [(s.target.id, ctx.span(s.annotation), annotation_names(ctx, s.annotation))
                         for s in node.body
                         if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
            if any(names for _, _, names in annotated):
                fields[qualname] = [a for a in annotated if a[2]]
        stubs = _type_checking_stubs(ctx.tree, ctx.module)
        return ({"enums": enums, "fields": fields, "stubs": stubs}
                if enums or fields or stubs else None)

    def check(self, project: Project) -> Iterator[Diagnostic]:
        values = {q: v for facts in project.iter_files()
                  for q, v in facts.extra.get(self.code, {}).get("enums", {}).items()}
        stubs = {q for facts in project.iter_files()
                 for q in facts.extra.get(self.code, {}).get("stubs", ())}
        for facts in schema_files(project):
            for cls in facts.classes:
                if cls.qualname not in stubs and is_str_enum(project, cls.qualname):
                    yield self.diagnostic(
                        facts.path, cls.span,
                        f"str Enum '{cls.name}' in a schemas file: use a Literal type",
                        self._hint(cls.name, values.get(cls.qualname)))
        yield from self._fields(project, values, stubs)

    def _fields(self, project: Project, values: dict[str, list[str | None]],
                stubs: set[str]) -> Iterator[Diagnostic]:
        schema = project.resolve(project.config.schema_base)
        for facts in project.iter_files():
            for qualname, fields in facts.extra.get(self.code, {}).get("fields", {}).items():
                if not project.derives_from(qualname, schema):
                    continue
                for field, span, names in fields:
                    enum = next((t for t in map(project.resolve, names)
                                 if t not in stubs and is_str_enum(project, t)), None)
                    if enum is None:
                        continue
                    short = enum.rsplit(".", 1)[-1]
                    yield self.diagnostic(
                        facts.path, span,
                        f"schema field '{field}' is typed with the str Enum '{short}': "
                        f"use a Literal type", self._hint(short, values.get(enum)))

    @staticmethod
    def _hint(name: str, values: list[str | None] | None) -> str:
        if values and all(v is not None for v in values):
            literal = "Literal[" + ", ".join(python_string(v) for v in values) + "]"
            return f"use {literal} instead, e.g. {name} = {literal}"
        return f"use a Literal[...] of {name}'s values instead of the Enum"


def python_string(value: str | None) -> str:
    """``value`` as a double-quoted Python literal (``repr``'s escapes: a control character
    in an enum value never reaches the terminal raw, and the suggestion stays valid code)."""
    inner = repr(value)[1:-1]
    return '"' + (inner.replace('"', '\\"') if repr(value)[0] == "'" else inner) + '"'


def is_str_enum(project: Project, qualname: str) -> bool:
    """A project class that is a str-valued Enum: ``StrEnum``, or ``str`` and ``Enum`` among
    its bases, transitively."""
    if qualname not in project.classes:
        return False
    bases = set(project.mro_names(qualname))
    return bool(bases & STR_ENUM_BASES) or ("str" in bases and bool(bases & ENUM_BASES))


def _type_checking_stubs(tree: ast.Module, module: str) -> list[str]:
    """Classes defined at module level under ``if TYPE_CHECKING:`` with an empty body
    (``pass``, ``...``, a docstring): the type checker's view of a class built at runtime,
    whose members archguard cannot know."""
    stubs: list[str] = []
    stubbed: set[ast.ClassDef] = set()
    for statement in tree.body:
        if isinstance(statement, ast.If) and is_type_checking_test(statement.test):
            for node in statement.body:
                if isinstance(node, ast.ClassDef) and all(
                        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(
                            s.value, ast.Constant)) for s in node.body):
                    stubs.append(node.name)
                    stubbed.add(node)
    if not stubs:
        return []
    # A class of the same name defined elsewhere in the module is a definition archguard sees.
    seen = {node.name for node, _ in class_nodes(tree, module) if node not in stubbed}
    return [f"{module}.{name}" for name in stubs if name not in seen]


def _member_values(node: ast.ClassDef) -> list[str | None]:
    """The values of ``NAME = value`` members (None when not a literal string)."""
    values: list[str | None] = []
    for statement in node.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            continue
        name, value = statement.targets[0].id, statement.value
        if name.startswith("_"):
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            values.append(value.value)
        elif isinstance(value, ast.Call) and (dotted_name(value.func) or "").endswith("auto"):
            values.append(name.lower())
        else:
            values.append(None)
    return values
