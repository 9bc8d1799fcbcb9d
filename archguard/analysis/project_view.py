"""The whole package as facts: what cross-file rules query (re-exports, class hierarchies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from archguard.analysis.facts import ClassFact, FileFacts
from archguard.analysis.patterns import VALUE_BASE_NAMES
from archguard.project.config import Config
from archguard.project.layout import ModuleFolder


DURABLE_ENTRIES = 16
T = TypeVar("T")


class DurableMemo:
    """Project-pass results that outlive a run (the cache stores them): each is keyed by
    everything it depends on, so an entry is never stale, only unused. Holds the most
    recently used few."""

    def __init__(self, entries: dict[str, object] | None = None) -> None:
        self.entries = dict(entries or {})
        self.changed = False

    def get(self, key: str, compute: Callable[[], object]) -> object:
        if key in self.entries:
            self.entries[key] = self.entries.pop(key)  # most recently used last
            return self.entries[key]
        value = self.entries[key] = compute()
        self.changed = True
        while len(self.entries) > DURABLE_ENTRIES:
            del self.entries[next(iter(self.entries))]
        return value


@dataclass
class Project:
    config: Config
    files: dict[str, FileFacts]  # by relative path
    module_folders: list[ModuleFolder] = field(default_factory=list)
    modules_dir_exists: bool = True
    durable: DurableMemo = field(default_factory=DurableMemo, repr=False, compare=False)
    # Memo tables: the facts never change once the project is built.
    _resolved: dict[str, str] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)
    _mro: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False,
                                       compare=False)
    _owners: dict[str, tuple[str, str] | None] = field(default_factory=dict, init=False,
                                                        repr=False, compare=False)
    # Tables the rules derive from the facts once per run, by name (``memo``).
    _derived: dict[str, object] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)

    @cached_property
    def by_module(self) -> dict[str, FileFacts]:
        return {facts.module: facts for facts in self.files.values()}

    @cached_property
    def classes(self) -> dict[str, ClassFact]:
        return {c.qualname: c for facts in self.files.values() for c in facts.classes}

    @cached_property
    def module_roles(self) -> dict[str, set[str]]:
        """Module name -> the roles its files fill (which modules have a service, ...)."""
        found: dict[str, set[str]] = {}
        for path in self.files:
            role, module = self.config.layout.layout_of(path)
            if module is not None:
                found.setdefault(module, set())
                if role is not None:
                    found[module].add(role)
        return found

    def owner_file(self, dotted: str) -> tuple[str, str] | None:
        """(dotted module, path) of the file ``dotted`` lives in: the longest prefix that is
        a project file; or, when a longer prefix names a role file of a module folder that is
        not in the tree (a partial tree), that file. None for names outside the project.
        Memoised: AG202 asks for the same few thousand names again and again."""
        try:
            return self._owners[dotted]
        except KeyError:
            found = self._owners[dotted] = self._owner_file(dotted)
            return found

    def _owner_file(self, dotted: str) -> tuple[str, str] | None:
        parts = dotted.split(".")
        found = next((cut for cut in range(len(parts), 0, -1)
                      if ".".join(parts[:cut]) in self.by_module), 0)
        layout = self.config.layout
        if layout.under_modules(dotted):
            for cut in range(len(parts), found, -1):
                name = ".".join(parts[:cut])
                path = layout.path_of(name)
                if layout.layout_of(path)[0] not in (None, "init"):
                    return name, path
        if not found:
            return None
        name = ".".join(parts[:found])
        return name, self.by_module[name].path

    def layout_of_name(self, dotted: str) -> tuple[str | None, str | None]:
        """(role, module name) of the file a dotted name lives in (see ``owner_file``)."""
        owner = self.owner_file(dotted)
        return (None, None) if owner is None else self.config.layout.layout_of(owner[1])

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """A table derived from the facts, computed once per run (several rules ask)."""
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]  # type: ignore[return-value]

    def iter_files(self) -> Iterator[FileFacts]:
        for path in sorted(self.files):
            yield self.files[path]

    def is_module(self, dotted: str) -> bool:
        return dotted in self.by_module

    def resolve(self, dotted: str) -> str:
        """Follow re-exports: ``cpv3.modules.b.X`` -> where ``X`` is really defined.

        The longest prefix that is a project module owns the first remaining name; if that
        module binds the name by an import, continue from the import's target. Memoised:
        the project rules ask for the same few names ten thousand times.
        """
        found = self._resolved.get(dotted)
        if found is None:
            found = self._resolved[dotted] = self._resolve(dotted, 0)
        return found

    def _resolve(self, dotted: str, depth: int) -> str:
        if depth > 20 or dotted in self.by_module:
            return dotted
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            owner = self.by_module.get(".".join(parts[:cut]))
            if owner is None:
                continue
            name, rest = parts[cut], parts[cut + 1:]
            target = owner.symbols.get(name) or self._star_source(owner, name)
            if target is None or target == f"{owner.module}.{name}":
                return dotted
            return self._resolve(".".join([target, *rest]), depth + 1)
        return dotted

    def _star_source(self, owner: FileFacts, name: str) -> str | None:
        """``from x import *`` in ``owner`` re-exports ``name`` if ``x`` binds it."""
        for fact in owner.imports:
            source = self.by_module.get(fact.module) if fact.name == "*" else None
            if source is not None and name in source.symbols:
                return f"{fact.module}.{name}"
        return None

    def mro_names(self, qualname: str) -> list[str]:
        """Every base of a class, transitively, resolved through re-exports (cycle-safe)."""
        found = self._mro.get(qualname)
        if found is None:
            found = self._mro[qualname] = self._mro_names(qualname)
        return list(found)

    def _mro_names(self, qualname: str) -> list[str]:
        seen: list[str] = []
        pending = [self.resolve(qualname)]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.append(current)
            fact = self.classes.get(current)
            if fact is not None:
                pending.extend(self.resolve(base) for base in fact.bases if base)
        return seen[1:]

    def derives_from(self, qualname: str, base: str) -> bool:
        return base in self.mro_names(qualname)

    # --- what a class or alias is, by structure ---------------------------------------
    def alias_targets(self, dotted: str) -> tuple[str, ...]:
        """What a module-level alias stands for (resolved), or () if ``dotted`` is none."""
        resolved = self.resolve(dotted)
        module, _, name = resolved.rpartition(".")
        owner = self.by_module.get(module)
        if owner is None or name not in owner.aliases:
            return ()
        return tuple(self.resolve(t) for t in owner.aliases[name])

    def type_names(self, dotted: str, depth: int = 0) -> set[str]:
        """``dotted`` and every name it aliases, transitively (``DbSession`` ->
        ``AsyncSession``)."""
        found = {self.resolve(dotted)}
        if depth < 8:
            for target in self.alias_targets(dotted):
                found |= self.type_names(target, depth + 1)
        return found

    def is_session_type(self, dotted: str, async_only: bool = False) -> bool:
        """A database session class, or an alias/NewType/Annotated of one in any file
        (``AsyncSession`` only with ``async_only``)."""
        types = set() if async_only else set(self.config.session.types)
        return any(name in types or name.rsplit(".", 1)[-1] == "AsyncSession"
                   for name in self.type_names(dotted))

    def is_unknown(self, dotted: str) -> bool:
        """A name in the package that no parsed file defines (its file failed to parse, or
        is outside the checked tree): the rules cannot see it."""
        resolved = self.resolve(dotted)
        if resolved in self.classes or self.alias_targets(resolved):
            return False
        module = resolved.rpartition(".")[0]
        owner = self.by_module.get(module)
        in_package = resolved.split(".")[0] == self.config.package.split(".")[0]
        if owner is None:
            return in_package
        return resolved.rpartition(".")[2] not in owner.symbols

    def unseen_bases(self, qualname: str) -> list[str]:
        """Bases in a class's chain that are neither project classes nor known library
        classes ending the chain: third-party bases and bases the project could not parse."""
        return [b for b in self.mro_names(qualname)
                if b not in self.classes and b not in TRUSTED_ROOTS]

    def is_value_type(self, qualname: str) -> bool:
        """A class holding data, never a role: a Pydantic model, an ORM model or declarative
        base, an enum, a dataclass, a NamedTuple/TypedDict."""
        chain = [self.resolve(qualname), *self.mro_names(qualname)]
        config = self.config
        markers = {config.schema_base, config.model_base, config.model_mixin}
        for name in chain:
            fact = self.classes.get(name)
            if fact is not None and fact.is_dataclass:
                return True
            names = self.type_names(name) | {name}
            if names & (VALUE_BASES | markers) or any(
                    n.rsplit(".", 1)[-1] in VALUE_BASE_NAMES for n in names):
                return True
        return False


# Library classes a chain may end in without hiding anything a rule needs.
TRUSTED_ROOTS = frozenset({
    "object", "builtins.object", "typing.Generic", "typing_extensions.Generic", "abc.ABC",
    "typing.Protocol", "typing_extensions.Protocol", "str", "int", "Exception",
})
VALUE_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.RootModel",
    "pydantic.v1.BaseModel", "pydantic_settings.BaseSettings", "sqlmodel.SQLModel",
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "enum.Enum", "enum.IntEnum", "enum.StrEnum",
    "enum.Flag", "enum.IntFlag", "typing.NamedTuple", "typing.TypedDict",
    "typing_extensions.TypedDict",
})
