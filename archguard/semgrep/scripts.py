"""AG703's one judgement that needs the whole file: a standalone script.

semgrep sees each ``os.environ`` read on its own. A module run as a program (a module-level
``if __name__ == "__main__":``) that imports nothing from its own package cannot read the
settings module without importing the package it deliberately stays out of (a sandbox
runner kept cold-start cheap, an entry point exec'd in a jail that gets its run's values
through the environment its parent wrote). Its reads are dropped unless
``allow-env-in-scripts = false``. A guess (the script might just as well import the
package); a file that cannot be read or parsed keeps its findings.
"""

from __future__ import annotations

import ast
from pathlib import Path

from archguard.analysis.parsing import ParsedSource, parse_source
from archguard.diagnostics import Diagnostic
from archguard.project.config import Config
from archguard.project.fileio import read_regular

CODE = "AG703"


def drop_script_env_reads(root: Path, diagnostics: list[Diagnostic], config: Config,
                          ) -> list[Diagnostic]:
    """``diagnostics`` without the AG703 findings of standalone scripts."""
    if not config.allow_env_in_scripts:
        return diagnostics
    paths = {d.path for d in diagnostics if d.code == CODE}
    if not paths:
        return diagnostics
    scripts = {path for path in paths if _is_standalone_script(root, path, config.package)}
    return [d for d in diagnostics if not (d.code == CODE and d.path in scripts)]


def _is_standalone_script(root: Path, path: str, package: str) -> bool:
    try:
        parsed = parse_source(read_regular(root / path)[1])
    except OSError:  # UnreadableFile included
        return False
    if not isinstance(parsed, ParsedSource):
        return False
    body = parsed.tree.body
    return any(_is_main_guard(statement) for statement in body) and \
        not _imports_package(parsed.tree, package.partition(".")[0])


def _is_main_guard(statement: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either operand order)."""
    if not isinstance(statement, ast.If) or not isinstance(statement.test, ast.Compare):
        return False
    test = statement.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    operands = (test.left, test.comparators[0])
    return any(isinstance(o, ast.Name) and o.id == "__name__" for o in operands) and \
        any(isinstance(o, ast.Constant) and o.value == "__main__" for o in operands)


def _imports_package(tree: ast.Module, top: str) -> bool:
    """Any import of the package, anywhere in the file (a relative import is one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").partition(".")[0] == top:
                return True
        elif isinstance(node, ast.Import):
            if any(alias.name.partition(".")[0] == top for alias in node.names):
                return True
    return False
