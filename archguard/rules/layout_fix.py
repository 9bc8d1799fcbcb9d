"""The role-file templates (``archguard scaffold`` and AG103's fix): a new module's six files,
each passing every rule, and each standing alone (a template never imports another role
file, so creating one next to existing files cannot break an import)."""

from __future__ import annotations

import re

from archguard.project.config import Config
from archguard.rules.fixing import FixOutput, FixRequest, module_path

TEMPLATES = {
    "init": '"""The {module} module."""\n',
    "models": ('"""Database models of the {module} module: its tables, on the project\'s '
               'Base and BaseModelMixin."""\n\nfrom __future__ import annotations\n'),
    "schemas": ('"""Request and response schemas of the {module} module."""\n\n'
                "from __future__ import annotations\n\n"
                "from {schema_module} import {schema}\n\n\n"
                "class {Class}Read({schema}):\n    id: int\n"),
    "repository": ('"""Data access of the {module} module: the only code that queries its '
                   'tables."""\n\n'
                   "from __future__ import annotations\n\n"
                   "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
                   "class {Class}Repository:\n"
                   "    def __init__(self, session: AsyncSession) -> None:\n"
                   "        self._session = session\n"),
    "service": ('"""Business logic of the {module} module."""\n\n'
                "from __future__ import annotations\n\n"
                "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
                "class {Class}Service:\n"
                "    def __init__(self, session: AsyncSession) -> None:\n"
                "        self._session = session\n"),
    "router": ('"""HTTP routes of the {module} module."""\n\n'
               "from __future__ import annotations\n\n"
               "from fastapi import APIRouter\n\n"
               'router = APIRouter(prefix="/{slug}", tags=["{module}"])\n'),
}


# schemas.py when the configured schema base is not in the project (no broken import)
SCHEMAS_WITHOUT_BASE = ('"""Request and response schemas of the {module} module (derive them '
                        'from {schema_module}.{schema})."""\n\n'
                        "from __future__ import annotations\n")


def role_file_text(role: str, module: str, config: Config, has_schema_base: bool = True,
                   ) -> str:
    schema_module, _, schema = config.schema_base.rpartition(".")
    template = TEMPLATES[role] if role != "schemas" or has_schema_base else SCHEMAS_WITHOUT_BASE
    return template.format(
        module=module, Class="".join(part.title() for part in module.split("_")),
        slug=module.replace("_", "-"), schema_module=schema_module, schema=schema)


def module_files(folder: str, config: Config, project_files: tuple[str, ...],
                 ) -> dict[str, str]:
    """Path (relative to the root) -> text of each role file of the module folder ``folder``
    (relative to the root): each role's first file name, ``{module}`` filled in. A role
    with no file names, or whose first one is a glob, gets none (there is no name to give)."""
    folder = folder.strip("/")
    module = folder.rsplit("/", 1)[-1]
    has_base = module_path(config.schema_base.rpartition(".")[0], project_files) is not None
    files = {}
    for role in config.roles.patterns:
        names = config.roles.expected(role, module)
        if names and "*" not in names[0]:
            files[f"{folder}/{names[0]}"] = role_file_text(role, module, config, has_base)
    return files


def create_missing_files(request: FixRequest) -> FixOutput:
    """AG103: the module folder's missing role files, from the templates."""
    output = FixOutput()
    present = set(request.project_files)
    files = module_files(request.path, request.config, request.project_files)
    named = {path for path in files for finding in request.findings
             if re.search(rf"(?<![\w./]){re.escape(path.rsplit('/', 1)[-1])}(?!\w)",
                          finding.message)}
    for path, text in files.items():  # the files the findings name (all when none is)
        if (path in named or not named) and path not in present and \
                not (request.root / path).exists():
            output.changes[path] = text
    if not output.changes:
        for finding in request.findings:
            output.skip(finding, "no role file is missing any more")
    return output
