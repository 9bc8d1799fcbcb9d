"""The result cache: every change gives the findings of a cold run, damage is a miss,
concurrent runs do not corrupt it, --no-cache writes nothing, `archguard clean` removes it.

Stale reads are caught by poisoning: a cached result is replaced by a fake finding; a run
that should not use the cache must not report it (and one that should, does)."""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import archguard
from archguard.engine import cache
from archguard.cli import main
from archguard.diagnostics import Diagnostic
from archguard.engine.analyze import FileResult
from archguard.fix.records import attach_fixes
from archguard.project import detect
from archguard.report.emitters import EmitOptions, get_emitter
from archguard.run.runner import CheckRequest, run_check

sys.path.insert(0, str(Path(__file__).resolve().parent / "perf"))
import synth  # tests/perf is not a package: imported from its folder

MODULES = 30
SERVICE = "cpv3/modules/mod_0003/service.py"
POISON = "AG999-poison"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(cache.CACHE_DIR_ENV, raising=False)
    root = tmp_path / "tree"
    synth.generate_tree(root, MODULES)
    return root


def check_json(root: Path, **options: object) -> str:
    """What ``archguard check --format json`` prints (the fixes' edits included)."""
    stream = io.StringIO()
    request = CheckRequest(paths=[root], **options)  # type: ignore[arg-type]
    report = run_check(request)
    attach_fixes(report, request)
    get_emitter("json")(report, stream, EmitOptions())
    return stream.getvalue()


def cold(root: Path) -> str:
    return check_json(root, use_cache=False, jobs=1)


def cache_files(root: Path) -> list[str]:
    folder = root / cache.CACHE_DIR_NAME
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def poison(root: Path) -> None:
    """Replace every cached result of SERVICE by one carrying a fake finding, and forget the
    memo, so a run that uses the cached entry reports the fake finding."""
    folder = root / cache.CACHE_DIR_NAME
    for pack in folder.glob("*.pack"):
        payload = pickle.loads(pack.read_bytes())
        digest, blob, facts = payload["results"][SERVICE]
        result: FileResult = pickle.loads(blob)
        fake = Diagnostic(SERVICE, 1, 1, "AG201", "relative-import", POISON, 1, 2)
        result.diagnostics = [fake]
        payload["results"][SERVICE] = (digest, pickle.dumps(result), facts)
        pack.write_bytes(pickle.dumps(payload))
    for index in folder.glob("*.index"):
        payload = pickle.loads(index.read_bytes())
        payload["memo"] = {}
        index.write_bytes(pickle.dumps(payload))


def test_poison_is_seen_when_the_cache_is_used(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    assert POISON in check_json(tree)  # the detector below works


def test_cache_files_and_markers(tree: Path) -> None:
    first = check_json(tree)
    names = cache_files(tree)
    assert ".gitignore" in names and "CACHEDIR.TAG" in names
    assert [n.rsplit(".", 1)[1] for n in names if not n[0].isupper() and n[0] != "."] == [
        "fixes", "index", "pack"]  # fixes: the JSON format's fix edits (fix.records)
    assert (tree / cache.CACHE_DIR_NAME / ".gitignore").read_text() == "*\n"
    assert (tree / cache.CACHE_DIR_NAME / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert first == cold(tree) == check_json(tree)


def test_edited_file(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    path = tree / SERVICE
    path.write_text(path.read_text() + "\nfrom .models import Model0003  # new\n")
    result = check_json(tree)
    assert POISON not in result
    assert result == cold(tree)
    assert "from .models import Model0003" in result


def test_project_findings_are_kept_while_the_facts_are(tree: Path) -> None:
    check_json(tree, jobs=2)  # facts digests made in worker processes...
    [index] = (tree / cache.CACHE_DIR_NAME).glob("*.index")
    payload = pickle.loads(index.read_bytes())
    fake = Diagnostic(SERVICE, 1, 1, "AG202", "cross-module-repository", POISON, 1, 2)
    payload["project_memo"] = {key: (*found, tuple(getattr(fake, name) for name in
                                                   Diagnostic.__slots__))
                               for key, found in payload["project_memo"].items()}
    index.write_bytes(pickle.dumps(payload))
    service = tree / SERVICE
    service.write_text(service.read_text() + "# a comment keeps the facts\n")
    assert POISON in check_json(tree, jobs=1)  # ...match those of this process
    service.write_text(service.read_text()
                       + "from cpv3.modules.mod_0029.service import Mod0029Service  # new\n")
    result = check_json(tree)
    assert POISON not in result
    assert result == cold(tree)


def test_module_cycles_are_kept_by_the_module_edges(tree: Path) -> None:
    expected = cold(tree)
    cycles = [d for d in json.loads(expected)["diagnostics"] if d["code"] == "AG205"]
    assert len(cycles) == 1
    check_json(tree)
    [index] = (tree / cache.CACHE_DIR_NAME).glob("*.index")
    payload = pickle.loads(index.read_bytes())
    [key] = [k for k in payload["durable"] if k.startswith("cycles:")]
    payload["durable"][key] = ([], False)  # poison: a run that reads it finds no cycle
    payload["project_memo"] = {}  # else the unchanged facts reuse the project findings
    index.write_bytes(pickle.dumps(payload))
    service = tree / SERVICE
    service.write_text(service.read_text() + "# an edit that keeps the module edges\n")
    assert "AG205" not in check_json(tree)
    # a new module edge is a new key: the cycles are searched again
    service.write_text(service.read_text()
                       + "from cpv3.modules.mod_0029.service import Mod0029Service  # new\n")
    result = check_json(tree)
    assert "AG205" in result
    assert result == cold(tree)


def test_layout_hints_are_kept_by_content(tree: Path) -> None:
    """The settings module and the database layer are detected from each file's hints,
    kept by its content: an unchanged file's are reused, an edited file is read again."""
    check_json(tree)
    [index] = (tree / cache.CACHE_DIR_NAME).glob("*.index")
    payload = pickle.loads(index.read_bytes())
    digest, hints = payload["hints"][SERVICE]
    assert hints == 0
    payload["hints"][SERVICE] = (digest, detect.SETTINGS_HINT | detect.DB_HINT)  # poison
    index.write_bytes(pickle.dumps(payload))
    config = run_check(CheckRequest(paths=[tree])).config
    assert SERVICE in config.db_layer_globs and SERVICE in config.settings_modules
    service = tree / SERVICE
    service.write_text(service.read_text() + "# an edit\n")
    config = run_check(CheckRequest(paths=[tree])).config
    assert SERVICE not in config.db_layer_globs and SERVICE not in config.settings_modules
    service.write_text(service.read_text() + "Factory = sessionmaker()\n")  # makes sessions
    assert SERVICE in run_check(CheckRequest(paths=[tree])).config.db_layer_globs
    assert check_json(tree) == cold(tree)


def test_same_size_edit_with_restored_mtime_is_seen(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    path = tree / SERVICE
    st = path.stat()
    text = path.read_text()
    path.write_text(text.replace("from __future__", "from __FUTURE__", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # ctime still moves
    assert path.stat().st_size == st.st_size
    result = check_json(tree)
    assert POISON not in result and result == cold(tree)


def test_touched_but_unchanged_file_is_rehashed_not_reanalysed(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    os.utime(tree / SERVICE)  # new mtime, same bytes: the digest says "unchanged"
    assert POISON in check_json(tree)


def test_config_change(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.archguard.complexity]\n"
                         "max-grade = \"A\"\n")
    result = check_json(tree)
    assert POISON not in result and result == cold(tree)


def test_version_upgrade(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_json(tree)
    poison(tree)
    monkeypatch.setattr(archguard, "__version__", "99.0.0")
    result = check_json(tree)
    assert POISON not in result and result == cold(tree)


def test_deleted_cache(tree: Path) -> None:
    expected = check_json(tree)
    assert cache.clean(tree) == tree / cache.CACHE_DIR_NAME
    assert not (tree / cache.CACHE_DIR_NAME).exists()
    assert check_json(tree) == expected == cold(tree)


def test_deleted_and_added_files(tree: Path) -> None:
    check_json(tree)
    (tree / "cpv3/modules/mod_0004/router.py").unlink()
    (tree / "cpv3/modules/mod_0005/extra.py").write_text("from .service import x\n")
    assert check_json(tree) == cold(tree)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong-shape"])
def test_corrupt_cache_files_are_ignored(tree: Path, damage: str) -> None:
    expected = check_json(tree)
    poison(tree)
    for path in (tree / cache.CACHE_DIR_NAME).glob("*.*"):
        if path.suffix not in (".index", ".pack"):
            continue
        data = path.read_bytes()
        path.write_bytes({
            "garbage": b"\x80\x05not a pickle at all",
            "truncated": data[: len(data) // 2],
            "empty": b"",
            "wrong-shape": pickle.dumps({"format": cache.FORMAT, "key": path.stem,
                                         "stamps": [1, 2], "memo": 3, "results": "x"}),
        }[damage])
    assert check_json(tree) == expected
    assert check_json(tree) == expected  # and the rewritten cache is sound


def test_damaged_pack_entries_are_misses(tree: Path) -> None:
    expected = check_json(tree)
    for pack in (tree / cache.CACHE_DIR_NAME).glob("*.pack"):
        payload = pickle.loads(pack.read_bytes())
        results = payload["results"]
        results[SERVICE] = "junk"
        first = sorted(results)[0]
        results[first] = (results[first][0], b"not a pickle")
        pack.write_bytes(pickle.dumps(payload))
    for index in (tree / cache.CACHE_DIR_NAME).glob("*.index"):
        payload = pickle.loads(index.read_bytes())
        payload["memo"] = {}
        index.write_bytes(pickle.dumps(payload))
    assert check_json(tree) == expected


def test_memo_hit_loads_no_facts(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check_json(tree)

    def refuse(self: cache.FileCache) -> None:
        raise AssertionError("the pack was read although nothing changed")

    monkeypatch.setattr(cache.FileCache, "_load_pack", refuse)
    assert check_json(tree) == expected
    monkeypatch.undo()
    poison(tree)
    assert POISON in check_json(tree, select=["AG2"])  # a new selection is not the memo


def test_no_cache_writes_nothing(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tree), "--no-cache", "--format", "json"]) == 1
    assert not (tree / cache.CACHE_DIR_NAME).exists()
    assert json.loads(capsys.readouterr().out)["diagnostics"]


def test_no_cache_reads_nothing(tree: Path) -> None:
    check_json(tree)
    poison(tree)
    assert POISON not in check_json(tree, use_cache=False)


def test_clean_command(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_json(tree)
    assert main(["clean", str(tree)]) == 0
    assert not (tree / cache.CACHE_DIR_NAME).exists()
    assert main(["clean", str(tree / "cpv3")]) == 0
    out = capsys.readouterr().out
    assert "removed" in out and "no cache at" in out


def test_cache_dir_from_environment(tree: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(elsewhere))
    expected = check_json(tree)
    assert not (tree / cache.CACHE_DIR_NAME).exists()
    assert any(p.suffix == ".pack" for p in elsewhere.iterdir())
    (elsewhere / "notes.txt").write_text("not archguard's")  # added to archguard's folder
    assert check_json(tree) == expected
    assert main(["clean", str(tree)]) == 0
    assert [p.name for p in elsewhere.iterdir()] == ["notes.txt"]  # only our files go


def test_read_only_cache_location(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tree / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(blocker / "cache"))  # cannot be created
    assert check_json(tree) == cold(tree)


def test_stale_keys_and_temporary_files_are_pruned(tree: Path) -> None:
    folder = tree / cache.CACHE_DIR_NAME
    folder.mkdir()
    old = [f"{i:024x}" for i in range(6)]  # other cache keys' files (archguard's names)
    for i, stem in enumerate(old):
        for suffix in (".index", ".pack"):
            (folder / f"{stem}{suffix}").write_bytes(b"")
            os.utime(folder / f"{stem}{suffix}", (1_000_000 + i, 1_000_000 + i))
    temp = f"{old[0]}.pack.1.{'ab' * 6}.tmp"
    (folder / temp).write_bytes(b"")
    os.utime(folder / temp, (1_000_000, 1_000_000))
    check_json(tree)
    stems = {p.stem for p in folder.iterdir() if p.suffix in (".index", ".pack")}
    assert len(stems) == cache.KEEP_KEYS
    assert {old[5], old[4], old[3]} < stems  # the most recent other keys survive
    assert not list(folder.glob("*.tmp"))


def test_recently_modified_files_are_not_trusted_by_stat(tree: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # "Recent" is a window of 2 s; widened so that a slow run on a busy machine still
    # stamps the freshly generated files within it.
    monkeypatch.setattr(cache, "RACY_WINDOW_NS", 600 * 10**9)
    check_json(tree)
    store = cache.FileCache.open(tree, run_check_config(tree))
    assert store.stamps[SERVICE].mtime_ns == cache.UNTRUSTED  # just generated
    old = tree / "cpv3" / "__init__.py"
    os.utime(old, (1_000_000_000, 1_000_000_000))
    check_json(tree)
    store = cache.FileCache.open(tree, run_check_config(tree))
    assert store.stamps["cpv3/__init__.py"].mtime_ns == old.stat().st_mtime_ns


def run_check_config(root: Path) -> archguard.project.config.Config:  # type: ignore[name-defined]
    from archguard.project.discovery import locate_project

    return locate_project([root]).config


def test_concurrent_threads(tree: Path) -> None:
    expected = cold(tree)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outputs.append(check_json(tree, jobs=2))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and outputs == [expected] * 4
    assert check_json(tree) == expected


def test_concurrent_processes(tree: Path) -> None:
    expected = json.loads(cold(tree))
    command = [sys.executable, "-m", "archguard", "check", str(tree), "--format", "json"]
    for _ in range(2):  # a cold start, then both writing over a warm cache
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(3)]
        results = [run.communicate(timeout=300) for run in runs]
        for (out, err), run in zip(results, runs, strict=True):
            assert run.returncode == 1, err.decode()
            assert json.loads(out) == expected
        poison(tree)  # invalidates the memo; a pack entry now holds a fake finding
        (tree / SERVICE).write_text((tree / SERVICE).read_text() + "# edit\n")
        expected = json.loads(cold(tree))
    assert json.loads(check_json(tree)) == expected


def test_warm_run_imports_nothing_heavy(tree: Path) -> None:
    code = ("import sys; from archguard.cli import main; "
            f"main(['check', {str(tree)!r}, '--format', 'json', '-o', {os.devnull!r}]); "
            "print(sorted(m for m in ('radon', 'libcst', 'rich', 'semgrep', 'networkx', "
            "'yaml', 'watchfiles', 'concurrent.futures.process') if m in sys.modules))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip() for _ in range(2)]  # cold, warm
    assert runs[0] != "[]"  # the cold run analysed files in a pool
    assert runs[1] == "[]"


def test_the_stored_diagnostic_check_covers_every_field() -> None:
    """A new Diagnostic field must get its type in the cache's check, or a damaged entry
    with a wrong-typed value in that field would be served."""
    from archguard.diagnostics import Diagnostic
    from archguard.engine.cache import _FIELD_TYPES, well_formed

    assert len(_FIELD_TYPES) == len(Diagnostic.__slots__)
    good = Diagnostic("a.py", 1, 1, "AG201", "r", "m", 1, 2, fix="safe")
    assert well_formed(good)
    damaged = Diagnostic("a.py", 1, 1, "AG201", "r", "m", 1, 2, fix=None)  # type: ignore[arg-type]
    assert not well_formed(damaged)
