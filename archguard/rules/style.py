"""AG6xx/AG8xx (style): short functions, typed public signatures, no needless abstraction."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from archguard.analysis.context import FileContext
from archguard.analysis.astindex import nodes_of
from archguard.analysis.facts import ClassFact, Span
from archguard.analysis.patterns import (
    OVERLOAD, PROTOCOL, ScopedFunction, any_in_annotation, class_nodes, has_decorator,
    may_name_any, scoped_functions, signature_parameters, walk_scope,
)
from archguard.analysis.project_view import Project
from archguard.diagnostics import SAFE, Diagnostic
from archguard.rules.registry import FileRule, Fixer, ProjectRule, register

FILE_START = Span(1, 1, 1, 1)


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


def code_lines(source: str, tree: ast.AST) -> set[int]:
    """Lines holding code: not blank and not comment-only, and every line of a multi-line
    string. Read from the lines and the tree's string spans (tokenizing the file was a
    quarter of a cold run on real code); a multi-line string whose span is not one string
    token (implicit concatenation across lines) is settled by the tokenizer."""
    lines = source.split("\n")  # the tokenizer's numbering: readline splits at "\n" only
    code = {number for number, text in enumerate(lines, start=1)
            if (stripped := text.strip()) and not stripped.startswith("#")}
    for node in nodes_of(tree, ast.Constant, ast.JoinedStr):
        first, last = node.lineno, node.end_lineno or node.lineno
        if last == first or (isinstance(node, ast.Constant)
                             and not isinstance(node.value, (str, bytes))):
            continue
        inner = range(first + 1, last + 1)
        if all(line in code for line in inner):
            continue
        if not _one_string_token(lines, node):
            return _tokenized_code_lines(source)
        code.update(inner)
    return code


_STRING_START = re.compile(rb"[rRbBuUfF]{0,2}('{3}|\"{3})")  # a triple-quoted opening


def _one_string_token(lines: list[str], node: ast.expr) -> bool:
    """Whether a multi-line string node is a single triple-quoted token (so every line of
    its span is inside the string)."""
    first, last = node.lineno, node.end_lineno or node.lineno
    text = "\n".join(lines[first - 1:last]).encode()
    end = len(text) - len(lines[last - 1].encode()) + (node.end_col_offset or 0)
    segment = text[node.col_offset:end]
    opening = _STRING_START.match(segment)
    if opening is None:
        return False
    quote = opening.group(1)
    body = segment[opening.end():]
    return body.endswith(quote) and quote not in body[:-3]


def _tokenized_code_lines(source: str) -> set[int]:
    """Lines holding any token but comments and layout; every line if the tokenizer
    disagrees with the parser."""
    import io
    import tokenize

    not_code = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                tokenize.DEDENT, tokenize.ENDMARKER}
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in not_code:
                lines.update(range(token.start[0], token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return set(range(1, source.count("\n") + 2))
    return lines


def body_length(function: ast.FunctionDef | ast.AsyncFunctionDef, code: set[int]) -> int:
    """Code lines from the first statement after the docstring to the end of the def."""
    body = function.body[1:] if _is_docstring(function.body[0]) else function.body
    if not body:
        return 0
    first = body[0]
    decorators = getattr(first, "decorator_list", [])
    start = min([first.lineno, *(d.lineno for d in decorators)])
    end = function.end_lineno or first.lineno
    return sum(1 for line in range(start, end + 1) if line in code)


def _outermost_within(node: ast.AST, functions: list[ast.AST]) -> list[ast.AST]:
    """The functions of ``functions`` nested in ``node`` and in none of the others."""
    inside = [f for f in functions if f is not node and _encloses(node, f)]
    return [f for f in inside if not any(g is not f and _encloses(g, f) for g in inside)]


def _encloses(outer: ast.AST, inner: ast.AST) -> bool:
    return outer.lineno <= inner.lineno and (  # type: ignore[attr-defined]
        inner.end_lineno <= outer.end_lineno)  # type: ignore[attr-defined]


def _span_length(function: ast.AST, code: set[int]) -> int:
    """Code lines of the whole def, decorators and header included."""
    start = min([function.lineno,  # type: ignore[attr-defined]
                 *(d.lineno for d in getattr(function, "decorator_list", []))])
    return sum(1 for line in range(start, function.end_lineno + 1)  # type: ignore[attr-defined]
               if line in code)


@register
class LongFunction(FileRule):
    """Short functions are read, tested and reviewed as one idea; a long one mixes several
    and hides its early returns. A function or method whose body is longer than
    `max-function-lines` (default 30) is reported at its `def` line with its length. The
    body is counted from the first statement after the docstring to the function's last
    line; blank lines and comment-only lines are not counted (spacing and explanations
    should never push a function over), every line of a multi-line string is. A nested
    function is measured on its own and its lines also count for the function around it,
    unless it is reported itself: then it counts as one line there, so a wrapper holding
    one long inner function is not a second finding for the same body. Migrations and
    generated files are not checked."""

    code = "AG602"
    name = "long-function"
    summary = "A function whose body is longer than the configured number of lines"
    rulebook = ("**Simple over clever** — early returns over deep nesting, max ~30 lines per "
                "function")
    hint = "extract well-named helpers so each function does one thing"
    configuration = "`[tool.archguard.style] max-function-lines = 30`."
    bad = ("from __future__ import annotations\n\n\n"
           "def total(values: list[int]) -> int:\n"
           "    result = 0\n"
           + "".join(f"    result += values[{i}]\n" for i in range(30))
           + "    return result\n")
    good = ("from __future__ import annotations\n\n\n"
            "def total(values: list[int]) -> int:\n"
            "    return sum(values)\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        limit = ctx.config.style.max_function_lines
        # only a def spanning more lines than the limit can exceed it: skip counting the rest
        candidates = [s for s in scoped_functions(ctx.tree)
                      if (s.node.end_lineno or s.node.lineno) - s.node.lineno >= limit]
        if not candidates:
            return
        code = code_lines(ctx.source, ctx.tree)
        lengths = {id(s.node): body_length(s.node, code) for s in candidates}
        long = [s.node for s in candidates if lengths[id(s.node)] > limit]
        for scoped in candidates:
            node = scoped.node
            length = lengths[id(node)] - sum(
                _span_length(inner, code) - 1 for inner in _outermost_within(node, long))
            if length > limit:
                yield self.report(ctx, ctx.def_span(node),
                                  f"'{scoped.qualname}' is {length} lines long (max {limit})")


# From this Python on, annotations are evaluated lazily without the import (PEP 649/749).
DEFERRED_ANNOTATIONS = (3, 14)


@register
class FutureAnnotations(FileRule):
    """`from __future__ import annotations` makes every annotation lazy: forward references
    need no quotes, imports used only in annotations can move under `TYPE_CHECKING`, and the
    whole codebase evaluates annotations the same way. Every file of the package must start
    with it; a file with no statement besides an optional docstring (an empty
    `__init__.py`) is exempt, and so are migrations and generated files. So is a file with
    no annotation anywhere (no parameter, return or variable annotation, nested functions
    and classes included: constants, enums, a vendored untyped helper): the import would
    change nothing there, and it is reported once the file gains its first annotation.
    Nor is any file of a project whose oldest Python (`python-version`, else `[project]
    requires-python`) is 3.14 or newer: annotations are deferred there (PEP 649), which is
    what the import was for. Reported at line 1."""

    code = "AG801"
    ruff = ("I002",)
    ruff_overlap = (
        "ruff's I002 does the same when `lint.isort.required-imports` holds `from __future__ "
        'import annotations`; FA102 covers only files that use PEP 604/585 syntax')
    name = "future-annotations"
    summary = "A package file without `from __future__ import annotations`"
    rulebook = ("**Python 3.11+** with `from __future__ import annotations` for forward "
                "references")
    hint = "add 'from __future__ import annotations' as the first import"
    bad = ("from cpv3.modules.users.schemas import UserRead\n\n\n"
           "def name(user: UserRead) -> str:\n    return user.email\n")
    good = ("from __future__ import annotations\n\n"
            "from cpv3.modules.users.schemas import UserRead\n\n\n"
            "def name(user: UserRead) -> str:\n    return user.email\n")

    fix_summary = ("adds `from __future__ import annotations` after the module docstring, "
                   "shebang, encoding line and leading comments")
    fix_applicability = SAFE

    def fixer(self) -> Fixer:
        from archguard.rules.style_fix import add_future_import

        return add_future_import

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if (ctx.config.oldest_python or (3, 0)) >= DEFERRED_ANNOTATIONS:
            return
        body = ctx.tree.body
        if not [s for i, s in enumerate(body) if not (i == 0 and _is_docstring(s))]:
            return
        for statement in body:
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__" \
                    and any(alias.name == "annotations" for alias in statement.names):
                return
        if not has_annotation(ctx.tree):
            return
        yield self.report(ctx, FILE_START,
                          "missing 'from __future__ import annotations'", fix=SAFE)


def has_annotation(tree: ast.AST) -> bool:
    """Any parameter, return or variable annotation in the file (``X = Annotated[...]`` is
    an assignment, not an annotation: evaluated at import either way)."""
    if nodes_of(tree, ast.AnnAssign):
        return True
    if any(node.returns is not None
           for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)):
        return True
    return any(node.annotation is not None for node in nodes_of(tree, ast.arg))


_ABSTRACT = frozenset({"abc.abstractmethod", "abc.abstractproperty"})


def returns_nothing(ctx: FileContext, function: ast.FunctionDef | ast.AsyncFunctionDef,
                    ) -> bool:
    """``-> None`` is right: no ``return <value>``, no ``yield``, not abstract or an
    overload, and a real body (a stub of ``...``, ``pass`` or ``raise`` says nothing)."""
    if has_decorator(ctx, function, OVERLOAD, "overload") or has_decorator(
            ctx, function, _ABSTRACT, "abstractmethod"):
        return False
    body = function.body[1:] if _is_docstring(function.body[0]) else function.body
    if all(isinstance(s, (ast.Pass, ast.Raise)) or (isinstance(s, ast.Expr) and isinstance(
            s.value, ast.Constant) and s.value.value is Ellipsis) for s in body):
        return False
    for node in walk_scope(function.body):  # a nested def's returns are its own
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return False
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return False
    return True


def _parameter_label(scoped: ScopedFunction, parameter: ast.arg) -> str:
    args = scoped.node.args
    if parameter is args.vararg:
        return f"*{parameter.arg}"
    if parameter is args.kwarg:
        return f"**{parameter.arg}"
    return parameter.arg


@register
class MissingAnnotation(FileRule):
    """Every public function must have fully typed parameters and return type: the types are
    the documentation the next reader and mypy rely on. Public means a module-level function
    or a method of a public class, whose name does not start with `_` (dunder methods such
    as `__init__` and `__eq__` are public); functions nested in functions, and methods of
    `_private` classes, are not. The first parameter of a method (`self`, `cls`; not of a
    `@staticmethod`) needs no annotation. Following mypy, `__init__` may omit its return
    annotation when at least one other parameter is annotated. Overload signatures and the
    implementation are each checked. Reported at the `def` line, naming what is missing.
    Test code (test files and `conftest.py`, also inside the package) is not checked: a
    fixture or test function has no callers to document."""

    code = "AG802"
    checks_tests = False
    ruff = ("ANN001", "ANN201")
    ruff_overlap = (
        "ruff's ANN001 (parameters) and ANN201 (public return types) cover it; ANN202 and "
        'ANN204 add private functions and special methods')
    name = "missing-annotation"
    summary = "A public function or method with an unannotated parameter or return"
    rulebook = ("**Missing type hints** — every public function must have fully typed "
                "parameters and return type.")
    hint = "annotate every parameter and the return type (-> None when nothing is returned)"
    bad = ("from __future__ import annotations\n\n\n"
           "def full_name(first, last: str):\n    return f\"{first} {last}\"\n")
    good = ("from __future__ import annotations\n\n\n"
            "def full_name(first: str, last: str) -> str:\n    return f\"{first} {last}\"\n")

    fix_summary = ("adds `-> None` when only the return type is missing and the function "
                   "never returns a value (not a generator, an abstract method, an overload "
                   "or a stub whose body is only `...`/`pass`/`raise`)")
    fix_applicability = SAFE

    def fixer(self) -> Fixer:
        from archguard.rules.style_fix import annotate_none_return

        return annotate_none_return

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for scoped in scoped_functions(ctx.tree):
            if not scoped.is_public:
                continue
            parameters = signature_parameters(ctx, scoped)
            missing = [_parameter_label(scoped, p) for p in parameters if p.annotation is None]
            init_exempt = scoped.owner is not None and scoped.node.name == "__init__" and \
                len(missing) < len(parameters)
            no_return = scoped.node.returns is None and not init_exempt
            if missing or no_return:
                fixable = not missing and returns_nothing(ctx, scoped.node)
                yield self.report(ctx, ctx.def_span(scoped.node),
                                  self._message(scoped.qualname, missing, no_return),
                                  fix=SAFE if fixable else "")

    @staticmethod
    def _message(qualname: str, missing: list[str], no_return: bool) -> str:
        parts = []
        if missing:
            names = ", ".join(f"'{name}'" for name in missing)
            parts.append(f"parameter{'s' if len(missing) > 1 else ''} {names}")
        if no_return:
            parts.append("the return type")
        return f"public function '{qualname}' does not annotate {' and '.join(parts)}"


# Decorators that hand the function to a library that calls it with its own arguments.
EVENT_LISTENERS = frozenset({"sqlalchemy.event.listens_for", "sqlalchemy.event.api.listens_for",
                             "django.dispatch.receiver", "django.dispatch.dispatcher.receiver"})
SIGNAL_MODULES = ("celery.signals.",)  # `@<signal>.connect` registers a receiver
# Methods whose signature a library base declares (the override must keep it), by base.
_PYDANTIC_HOOKS = frozenset({"model_dump", "model_dump_json", "model_post_init",
                             "model_validate", "model_validate_json", "model_copy",
                             "model_json_schema"})
_TYPE_DECORATOR_HOOKS = frozenset({"process_bind_param", "process_result_value",
                                   "process_literal_param", "coerce_compared_value"})
LIBRARY_HOOKS = {
    "pydantic.BaseModel": _PYDANTIC_HOOKS, "pydantic.main.BaseModel": _PYDANTIC_HOOKS,
    "pydantic.RootModel": _PYDANTIC_HOOKS, "sqlmodel.SQLModel": _PYDANTIC_HOOKS,
    "sqlalchemy.TypeDecorator": _TYPE_DECORATOR_HOOKS,
    "sqlalchemy.types.TypeDecorator": _TYPE_DECORATOR_HOOKS,
    "sqlalchemy.sql.type_api.TypeDecorator": _TYPE_DECORATOR_HOOKS,
    "json.JSONEncoder": frozenset({"default"}),
}
# Hooks of pydantic's type protocol, on any class (pydantic declares their signatures).
PROTOCOL_HOOKS = frozenset({"__get_pydantic_core_schema__", "__get_pydantic_json_schema__"})


def library_dictated(ctx: FileContext, scoped: ScopedFunction) -> bool:
    """The signature is the library's, not the project's choice: a receiver registered with
    a library that calls it (a SQLAlchemy event listener, a Celery signal's ``.connect``, a
    Django ``@receiver``), a pydantic type-protocol hook, or an override of a hook of a
    library base the class names directly (``model_dump`` of a ``BaseModel``,
    ``process_bind_param`` of a ``TypeDecorator``). A base seen only through project
    classes is not followed: such an override stays reported."""
    node = scoped.node
    if has_decorator(ctx, node, EVENT_LISTENERS):
        return True
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "connect" and \
                (ctx.qualname(target.value) or "").startswith(SIGNAL_MODULES):
            return True
    if scoped.owner is None:
        return False
    if node.name in PROTOCOL_HOOKS:
        return True
    return any(node.name in LIBRARY_HOOKS.get(ctx.qualname(
        base.value if isinstance(base, ast.Subscript) else base) or "", ())
               for base in scoped.owner.bases)  # `TypeDecorator[Any]` names its base too


@register
class AnyType(FileRule):
    """`Any` switches type checking off for everything it touches, so a public signature
    with `Any` spreads unchecked values through every caller. `typing.Any` in a parameter
    or return annotation of a public function (see AG802 for what is public) is reported at
    its first `Any`, once per parameter or return annotation: any import alias,
    `typing.Any`/`t.Any`, nested in `list[...]`, `dict[str, Any]`, `Optional[...]`,
    `X | Any`, and quoted annotations (reported at the string). `Literal[...]` values and `Annotated` metadata are not types and are skipped,
    and so are the "don't care" slots of `Coroutine[Any, Any, T]` and of
    `Generator[T, Any, Any]`/`AsyncGenerator[T, Any]` (only `T` is judged), and
    `Callable[..., Any]`, the spelling of "any callable".
    The implementation of an `@overload`ed function is exempt (callers see the overloads),
    and so is a signature a library dictates: a SQLAlchemy event listener
    (`@event.listens_for(...)`), a Celery signal receiver (`@worker_init.connect`) or a
    Django `@receiver` (the library calls them with the arguments its API declares, no
    project code does), pydantic's type hooks (`__get_pydantic_core_schema__`,
    `__get_pydantic_json_schema__`), and an override of a hook of a library base the class
    names directly: `model_dump`, `model_validate`, `model_post_init`, ... of a pydantic
    `BaseModel`/`RootModel`/`SQLModel`, `process_bind_param`, `process_result_value`, ...
    of a SQLAlchemy `TypeDecorator`, `default` of a `json.JSONEncoder`. A library base
    reached only through project classes is not followed (the override stays reported).
    Type aliases are not followed (`JSON = dict[str, Any]` in a signature is not seen)."""

    code = "AG803"
    ruff = ("ANN401",)
    ruff_overlap = (
        "ruff's ANN401 reports `Any` in parameters and return types the same way")
    name = "any-type"
    summary = "`typing.Any` in a public function's signature"
    rulebook = ("**Missing type hints** — every public function must have fully typed "
                "parameters and return type. No `Any` unless genuinely unavoidable.")
    hint = "use the real type, a TypeVar, a Protocol or `object` instead of Any"
    configuration = ("`[tool.archguard.style] allow-any-in-star-args = true` accepts "
                     "`*args: Any` and `**kwargs: Any`.")
    bad = ("from __future__ import annotations\n\nfrom typing import Any\n\n\n"
           "def load(payload: dict[str, Any]) -> int:\n    return len(payload)\n")
    good = ("from __future__ import annotations\n\n\n"
            "def load(payload: dict[str, int]) -> int:\n    return len(payload)\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if not may_name_any(ctx):
            return
        scoped_list = list(scoped_functions(ctx.tree))
        overloaded = {s.qualname for s in scoped_list
                      if has_decorator(ctx, s.node, OVERLOAD, "overload")}
        for scoped in scoped_list:
            if not scoped.is_public or (scoped.qualname in overloaded and not has_decorator(
                    ctx, scoped.node, OVERLOAD, "overload")) or library_dictated(ctx, scoped):
                continue
            for where, annotation in self._annotations(ctx, scoped):
                # one finding per annotation (`dict[Any, Any]` is one fix), at its first Any
                node = next(iter(any_in_annotation(ctx, annotation)), None)
                if node is not None:
                    yield self.report(ctx, ctx.span(node), f"'Any' in the public signature of "
                                                           f"'{scoped.qualname}' ({where})")

    @staticmethod
    def _annotations(ctx: FileContext, scoped: ScopedFunction,
                     ) -> Iterator[tuple[str, ast.expr]]:
        args = scoped.node.args
        star = {id(args.vararg), id(args.kwarg)} - {id(None)}
        for parameter in signature_parameters(ctx, scoped):
            if parameter.annotation is None or (
                    ctx.config.style.allow_any_in_star_args and id(parameter) in star):
                continue
            yield f"parameter '{_parameter_label(scoped, parameter)}'", parameter.annotation
        if scoped.node.returns is not None:
            yield "return type", scoped.node.returns


# --- AG804 over-abstraction ---------------------------------------------------------------

KINDS = (("Service", "service"), ("Repository", "repository"), ("Repo", "repository"),
         ("Handler", "handler"))
BASE_NAME = re.compile(r"^(Base|Abstract|Generic)[A-Z_]|Base$")
ABSTRACT_BASES = frozenset({"abc.ABC"}) | PROTOCOL
GENERIC_BASES = frozenset({"typing.Generic", "typing_extensions.Generic"})
ABSTRACT_DECORATORS = frozenset({"abc.abstractmethod", "abc.abstractproperty",
                                 "abc.abstractclassmethod", "abc.abstractstaticmethod"})


def layer_kind(name: str) -> str | None:
    """``UserService``/``ServiceBase`` -> service; repository, handler likewise."""
    stem = name.removesuffix("Base")
    return next((kind for suffix, kind in KINDS if stem.endswith(suffix)), None)


def _is_abstract_class(ctx: FileContext, node: ast.ClassDef) -> bool:
    """``metaclass=ABCMeta`` or an ``@abstractmethod`` in the class body."""
    if any(k.arg == "metaclass" and ctx.qualname(k.value) == "abc.ABCMeta"
           for k in node.keywords):
        return True
    return any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and has_decorator(
        ctx, s, ABSTRACT_DECORATORS, "abstractmethod") for s in node.body)


@register
class OverAbstraction(ProjectRule):
    """No base service classes, no generic repository factories, no abstract handler
    patterns: each module's service.py is self-contained, and a shared base couples every
    module to one class whose behaviour nobody can see from the call site. Classes are
    recognised by name: `*Service`, `*Repository`/`*Repo`, `*Handler` (a trailing `Base`
    ignored). Reported at the `class` line:
    a service, repository or handler class named as a base (`Base*`, `Abstract*`,
    `Generic*`, `*Base`); one that is abstract (derives from `ABC`/`Protocol`, has
    `metaclass=ABCMeta` or an `@abstractmethod`); a generic service or repository
    (`Generic[...]` in its bases); a class that another project class of the same kind
    derives from (directly or not); and any abstract or generic project class that a
    service, repository or handler derives from (e.g. a `CRUDBase(Generic[M])`). A `Protocol`
    that no project class derives from is structural typing (the type of a parameter), not
    a layer: not reported. Plain mixins and bases from libraries are not reported. Exempt a deliberate base with `allowed-bases`."""

    code = "AG804"
    name = "over-abstraction"
    summary = "A base service, generic or base repository, or abstract handler class"
    rulebook = ("**Over-engineering with extra abstraction layers** — no \"base service\" "
                "classes, no generic repository factories, no abstract handler patterns. Keep "
                "it flat and explicit. Each module's service.py is self-contained.")
    hint = "inline the shared code into each module's service/repository (or a plain function)"
    configuration = ("`[tool.archguard.style] allowed-bases = [\"BaseSettingsService\"]` "
                     "(class names or qualified names).")
    bad = ("from __future__ import annotations\n\n\n"
           "class BaseService:\n    def ping(self) -> str:\n        return \"ok\"\n\n\n"
           "class UserService(BaseService):\n    pass\n")
    good = ("from __future__ import annotations\n\n\n"
            "class UserService:\n    def ping(self) -> str:\n        return \"ok\"\n")

    def collect(self, ctx: FileContext) -> list[str] | None:
        """Qualnames of this file's abstract classes (named as ClassFact names them)."""
        found = [qualname for node, qualname in class_nodes(ctx.tree, ctx.module)
                 if _is_abstract_class(ctx, node)]
        return found or None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        allowed = set(project.config.style.allowed_bases)
        abstract = {q for facts in project.iter_files() for q in facts.extra.get(self.code, [])}
        children = _subclasses(project)
        for facts in project.iter_files():
            for cls in facts.classes:
                if cls.name in allowed or cls.qualname in allowed:
                    continue
                reason = _reason(project, cls, abstract, children.get(cls.qualname, []))
                if reason is not None:
                    yield self.diagnostic(facts.path, cls.span, reason)


def _kind(project: Project, cls: ClassFact) -> str | None:
    """The layer a class's name claims, unless it holds data: a Pydantic ``ServiceBase``
    (the schema of an entity called Service) or an ORM ``BaseRegistryRepository`` is not a
    service or repository base."""
    kind = layer_kind(cls.name)
    return None if kind is None or project.is_value_type(cls.qualname) else kind


def _subclasses(project: Project) -> dict[str, list[ClassFact]]:
    """Project class -> the service/repository/handler classes deriving from it."""
    children: dict[str, list[ClassFact]] = {}
    for qualname, fact in project.classes.items():
        if _kind(project, fact) is None:
            continue
        for base in project.mro_names(qualname):
            if base in project.classes:
                children.setdefault(base, []).append(fact)
    return children


def _reason(project: Project, cls: ClassFact, abstract: set[str],
            children: list[ClassFact]) -> str | None:
    kind = _kind(project, cls)
    bases = {project.resolve(base) for base in cls.bases if base}
    if bases & PROTOCOL and not any(cls.qualname in project.mro_names(other)
                                    for other in project.classes):
        return None  # structural typing (a parameter's type, a test double's shape): no layer
    is_abstract = cls.qualname in abstract or bool(bases & ABSTRACT_BASES)
    is_generic = bool(bases & GENERIC_BASES)
    if kind is not None:
        if BASE_NAME.search(cls.name):
            return f"'{cls.name}' is a base {kind} class: keep each module's {kind} flat"
        if is_abstract:
            return f"'{cls.name}' is an abstract {kind} layer"
        if is_generic:
            return f"'{cls.name}' is a generic {kind}"
    same = sorted({c.name for c in children if _kind(project, c) == kind}) if kind else []
    if same:
        return f"'{cls.name}' is a base {kind} class of {', '.join(same)}"
    if children and (is_abstract or is_generic):
        names = ", ".join(sorted({c.name for c in children}))
        what = "an abstract" if is_abstract else "a generic"
        return f"'{cls.name}' is {what} base of {names}"
    return None
