"""AG703's judgements that need more than the line semgrep matched.

semgrep sees each ``os.environ`` read on its own. Two kinds of read are no setting of the
application, and are dropped after the scan:

* **A standalone script's** (unless ``allow-env-in-scripts = false``): a module run as a
  program (a module-level ``if __name__ == "__main__":``) that imports nothing from its own
  package cannot read the settings module without importing the package it deliberately
  stays out of (a sandbox runner kept cold-start cheap, an entry point exec'd in a jail). A
  guess: the script might just as well import the package. The same goes for the body of
  any module's ``if __name__ == "__main__":`` block (a connector's manual test harness).
* **A hand-off**: a variable, read by a literal name, that the package itself writes into
  an environment it builds for a child process: a mapping whose name says so (``env``,
  ``sandbox_env``, ``env_vars``, ``environment``; never ``os.environ``) written by key
  (``env["RUN_TOKEN"] = ...``), ``update``/``setdefault`` or a dict display assigned to it,
  or the ``env=`` argument of a call. The child reads back its parent's value, not the
  deployment's. Writes in test files do not count; a credentials dict that happens to use
  variable names (``{"AWS_ACCESS_KEY_ID": ...}``) is no environment; and a variable the
  settings module itself reads is a setting, handed on or not (the child could read it
  from the settings module).

A file that cannot be read or parsed keeps its findings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archguard.analysis.facts import dotted_name
from archguard.analysis.parsing import ParsedSource, parse_source
from archguard.analysis.scope import is_test_file
from archguard.diagnostics import Diagnostic
from archguard.project.config import Config
from archguard.project.fileio import read_regular
from archguard.semgrep.trees import Trees

CODE = "AG703"
_ENVIRON = frozenset({"os.environ", "environ", "os.environb", "environb"})
_READERS = frozenset({"get", "pop"})  # os.environ.get / .pop
_ENV_NAME = re.compile(r"(?i)(^|_)env(iron(ment)?)?(s|_vars?|_variables?)?(_|$)")


def drop_non_setting_reads(trees: Trees, diagnostics: list[Diagnostic], config: Config,
                           files: list[str]) -> list[Diagnostic]:
    """``diagnostics`` without the AG703 findings of standalone scripts and hand-offs."""
    findings = [d for d in diagnostics if d.code == CODE]
    if not findings:
        return diagnostics
    parsed = {path: trees.get(path) for path in {d.path for d in findings}}
    scripts = {path for path, tree in parsed.items() if tree is not None
               and config.allow_env_in_scripts and _is_standalone_script(tree, config.package)}
    mains = {path: _main_blocks(tree) if config.allow_env_in_scripts and tree is not None
             else [] for path, tree in parsed.items()}
    read = {id(d): _name_read(parsed[d.path], d.line) for d in findings
            if d.path not in scripts}
    handed = _handed_off({name for name in read.values() if name}, trees.root, files, config)
    return [d for d in diagnostics if not (d.code == CODE and (
        d.path in scripts or read.get(id(d)) in handed
        or any(start <= d.line <= end for start, end in mains[d.path])))]


def _main_blocks(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of the module's ``if __name__ == "__main__":`` bodies: the program the
    module is when run (a connector's manual test harness), not the application's code."""
    return [(s.body[0].lineno, s.body[-1].end_lineno or s.body[-1].lineno) for s in tree.body
            if _is_main_guard(s) and isinstance(s, ast.If) and s.body]  # not its else


def _is_standalone_script(tree: ast.Module, package: str) -> bool:
    return any(_is_main_guard(statement) for statement in tree.body) and \
        not _imports_package(tree, package.partition(".")[0])


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


def _name_read(tree: ast.Module | None, line: int) -> str | None:
    """The literal variable name the read on ``line`` asks for (``os.environ["X"]``,
    ``os.environ.get("X")``, ``os.getenv("X")``), or None."""
    if tree is None:
        return None
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) != line:
            continue
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript) and dotted_name(node.value) in _ENVIRON:
            key = node.slice
        elif isinstance(node, ast.Call) and node.args and _reads_environment(node.func):
            key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _reads_environment(func: ast.expr) -> bool:
    """``os.getenv``/``getenv``, or ``get``/``pop`` of ``os.environ`` (not ``headers.get``)."""
    name = dotted_name(func) or ""
    owner, _, attr = name.rpartition(".")
    return name in ("os.getenv", "getenv", "os.getenvb", "getenvb") or (
        owner in _ENVIRON and attr in _READERS)


def _handed_off(names: set[str], root: Path, files: list[str], config: Config) -> set[str]:
    """The ``names`` some package file (not a test) writes into a child's environment.
    Only files spelling one of the names in quotes are parsed."""
    if not names:
        return set()
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    spelled = re.compile(rf"""(["'])({alternatives})\1""".encode())
    found: set[str] = set()
    settings = set(config.settings_modules)
    declared: set[str] = set()  # names the settings module spells: settings, handed on
    for path in files:
        if is_test_file(path, config.tests_dir):
            continue
        try:
            data = read_regular(root / path)[1]
        except OSError:
            continue
        if path in settings:
            declared.update(m[2].decode() for m in spelled.finditer(data))
        if spelled.search(data) is None:
            continue
        parsed = parse_source(data)
        if isinstance(parsed, ParsedSource):
            found |= _environment_keys(parsed.tree) & names
    return found - declared


def _is_environment(node: ast.expr) -> bool:
    """A mapping named as an environment (``env``, ``self.child_env``), not ``os.environ``."""
    name = dotted_name(node)
    return name is not None and name not in _ENVIRON and \
        _ENV_NAME.search(name.rpartition(".")[2]) is not None


def _keys(node: ast.expr | None) -> list[str]:
    """The string keys of a dict display, or of ``dict(K=v, ...)``."""
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant)
                and isinstance(k.value, str)]
    if isinstance(node, ast.Call) and dotted_name(node.func) == "dict":
        return [k.arg for k in node.keywords if k.arg]
    return []


def _environment_keys(tree: ast.Module) -> set[str]:
    """Variable names written into an environment mapping: ``env["X"] = v``,
    ``env = {"X": v}``, ``env.update({"X": v})``/``env.update(X=v)``,
    ``env.setdefault("X", v)``, ``f(env={"X": v})``."""
    written: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_environment(target.value) and \
                        isinstance(target.slice, ast.Constant) and \
                        isinstance(target.slice.value, str):
                    written.add(target.slice.value)
                elif _is_environment(target):
                    written.update(_keys(node.value))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and _is_environment(func.value):
                if func.attr == "update":
                    written.update(k.arg for k in node.keywords if k.arg)
                    for arg in node.args:
                        written.update(_keys(arg))
                elif func.attr == "setdefault" and node.args and \
                        isinstance(node.args[0], ast.Constant) and \
                        isinstance(node.args[0].value, str):
                    written.add(node.args[0].value)
            for keyword in node.keywords:
                if keyword.arg == "env":
                    written.update(_keys(keyword.value))
    return written
