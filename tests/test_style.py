"""AG602 long-function, AG801 future-annotations, AG802 missing-annotation, AG803 any-type,
AG804 over-abstraction."""

from __future__ import annotations

import pytest

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, StyleConfig, load_config_table
from helpers import dedent, findings, run

SERVICE = "cpv3/modules/users/service.py"
REPOSITORY = "cpv3/modules/users/repository.py"
FUTURE = "from __future__ import annotations\n"


def check(source: str, codes: list[str], path: str = SERVICE,
          config: Config | None = None) -> list[tuple[str, str, int]]:
    return findings({path: dedent(source)}, codes, config)


def typed(source: str) -> str:
    """``source`` dedented, after the future import (line 1)."""
    return FUTURE + dedent(source)


def lines(count: int, indent: str = "    ") -> str:
    return "".join(f"{indent}x{i} = {i}\n" for i in range(count))


# --- AG602 --------------------------------------------------------------------------------

def test_long_functions_counted_from_the_first_statement_after_the_docstring() -> None:
    source = (
        "def exactly_thirty() -> None:\n"
        '    """A docstring\n\n    over several lines."""\n'
        + lines(30)
        + "\n\n@decorator\n"
        "async def thirty_one() -> None:\n"
        + lines(31)
        + "\n\nclass Service:\n"
        "    def method(self) -> None:\n"
        + lines(31, "        ")
    )
    assert check(source, ["AG602"]) == [("AG602", SERVICE, 38), ("AG602", SERVICE, 73)]


def test_blank_and_comment_lines_do_not_count_but_string_lines_do() -> None:
    spaced = "".join(f"    x{i} = {i}\n\n    # why\n" for i in range(30))
    text = '    x = """\n' + "\n" * 28 + '"""\n    return x\n'
    source = f"def spaced() -> None:\n{spaced}\n\ndef text() -> str:\n{text}"
    assert check(source, ["AG602"]) == [("AG602", SERVICE, 94)]


def test_nested_functions_count_for_their_outer_function_unless_reported_themselves() -> None:
    """mealie's auto_init: a wrapper holding one long inner function (and a decorator
    factory: three levels) is one finding, the inner one. An outer function long by its own
    lines is reported too; a short inner function's lines count for the outer one."""
    wrapper = ("def wrapper() -> None:\n"
               + lines(20)
               + "    def inner() -> None:\n"
               + lines(31, "        ")
               + "    return None\n")
    factory = ("\n\ndef factory() -> None:\n"
               "    def decorator() -> None:\n"
               "        def wrapped() -> None:\n"
               + lines(31, "            ")
               + "        return wrapped\n"
               "    return decorator\n")
    long_outer = ("\n\ndef long_outer() -> None:\n"
                  + lines(31)
                  + "    def inner() -> None:\n"
                  + lines(31, "        ")
                  + "    return None\n")
    short_inner = ("\n\ndef with_helper() -> None:\n"
                   + lines(20)
                   + "    def helper() -> None:\n"
                   + lines(15, "        ")
                   + "    return None\n")
    assert check(wrapper + factory + long_outer + short_inner, ["AG602"]) == [
        ("AG602", SERVICE, 22), ("AG602", SERVICE, 59), ("AG602", SERVICE, 95),
        ("AG602", SERVICE, 127), ("AG602", SERVICE, 162)]


def test_nested_decorated_first_statement_counts_from_its_decorator() -> None:
    source = (
        "def outer() -> None:\n"
        '    """Doc."""\n'
        "    @decorator\n"
        "    def inner() -> None:\n"
        + lines(28, "        ")
        + "    return None\n"
    )
    # decorator + def + 28 + return = 31 lines
    assert check(source, ["AG602"]) == [("AG602", SERVICE, 1)]


def test_max_function_lines_is_configurable_and_validated() -> None:
    config = Config(style=StyleConfig(max_function_lines=3))
    source = "def f() -> None:\n" + lines(3) + "\n\ndef g() -> None:\n" + lines(4)
    assert check(source, ["AG602"], config=config) == [("AG602", SERVICE, 7)]
    message = run({SERVICE: source}, ["AG602"], config)[0].message
    assert message == "'g' is 4 lines long (max 3)"
    with pytest.raises(ArchguardError, match="max-function-lines"):
        load_config_table({"style": {"max-function-lines": 0}}, "pyproject.toml")


# --- AG801 --------------------------------------------------------------------------------

def test_future_annotations_required_in_files_with_statements() -> None:
    files = {
        "cpv3/modules/users/__init__.py": "",
        "cpv3/modules/media/__init__.py": '"""Media module."""\n# nothing here\n',
        # each reported file holds an annotation: a file without any is exempt (below)
        "cpv3/modules/jobs/__init__.py": "from cpv3.modules.jobs.service import JobService\n"
                                         "__all__: list[str] = ['JobService']\n",
        "cpv3/modules/jobs/service.py": '"""Doc."""\n\nimport os\n\nSEP: str = os.sep\n',
        "cpv3/modules/jobs/models.py": '"""Doc."""\nfrom __future__ import annotations\nX: int = 1\n',
        "cpv3/modules/jobs/router.py": "from __future__ import division, annotations\n",
        "cpv3/modules/jobs/schemas.py": "import __future__\nX: int = 1\n",
        "cpv3/modules/jobs/repository.py": "def f() -> None:\n"
                                           "    from __future__ import annotations\n",
    }
    assert findings(files, ["AG801"]) == [
        ("AG801", "cpv3/modules/jobs/__init__.py", 1),
        ("AG801", "cpv3/modules/jobs/repository.py", 1),
        ("AG801", "cpv3/modules/jobs/schemas.py", 1),
        ("AG801", "cpv3/modules/jobs/service.py", 1),
    ]



def test_future_annotations_not_required_in_files_without_any_annotation() -> None:
    """Constants, an enum, an ``Annotated`` alias (an assignment), an untyped vendored
    helper: the import would change nothing. One annotation anywhere, however deep (a
    nested function's parameter, a method's return, a class field), and it is reported."""
    files = {
        "cpv3/modules/jobs/metrics.py": """
            from prometheus_client import Counter

            JOBS_STARTED = Counter("jobs_started", "Jobs started")
            """,
        "cpv3/modules/jobs/sorting.py": """
            from enum import StrEnum
            from typing import Annotated

            from fastapi import Depends


            class JobSortProperty(StrEnum):
                created_at = "created_at"


            ListSorting = Annotated[list[str], Depends(lambda: [])]
            """,
        "cpv3/modules/jobs/vendored.py": """
            import re


            def tokenize(text, lower=True):
                def split(part):
                    return re.split(r"\\W+", part)
                return [t.lower() if lower else t for t in split(text)]
            """,
        "cpv3/modules/jobs/nested_param.py": """
            def outer():
                def inner(value: int):
                    return value
                return inner
            """,
        "cpv3/modules/jobs/method_return.py": """
            class Runner:
                def run(self) -> None:
                    pass
            """,
        "cpv3/modules/jobs/field.py": """
            class Settings:
                retries: int = 3
            """,
        "cpv3/modules/jobs/lambda_only.py": "KEY = lambda job: job.id\n",
    }
    assert findings(files, ["AG801"]) == [
        ("AG801", "cpv3/modules/jobs/field.py", 1),
        ("AG801", "cpv3/modules/jobs/method_return.py", 1),
        ("AG801", "cpv3/modules/jobs/nested_param.py", 1),
    ]

# --- AG802 --------------------------------------------------------------------------------

def test_missing_annotations_on_public_functions_and_methods() -> None:
    assert check(typed("""
        import functools


        def no_return(a: int):
            return a


        @functools.cache
        def param(a, b: int, *args, c, **kwargs) -> int:
            return b


        class UserService:
            def __init__(self, db):
                self.db = db

            def method(self, x: int):
                return x

            @classmethod
            def build(cls) -> UserService:
                return cls(None)

            @staticmethod
            def static(x) -> int:
                return x

            @property
            def name(self):
                return "n"

            def __eq__(self, other) -> bool:
                return True

            class Inner:
                def run(self, y) -> None: ...
    """), ["AG802"]) == [
        ("AG802", SERVICE, 5), ("AG802", SERVICE, 10), ("AG802", SERVICE, 15),
        ("AG802", SERVICE, 18), ("AG802", SERVICE, 26), ("AG802", SERVICE, 30),
        ("AG802", SERVICE, 33), ("AG802", SERVICE, 37),
    ]


def test_missing_annotation_messages_name_the_parameters() -> None:
    found = run({SERVICE: dedent(typed("""
        def param(a, b: int, *args, c, **kwargs):
            return b
    """))}, ["AG802"])
    assert [d.message for d in found] == [
        ("public function 'param' does not annotate parameters 'a', '*args', 'c', '**kwargs' "
         "and the return type")]


def test_private_nested_and_init_conventions_are_fine() -> None:
    assert check(typed("""
        from typing import overload


        def _private(a, b):
            return a


        def outer() -> None:
            def inner(x):
                return x
            lambda y: y
            class Local:
                def method(self, z): ...


        class _Hidden:
            def public_looking(self, a): ...


        class UserService:
            def __init__(self, db: object, cache=None):
                self.db = db

            def _helper(self, x):
                return x

            @property
            def name(self) -> str:
                return "n"

            @name.setter
            def name(self, value: str) -> None: ...

            @overload
            def get(self, key: int) -> int: ...

            @overload
            def get(self, key: str) -> str: ...

            def get(self, key: int | str) -> int | str:
                return key


        class Config:
            def __init__(self) -> None: ...

            def __repr__(self) -> str:
                return ""
    """), ["AG802"]) == [("AG802", SERVICE, 22)]


def test_init_without_annotated_parameters_needs_a_return_annotation() -> None:
    assert check(typed("""
        class A:
            def __init__(self):
                pass


        class B:
            def __init__(self, x: int):
                pass


        class C:
            def __init__(self, x):
                pass
    """), ["AG802"]) == [("AG802", SERVICE, 3), ("AG802", SERVICE, 13)]


def test_functions_under_type_checking_and_try_blocks_are_seen() -> None:
    assert check(typed("""
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            def typed_only(x): ...
        else:
            try:
                def fallback(y) -> None: ...
            except ImportError:
                def other(z) -> None: ...
    """), ["AG802"]) == [("AG802", SERVICE, 5), ("AG802", SERVICE, 8), ("AG802", SERVICE, 10)]


# --- AG803 --------------------------------------------------------------------------------

def test_any_in_public_signatures_in_every_form() -> None:
    assert check(typed("""
        import typing
        import typing as t
        from typing import Any as A, Optional


        def a(x: typing.Any) -> None: ...


        def b(x: list[t.Any], y: dict[str, A]) -> Optional[A]: ...


        def c(x: "list[A]") -> "A | None": ...


        def d(*args: A, **kwargs: A) -> None: ...


        def e(x: typing.Callable[[A], int]) -> None: ...


        class S:
            @property
            def p(self) -> A: ...

            def m(self, x: int | A) -> None: ...
    """), ["AG803"]) == [
        ("AG803", SERVICE, 7), ("AG803", SERVICE, 10), ("AG803", SERVICE, 10),
        ("AG803", SERVICE, 10), ("AG803", SERVICE, 13), ("AG803", SERVICE, 13),
        ("AG803", SERVICE, 16), ("AG803", SERVICE, 16), ("AG803", SERVICE, 19),
        ("AG803", SERVICE, 24), ("AG803", SERVICE, 26),
    ]


def test_dont_care_slots_of_coroutines_and_generators_are_not_judged() -> None:
    """`Coroutine[Any, Any, T]` is how an async callable's type is spelled (Hyperion's
    dependency factories); the result slot is still judged."""
    found = run({SERVICE: dedent(typed("""
        from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
        from typing import Any


        def factory() -> Callable[[int], Coroutine[Any, Any, int]]: ...


        def loose() -> Callable[[int], Coroutine[Any, Any, Any]]: ...


        def stream() -> AsyncGenerator[int, Any]: ...


        def rows() -> Generator[Any, None, None]: ...
    """))}, ["AG803"])
    assert [(d.line, d.column) for d in found] == [(9, 52), (15, 25)]


def test_any_callable_is_not_judged() -> None:
    """`Callable[..., Any]` spells "any callable" (Hyperion's scheduler receives FastAPI's
    `dependency_overrides: dict[Callable[..., Any], Callable[..., Any]]`); a typed parameter
    list with an `Any` result, an `Any` argument, or a quoted `Any` result are still judged."""
    found = run({SERVICE: dedent(typed("""
        import typing as t
        from collections.abc import Callable
        from typing import Any as Anything


        def schedule(job: Callable[..., Anything], deps: dict[t.Callable[..., t.Any], int]) -> None: ...


        def typed_args(job: Callable[[int], Anything]) -> None: ...


        def any_arg(job: Callable[[Anything], int]) -> None: ...


        def quoted(job: Callable[..., "Anything"]) -> None: ...
    """))}, ["AG803"])
    assert [(d.line, d.column) for d in found] == [(10, 37), (13, 28), (16, 31)]


def test_sqlalchemy_event_listeners_are_not_judged() -> None:
    """polar's `@event.listens_for(ProductPrice, "init")` listener takes `*arg: Any,
    **kw: Any` as SQLAlchemy's event API passes them; any other decorator is judged."""
    found = run({SERVICE: dedent(typed("""
        from typing import Any

        import sqlalchemy as sa
        from sqlalchemy import event
        from sqlalchemy.event import listens_for as on


        @event.listens_for(object, "init", propagate=True)
        def set_identity(instance: object, *arg: Any, **kw: Any) -> None: ...


        @on(object, "load")
        @sa.event.listens_for(object, "refresh")
        def refreshed(instance: object, *arg: Any) -> None: ...


        @property_like
        def other(*arg: Any) -> None: ...
    """))}, ["AG803"])
    assert [d.line for d in found] == [19]


def test_library_dictated_signatures_are_not_judged() -> None:
    """onyx's Celery `@worker_init.connect` receivers, pydantic `model_dump` overrides and
    type hooks, polar's `TypeDecorator.process_bind_param`: the library declares those
    signatures. Judged: the project's own signal, a method of the same name on a class
    without that library base, and an override whose library base is only reached through
    a project class (not followed)."""
    found = run({SERVICE: dedent(typed("""
        import json
        from typing import Any

        import sqlalchemy as sa
        from celery import signals
        from celery.signals import worker_init
        from django.dispatch import receiver
        from pydantic import BaseModel
        from sqlalchemy.types import TypeDecorator

        from cpv3.modules.users.schemas import ProjectBase
        from cpv3.signals import user_created


        @worker_init.connect
        def on_worker_init(sender: Any, **kwargs: Any) -> None: ...


        @signals.task_prerun.connect(sender="app")
        def before_task(**kwargs: Any) -> None: ...


        @receiver(user_created)
        def on_django_signal(sender: Any, **kwargs: Any) -> None: ...


        @user_created.connect
        def on_own_signal(**kwargs: Any) -> None: ...


        class SearchDoc(BaseModel):
            def model_dump(self, *args: Any, **kwargs: Any) -> dict[str, Any]: ...

            def to_dict(self) -> dict[str, Any]: ...


        class Money:
            @classmethod
            def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any: ...


        class Encrypted(TypeDecorator[str]):
            def process_bind_param(self, value: Any, dialect: Any) -> Any: ...


        class Encoder(json.JSONEncoder):
            def default(self, o: Any) -> Any: ...


        class Defaults:
            def default(self, o: Any) -> Any: ...


        class Derived(ProjectBase):
            def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...
    """))}, ["AG803"])
    assert [d.line for d in found] == [29, 35, 52, 52, 56, 56]


def test_one_finding_per_annotation_at_its_first_any() -> None:
    """`Agent[Any, Any]` is one annotation to fix: one finding, at the first `Any`; each
    parameter and the return type are their own."""
    found = run({SERVICE: dedent(typed("""
        from typing import Any


        def pair(agent: dict[Any, Any], other: tuple[int, Any]) -> tuple[Any, Any]: ...
    """))}, ["AG803"])
    assert [(d.line, d.column, d.message.rsplit("(", 1)[1]) for d in found] == [
        (5, 22, "parameter 'agent')"), (5, 51, "parameter 'other')"),
        (5, 66, "return type)")]


def test_any_reported_at_the_any_and_named() -> None:
    found = run({SERVICE: dedent(typed("""
        from typing import Any


        def load(payload: dict[str, Any]) -> int: ...
    """))}, ["AG803"])
    assert [(d.line, d.column, d.message) for d in found] == [
        (5, 29, "'Any' in the public signature of 'load' (parameter 'payload')")]


def test_any_imported_under_type_checking_or_star_is_still_any() -> None:
    assert check(typed("""
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from typing import Any


        def f(x: Any) -> None: ...
    """), ["AG803"]) == [("AG803", SERVICE, 8)]
    assert check(typed("""
        from typing import *


        def f(x: Any) -> None: ...
    """), ["AG803"]) == [("AG803", SERVICE, 5)]


def test_any_outside_public_signatures_is_fine() -> None:
    assert check(typed("""
        from typing import Annotated, Any, Literal, overload

        from cpv3.common.types import Any as ProjectAny

        CACHE: dict[str, Any] = {}


        def _private(x: Any) -> Any: ...


        def outer() -> None:
            def inner(x: Any) -> Any: ...
            y: Any = 1


        class _Hidden:
            def m(self, x: Any) -> Any: ...


        def values(mode: Literal["Any"], note: Annotated[int, "Any", Any]) -> ProjectAny: ...


        @overload
        def get(key: int) -> int: ...
        @overload
        def get(key: str) -> str: ...
        def get(key: Any) -> Any:
            return key


        def body_only() -> None:
            x: Any = None
    """), ["AG803"]) == []


def test_typing_overload_signatures_are_public_and_the_implementation_is_exempt() -> None:
    source = typed("""
        import typing


        class UserService:
            @typing.overload
            def get(self, key: int) -> typing.Any: ...

            @typing.overload
            def get(self, key: str): ...

            def get(self, key: typing.Any) -> typing.Any:
                return key
    """)
    assert check(source, ["AG802", "AG803"]) == [("AG803", SERVICE, 7), ("AG802", SERVICE, 10)]


def test_any_in_star_args_can_be_allowed() -> None:
    source = typed("""
        from typing import Any


        def f(*args: Any, x: Any, **kwargs: Any) -> None: ...
    """)
    assert check(source, ["AG803"]) == [("AG803", SERVICE, 5)] * 3
    config = Config(style=StyleConfig(allow_any_in_star_args=True))
    assert check(source, ["AG803"], config=config) == [("AG803", SERVICE, 5)]


# --- AG804 --------------------------------------------------------------------------------

def test_base_and_abstract_services_handlers_and_repositories() -> None:
    files = {
        SERVICE: dedent(typed("""
            import abc
            from abc import ABC, ABCMeta, abstractmethod


            class BaseService:
                pass


            class UserServiceBase:
                pass


            class AbstractUserService:
                pass


            class NotifyService(ABC):
                pass


            class AuditService(metaclass=ABCMeta):
                pass


            class MailService:
                @abc.abstractmethod
                def send(self) -> None: ...


            class EventHandler:
                @abstractmethod
                def handle(self) -> None: ...
        """)),
        REPOSITORY: dedent(typed("""
            from typing import Generic, TypeVar

            M = TypeVar("M")


            class UserRepository(Generic[M]):
                pass


            class BaseRepository:
                pass


            class GenericRepo:
                pass
        """)),
    }
    assert findings(files, ["AG804"]) == [
        ("AG804", REPOSITORY, 7), ("AG804", REPOSITORY, 11), ("AG804", REPOSITORY, 15),
        ("AG804", SERVICE, 6), ("AG804", SERVICE, 10), ("AG804", SERVICE, 14),
        ("AG804", SERVICE, 18), ("AG804", SERVICE, 22), ("AG804", SERVICE, 26),
        ("AG804", SERVICE, 31),
    ]


def test_bases_found_through_the_project_hierarchy() -> None:
    files = {
        "cpv3/common/crud.py": dedent(typed("""
            from typing import Generic, TypeVar

            M = TypeVar("M")


            class CRUDBase(Generic[M]):
                pass


            class TimestampMixin:
                pass
        """)),
        "cpv3/common/__init__.py": "from cpv3.common.crud import CRUDBase as Crud\n",
        "cpv3/modules/projects/service.py": dedent(typed("""
            from cpv3.modules.users.service import UserService


            class ProjectService(UserService):
                pass
        """)),
        SERVICE: dedent(typed("""
            class UserService:
                pass
        """)),
        REPOSITORY: dedent(typed("""
            from cpv3.common import Crud
            from cpv3.common.crud import TimestampMixin


            class UserRepository(Crud[int], TimestampMixin):
                pass
        """)),
    }
    found = run(files, ["AG804"])
    assert [(d.path, d.line, d.message) for d in found] == [
        ("cpv3/common/crud.py", 7, "'CRUDBase' is a generic base of UserRepository"),
        (SERVICE, 2, "'UserService' is a base service class of ProjectService"),
    ]


def test_flat_classes_and_library_bases_are_fine() -> None:
    files = {
        SERVICE: dedent(typed("""
            import logging
            from abc import ABC, abstractmethod

            from sqlalchemy.ext.asyncio import AsyncSession


            class UserService:
                def __init__(self, db: AsyncSession) -> None:
                    self.db = db


            class JsonLogHandler(logging.Handler):
                pass


            class Shape(ABC):
                @abstractmethod
                def area(self) -> float: ...


            class Database:
                pass


            class ServiceError(Exception):
                pass


            class BaseballCard:
                pass
        """)),
        REPOSITORY: dedent(typed("""
            from sqlalchemy.ext.asyncio import AsyncSession


            class UserRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session
        """)),
    }
    assert findings(files, ["AG804"]) == []


def test_a_protocol_nothing_derives_from_is_structural_typing() -> None:
    """A Protocol used as a parameter's type (implemented structurally, in another file) is
    no layer; one that a project class names as its base is, as is an ABC."""
    files = {
        "cpv3/common/ports.py": dedent(typed("""
            from typing import Protocol

            import typing_extensions as te


            class PresetService(Protocol):
                async def resolve(self, name: str) -> str: ...


            class AuditHandler(te.Protocol):
                def handle(self) -> None: ...


            class NotifyService(Protocol):
                def send(self) -> None: ...


            class BaseRepository(Protocol):
                def get(self) -> None: ...
        """)),
        SERVICE: dedent(typed("""
            from cpv3.common.ports import BaseRepository, NotifyService, PresetService


            class UserService:
                def __init__(self, presets: PresetService) -> None:
                    self.presets = presets


            class MailService(NotifyService):
                def send(self) -> None: ...


            class SqlStore(BaseRepository):
                def get(self) -> None: ...
        """)),
    }
    found = run(files, ["AG804"])
    assert [(d.path, d.line, d.message) for d in found] == [
        ("cpv3/common/ports.py", 15, "'NotifyService' is an abstract service layer"),
        ("cpv3/common/ports.py", 19,  # derived from by a class of another name
         "'BaseRepository' is a base repository class: keep each module's repository flat"),
    ]


def test_allowed_bases_are_exempt() -> None:
    source = FUTURE + "class BaseService:\n    pass\n\n\nclass BaseRepository:\n    pass\n"
    config = Config(style=StyleConfig(
        allowed_bases=["BaseService", "cpv3.modules.users.service.BaseRepository"]))
    assert check(source, ["AG804"], config=config) == []
    assert check(source, ["AG804"]) == [("AG804", SERVICE, 2), ("AG804", SERVICE, 6)]


def test_none_return_fix_judges_the_function_s_own_returns() -> None:
    """`-> None` is offered only where the function itself returns nothing: a nested def's
    or lambda's `return 1` is theirs; a method is judged like a function."""
    found = run({SERVICE: dedent(typed("""
        def outer(x: int):
            def inner() -> int:
                return 1
            key = lambda: 2
            print(inner(), key())


        def gives(x: int):
            return x


        def generator(x: int):
            yield x


        class Store:
            def save(self, x: int):
                self.x = x
    """))}, ["AG802"])
    assert [(d.line, d.fix) for d in found] == [(2, "safe"), (9, ""), (13, ""), (18, "safe")]


def test_a_method_without_self_keeps_its_annotated_first_parameter() -> None:
    """letta's `def convert(stdio_config: Dict[str, Any])` in a class, without `self` or
    `@staticmethod`: the annotated first parameter is one callers pass, so its Any is
    judged. An unannotated first parameter, one named self/cls, and a class method's first
    parameter (`@classmethod`, `__new__`, `__init_subclass__`) whatever its name, are the
    receiver."""
    found = run({SERVICE: dedent(typed("""
        from typing import Any


        class Converter:
            def convert(stdio_config: dict[str, Any]) -> None: ...

            def receiver(self: Any, value: int) -> None: ...

            def odd(this, value: int) -> None: ...

            @classmethod
            def make(cls: Any) -> None: ...

            @classmethod
            def build(klass: Any) -> None: ...

            def __new__(mcls: Any, name: str) -> None: ...

            def __init_subclass__(klass: Any) -> None: ...
    """))}, ["AG802", "AG803"])
    assert [(d.code, d.line) for d in found] == [("AG803", 6)]
