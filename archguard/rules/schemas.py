"""AG3xx: Pydantic schemas go through the project's Schema base."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.diagnostics import Diagnostic
from archguard.project import Project
from archguard.registry import ProjectRule, register

PYDANTIC_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.RootModel",
    "pydantic.root_model.RootModel", "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
    "pydantic.generics.GenericModel",
})


@register
class SchemaBase(ProjectRule):
    """All Pydantic models inherit from the project's `Schema` (which sets
    `from_attributes=True`), never from raw `BaseModel`: otherwise returning ORM objects
    from endpoints fails at runtime and config drifts between schemas. Any import or alias
    form of `pydantic.BaseModel`/`RootModel` counts; a class deriving from another project
    class that derives from Schema (in any file) is fine; the Schema definition itself is
    exempt; `BaseSettings` is not a schema. Only the class that names the raw base is
    reported, not its subclasses."""

    code = "AG301"
    name = "schema-base"
    summary = "A Pydantic model that does not derive from the configured Schema base"
    rulebook = ("**Always** inherit from `cpv3.common.schemas.Schema` (Pydantic with "
                "`from_attributes=True`) — never from raw `BaseModel`")
    hint = "derive from cpv3.common.schemas.Schema instead of pydantic.BaseModel"
    configuration = "The base class: `schema-base` (default `cpv3.common.schemas.Schema`)."
    example_path = "cpv3/modules/media/schemas.py"
    bad = ("from __future__ import annotations\n\nfrom pydantic import BaseModel\n\n\n"
           "class MediaRead(BaseModel):\n    id: int\n")
    good = ("from __future__ import annotations\n\nfrom cpv3.common.schemas import Schema\n\n\n"
            "class MediaRead(Schema):\n    id: int\n")

    def check(self, project: Project) -> Iterator[Diagnostic]:
        schema = project.config.schema_base
        for facts in project.iter_files():
            for cls in facts.classes:
                if cls.qualname == schema:
                    continue
                direct = [project.resolve(base) for base in cls.bases if base]
                raw = [base for base in direct if base in PYDANTIC_BASES]
                if raw and not project.derives_from(cls.qualname, schema):
                    yield self.diagnostic(
                        facts.path, cls.span,
                        f"schema '{cls.name}' derives from {raw[0]} instead of {schema}")
