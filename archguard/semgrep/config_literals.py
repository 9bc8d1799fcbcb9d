"""AG702's judgements that need the code around a literal, after the scan.

semgrep sees each literal on its own. Two kinds of URL are no configuration and are dropped:

* **A link for people, returned.** The rule leaves a URL alone when the name it is bound to
  says it is a link for people (``avatar_url = ...``, ``"weblink": ...``, ``data["icon"] =
  ...``: the regexes of ``hardcoded-config.yaml``). The same link built as the returned text
  of a function or property whose name says so (``def avatar_url(self)``, ``def
  icon_to_github_url(...)``) is the same thing written another way; semgrep cannot tie a
  literal to its function's name.
* **A URL over a Unix socket, through a client factory.** The rule leaves alone a URL given
  with ``transport=...Transport(uds=path)``; the same URL given beside a factory of this
  file whose body always passes ``uds=`` a value (outside any branch:
  ``StreamableHttpTransport(url="http://localhost/mcp",
  httpx_client_factory=_UDSClientFactory(path))``) reaches the socket too: its host is a
  placeholder.
* **A development-only value.** A literal in a branch the settings take only outside
  production (``if not settings.PRODUCTION:``, ``if settings.DEBUG:``, the ``else`` of ``if
  settings.PRODUCTION:``): the environment choice is the configuration, and the literal is
  the local default (the dev server's CORS origin).

A file that cannot be read or parsed keeps its findings.
"""

from __future__ import annotations

import ast
import re

from archguard.analysis.facts import dotted_name
from archguard.diagnostics import Diagnostic
from archguard.semgrep.trees import Trees

CODE = "AG702"
# the words of the YAML's name exemption (kept in step with it)
LINK_NAME = re.compile(r"(?i)(docs?(?!ker|ument)|documentation|guide|help|troubleshoot|tutorial|faq|"
                       r"author(?!i[sz])|homepage|website|repository|license|href|link|icon|"
                       r"logo|avatar|image|examples?)")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_PRODUCTION = frozenset({"production", "is_production", "prod", "is_prod"})
_DEVELOPMENT = frozenset({"debug", "dev", "is_dev", "development", "is_development", "local",
                          "is_local"})
_SETTINGS_OBJECT = re.compile(r"(?i)settings|config|conf$|^cfg$")


def drop_non_config_literals(trees: Trees, diagnostics: list[Diagnostic],
                             ) -> list[Diagnostic]:
    """``diagnostics`` without the AG702 findings of returned links, URLs over a Unix
    socket and development-only values."""
    candidates = [d for d in diagnostics if d.code == CODE]
    if not candidates:
        return diagnostics
    spans: dict[str, list[tuple[int, int]]] = {}
    dropped: set[int] = set()
    for diagnostic in candidates:
        if diagnostic.path not in spans:
            tree = trees.get(diagnostic.path)
            spans[diagnostic.path] = [] if tree is None else \
                _returned_link_spans(tree) + _development_spans(tree) + _socket_spans(tree)
        if any(start <= diagnostic.line <= end for start, end in spans[diagnostic.path]):
            dropped.add(id(diagnostic))
    return [d for d in diagnostics if id(d) not in dropped]


def _socket_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of the text arguments of a call that is also given a Unix-socket factory:
    a class or function of this module whose body passes ``uds=``, called or passed."""
    factories = {node.name for node in tree.body
                 if isinstance(node, (ast.ClassDef, *_FUNCTIONS)) and _always_uds(node)}
    if not factories:
        return []
    found: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        values = [*node.args, *(k.value for k in node.keywords)]
        if any(_names_factory(value, factories) for value in values):
            found += [(value.lineno, value.end_lineno or value.lineno)
                      for value in values if _is_text(value)]
    return found


_BRANCHES = (ast.If, ast.IfExp, ast.Match, ast.Try, ast.TryStar, ast.For, ast.AsyncFor,
             ast.While, ast.BoolOp)


def _always_uds(node: ast.AST) -> bool:
    """The class or function passes ``uds=`` a value (not None) outside any branch: its
    client always connects over the socket (one that only sometimes does is no proof)."""
    pending: list[ast.AST] = [node]
    while pending:
        current = pending.pop()
        for child in ast.iter_child_nodes(current):
            if isinstance(child, _BRANCHES):
                continue
            if isinstance(child, ast.keyword) and child.arg == "uds" and not (
                    isinstance(child.value, ast.Constant) and child.value.value is None):
                return True
            pending.append(child)
    return False


def _names_factory(value: ast.expr, factories: set[str]) -> bool:
    target = value.func if isinstance(value, ast.Call) else value
    return isinstance(target, ast.Name) and target.id in factories


def _development_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of the branches taken only outside production: the body of ``if not
    <settings>.PRODUCTION``/``if <settings>.DEBUG`` and the ``else`` of ``if
    <settings>.PRODUCTION`` (an attribute of an object named like settings or config)."""
    found: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.If):
            continue
        test = node.test
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        flag = _settings_flag(test.operand if isinstance(test, ast.UnaryOp) and negated
                              else test)
        if flag is None:
            continue
        production = flag in _PRODUCTION
        branch = node.body if production == negated else node.orelse
        if branch is node.orelse and len(branch) == 1 and isinstance(branch[0], ast.If):
            continue  # an elif: another deployment (staging), not the local default
        if branch:
            found.append((branch[0].lineno, branch[-1].end_lineno or branch[-1].lineno))
    return found


def _settings_flag(test: ast.expr) -> str | None:
    """``settings.PRODUCTION`` -> ``production``, for a production or development flag of
    an object named like settings or config; None otherwise."""
    if not isinstance(test, ast.Attribute):
        return None
    owner = dotted_name(test.value) or ""
    if not _SETTINGS_OBJECT.search(owner.rpartition(".")[2]):
        return None
    flag = test.attr.lower()
    return flag if flag in _PRODUCTION or flag in _DEVELOPMENT else None


def _returned_link_spans(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of the text values link-named functions return (the innermost function
    owns a ``return``; a returned call, ``httpx.get(url).content``, fetches the URL)."""
    found: list[tuple[int, int]] = []
    pending: list[tuple[ast.AST, str | None]] = [(tree, None)]
    while pending:
        node, owner = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCTIONS):
                pending.append((child, child.name))
            elif isinstance(child, ast.Return) and _is_text(child.value) and \
                    owner is not None and LINK_NAME.search(owner):
                end = child.value.end_lineno or child.value.lineno
                found.append((child.value.lineno, end))
            else:
                pending.append((child, owner))
    return found


def _is_text(value: ast.expr | None) -> bool:
    """A string built in place: a literal, an f-string, a ``+``/``%`` of them, or
    ``"...".format(...)``."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    if isinstance(value, ast.JoinedStr):
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mod)):
        return _is_text(value.left) or _is_text(value.right)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
        value.func.attr == "format" and _is_text(value.func.value)
