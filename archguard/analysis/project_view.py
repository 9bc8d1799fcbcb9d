"""The whole package as facts: what cross-file rules query (re-exports, class hierarchies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from archguard.analysis.facts import ClassFact, FileFacts
from archguard.project.config import Config
from archguard.project.layout import ModuleFolder


DURABLE_ENTRIES = 16


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
        not in the tree (a partial tree), that file. None for names outside the project."""
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
