"""AG1xx: the module folder layout (one file per role, flat folders, the configured modules).

Only Python files take part; shared folders and folders without Python code are no modules.
Messages name the role and the file names the configuration expects for it."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.analysis.facts import Span
from archguard.analysis.project_view import Project
from archguard.diagnostics import UNSAFE, Diagnostic
from archguard.project.layout import ModuleFolder, is_test_path
from archguard.rules.registry import Fixer, ProjectRule, register
from archguard.rules.repositories import is_data_layer_file

FILE_START = Span(1, 1, 1, 1)
LAYOUT_CONFIG = ("Role file names: `[tool.archguard.roles]`; the modules folder: `modules-dir`; "
                 "the module list: `module-names` (`[]` accepts any module, and judges only folders "
                 "holding a router, service, models or repository file).")


def _folder_path(project: Project, folder: ModuleFolder, *parts: str) -> str:
    return "/".join([project.config.layout.folder_path(folder), *parts])


def role_file(project: Project, folder: ModuleFolder, role: str) -> str:
    """`the module's service (service.py)`: a role, and its file when the module has one."""
    roles = project.config.roles
    found = next((p for p in folder.python_paths() if roles.role_of(p, folder.name) == role),
                 None)
    return f"the module's {role}" + (f" ({found})" if found else "")


def expected_files(project: Project, role: str, module: str) -> str:
    """``cruds_loan.py or repository.py``: what a message says a role's file is called."""
    return " or ".join(project.config.roles.expected(role, module))


class LayoutRule(ProjectRule):
    example_path = "cpv3/modules/users/__init__.py"
    configuration = LAYOUT_CONFIG

    def check(self, project: Project) -> Iterator[Diagnostic]:
        if not project.modules_dir_exists:
            return
        layout = project.config.layout
        for folder in project.module_folders:
            if layout.is_judged(folder) and (project.config.module_names or any(
                    role != "repository" or is_data_layer_file(
                        project, _folder_path(project, folder, path))
                    for path, role in layout.evidence(folder))):
                yield from self.check_folder(project, folder)

    def check_folder(self, project: Project, folder: ModuleFolder) -> Iterator[Diagnostic]:
        return iter(())


@register
class ExtraModuleFile(LayoutRule):
    """Every module folder holds exactly the six role files. A `utils.py`, `helpers.py`,
    `constants.py` or `exceptions.py` inside a module splits its logic where nobody looks
    for it."""

    code = "AG101"
    name = "extra-module-file"
    summary = "A file in a module folder that is not one of the six role files"
    rulebook = ("Extra files beyond the standard 6 — no `utils.py`, `helpers.py`, "
                "`constants.py`, `exceptions.py` inside a module.")
    hint = ("move utilities into {service_file} or {shared_dir}, constants to the top of "
            "the file that uses them")
    bad = "cpv3/modules/media/utils.py"
    good = "cpv3/modules/media/service.py"

    def check_folder(self, project: Project, folder: ModuleFolder) -> Iterator[Diagnostic]:
        roles, layout = project.config.roles, project.config.layout
        for name in folder.files:
            if (name.endswith(".py") and roles.role_of(name, folder.name) is None
                    and not is_test_path(name) and not layout.layout_ignored(folder, name)):
                yield self.diagnostic(
                    _folder_path(project, folder, name), FILE_START,
                    f"'{name}' is not one of the six module files of module '{folder.name}'",
                    f"move utilities into {role_file(project, folder, 'service')} or into "
                    f"shared code, constants to the top of the file that uses them")


@register
class ModuleSubdirectory(LayoutRule):
    """Modules are flat: a subdirectory inside a module (`helpers/`, `utils/`) is forbidden.
    `__pycache__` and dot-folders are ignored."""

    code = "AG102"
    name = "module-subdirectory"
    summary = "A subdirectory inside a module folder"
    rulebook = ("Subdirectories within modules — modules are flat. No "
                "`modules/users/helpers/`, no `modules/media/utils/`.")
    hint = "put the code in {service_file}, or in {shared_dir} if it is cross-cutting"
    bad = "cpv3/modules/jobs/helpers/retry.py"
    good = "cpv3/modules/jobs/service.py"

    def check_folder(self, project: Project, folder: ModuleFolder) -> Iterator[Diagnostic]:
        roles, layout = project.config.roles, project.config.layout
        for name in folder.subdirs:
            if (not folder.holds_python(name) or roles.allows_subfolder(name, folder.name)
                    or is_test_path(name) or layout.layout_ignored(folder, name)):
                continue
            yield self.diagnostic(
                _folder_path(project, folder, name), FILE_START,
                f"module '{folder.name}' has a subdirectory '{name}/': modules are flat",
                f"put the code in {role_file(project, folder, 'service')}, or in shared code "
                f"if it is cross-cutting")


@register
class MissingModuleFile(LayoutRule):
    """Each module has all six role files, so every reader knows where the models, schemas,
    queries, logic and endpoints of a module live. Reported once on the module folder,
    naming every missing file."""

    code = "AG103"
    name = "missing-module-file"
    summary = "A module folder that lacks one of the six role files"
    rulebook = ("Every module in `cpv3/modules/` contains exactly these files — no more, no "
                "subdirectories")
    hint = "add the missing file (an empty __init__.py is fine)"
    bad = "cpv3/modules/webhooks/ without repository.py"
    good = "cpv3/modules/webhooks/repository.py"

    fix_summary = ("creates the missing role file from the template `archguard scaffold` "
                   "uses (it passes every rule and imports no other role file); unsafe: the "
                   "new file is a starting point that still needs its code")
    fix_applicability = UNSAFE

    def fixer(self) -> Fixer:
        from archguard.rules.layout_fix import create_missing_files

        return create_missing_files

    def check_folder(self, project: Project, folder: ModuleFolder) -> Iterator[Diagnostic]:
        roles = project.config.roles
        present = {roles.role_of(path, folder.name) for path in folder.python_paths()}
        missing = [role for role, patterns in roles.patterns.items()
                   if patterns and role not in present]
        if not missing:
            return
        # one finding per folder (one place, one fix), naming every missing role
        expected = "; ".join(expected_files(project, role, folder.name) for role in missing)
        if len(missing) == 1:
            role = missing[0]
            hint = (f"add the {role}'s file (an empty one is fine), or set the {role}'s file "
                    f"names in [tool.archguard.roles]")
        else:
            hint = ("add the missing files (empty ones are fine), or set the roles' file names "
                    "in [tool.archguard.roles]")
        yield self.diagnostic(_folder_path(project, folder), FILE_START,
                              f"module '{folder.name}' has no {', '.join(missing)} ({expected})",
                              hint, fix=UNSAFE)


@register
class UnexpectedModule(LayoutRule):
    """The backend has a fixed set of modules; a new folder under modules-dir is either a new
    domain (add it to `module-names`) or code in the wrong place."""

    code = "AG104"
    name = "unexpected-module"
    summary = "A module folder that is not in the configured module list"
    rulebook = ("The 11 Modules: `users`, `projects`, `media`, `files`, `transcription`, "
                "`captions`, `jobs`, `notifications`, `tasks`, `webhooks`, `system`")
    hint = "add the module to module-names in [tool.archguard], or move the code"
    bad = "cpv3/modules/billing/"
    good = "cpv3/modules/users/"

    def check_folder(self, project: Project, folder: ModuleFolder) -> Iterator[Diagnostic]:
        names = project.config.module_names
        if names and folder.name not in names:
            yield self.diagnostic(
                _folder_path(project, folder), FILE_START,
                f"module '{folder.name}' is not one of the configured modules")


@register
class MissingModule(ProjectRule):
    """Every configured module exists. A missing folder usually means a renamed or deleted
    module that the config (or the rest of the code) still expects. Reported on the modules
    folder."""

    code = "AG105"
    name = "missing-module"
    summary = "A configured module that has no folder"
    rulebook = UnexpectedModule.rulebook
    hint = "create the module folder, or remove it from module-names"
    bad = "module-names lists 'webhooks' but cpv3/modules/webhooks/ does not exist"
    good = "cpv3/modules/webhooks/ with its six files"
    example_path = LayoutRule.example_path
    configuration = LAYOUT_CONFIG

    def check(self, project: Project) -> Iterator[Diagnostic]:
        if not project.modules_dir_exists:
            return
        present = {folder.name for folder in project.module_folders}
        dirs = project.config.modules_dirs
        for name in project.config.module_names:
            if name not in present:
                yield self.diagnostic(
                    dirs[0], FILE_START,
                    f"configured module '{name}' has no folder in {' or '.join(dirs)}")
