"""The package reads as its pipeline: each folder is one stage, and imports between the stages
only go one way (a stage never imports a later one), so no two packages import each other.

The imports are read from the source (every import, including those inside functions and
under TYPE_CHECKING), the way archguard reads the code it checks.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import archguard

PACKAGE = Path(archguard.__file__).parent

# Lowest first: a module may import its own stage and the stages before it.
STAGES = ("diagnostics", "project", "analysis", "graph", "rules", "report", "engine",
          "semgrep", "run", "fix", "cli", "__main__", "__init__")
# The package itself, for its version: metadata, not a stage.
PACKAGE_METADATA = {"archguard", "archguard.__version__"}
TOP_LEVEL_FILES = {"__init__.py", "__main__.py", "cli.py", "diagnostics.py"}


def stage_of(module: str) -> str:
    """``archguard.analysis.facts`` -> ``analysis``; a name imported from ``archguard`` itself
    (the public API) is the package's ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else "__init__"


def module_name(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every archguard import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            if node.module and node.module.split(".")[0] == "archguard":
                names = [f"{node.module}.{a.name}" for a in node.names]
                found += [(node.lineno, name) for name in names] if node.module == "archguard" \
                    else [(node.lineno, node.module)]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.split(".")[0] == "archguard"]
    return found


def test_the_top_level_is_the_stages_and_the_command_line() -> None:
    files = {p.name for p in PACKAGE.iterdir() if p.suffix == ".py"}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert files == TOP_LEVEL_FILES
    assert folders == set(STAGES) - {Path(f).stem for f in TOP_LEVEL_FILES}


def backward_imports(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        source = stage_of(module_name(package, path))
        for line, target in imported_modules(path):
            if target not in PACKAGE_METADATA \
                    and STAGES.index(stage_of(target)) > STAGES.index(source):
                found.append(f"{path.relative_to(package)}:{line}: {source} -> {target}")
    return found


def test_no_stage_imports_a_later_stage() -> None:
    assert backward_imports(PACKAGE) == []


def test_a_backward_import_is_found_even_inside_a_function(tmp_path: Path) -> None:
    """Guards the test above against passing vacuously."""
    package = tmp_path / "archguard"
    (package / "analysis").mkdir(parents=True)
    (package / "analysis" / "facts.py").write_text(
        "from archguard.project.config import Config\n\n"
        "def f():\n    from archguard.run.runner import run_check\n")
    (package / "cli.py").write_text("from archguard import __version__\n")
    (package / "report.py").write_text("from archguard import Diagnostic\n")
    assert backward_imports(package) == [
        "analysis/facts.py:4: analysis -> archguard.run.runner",
        "report.py:1: report -> archguard.Diagnostic"]


def test_the_library_api_is_exposed_lazily() -> None:
    code = ("import sys, archguard\n"
            "assert 'archguard.run.runner' not in sys.modules, 'eager import'\n"
            "names = {n: getattr(archguard, n) for n in archguard.__all__}\n"
            "from archguard.run.runner import run_check\n"
            "assert names['run_check'] is run_check\n"
            "print(sorted(names))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == str(sorted(
        ["__version__", "run_check", "check_sources", "CheckRequest", "CheckReport",
         "Diagnostic", "ArchguardError", "Config"]))


def test_check_sources_through_the_public_api() -> None:
    from archguard import Config, Diagnostic, check_sources

    found = check_sources({"cpv3/modules/users/service.py": "from ..x import y\n"},
                          Config(), select=["AG201"])
    assert [(d.code, d.path, d.line) for d in found] == [
        ("AG201", "cpv3/modules/users/service.py", 1)]
    assert all(isinstance(d, Diagnostic) for d in found)
