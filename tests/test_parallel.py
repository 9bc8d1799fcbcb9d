"""Per-file work in a process pool: the same results, byte for byte, as serial, cold and warm
runs, under every start method; errors and missing process support handled."""

from __future__ import annotations

import io
import multiprocessing
import shutil
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
from conftest import SAMPLE

from archguard.engine import pool
from archguard.diagnostics import ArchguardError
from archguard.project.config import Config
from archguard.project.discovery import locate_project, package_files
from archguard.report.emitters import EmitOptions, get_emitter
from archguard.rules.registry import _RULES, FileRule, register
from archguard.run.runner import CheckRequest, run_check

sys.path.insert(0, str(Path(__file__).resolve().parent / "perf"))
import synth  # tests/perf is not a package: imported from its folder

MODULES = 30  # about 185 files: well above the serial threshold


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ARCHGUARD_CACHE_DIR", raising=False)
    root = tmp_path / "tree"
    synth.generate_tree(root, MODULES)
    return root


@pytest.fixture
def sample_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ARCHGUARD_CACHE_DIR", raising=False)
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".archguard_cache"))
    return root


def json_output(root: Path, **options: object) -> str:
    stream = io.StringIO()
    report = run_check(CheckRequest(paths=[root], **options))  # type: ignore[arg-type]
    get_emitter("json")(report, stream, EmitOptions())
    return stream.getvalue()


def all_runs(root: Path) -> dict[str, str]:
    """JSON of every way of running: serial/parallel, no cache/cold/warm/pack only."""
    runs = {
        "serial, no cache": json_output(root, jobs=1, use_cache=False),
        "parallel, no cache": json_output(root, jobs=2, use_cache=False),
        "parallel, cold cache": json_output(root, jobs=2),
        "warm (memo)": json_output(root, jobs=2),
        "warm, other PATHs first": json_output(root / "cpv3", jobs=1),
    }
    for index in (root / ".archguard_cache").glob("*.index"):
        index.unlink()  # facts from the pack, project pass run again
    runs["warm (pack), serial"] = json_output(root, jobs=1)
    runs["warm (pack), parallel"] = json_output(root, jobs=2)
    return runs


def test_synthetic_tree_identical_everywhere(tree: Path) -> None:
    runs = all_runs(tree)
    expected = runs["serial, no cache"]
    assert len(report_json(expected)["diagnostics"]) >= 9  # the planted violations
    assert {name: text == expected for name, text in runs.items()} == {
        name: True for name in runs}


def test_sample_project_identical_everywhere(sample_copy: Path) -> None:
    runs = all_runs(sample_copy)
    expected = runs["serial, no cache"]
    assert report_json(expected)["diagnostics"]
    assert {name: text == expected for name, text in runs.items()} == {
        name: True for name in runs}


def report_json(text: str) -> dict[str, list[object]]:
    import json

    data: dict[str, list[object]] = json.loads(text)
    return data


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_every_start_method_gives_the_serial_results(tree: Path, method: str) -> None:
    location = locate_project([tree])
    paths = package_files(location)
    serial = pool.analyze_on_disk(tree, paths, location.config, jobs=1)
    pooled = pool.analyze_on_disk(tree, paths, location.config, jobs=2,
                                      start_method=method)
    assert [a.path for a in pooled] == paths
    assert [(a.result, a.stamp) for a in pooled] == [(a.result, a.stamp) for a in serial]


def test_default_start_method() -> None:
    method = pool.pool_context().get_start_method()
    if sys.platform.startswith("linux") and pool._single_threaded():
        assert method == "fork"  # plain pytest: the main thread is alone here
    else:  # other platforms, or pytest-xdist's worker (execnet runs threads of its own)
        assert method in ("forkserver", "spawn")


def test_threads_not_started_by_threading_are_seen() -> None:
    import _thread
    import threading

    started, stop = threading.Event(), threading.Event()
    _thread.start_new_thread(lambda: (started.set(), stop.wait(10)), ())
    started.wait(10)
    try:
        assert not pool._single_threaded()
    finally:
        stop.set()


def test_threads_never_fork(tree: Path) -> None:
    import threading

    seen: list[str] = []
    worker = threading.Thread(target=lambda: seen.append(
        pool.pool_context().get_start_method()))
    stop = threading.Event()
    keeper = threading.Thread(target=stop.wait)
    keeper.start()
    try:
        worker.start()
        worker.join()
    finally:
        stop.set()
        keeper.join()
    assert seen and seen[0] != "fork"


def test_results_follow_the_paths_not_completion_order() -> None:
    chunks = [["a.py", "b.py"], ["c.py"], ["d.py", "e.py"]]
    futures: dict[Future[list[tuple[str, object, bytes, None, bool]]], int] = {}
    for index, chunk in reversed(list(enumerate(chunks))):  # complete last chunk first
        future: Future[list[tuple[str, object, bytes, None, bool]]] = Future()
        future.set_result([(path, None, _pickled_result(path), None, False) for path in chunk])
        futures[future] = index
    done: list[tuple[int, int]] = []
    items = pool._collect(futures, len(chunks), 5,  # type: ignore[arg-type]
                              lambda d, t: done.append((d, t)))
    assert [item.path for item in items] == ["a.py", "b.py", "c.py", "d.py", "e.py"]
    assert done[-1] == (5, 5)


def _pickled_result(path: str) -> bytes:
    import pickle

    from archguard.engine.analyze import analyze_file

    return pickle.dumps(analyze_file(path, b"x = 1\n", Config()))


def test_few_files_or_one_job_run_serially() -> None:
    assert pool.worker_count(0, pool.PARALLEL_MIN_FILES - 1) == 1
    assert pool.worker_count(1, 10_000) == 1
    assert pool.worker_count(4, 10_000) == 4
    assert pool.worker_count(0, 10_000) == pool.usable_cores()
    chunks = pool.chunked([str(i) for i in range(1000)], 2)
    assert [path for chunk in chunks for path in chunk] == [str(i) for i in range(1000)]
    assert max(len(c) for c in chunks) <= pool.MAX_CHUNK


def test_progress_reports_every_file(tree: Path) -> None:
    for jobs in (1, 2):
        calls: list[tuple[int, int]] = []
        run_check(CheckRequest(paths=[tree], jobs=jobs, use_cache=False,
                               progress=lambda d, t, seen=calls: seen.append((d, t))))
        total = calls[-1][1]
        assert calls[-1] == (total, total) and total > pool.PARALLEL_MIN_FILES
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_no_process_support_falls_back_to_serial(tree: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no semaphores here")

    expected = json_output(tree, jobs=1, use_cache=False)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    assert json_output(tree, jobs=2, use_cache=False) == expected


class _Crashing(FileRule):
    code = "AG990"
    name = "crashing-test-rule"
    summary = "crashes on purpose"
    rulebook = "-"

    def check(self, ctx: object) -> list[object]:
        raise ValueError("boom")


def test_a_rule_crashing_in_a_worker_fails_the_run(tree: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_single_threaded", lambda: True)  # a runtime rule: fork
    register(_Crashing)
    try:
        with pytest.raises(ArchguardError, match="internal error: rule AG990 failed on"):
            run_check(CheckRequest(paths=[tree], jobs=2, use_cache=False))
    finally:
        del _RULES["AG990"]


def test_unreadable_file_is_reported_and_not_cached(tree: Path) -> None:
    (tree / "cpv3" / "modules" / "mod_0001" / "broken.py").symlink_to("missing.py")
    data = report_json(json_output(tree, jobs=2))
    unreadable = [d for d in data["diagnostics"] if isinstance(d, dict)
                  and d["code"] == "AG000" and d["path"].endswith("broken.py")]
    assert len(unreadable) == 1 and "cannot read file" in str(unreadable[0]["message"])
    assert json_output(tree, jobs=2) == json_output(tree, jobs=1, use_cache=False)


def test_relaxed_gc_restores_the_callers_thresholds() -> None:
    import gc

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), pool.relaxed_gc():
        assert gc.get_threshold() == pool.RELAXED_GC_THRESHOLD
        raise RuntimeError("an error inside the block")
    assert gc.get_threshold() == before


def test_relaxed_gc_overlapping_in_threads_restores_the_thresholds() -> None:
    import gc
    import threading

    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with pool.relaxed_gc():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(10)
    with pool.relaxed_gc():  # enters second, leaves last
        leave.set()
        thread.join()
        assert gc.get_threshold() == pool.RELAXED_GC_THRESHOLD  # still inside here
    assert gc.get_threshold() == before


@pytest.mark.parametrize("code, text, pooled", [
    ("AG801", "x = 1\n" * 10, False),
    ("AG801", "x = 1\n" * 100_000, True),
    ("AG502", "x = 1\n" * 10, True),  # its fix reads every project file
])
def test_fixers_start_a_pool_only_for_much_text(code: str, text: str, pooled: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Many cheap fixer runs (cross-file layout fixes, a one-file run) stay in the process:
    a pool's start costs more than they do. A rename across the project is not cheap."""
    import concurrent.futures

    from archguard.fix import parallel
    from archguard.rules.fixing import FixRequest

    started: list[int] = []

    class Refused(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, workers: int, **options: object) -> None:
            started.append(workers)
            raise RuntimeError("no pool in this test")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Refused)
    chunk = len(text) // parallel.PARALLEL_MIN_GROUPS + 1
    work = [(code, FixRequest(Path("."), f"m{i}.py", text[:chunk], (), Config()))
            for i in range(parallel.PARALLEL_MIN_GROUPS)]
    if pooled:
        with pytest.raises(RuntimeError):
            parallel.run_fixers(work, jobs=2)
    else:
        assert len(parallel.run_fixers(work, jobs=2)) == len(work)
    assert started == ([2] if pooled else [])
