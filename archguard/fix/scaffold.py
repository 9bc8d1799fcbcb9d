"""``archguard scaffold MODULE``: a new module's six role files from the templates that
AG103's fix uses (archguard.rules.layout_fix)."""

from __future__ import annotations

import re
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.fix.atomic import atomic_write_text
from archguard.project.discovery import locate_project, package_files
from archguard.rules.layout_fix import module_files

MODULE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def scaffold_module(module: str, path: Path, config_file: Path | None) -> str:
    """Writes the files; returns what to tell the user. The folder must not exist yet."""
    if not MODULE_NAME.match(module):
        raise ArchguardError(f"module name '{module}' must be a lower-case Python identifier")
    location = locate_project([path], config_file)
    modules_dir = location.config.modules_dirs[0]  # a new module goes to the first one
    files = module_files(f"{modules_dir}/{module}", location.config,
                         tuple(package_files(location)))
    folder = location.root / modules_dir / module
    if folder.exists():
        raise ArchguardError(f"{folder} already exists; 'archguard check --fix --unsafe-fixes "
                             "--select AG103' creates the role files it lacks")
    for relative, text in files.items():
        atomic_write_text(location.root / relative, text)
    lines = [f"archguard: created {len(files)} files in {folder.relative_to(location.root)}/"]
    if module not in location.config.module_names:
        lines.append(f"archguard: add '{module}' to module-names in [tool.archguard] "
                     "(otherwise AG104 reports it)")
    return "\n".join(lines)
