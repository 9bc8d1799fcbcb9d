from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import overload


def log(message: str):  # no value returned: -> None
    print(message)


async def notify(user_id: int):
    if user_id < 0:
        return
    print(user_id)


def explicit_none(flag: bool):
    if flag:
        return None
    print(flag)


def with_helper(value: int):
    def inner() -> int:
        return value  # the nested function's return does not count

    print(inner())


def compute(value: int):  # returns a value: not fixed
    return value * 2


def numbers(limit: int):  # a generator: not fixed
    yield from range(limit)


def untyped(value, other: int):  # a parameter is missing too: not fixed
    print(value, other)


def stub(value: int):  # a stub says nothing: not fixed
    ...


@overload
def pick(value: int) -> int: ...
@overload
def pick(value: str) -> str: ...
def pick(value):
    return value


class Base(abc.ABC):
    @abc.abstractmethod
    def run(self, job: int):  # abstract: not fixed
        print(job)

    def close(self):
        print("closed")

    def __iter__(self) -> Iterator[int]:
        return iter(())
