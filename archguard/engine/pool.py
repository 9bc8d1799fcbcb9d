"""Per-file work on files on disk (read, hash, ``analyze_file``): serially or in a process pool.

Workers get paths, never bytes: each reads and hashes its files itself, so the parent only
sends short strings and receives results. A result travels as its pickle (``blob``), which the
cache stores as is instead of pickling it again. Results come back in the order of the paths
given, whatever order the chunks finish in, so serial and parallel runs are identical.

Start method: ``fork`` on Linux when the process has a single thread (the fastest: workers
inherit the imported rules and the config), else ``forkserver`` (the default from Python
3.14; safe in threaded programs) or ``spawn`` (macOS, Windows). Under forkserver/spawn each
worker imports archguard afresh, so rules registered at runtime (not by importing
``archguard.rules``) exist only with fork; a worker whose rule set differs refuses to run
rather than give different results.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.analysis.facts import FileFacts, module_name_for
from archguard.diagnostics import ArchguardError
from archguard.engine.analyze import FileResult, analyze_file, file_failure
from archguard.project.config import Config
from archguard.project.fileio import UnreadableFile, read_regular
from archguard.report.suppressions import FileSuppressions
from archguard.rules.registry import all_rules

if TYPE_CHECKING:  # the pool machinery is imported only when a pool is used
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# The analysis allocates millions of short-lived, acyclic objects (ast nodes, facts) that
# reference counting frees; at the default threshold the cyclic collector also rescans the
# growing results again and again (~8% of a cold run). Collect rarely instead of never, so a
# stray cycle is still freed.
RELAXED_GC_THRESHOLD = (50_000, 20, 100)
PARALLEL_MIN_FILES = 64  # below this a pool costs more than it saves
CHUNKS_PER_WORKER = 16  # small chunks: balanced tails and a smooth progress bar
MAX_CHUNK = 32
ProgressCallback = Callable[[int, int], None]  # (files done, files to do)


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the cache knows about a file: its stat (cheap to compare) and content digest."""

    mtime_ns: int
    ctime_ns: int
    size: int
    inode: int
    digest: bytes

    def same_stat(self, st: os.stat_result) -> bool:
        return (self.mtime_ns == st.st_mtime_ns and self.size == st.st_size
                and self.ctime_ns == st.st_ctime_ns and self.inode == st.st_ino)


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def stamp_of(st: os.stat_result, data: bytes) -> Stamp:
    return Stamp(st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, digest_of(data))


# What a worker sends back per file: path, stamp, pickled result, facts digest, vanished.
_Shipped = tuple[str, Stamp | None, bytes, bytes | None, bool]


@dataclass(slots=True)
class Analyzed:
    """One file's result; ``stamp`` is None when the file could not be read (never cached)."""

    path: str
    result: FileResult
    stamp: Stamp | None
    blob: bytes | None = None  # the result pickled (by a worker), reused by the cache
    facts_digest: bytes | None = None  # of the pickled facts, when asked (the cache keys
    # the project pass by the facts of every file: an edit that keeps them reuses it)
    vanished: bool = False  # deleted since discovery: left out of the run, with a note


def read_file(root: Path, path: str, limit: int | None = None,
              ) -> tuple[os.stat_result, bytes]:
    """A regular file's stat and bytes (``archguard.project.fileio.read_regular``): the stat
    is taken before the bytes are read, so a later edit changes the stat."""
    return read_regular(os.path.join(root, path), limit)


def analyze_one(root: Path, path: str, config: Config, digest_facts: bool = False,
                ) -> Analyzed:
    try:
        st, data = read_file(root, path, config.max_file_bytes)
    except FileNotFoundError as error:
        if os.path.lexists(os.path.join(root, path)):  # a symlink to nothing
            return Analyzed(path, unreadable_file(path, error, config.source_root), None)
        # deleted or renamed since discovery (a branch switch, an editor's save-by-rename)
        return Analyzed(path, vanished_file(path, config.source_root), None, vanished=True)
    except OSError as error:  # not a regular file, too large, no permission
        return Analyzed(path, unreadable_file(path, error, config.source_root), None)
    result = analyze_file(path, data, config)
    facts_digest = facts_digest_of(result) if digest_facts else None
    return Analyzed(path, result, stamp_of(st, data), facts_digest=facts_digest)


def facts_digest_of(result: FileResult) -> bytes:
    return digest_of(pickle.dumps(result.facts, pickle.HIGHEST_PROTOCOL))


def unreadable_file(path: str, error: OSError, source_root: str = "") -> FileResult:
    if isinstance(error, UnreadableFile):
        return file_failure(path, str(error), source_root=source_root)
    return file_failure(path, f"cannot read file: {error.strerror or error}",
                        source_root=source_root)


def vanished_file(path: str, source_root: str = "") -> FileResult:
    module, is_init = module_name_for(path, source_root)
    return FileResult(path, FileFacts(path, module, is_init), [], FileSuppressions())


class _RelaxedGc:
    """The thresholds are process-wide: with checks running in several threads, the first
    to enter relaxes them and the last to leave restores the caller's."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.saved: tuple[int, int, int] = gc.get_threshold()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.users == 0:
                self.saved = gc.get_threshold()
                gc.set_threshold(*RELAXED_GC_THRESHOLD)
            self.users += 1
        try:
            yield
        finally:
            with self.lock:
                self.users -= 1
                if self.users == 0:
                    gc.set_threshold(*self.saved)


relaxed_gc = _RelaxedGc()  # ``with relaxed_gc():``


def worker_count(jobs: int, files: int) -> int:
    """``jobs`` 0 = one worker per usable core; serial (1) for few files."""
    if files < PARALLEL_MIN_FILES or jobs == 1:
        return 1
    cores = jobs if jobs > 0 else usable_cores()
    return max(1, min(cores, files // (PARALLEL_MIN_FILES // 2)))


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def analyze_on_disk(root: Path, paths: list[str], config: Config, jobs: int = 0,
                    progress: ProgressCallback | None = None,
                    start_method: str | None = None, digest_facts: bool = False,
                    ) -> list[Analyzed]:
    """Analyse ``paths`` (relative to ``root``); results in the order of ``paths``."""
    workers = worker_count(jobs, len(paths))
    if workers > 1:
        try:
            return _in_pool(root, paths, config, workers, progress, start_method,
                            digest_facts)
        except _PoolUnavailable:
            pass  # no process support here (sandbox, missing /dev/shm): do it in-process
    return list(_serial(root, paths, config, progress, digest_facts))


def _serial(root: Path, paths: list[str], config: Config,
            progress: ProgressCallback | None, digest_facts: bool) -> Iterator[Analyzed]:
    for done, path in enumerate(paths, start=1):
        yield analyze_one(root, path, config, digest_facts)
        if progress is not None and (done % MAX_CHUNK == 0 or done == len(paths)):
            progress(done, len(paths))


class _PoolUnavailable(Exception):
    pass


def pool_context(start_method: str | None = None) -> BaseContext:
    import multiprocessing

    if start_method is not None:
        return multiprocessing.get_context(start_method)
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and _single_threaded():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _single_threaded() -> bool:
    """No other thread, counting those not started by ``threading`` (a host program's, a
    test runner's): the OS's count, which Python 3.12+ checks before warning about fork."""
    if threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: trust the threading module
        return True


def chunked(paths: list[str], workers: int) -> list[list[str]]:
    size = max(1, min(MAX_CHUNK, len(paths) // (workers * CHUNKS_PER_WORKER)))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def _in_pool(root: Path, paths: list[str], config: Config, workers: int,
             progress: ProgressCallback | None, start_method: str | None,
             digest_facts: bool) -> list[Analyzed]:
    from concurrent.futures import ProcessPoolExecutor

    chunks = chunked(paths, workers)
    codes = tuple(rule.code for rule in all_rules())
    context = pool_context(start_method)
    # a forked worker's parent is this process (a forkserver's or a spawned one's may not be)
    parent = os.getpid() if context.get_start_method() == "fork" else None
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(root, config, codes, digest_facts, parent))
    except (OSError, NotImplementedError, ImportError, ValueError) as error:
        raise _PoolUnavailable from error
    gc.freeze()  # forked workers neither scan nor copy (on write) what they inherit
    try:
        with pool:
            return _run(pool, chunks, len(paths), progress)
    finally:
        gc.unfreeze()


def _run(pool: ProcessPoolExecutor, chunks: list[list[str]], total: int,
         progress: ProgressCallback | None) -> list[Analyzed]:
    try:  # with fork, the processes start at the first submit
        futures = {pool.submit(_analyze_chunk, chunk): i for i, chunk in enumerate(chunks)}
    except OSError as error:
        _stop_workers(pool)
        raise _PoolUnavailable from error
    except BaseException:  # a signal while the workers start: none may outlive the run
        _stop_workers(pool)
        raise
    try:
        return _collect(futures, len(chunks), total, progress)
    except BaseException:  # an error, Ctrl-C or SIGTERM: no worker outlives the run
        _stop_workers(pool)
        raise


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the workers now (a chunk in progress is abandoned), then reap them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public handle
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)


def _collect(futures: dict[Future[list[_Shipped]], int],
             chunks: int, total: int, progress: ProgressCallback | None) -> list[Analyzed]:
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    ordered: list[list[Analyzed]] = [[] for _ in range(chunks)]
    done = 0
    for future in as_completed(futures):
        try:
            items = future.result()
        except BrokenProcessPool as error:
            raise ArchguardError(f"internal error: a worker process died ({error}); "
                                 f"run with --jobs 1 to analyse in one process") from error
        ordered[futures[future]] = [Analyzed(path, pickle.loads(blob), stamp, blob, facts,
                                             gone) for path, stamp, blob, facts, gone in items]
        done += len(items)
        if progress is not None:
            progress(done, total)
    return [item for chunk in ordered for item in chunk]


_worker: dict[str, object] = {}
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int | None) -> None:
    """On Linux, the kernel sends the worker SIGTERM when the parent dies, however it dies
    (SIGKILL, a signal while the pool starts): an orphaned worker would wait forever on a
    queue whose write end its sibling workers still hold open."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl (musl without it, a sandbox): best effort
        return
    if parent is not None and os.getppid() != parent:  # the parent died before the call
        os._exit(1)


def _init_worker(root: Path, config: Config, codes: tuple[str, ...],
                 digest_facts: bool, parent: int | None = None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker inherits the parent's handlers:
        if hasattr(signal, name):  # the parent stops workers with SIGTERM, which must kill
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _die_with_parent(parent)
    gc.set_threshold(*RELAXED_GC_THRESHOLD)  # forked workers inherit it; spawned ones do not
    _worker.update(root=root, config=config, codes=codes, digest_facts=digest_facts)


def _analyze_chunk(paths: list[str]) -> list[_Shipped]:
    root, config = _worker["root"], _worker["config"]
    assert isinstance(root, Path) and isinstance(config, Config)
    if tuple(rule.code for rule in all_rules()) != _worker["codes"]:
        raise ArchguardError("internal error: a worker process has a different rule set "
                             "(rules registered at runtime need the fork start method); "
                             "run with --jobs 1")
    out = []
    for path in paths:
        item = analyze_one(root, path, config, _worker["digest_facts"] is True)
        out.append((path, item.stamp, pickle.dumps(item.result, pickle.HIGHEST_PROTOCOL),
                    item.facts_digest, item.vanished))
    return out
